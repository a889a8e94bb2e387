package cli

import (
	"context"
	"flag"

	"github.com/mailform/mailform/providers/permissions"
)

func permissionsCommand() *command {
	c := &command{
		name:     "permissions",
		synopsis: "Print the least IAM policy that plans and applies the spec",
		usage:    "mailform permissions [PATH] [-plan-only]",
		help: `Prints, as JSON, the IAM policy mailform needs to plan and apply the spec and
nothing more: the reads every plan makes (each provider also looks for what
removed blocks left behind), the create, update and delete actions of the
kinds of resources the spec holds, the secret locations it names (scoped to
their ARNs), and the stack's lock parameter /mailform/locks/STACK.

-plan-only leaves out what only apply needs, for a role that plans pull
requests. The policy covers the spec as it is: before removing every block of
one kind, apply with the policy of the spec that still holds them.

When AWS refuses a call, plan and apply name the missing permission
("missing IAM permission sns:CreateTopic").`,
		example: `mailform permissions examples/ses-domain > policy.json
aws iam put-role-policy --role-name mail-deployer --policy-name mailform --policy-document file://policy.json
mailform permissions -plan-only`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		var sf specFlags
		sf.register(fs)
		planOnly := fs.Bool("plan-only", false, "only what 'mailform plan' needs")
		path, code, ok := parsePath(c, fs, args, io)
		if !ok {
			return code
		}
		spec := sf.load(path, io)
		if spec == nil {
			return ExitError
		}
		out, err := permissions.For(spec, permissions.Options{PlanOnly: *planOnly}).JSON()
		if err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		if _, err := io.Stdout.Write(out); err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		return ExitOK
	}
	return c
}
