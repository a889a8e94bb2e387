// Package cli is mailform's command line: flags, wiring of the engine to AWS,
// rendering of diagnostics and results, and exit codes. It holds no logic of
// its own: specs, plan, providers and apply do the work; cli turns their
// results into text and an exit code. Only main.go exits.
//
// Every command begins the same way (start.go): start(c, io, groups) makes
// its flag set with the common flags of the groups it takes (specGroup:
// -var, -var-file, -no-color; awsGroup: -profile, -region, -endpoint-url,
// -debug); the command adds its own flags to st.fs (-json among them, with
// its own wording); st.parse or st.parsePath reads the arguments, printing
// help or the error; st.load reads the spec and st.connect (or
// st.loadAndConnect for both) opens the session to AWS, each printing what
// went wrong. A new command follows that path and adds itself to commands().
//
// A command's output forms are a view chosen once from its flags, before
// any work: apply (applyView), plan (planView), import (importView),
// validate (validateView), check (checkViews, by -format), status
// (statusView), test-send (testSendView). The work hands its result to
// the view, so that each form is written in one place.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/aws/smithy-go/middleware"

	"github.com/mailform/mailform/internal/version"
)

// Exit codes, as Terraform's.
const (
	ExitOK      = 0 // success, no changes
	ExitError   = 1 // an error; nothing more was done
	ExitChanges = 2 // with -detailed-exitcode: success, and there are changes
)

// IO is where a command reads and writes.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Env    []string // the environment, "K=V"
	// AWSAPIOptions are added to every AWS client plan and apply make (the
	// end-to-end suite's recorder of AWS's answers); nil when run by a user.
	AWSAPIOptions []func(*middleware.Stack) error
}

func (io IO) getenv(key string) string {
	for i := len(io.Env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(io.Env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// command is one subcommand.
type command struct {
	name     string
	synopsis string // one line for the command list
	usage    string // the usage line(s)
	help     string // what it does, in a few paragraphs
	example  string // examples, one per line
	run      func(ctx context.Context, io IO, args []string) int
}

func commands() []*command {
	return []*command{
		validateCommand(),
		fmtCommand(),
		planCommand(),
		applyCommand(),
		checkCommand(),
		testSendCommand(),
		statusCommand(),
		requestsCommand(),
		unlockCommand(),
		permissionsCommand(),
		importCommand(),
		sandboxCommand(),
		demoCommand(),
		versionCommand(),
	}
}

// Main runs mailform with the arguments after the program name and returns
// the exit code.
func Main(args []string, io IO) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, io)
}

// Run is Main without signal handling, for tests.
func Run(ctx context.Context, args []string, io IO) int {
	if len(args) == 0 {
		printTopHelp(io.Stderr)
		return ExitError
	}
	for len(args) > 0 && (args[0] == "-debug" || args[0] == "--debug") {
		io.Env = append(append([]string(nil), io.Env...), DebugEnv+"=1")
		args = args[1:]
	}
	if len(args) == 0 {
		printTopHelp(io.Stderr)
		return ExitError
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			if c := findCommand(args[1]); c != nil {
				printCommandHelp(io.Stdout, c, nil)
				return ExitOK
			}
		}
		printTopHelp(io.Stdout)
		return ExitOK
	case "-v", "-version", "--version":
		name = "version"
	}
	c := findCommand(name)
	if c == nil {
		fmt.Fprintf(io.Stderr, "error: unknown command %q\n", name)
		if s := suggest(name); s != "" {
			fmt.Fprintf(io.Stderr, "hint: did you mean %q?\n", s)
		}
		fmt.Fprintln(io.Stderr, "hint: run 'mailform --help' for the list of commands")
		return ExitError
	}
	sink := &errorSink{w: io.Stderr, json: wantsJSON(args[1:])}
	io.Stderr = sink
	code := c.run(ctx, io, args[1:])
	if code == ExitError {
		if err := sink.writeJSONErrors(io.Stdout); err != nil {
			fmt.Fprintf(sink.w, "error: writing the JSON diagnostics: %v\n", err)
		}
	}
	return code
}

func findCommand(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func suggest(name string) string {
	best, bestDist := "", 3
	for _, c := range commands() {
		if d := editDistance(name, c.name); d < bestDist {
			best, bestDist = c.name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func printTopHelp(w io.Writer) {
	fmt.Fprint(w, `mailform provisions what an organisation needs to send email from AWS
(Amazon SES, or its own MTA on EC2) from a declarative HCL spec.

Usage: mailform [-debug] COMMAND [PATH] [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.synopsis)
	}
	fmt.Fprint(w, `
PATH is a spec folder (all its *.hcl files) or one .hcl file; it defaults to ".".
Run 'mailform COMMAND -help' for a command's flags and examples.
-debug (or MAILFORM_DEBUG=1) logs every AWS call to stderr: service, operation,
region, duration, attempts, throttles, HTTP status and error code; never a
header, a parameter, a body or an error message.

Try it without an AWS account:
  mailform demo                       walk through plan and apply against a local AWS double
  mailform sandbox                    run the local AWS double for your own experiments
`)
}

func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", c.usage, strings.TrimSpace(c.help))
	if fs != nil {
		var flags []string
		fs.VisitAll(func(f *flag.Flag) { flags = append(flags, f.Name) })
		if len(flags) > 0 {
			fmt.Fprintln(w, "\nFlags:")
			sort.Strings(flags)
			for _, name := range flags {
				f := fs.Lookup(name)
				arg, usage := flag.UnquoteUsage(f)
				head := "-" + name
				if arg != "" {
					head += " " + arg
				}
				fmt.Fprintf(w, "  %-26s %s", head, usage)
				if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
					fmt.Fprintf(w, " (default %s)", f.DefValue)
				}
				fmt.Fprintln(w)
			}
		}
	}
	if c.example != "" {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, line := range strings.Split(strings.TrimSpace(c.example), "\n") {
			fmt.Fprintf(w, "  %s\n", strings.TrimSpace(line))
		}
	}
}

// parse parses flags and positional arguments in any order (Go's flag
// package stops at the first positional one). It prints help or the error
// itself; the caller returns the exit code parse reports with ok=false.
func parse(c *command, fs *flag.FlagSet, args []string, io IO) (positional []string, code int, ok bool) {
	fs.SetOutput(io.Stderr)
	fs.Usage = func() {}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printCommandHelp(io.Stdout, c, fs)
				return nil, ExitOK, false
			}
			fmt.Fprintf(io.Stderr, "hint: run 'mailform %s -help' for its flags\n", c.name)
			noteError(io.Stderr, err, fmt.Sprintf("run 'mailform %s -help' for its flags", c.name))
			return nil, ExitError, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, ExitOK, true
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// onePath returns the PATH argument (default ".") or reports extra arguments.
func onePath(c *command, positional []string, io IO) (string, bool) {
	switch len(positional) {
	case 0:
		return ".", true
	case 1:
		return positional[0], true
	}
	errorf(io.Stderr, fmt.Errorf("%s takes one PATH, got %d arguments: %s", c.name, len(positional), strings.Join(positional, " ")))
	return "", false
}

func versionCommand() *command {
	c := &command{
		name:     "version",
		synopsis: "Print mailform's version, commit and build date",
		usage:    "mailform version",
		help: `Prints the version of this mailform binary on its first line, then one
"name: value" line each for the commit it was built from, that commit's date
(a release's build date), the Go toolchain and the platform; "unknown" where
the binary does not know. A release binary carries all of them; a build with
'go install github.com/mailform/mailform@vX' knows its version; a build from
a checkout knows its commit and date.`,
		example: `mailform version | head -1     # mailform v1.2.3`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, 0)
		if code, ok := st.parse(args); !ok {
			return code
		}
		fmt.Fprint(io.Stdout, version.Get())
		return ExitOK
	}
	return c
}

// errorf prints an error and optional hints in the house style.
// In -json mode the error is also kept for the JSON diagnostics document.
func errorf(w io.Writer, err error, hints ...string) {
	noteError(w, err, hints...)
	fmt.Fprintf(w, "error: %v\n", err)
	for _, h := range hints {
		fmt.Fprintf(w, "hint: %s\n", h)
	}
}
