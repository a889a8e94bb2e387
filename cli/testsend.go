package cli

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"time"

	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/mailform/mailform/check/testsend"
	"github.com/mailform/mailform/internal/awscfg"
)

func testSendCommand() *command {
	c := &command{
		name:     "test-send",
		synopsis: "Send to the SES mailbox simulator and check the feedback arrives",
		usage:    "mailform test-send [PATH] [-from ADDR] [-timeout D] [-smtp] [-json]",
		help: `Sends one message through SES (v2 SendEmail) to each address of the mailbox
simulator (success, bounce, complaint, ooto, suppressionlist) from a verified
identity of the spec (without -from: the first domain, by name, that SES has
verified for sending, else the first verified email address), with the identity's configuration set, then reads the
spec's feedback queues (SQS long polling) until every notification the spec
sets up has arrived, and checks its shape: notificationType or eventType,
bounceType and bounceSubType, the complained or delivered recipient.

Before sending it checks the chain a notification travels: the identity is
verified, it has topics for bounces and complaints, the configuration set's
event destination has the event types, each queue is subscribed to its topic
and its policy lets the topic send. What is missing is named, with the fix.

It deletes from the queues only the notifications of its own messages; others
are made visible again at once.

-smtp also sends through the SES SMTP interface (STARTTLS on port 587, AUTH)
with the credentials each smtp_user stored, proving the stored password works.
The password is never printed. -smtp-endpoint and -smtp-ca point it at another
server, such as 'mailform sandbox', and the CA that signed its certificate.
When the AWS endpoint is a 'mailform sandbox' whose environment is set (its
-env-file), its SMTP interface and CA are the defaults; with any other
endpoint override, -smtp needs -smtp-endpoint.

Exit status: 0 when everything arrived as expected, 1 otherwise.`,
		example: `mailform test-send examples/ses-domain
mailform test-send -from alerts@acme.example -timeout 5m
mailform test-send -smtp -smtp-endpoint 127.0.0.1:2587 -smtp-ca /tmp/sandbox-ca.pem`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, specGroup|awsGroup)
		from := st.fs.String("from", "", "send from `ADDR` (default: mailform-test-send@ the first domain SES has verified, else the first verified email identity)")
		timeout := st.fs.Duration("timeout", testsend.DefaultTimeout, "how long to wait for notifications, `D` such as 90s or 5m")
		useSMTP := st.fs.Bool("smtp", false, "also send through the SES SMTP interface with each smtp_user's stored credentials")
		smtpEndpoint := st.fs.String("smtp-endpoint", "", "SMTP `HOST:PORT` (default: email-smtp.REGION.amazonaws.com:587)")
		smtpCA := st.fs.String("smtp-ca", "", "trust the CA certificates in the PEM `FILE` for the SMTP endpoint")
		asJSON := st.fs.Bool("json", false, "print the report as JSON")
		path, code, ok := st.parsePath(args)
		if !ok {
			return code
		}
		render := testSendView(*asJSON)
		if *timeout <= 0 {
			errorf(io.Stderr, fmt.Errorf("-timeout must be positive, not %s", *timeout))
			return ExitError
		}
		opts := testsend.Options{Timeout: *timeout, SMTP: *useSMTP, SMTPEndpoint: *smtpEndpoint}
		if *smtpCA != "" {
			if opts.SMTPRootCAs, ok = readCAFile(*smtpCA, "-smtp-ca", io); !ok {
				return ExitError
			}
		}
		spec := st.load(path)
		if spec == nil {
			return ExitError
		}
		setup, err := testsend.FromSpec(spec, *from)
		if err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		if *useSMTP && len(setup.SMTPUsers) == 0 {
			errorf(io.Stderr, fmt.Errorf("-smtp: the spec declares no smtp_user block whose credentials could be tried"))
			return ExitError
		}
		sess, ok := st.connect(ctx, spec)
		if !ok {
			return ExitError
		}
		if *from == "" {
			// The sender is the first identity SES has verified for sending.
			setup, err = testsend.FromSpecVerified(spec, "", testsend.VerifiedForSending(ctx, sesv2.NewFromConfig(sess.cfg)))
			if err != nil {
				errorf(io.Stderr, awscfg.Explain(err))
				return ExitError
			}
		}
		setup.Region = sess.region
		if *useSMTP && *smtpEndpoint == "" && !smtpLikeAWSCalls(io, sess, &opts, *smtpCA) {
			return ExitError
		}
		start := time.Now()
		opts.Progress = func(msg string) {
			fmt.Fprintf(io.Stderr, "  [%s] %s\n", time.Since(start).Round(time.Second), msg)
		}
		clients := testsend.Clients{
			SESv2:   sesv2.NewFromConfig(sess.cfg),
			SESv1:   sesv1.NewFromConfig(sess.cfg),
			SNS:     sns.NewFromConfig(sess.cfg),
			SQS:     sqs.NewFromConfig(sess.cfg),
			Secrets: sess.services.secrets,
		}
		report, err := testsend.Run(ctx, clients, setup, opts)
		if err != nil {
			errorf(io.Stderr, awscfg.Explain(err))
			return ExitError
		}
		if err := render(io.Stdout, report); err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		if !report.OK {
			return ExitError
		}
		return ExitOK
	}
	return c
}

// testSendView returns the writer of test-send's output form: the report
// for a person, or its JSON document (-json).
func testSendView(asJSON bool) func(io.Writer, *testsend.Report) error {
	if asJSON {
		return testsend.RenderJSON
	}
	return testsend.Render
}

// smtpLikeAWSCalls points test-send -smtp, given no -smtp-endpoint, where
// the other calls go: to the sandbox's SMTP interface (and its CA, unless
// -smtp-ca gave one) when AWS calls go to a 'mailform sandbox'. It refuses
// (false, having said why) when they go to another endpoint override, whose
// SMTP interface is unknown; with no override SMTP goes to SES itself.
func smtpLikeAWSCalls(io IO, sess *session, opts *testsend.Options, smtpCA string) bool {
	if sb, isSandbox := sandboxOf(io, sess.cfg); isSandbox && sb.smtp != "" {
		opts.SMTPEndpoint = sb.smtp
		fmt.Fprintf(io.Stderr, "Sending SMTP to the sandbox's SMTP interface %s (%s), as AWS calls go to the sandbox.\n", sb.smtp, SandboxSMTPEnv)
		if smtpCA == "" && sb.smtpCA != "" {
			var ok bool
			if opts.SMTPRootCAs, ok = readCAFile(sb.smtpCA, SandboxSMTPCAEnv, io); !ok {
				return false
			}
		}
	} else if ep := endpointOverride(sess.cfg); ep != "" {
		errorf(io.Stderr, fmt.Errorf("-smtp: AWS calls go to %s, but SMTP would go to SES itself (email-smtp.%s.amazonaws.com:587)", ep, sess.region),
			"pass -smtp-endpoint HOST:PORT (and -smtp-ca FILE), or for 'mailform sandbox' source its -env-file (it sets "+SandboxSMTPEnv+")")
		return false
	}
	return true
}

// readCAFile reads a PEM file of CA certificates, printing what is wrong
// with it (flag names where it came from).
func readCAFile(path, flag string, io IO) (*x509.CertPool, bool) {
	pem, err := os.ReadFile(path)
	if err != nil {
		errorf(io.Stderr, fmt.Errorf("reading %s: %w", flag, err))
		return nil, false
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		errorf(io.Stderr, fmt.Errorf("%s %s holds no PEM certificate", flag, path))
		return nil, false
	}
	return pool, true
}
