package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/permissions"
	"github.com/mailform/mailform/specs"
)

func permissionsCommand() *command {
	c := &command{
		name:     "permissions",
		synopsis: "Print the least IAM policy a mailform command needs for the spec",
		usage:    "mailform permissions [-for plan|apply|check|status|test-send|requests|unlock|all] [PATH]",
		help: `Prints, as JSON, the IAM policy one mailform command needs for the spec and
nothing more (docs/permissions.md says why each action is there):

  plan       the reads every plan makes, on "*" (each provider also looks for
             what removed blocks left behind); secrets' tags, never their values
  apply      (the default) plan's reads, the SES reads of -wait, the create,
             update and delete actions of the kinds the spec holds, IAM changes
             on its SMTP users only, the values of the secret locations it
             names, and the stack's lock parameter /mailform/locks/STACK
  check      plan's reads and the SES reads of waiting for verification
  status     the account's sending state
  test-send  the reads, sends and queue calls of a round trip, and the SMTP
             credentials' values (-smtp)
  requests   plan's reads, sending statistics, PutAccountDetails (-submit)
  unlock     the lock parameter
  all        the union of them all

Secrets, IAM users and the lock are scoped to their ARNs, in the partition
and account STS names for the current credentials; without credentials the
partition follows the region and the account is "*" (a note says so), or
give -partition and -account. -plan-only is -for plan.

The policy covers the spec as it is: before removing a block, apply with the
policy of the spec that still holds it. When AWS refuses a call, mailform
names the missing permission ("missing IAM permission sns:CreateTopic").`,
		example: `mailform permissions -for apply examples/ses-domain > apply-policy.json
aws iam put-role-policy --role-name mail-deployer --policy-name mailform --policy-document file://apply-policy.json
mailform permissions -for plan examples/ses-domain > plan-policy.json
mailform permissions -for all -partition aws-us-gov -account 111122223333`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, specGroup|awsGroup)
		forCommand := st.fs.String("for", string(permissions.Apply), "the `COMMAND` the policy is for: plan, apply, check, status, test-send, requests, unlock, import or all")
		planOnly := st.fs.Bool("plan-only", false, "the same as -for plan")
		partition := st.fs.String("partition", "", "AWS `PARTITION` of the ARNs (aws, aws-us-gov, aws-cn); default: from STS")
		account := st.fs.String("account", "", "AWS account `ID` of the ARNs; default: from STS")
		path, code, ok := st.parsePath(args)
		if !ok {
			return code
		}
		cmd, err := permissions.ParseCommand(*forCommand)
		if err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		if *planOnly {
			if cmd != permissions.Apply && cmd != permissions.Plan {
				errorf(io.Stderr, fmt.Errorf("-plan-only and -for %s contradict each other", cmd), "-plan-only is -for plan")
				return ExitError
			}
			cmd = permissions.Plan
		}
		spec := st.load(path)
		if spec == nil {
			return ExitError
		}
		opts := permissions.Options{Command: cmd, Partition: *partition, Account: *account}
		opts.Partition, opts.Account = arnScope(ctx, spec, st.aws, io, opts.Partition, opts.Account)
		out, err := permissions.For(spec, opts).JSON()
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

// arnScope completes the partition and account of the policy's ARNs that
// the flags left empty: from STS for the current credentials, else the
// partition of the region and account "*", with a note that says so.
func arnScope(ctx context.Context, spec *specs.Spec, af awsFlags, io IO, partition, account string) (string, string) {
	if partition != "" && account != "" {
		return partition, account
	}
	caller, err := askCaller(ctx, spec, af)
	if err != nil {
		if partition == "" {
			partition = specs.Partition(regionOf(spec, af))
		}
		acct := account
		if acct == "" {
			acct = "*"
		}
		fmt.Fprintf(io.Stderr, "note: could not ask STS who the credentials belong to (%v); the policy's ARNs use partition %s and account %s; give -partition and -account to set them\n",
			awscfg.Explain(err), partition, acct)
		return partition, account
	}
	if partition == "" {
		partition = caller.Partition
	}
	if account == "" {
		account = caller.Account
	}
	return partition, account
}

// regionOf is the region a command acts in: the flag's, else the spec's.
func regionOf(spec *specs.Spec, af awsFlags) string {
	if af.region != "" {
		return af.region
	}
	return spec.Region
}

// askCaller asks STS, briefly, who the credentials belong to.
func askCaller(ctx context.Context, spec *specs.Spec, af awsFlags) (awscfg.Caller, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	profile := spec.Profile
	if af.profile != "" {
		profile = af.profile
	}
	cfg, err := awscfg.Load(ctx, awscfg.Settings{Profile: profile, Region: regionOf(spec, af), EndpointURL: af.endpointURL})
	if err != nil {
		return awscfg.Caller{}, err
	}
	cfg.RetryMaxAttempts = 1
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return awscfg.Caller{}, err
	}
	return awscfg.CallerOf(out), nil
}
