package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/mailform/mailform/internal/awscfg"
)

func unlockCommand() *command {
	c := &command{
		name:     "unlock",
		synopsis: "Break the stack's apply lock left by a killed run",
		usage:    "mailform unlock [PATH] [-force]",
		help: `Shows who holds the apply lock of the spec's stack (SSM parameter
/mailform/locks/STACK) and since when, and deletes it. Use it only when the run
that took the lock is dead (killed, or its CI job cancelled); breaking the lock
of a live run lets two applies run at once.

Without -force it asks for confirmation on a terminal, and refuses when standard
input is not one.`,
		example: `mailform unlock
mailform unlock -force examples/ses-domain`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, specGroup|awsGroup)
		force := st.fs.Bool("force", false, "break the lock without asking")
		code, ok := st.parse(args)
		if !ok {
			return code
		}
		_, spec, sess, ok := st.loadAndConnect(ctx, st.args)
		if !ok {
			return ExitError
		}
		holder, err := sess.locker.Holder(ctx, spec.Stack)
		if err != nil {
			errorf(io.Stderr, fmt.Errorf("reading the lock of stack %q: %w", spec.Stack, awscfg.Explain(err)))
			return ExitError
		}
		if holder == nil {
			fmt.Fprintf(io.Stdout, "Stack %q is not locked.\n", spec.Stack)
			return ExitOK
		}
		fmt.Fprintf(io.Stdout, "Stack %q is locked by %s.\n", spec.Stack, holder.Describe(time.Now()))
		if !*force && !askYes(io, "Break this lock?") {
			fmt.Fprintln(io.Stderr, "Lock kept.")
			return ExitError
		}
		if err := sess.locker.Release(ctx, spec.Stack); err != nil {
			errorf(io.Stderr, fmt.Errorf("breaking the lock: %w", awscfg.Explain(err)))
			return ExitError
		}
		fmt.Fprintf(io.Stdout, "Lock of stack %q broken.\n", spec.Stack)
		return ExitOK
	}
	return c
}
