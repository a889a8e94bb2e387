package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/mailform/mailform/internal/awstest"
)

// DemoSpec is the spec the demo walks through (examples/ses-domain), set by
// main from the files embedded in the binary.
var DemoSpec fs.FS

// demoZone is the hosted zone examples/ses-domain expects to exist.
const demoZone = "acme.example"

func demoCommand() *command {
	c := &command{
		name:     "demo",
		synopsis: "Walk through plan and apply against a local AWS double",
		usage:    "mailform demo [-keep]",
		help: `Starts the local AWS double (as 'mailform sandbox' does) on a free port, and
walks through the main job with examples/ses-domain, printing each step:

  1. the spec is validated
  2. the hosted zone the spec names is created in the double (in your account it exists)
  3. plan: everything is to be created; DKIM records are known only after apply
  4. apply: the SES identity, its DKIM, MAIL FROM, DMARC and SPF records, the
     feedback topic and queue, the configuration set and the SMTP user
  5. plan again: no changes
  6. the SES production-access request with its readiness checklist

Nothing touches a real AWS account. It needs python3 with moto installed.`,
		example: `mailform demo
go run . demo`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, 0)
		keep := st.fs.Bool("keep", false, "keep the double running after the walk-through, until interrupted")
		if code, ok := st.parse(args); !ok {
			return code
		}
		if err := runDemo(ctx, io, *keep); err != nil {
			if errors.Is(err, awstest.ErrMotoMissing) {
				errorf(io.Stderr, err, "the demo runs against a local AWS double built on moto; install it, then run 'mailform demo' again")
			} else {
				errorf(io.Stderr, err)
			}
			return ExitError
		}
		return ExitOK
	}
	return c
}

func runDemo(ctx context.Context, io IO, keep bool) error {
	if DemoSpec == nil {
		return errors.New("this binary was built without the demo spec")
	}
	dir, err := os.MkdirTemp("", "mailform-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	specDir := filepath.Join(dir, "ses-domain")
	if err := os.CopyFS(specDir, DemoSpec); err != nil {
		return fmt.Errorf("writing the demo spec: %w", err)
	}

	step := func(n int, title string) {
		fmt.Fprintf(io.Stdout, "\n=== Step %d: %s\n\n", n, title)
	}
	fmt.Fprintln(io.Stdout, "Starting a local AWS double (moto behind mailform's own emulation of SES, Route 53 and more)...")
	server, err := awstest.Start(ctx, awstest.Options{})
	if err != nil {
		return err
	}
	defer server.Close()
	fmt.Fprintf(io.Stdout, "It answers at %s. Nothing here touches a real AWS account.\n", server.URL())

	// The demo's mailform commands talk to the double with dummy credentials.
	// The double has no rate limits: pacing would only make the demo slow.
	env := append(append([]string(nil), io.Env...),
		"AWS_ACCESS_KEY_ID=AKIDDEMO", "AWS_SECRET_ACCESS_KEY=demo-secret", "AWS_EC2_METADATA_DISABLED=true", PacingEnv+"=off")
	for _, kv := range []string{"AWS_ACCESS_KEY_ID=AKIDDEMO", "AWS_SECRET_ACCESS_KEY=demo-secret", "AWS_EC2_METADATA_DISABLED=true", "AWS_PROFILE=", "AWS_SESSION_TOKEN="} {
		k, v, _ := strings.Cut(kv, "=")
		if v == "" {
			os.Unsetenv(k)
		} else {
			os.Setenv(k, v)
		}
	}
	sub := IO{Stdin: strings.NewReader(""), Stdout: io.Stdout, Stderr: io.Stderr, Env: env}
	mailform := func(args ...string) int {
		fmt.Fprintf(io.Stdout, "$ mailform %s\n", strings.Join(args, " "))
		full := append([]string(nil), args...)
		switch args[0] {
		case "plan", "apply", "requests":
			full = append(full, "-endpoint-url", server.URL(), "-no-color")
		default:
			full = append(full, "-no-color")
		}
		return Run(ctx, full, sub)
	}

	step(1, "validate the spec (no AWS involved)")
	fmt.Fprintf(io.Stdout, "The spec is examples/ses-domain, copied to %s.\n\n", specDir)
	if mailform("validate", specDir) != ExitOK {
		return errors.New("the demo spec does not validate")
	}

	step(2, "the hosted zone "+demoZone+" exists (created here in the double; in your account it already does)")
	r53 := route53.NewFromConfig(server.Config("us-east-1"))
	if _, err := r53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{
		Name: aws.String(demoZone), CallerReference: aws.String("mailform-demo"),
	}); err != nil {
		return fmt.Errorf("creating the demo zone: %w", err)
	}
	fmt.Fprintf(io.Stdout, "Created the public hosted zone %s.\n", demoZone)

	step(3, "plan: what mailform would create")
	if code := mailform("plan", specDir); code != ExitOK {
		return fmt.Errorf("plan failed (exit %d)", code)
	}

	step(4, "apply: make AWS match the spec")
	if code := mailform("apply", specDir, "-auto-approve"); code != ExitOK {
		return fmt.Errorf("apply failed (exit %d)", code)
	}

	step(5, "plan again: AWS now matches the spec")
	if code := mailform("plan", specDir, "-detailed-exitcode"); code != ExitOK {
		return fmt.Errorf("the second plan found changes (exit %d): apply did not converge", code)
	}

	step(6, "the paperwork: SES production access, checked against live state")
	fmt.Fprintln(io.Stdout, "AWS starts every account in the SES sandbox. mailform writes the request, with a")
	fmt.Fprintln(io.Stdout, "checklist of what reviewers look for, from the spec and what AWS holds now.")
	fmt.Fprintln(io.Stdout)
	if code := mailform("requests", "production-access", specDir); code != ExitOK {
		return fmt.Errorf("writing the production-access request failed (exit %d)", code)
	}

	fmt.Fprintln(io.Stdout, "\nThat is the whole loop: edit the spec, plan, apply. Next:")
	fmt.Fprintln(io.Stdout, "  mailform sandbox                 run the double yourself and point mailform or the AWS CLI at it")
	fmt.Fprintln(io.Stdout, "  mailform validate examples/...   see the other examples (ec2-mta, hybrid, many-domains)")
	if keep {
		fmt.Fprintf(io.Stdout, "\nThe double keeps running at %s until you press Ctrl-C.\n", server.URL())
		<-ctx.Done()
	}
	return nil
}
