package cli

import (
	"context"
	"flag"

	"github.com/mailform/mailform/providers/route53"
	"github.com/mailform/mailform/specs"
)

// flagGroup is a set of common flags a command takes.
type flagGroup int

const (
	// specGroup: -var, -var-file, -no-color (every command that loads a spec).
	specGroup flagGroup = 1 << iota
	// awsGroup: -profile, -region, -endpoint-url, -debug (every command that
	// talks to AWS).
	awsGroup
)

// startup is the one way every command begins: start makes the flag set
// with the common flags of the groups the command takes, the command adds
// its own flags to fs, then parse (or parsePath) reads the arguments, and
// load and connect read the spec and connect to its AWS account, printing
// any problem themselves.
type startup struct {
	c    *command
	io   IO
	fs   *flag.FlagSet
	spec specFlags // registered with specGroup
	aws  awsFlags  // registered with awsGroup
	// args are the positional arguments, after parse.
	args []string
}

// start begins c: a flag set with the common flags of groups.
func start(c *command, io IO, groups flagGroup) *startup {
	s := &startup{c: c, io: io, fs: flag.NewFlagSet(c.name, flag.ContinueOnError)}
	if groups&specGroup != 0 {
		s.spec.register(s.fs)
	}
	if groups&awsGroup != 0 {
		s.aws.register(s.fs)
	}
	return s
}

// parse reads flags and positional arguments (into s.args) in any order.
// With ok false the command returns code: parse printed help or the error.
func (s *startup) parse(args []string) (code int, ok bool) {
	s.args, code, ok = parse(s.c, s.fs, args, s.io)
	return code, ok
}

// parsePath is parse for a command that takes one optional PATH (default ".").
func (s *startup) parsePath(args []string) (path string, code int, ok bool) {
	if code, ok = s.parse(args); !ok {
		return "", code, false
	}
	if path, ok = onePath(s.c, s.args, s.io); !ok {
		return "", ExitError, false
	}
	return path, ExitOK, true
}

// load reads, validates and expands the spec at path with the -var and
// -var-file flags, printing every diagnostic. It returns nil on errors.
func (s *startup) load(path string) *specs.Spec { return s.spec.load(path, s.io) }

// color reports whether output may be coloured (-no-color, NO_COLOR, a terminal).
func (s *startup) color() bool { return s.spec.color(s.io) }

// connect opens a session to the AWS account and region of spec, with the
// AWS flags. It prints the error itself; ok is false then.
func (s *startup) connect(ctx context.Context, spec *specs.Spec) (*session, bool) {
	sess, err := openSession(ctx, spec, s.aws, s.io)
	if err != nil {
		errorf(s.io.Stderr, err)
		return nil, false
	}
	return sess, true
}

// connectFor opens a session for stack in region without a spec (a saved
// plan names them), with the AWS flags. It prints the error itself.
func (s *startup) connectFor(ctx context.Context, stack, region, specDir string, zones []route53.ZoneRef) (*session, bool) {
	sess, err := openSessionFor(ctx, stack, region, "", s.aws, s.io, specDir, zones)
	if err != nil {
		errorf(s.io.Stderr, err)
		return nil, false
	}
	return sess, true
}

// loadAndConnect takes the PATH argument out of positional, loads the spec
// and connects to AWS: what every command that reads a spec and AWS starts
// with, when it has nothing to check in between.
func (s *startup) loadAndConnect(ctx context.Context, positional []string) (path string, spec *specs.Spec, sess *session, ok bool) {
	if path, ok = onePath(s.c, positional, s.io); !ok {
		return "", nil, nil, false
	}
	if spec = s.load(path); spec == nil {
		return path, nil, nil, false
	}
	if sess, ok = s.connect(ctx, spec); !ok {
		return path, nil, nil, false
	}
	return path, spec, sess, true
}
