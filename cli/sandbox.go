package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/mailform/mailform/internal/awstest"
)

func sandboxCommand() *command {
	c := &command{
		name:     "sandbox",
		synopsis: "Run a local AWS double to try mailform without an account",
		usage:    "mailform sandbox [-env-file FILE] [-addr 127.0.0.1:4566] [-rate-limits aws|off] [-consistency immediate|aws] [-time-scale N] [-faults SPEC]",
		help: `Starts the local AWS double that mailform's own tests use: moto, fronted by
mailform's emulation of what moto lacks (SES identities and DKIM verification
from the double's Route 53 zones, the mailbox simulator, EC2 reverse DNS,
Route 53 strictness, and an authoritative DNS server for its zones).

The first line printed is "endpoint: http://ADDR"; lines "dns: HOST:PORT",
"smtp: HOST:PORT" and "smtp-ca: FILE" follow once everything answers, then
the environment that points the AWS CLI and mailform at it, as export lines:
AWS_ENDPOINT_URL, AWS_REGION and AWS_DEFAULT_REGION (the AWS CLI v1 reads only
the latter), dummy credentials, MAILFORM_PACING_SCALE=off (no rate limits to
keep under), and MAILFORM_SANDBOX_ENDPOINT, MAILFORM_SANDBOX_DNS,
MAILFORM_SANDBOX_SMTP and MAILFORM_SANDBOX_SMTP_CA, with which 'mailform check'
asks the sandbox's DNS server and 'mailform test-send -smtp' uses its SMTP
interface whenever the AWS endpoint is the sandbox's.

-env-file FILE writes the same export lines to FILE once the sandbox answers
(and removes it when the sandbox stops): wait for FILE to exist, then source
it. It serves until interrupted, and keeps nothing when it stops.

-rate-limits aws enforces AWS's limits (Route 53 5 requests/s, SES 1 request/s);
-consistency aws makes it as eventually consistent and as slow to verify as
AWS (new access keys, deleted secret names, new queues, list calls, SES
verification, Route 53 propagation; docs/sandbox.md has each delay), and
-time-scale N divides every delay by N;
-enforce-iam authorises every call signed with the access key of an IAM user
(one created in the sandbox) against that user's policies, and refuses as AWS
does (AccessDenied, AccessDeniedException, UnauthorizedOperation,
AuthorizationError); any other key acts as the account's root user. Try a
policy from 'mailform permissions' this way before giving it to a pipeline;
-faults injects failures (docs/sandbox.md has the grammar), e.g.
  route53:*=throttle@0.3,*:*=5xx@0.05,seed=1
It listens on loopback addresses only.`,
		example: `mailform sandbox
rm -f sandbox.env; mailform sandbox -env-file sandbox.env & until [ -f sandbox.env ] || ! kill -0 $!; do sleep 1; done; . ./sandbox.env
mailform sandbox -addr 127.0.0.1:4566 -rate-limits aws
AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x mailform plan examples/ses-domain`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, 0)
		addr := st.fs.String("addr", "127.0.0.1:4566", "loopback `HOST:PORT` to listen on (port 0 picks a free one)")
		dnsAddr := st.fs.String("dns-addr", "127.0.0.1:0", "loopback `HOST:PORT` for the DNS server (UDP and TCP)")
		limits := st.fs.String("rate-limits", "off", "`MODE`: aws (AWS's per-account limits) or off")
		faults := st.fs.String("faults", "", "inject faults per `SPEC` (see docs/sandbox.md)")
		consistency := st.fs.String("consistency", awstest.ConsistencyImmediate, "`MODE`: immediate (reads see every write at once) or aws (AWS's eventual consistency and verification delays)")
		envFile := st.fs.String("env-file", "", "write the sandbox's environment as export lines to `FILE` once it answers (removed when it stops)")
		timeScale := st.fs.Float64("time-scale", 1, "divide every emulated delay by `N` (and multiply rate limits by it)")
		enforceIAM := st.fs.Bool("enforce-iam", false, "authorise calls signed with an IAM user's access key against that user's policies")
		code, ok := st.parse(args)
		if !ok {
			return code
		}
		if len(st.args) > 0 {
			errorf(io.Stderr, fmt.Errorf("sandbox takes no arguments, got %q", st.args[0]))
			return ExitError
		}
		for _, a := range []string{*addr, *dnsAddr} {
			host, _, err := net.SplitHostPort(a)
			if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
				errorf(io.Stderr, fmt.Errorf("%q is not a loopback HOST:PORT", a), "the sandbox serves this machine only, e.g. -addr 127.0.0.1:4566")
				return ExitError
			}
		}
		if *limits != "off" && *limits != "aws" {
			errorf(io.Stderr, fmt.Errorf("-rate-limits must be aws or off, not %q", *limits))
			return ExitError
		}
		if *consistency != awstest.ConsistencyImmediate && *consistency != awstest.ConsistencyAWS {
			errorf(io.Stderr, fmt.Errorf("-consistency must be immediate or aws, not %q", *consistency))
			return ExitError
		}
		if *timeScale <= 0 {
			errorf(io.Stderr, fmt.Errorf("-time-scale must be a positive number, not %g", *timeScale))
			return ExitError
		}
		if _, err := awstest.ParseFaultSpec(*faults); err != nil {
			errorf(io.Stderr, fmt.Errorf("-faults: %w", err))
			return ExitError
		}
		pacing := "off"
		if *limits == "aws" {
			pacing = ""
			if *timeScale != 1 {
				pacing = strconv.FormatFloat(*timeScale, 'g', -1, 64)
			}
		}
		env := func(s *awstest.Server) ([]string, error) {
			vars := sandboxVars(s.Env(), pacing, s.URL(), s.DNSAddr(), s.SMTPAddr(), s.SMTPCAFile())
			if *envFile == "" {
				return vars, nil
			}
			if err := writeEnvFile(*envFile, awstest.ShellExports(vars)); err != nil {
				return nil, err
			}
			fmt.Fprintf(io.Stdout, "env-file: %s\n", *envFile)
			return vars, nil
		}
		if *envFile != "" {
			// A file left by an earlier sandbox must not look like this one's.
			if err := os.Remove(*envFile); err != nil && !errors.Is(err, os.ErrNotExist) {
				errorf(io.Stderr, fmt.Errorf("-env-file: %w", err))
				return ExitError
			}
			defer os.Remove(*envFile)
		}
		err := awstest.RunWithEnv(ctx, awstest.Options{
			Addr: *addr, DNSAddr: *dnsAddr, RateLimits: *limits, Faults: *faults,
			Consistency: *consistency, TimeScale: *timeScale, EnforceIAM: *enforceIAM,
		}, io.Stdout, env)
		if err != nil {
			if errors.Is(err, awstest.ErrMotoMissing) {
				errorf(io.Stderr, err, "install moto, then run 'mailform sandbox' again")
			} else {
				errorf(io.Stderr, err)
			}
			return ExitError
		}
		return ExitOK
	}
	return c
}
