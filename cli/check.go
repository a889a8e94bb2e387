package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/mailform/mailform/check"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
)

func checkCommand() *command {
	c := &command{
		name:     "check",
		synopsis: "Prove from live DNS and SES that mail will authenticate",
		usage:    "mailform check [PATH] [-resolver HOST:PORT] [-json] [-bulk-sender] [-format human|json|checklist]",
		help: `Asks the authoritative name servers of every domain of the spec what they
serve, and SES where each identity stands, and reports each check as OK,
INFO, WARN or FAIL with the expected and served values:

  delegation   the parent zone delegates to the Route 53 zone's name servers
  DKIM         the CNAMEs (Easy DKIM) or key TXT (BYODKIM, dkim_key) are served;
               keys parse (RSA, length) where they can be reached from here
  SPF          one SPF record per name, its syntax, and its DNS lookups
               counted live and recursively (limit 10; void lookups, limit 2)
  DMARC        the record parses; its policy; rua/ruf are mailto: URIs;
               whether SPF (MAIL FROM) and DKIM (d=) align with the From domain
  MAIL FROM    exactly one MX, to feedback-smtp.<region>.amazonses.com
  MTA          A -> Elastic IP, PTR -> hostname, forward-confirmed, SPF lets it send
  SES          identity verification, DKIM and MAIL FROM statuses, with the reason;
               an identity SES has not verified yet (PENDING) fails, so check
               is the follow-up of an 'apply -wait' that ended first

-bulk-sender checks instead what Gmail, Yahoo and Microsoft (Outlook.com)
ask of senders of 5,000 messages a day or more, for each domain and MTA,
with the source of each rule, what was found and the fix: SPF passes for
each sending path (SES through the MAIL FROM domain, MTAs through their
IPs), DKIM signs with d= the From domain, DMARC is published (at least
p=none) and aligned, MTA IPs have forward-confirmed reverse DNS and offer
STARTTLS on port 25 (unreachable is a WARN: could not test), and SES's
complaint rate (warn 0.1%, fail 0.3%) and bounce rate (warn 5%, fail 10%)
from its CloudWatch reputation metrics. One-click unsubscribe is a header
of your own messages, which mailform cannot see: it is listed as MANUAL.
-format checklist writes the report as a Markdown checklist for a ticket.

Domains whose DNS is elsewhere are checked the same way, against the records
the plan asks you to publish. Nothing is changed.

The name servers are found through the delegation (the system resolver) and
asked directly, without recursion. -resolver sends every query to one server
instead (a local DNS server, 'mailform sandbox', a recursive resolver), and
then the delegation check is skipped. When the AWS endpoint is a 'mailform
sandbox' whose environment is set (its -env-file), its DNS server is the
default -resolver; with any other endpoint override and no -resolver, check
warns that public DNS does not serve a local double's zones.

check reads SES identities as plan does: -refresh=full describes each one
(1 SES call each) instead of reading 100 a call (docs/performance.md).

Exit status: 0 when no check failed (warnings allowed), 1 otherwise.`,
		example: `mailform check
mailform check examples/ses-domain -json
mailform check -resolver 127.0.0.1:5353 -endpoint-url http://127.0.0.1:4566
mailform check examples/ses-domain -bulk-sender -format checklist > bulk-sender.md
. ./sandbox.env && mailform check examples/ses-domain`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, specGroup|awsGroup)
		var refresh refreshFlag
		refresh.register(st.fs)
		resolver := st.fs.String("resolver", "", "send every DNS query to `HOST:PORT` instead of the authoritative servers (skips the delegation check)")
		asJSON := st.fs.Bool("json", false, "print the report as JSON (docs/check.md); the same as -format json")
		bulk := st.fs.Bool("bulk-sender", false, "check the bulk-sender requirements of Gmail, Yahoo and Microsoft instead (docs/check.md)")
		format := st.fs.String("format", "human", "the report's `FORMAT`: human, json, or checklist (Markdown, for a ticket)")
		smtpTimeout := st.fs.Duration("smtp-timeout", check.DefaultSMTPTimeout, "with -bulk-sender, how long (`DURATION`, such as 5s) the STARTTLS test of each MTA's port 25 may take")
		path, code, ok := st.parsePath(args)
		if !ok {
			return code
		}
		view, err := checkViewOf(*asJSON, *format, flagSet(st.fs, "format"), *smtpTimeout)
		if err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		spec := st.load(path)
		if spec == nil {
			return ExitError
		}
		if *resolver != "" {
			if _, err := check.NewDNS(check.DNSOptions{Server: *resolver}); err != nil {
				errorf(io.Stderr, err, "give a DNS server with -resolver HOST:PORT")
				return ExitError
			}
		}
		sess, ok := st.connect(ctx, spec)
		if !ok {
			return ExitError
		}
		resolverDNS, publicDNSHint, ok := checkDNS(io, sess, resolver)
		if !ok {
			return ExitError
		}
		// Only what the checks need: record sets, SES identities, DKIM public
		// keys and Elastic IPs; check reads nothing of IAM, SNS or SQS.
		sess.providers = []providers.Provider{sess.services.route53, sess.services.ses, sess.services.dkimkey, sess.services.ec2}
		desired := spec.Resources()
		refresh.apply(sess)
		observed, err := sess.read(ctx, desired)
		if err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		target := check.NewTarget(sess.region, spec, plan.NewLive(spec.Stack, desired, observed))
		opts := check.Options{DNS: resolverDNS, Resolver: *resolver, SES: sess.services.ses, Alarms: cloudwatch.NewFromConfig(sess.cfg)}
		if !resolverDNS.Fixed() {
			opts.Delegation = resolverDNS
			opts.Route53 = route53.NewFromConfig(sess.cfg)
		}
		var report *check.Report
		if *bulk {
			report = check.BulkSender(ctx, target, check.BulkOptions{DNS: resolverDNS, Resolver: *resolver,
				Metrics: cloudwatch.NewFromConfig(sess.cfg), SMTPTimeout: *smtpTimeout})
		} else {
			report = check.Run(ctx, target, opts)
		}
		if ctx.Err() != nil {
			// Interrupted (Ctrl-C): the checks that were cut short say
			// nothing of the domain, so no report is printed.
			errorf(io.Stderr, fmt.Errorf("interrupted: the checks did not finish, so nothing is reported"))
			return ExitError
		}
		if err := view.write(io.Stdout, report); err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		if !report.Passed() {
			if view.failNote {
				sayFailed(io, report, sess, publicDNSHint)
			}
			return ExitError
		}
		return ExitOK
	}
	return c
}

// checkViewOf is the view the output flags ask for: -json is -format json,
// and conflicts with another -format the user set (formatSet). It also
// refuses an -smtp-timeout that is not positive, before anything is read.
func checkViewOf(asJSON bool, format string, formatSet bool, smtpTimeout time.Duration) (checkView, error) {
	if asJSON {
		if format != "json" && formatSet {
			return checkView{}, fmt.Errorf("-json and -format %q ask for two reports: -json is -format json", format)
		}
		format = "json"
	}
	view, known := checkViews[format]
	if !known {
		return checkView{}, fmt.Errorf("-format %q: want human, json or checklist", format)
	}
	if smtpTimeout <= 0 {
		return checkView{}, fmt.Errorf("-smtp-timeout %s: want a duration of more than 0, such as 5s (the default is %s)", smtpTimeout, check.DefaultSMTPTimeout)
	}
	return view, nil
}

// sayFailed says on stderr how many checks failed, with a hint when DNS
// was asked where a local AWS double's zones are not served.
func sayFailed(io IO, report *check.Report, sess *session, publicDNSHint string) {
	n := report.Summary().Fail
	noun := "checks"
	if n == 1 {
		noun = "check"
	}
	fmt.Fprintf(io.Stderr, "error: %d %s failed\n", n, noun)
	if publicDNSHint != "" {
		fmt.Fprintf(io.Stderr, "hint: the DNS checks asked the public name servers while AWS calls went to %s; %s\n", endpointOverride(sess.cfg), publicDNSHint)
	}
}

// checkView writes check's report in one form (-format).
type checkView struct {
	write func(io.Writer, *check.Report) error
	// failNote: a failed check is also said on stderr, with a hint when
	// DNS was asked where the AWS double is not. The JSON report says it
	// itself.
	failNote bool
}

// checkViews are the forms of check's report, by -format.
var checkViews = map[string]checkView{
	"human":     {write: check.WriteHuman, failNote: true},
	"json":      {write: check.WriteJSON},
	"checklist": {write: check.WriteChecklist, failNote: true},
}

// checkDNS returns the DNS client check asks, after choosing its server:
// -resolver, else the DNS server of a 'mailform sandbox' that AWS calls go
// to (resolver is set to it), else the public name servers, with a warning
// and publicDNSHint when AWS calls go to another endpoint override. It
// prints any problem itself.
func checkDNS(io IO, sess *session, resolver *string) (dns *check.DNS, publicDNSHint string, ok bool) {
	if *resolver == "" {
		if sb, ok := sandboxOf(io, sess.cfg); ok && sb.dns != "" {
			*resolver = sb.dns
			fmt.Fprintf(io.Stderr, "Asking the sandbox's DNS server %s (%s), as AWS calls go to the sandbox.\n", sb.dns, SandboxDNSEnv)
		} else if ep := endpointOverride(sess.cfg); ep != "" {
			fmt.Fprintf(io.Stderr, "warning: AWS calls go to %s, but DNS questions go to the public name servers, which do not serve a local AWS double's zones\n", ep)
			publicDNSHint = "for 'mailform sandbox', pass -resolver with its dns: address, or source its -env-file (it sets " + SandboxDNSEnv + ")"
			fmt.Fprintln(io.Stderr, "hint: "+publicDNSHint)
		}
	}
	dns, err := check.NewDNS(check.DNSOptions{Server: *resolver})
	if err != nil {
		errorf(io.Stderr, err, "give a DNS server with -resolver HOST:PORT")
		return nil, "", false
	}
	return dns, publicDNSHint, true
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
