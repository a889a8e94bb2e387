package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/mailform/mailform/check/status"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/providers/ses"
	"github.com/mailform/mailform/requests"
	"github.com/mailform/mailform/specs"
)

func requestsCommand() *command {
	c := &command{
		name:     "requests",
		synopsis: "Write the port-25, reverse-DNS and SES production-access requests",
		usage:    "mailform requests port25|rdns|production-access [PATH] [-format text|markdown] [-submit [-force]]",
		help: `Writes the paperwork AWS still wants, filled in from the spec and from what
AWS holds now, with a checklist that says which prerequisites hold and, for
each, what was found and what was expected.

  port25             the EC2 "Request to remove email sending limitations" form:
                     contact and use case (the requests block), region, every
                     Elastic IP of the spec's MTAs with its reverse-DNS name,
                     and pre-flight checks (A record, PTR, SPF, DKIM key)
  rdns               the reverse-DNS part alone, for accounts or regions where
                     the API cannot set it, and which addresses the API already
                     handled
  production-access  the SES production-access request: review status, a
                     readiness checklist (identities, DKIM, MAIL FROM, DMARC,
                     feedback topics, suppression, test sends, quota) and the
                     fields of account.production_access

-submit (production-access only) sends the request with PutAccountDetails,
once: while a review is PENDING, or once access is granted, it sends nothing
and says so. It refuses while required checklist items fail, unless -force.

Exit status: 0 when the document was written, even with unmet items (it is a
report); 1 on error, or when -submit fails or is refused.`,
		example: `mailform requests port25 examples/ec2-mta
mailform requests rdns examples/ec2-mta -format markdown > rdns.md
mailform requests production-access examples/hybrid
mailform requests production-access examples/hybrid -submit`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, specGroup|awsGroup)
		format := st.fs.String("format", "text", "render as `text` or markdown")
		submit := st.fs.Bool("submit", false, "production-access: send the request to AWS (PutAccountDetails)")
		force := st.fs.Bool("force", false, "with -submit: send even while required checklist items fail")
		code, ok := st.parse(args)
		if !ok {
			return code
		}
		kind, f, path, ok := requestArgs(c, io, st.args, *format, *submit, *force)
		if !ok {
			return ExitError
		}
		spec := st.load(path)
		if spec == nil {
			return ExitError
		}
		// The spec alone can tell that a document cannot be written: say so
		// before contacting AWS.
		if err := requests.CheckSpec(kind, spec); err != nil {
			return missingInput(io, err)
		}
		sess, ok := st.connect(ctx, spec)
		if !ok {
			return ExitError
		}
		r := requestRun{sess: sess, spec: spec, kind: kind, format: f}
		if kind == requests.KindProductionAccess {
			return r.productionAccess(ctx, *submit, *force)
		}
		facts, err := r.facts(ctx, false)
		if err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		return r.render(requestsDoc(kind, spec, facts))
	}
	return c
}

// requestArgs reads the document to write, its format and the PATH from
// requests' arguments, refusing -submit and -force where they do not
// apply. It prints what is wrong itself.
func requestArgs(c *command, io IO, args []string, format string, submit, force bool) (kind string, f requests.Format, path string, ok bool) {
	if len(args) == 0 {
		errorf(io.Stderr, errors.New("requests needs the document to write: "+strings.Join(requests.Kinds, ", ")),
			"run 'mailform requests port25', 'mailform requests rdns' or 'mailform requests production-access'")
		return "", "", "", false
	}
	kind = args[0]
	if !slices.Contains(requests.Kinds, kind) {
		errorf(io.Stderr, fmt.Errorf("unknown request %q: want one of %s", kind, strings.Join(requests.Kinds, ", ")))
		return "", "", "", false
	}
	f, err := requests.ParseFormat(format)
	if err != nil {
		errorf(io.Stderr, err)
		return "", "", "", false
	}
	if (submit || force) && kind != requests.KindProductionAccess {
		errorf(io.Stderr, fmt.Errorf("-submit and -force apply to production-access only: AWS has no API for the %s request", kind),
			"submit the text with the form it names")
		return "", "", "", false
	}
	if force && !submit {
		errorf(io.Stderr, errors.New("-force goes with -submit"))
		return "", "", "", false
	}
	path, ok = onePath(c, args[1:], io)
	if !ok {
		return "", "", "", false
	}
	return kind, f, path, true
}

// requestsDoc builds the document of kind.
func requestsDoc(kind string, spec *specs.Spec, facts requests.Facts) (*requests.Document, error) {
	switch kind {
	case requests.KindPort25:
		return requests.Port25(spec, facts)
	case requests.KindReverseDNS:
		return requests.ReverseDNS(spec, facts)
	}
	return requests.ProductionAccess(spec, facts)
}

// missingInput reports the error of a document the spec cannot fill.
func missingInput(io IO, err error) int {
	var missing *requests.MissingInputError
	if errors.As(err, &missing) {
		errorf(io.Stderr, err, missing.Hint())
		return ExitError
	}
	if err != nil {
		errorf(io.Stderr, err)
	}
	return ExitError
}

// requestRun is one 'mailform requests' run against AWS.
type requestRun struct {
	sess   *session
	spec   *specs.Spec
	kind   string
	format requests.Format
}

// facts reads the live state a document needs: Elastic IPs, PTRs, records
// and DKIM keys for the EC2 requests; SES identities, configuration sets and
// records, plus the account, for production access.
func (r requestRun) facts(ctx context.Context, withAccount bool) (requests.Facts, error) {
	var provs []providers.Provider
	if withAccount {
		provs = []providers.Provider{r.sess.services.route53, r.sess.services.ses}
	} else {
		provs = []providers.Provider{r.sess.services.route53, r.sess.services.ec2, r.sess.services.dkimkey}
	}
	sub := *r.sess
	sub.providers = provs
	// The account settings come from ses.Account below, in one GetAccount
	// with everything else the document needs.
	var desired []specs.Resource
	for _, res := range r.spec.Resources() {
		if res.Kind != specs.KindSESAccount {
			desired = append(desired, res)
		}
	}
	observed, err := sub.read(ctx, desired)
	if err != nil {
		return requests.Facts{}, err
	}
	facts := requests.Facts{Region: r.sess.region, Observed: observed}
	if !withAccount {
		return facts, nil
	}
	acct := ses.NewAccount(r.sess.cfg)
	st, err := acct.Status(ctx)
	if err != nil {
		return requests.Facts{}, err
	}
	facts.Account = &st
	facts.Subscribers, err = acct.TopicSubscribers(ctx, requests.FeedbackTopics(r.spec, observed))
	if err != nil {
		return requests.Facts{}, err
	}
	facts.Alarms, err = status.ReputationAlarms(ctx, cloudwatch.NewFromConfig(r.sess.cfg))
	if err != nil {
		return requests.Facts{}, err
	}
	return facts, nil
}

// render writes a document, or the error that kept it from being built.
func (r requestRun) render(doc *requests.Document, err error) int {
	if err != nil {
		return missingInput(r.sess.io, err)
	}
	if err := doc.Write(r.sess.io.Stdout, r.format); err != nil {
		errorf(r.sess.io.Stderr, err)
		return ExitError
	}
	return ExitOK
}

// productionAccess writes the production-access document and, with
// submit, sends the request once.
func (r requestRun) productionAccess(ctx context.Context, submit, force bool) int {
	io := r.sess.io
	facts, err := r.facts(ctx, true)
	if err != nil {
		errorf(io.Stderr, err)
		return ExitError
	}
	doc, err := requests.ProductionAccess(r.spec, facts)
	if code := r.render(doc, err); code != ExitOK || !submit {
		return code
	}
	decision, err := requests.DecideSubmit(r.spec, facts, doc, force)
	if err != nil {
		var refused *requests.RefusedError
		var missing *requests.MissingInputError
		switch {
		case errors.As(err, &refused):
			errorf(io.Stderr, err, refused.Hint())
		case errors.As(err, &missing):
			errorf(io.Stderr, err, missing.Hint())
		default:
			errorf(io.Stderr, err)
		}
		return ExitError
	}
	fmt.Fprintln(io.Stdout)
	if !decision.Send {
		fmt.Fprintln(io.Stdout, decision.Reason)
		return ExitOK
	}
	acct := ses.NewAccount(r.sess.cfg)
	q := decision.Request
	if err := acct.Submit(ctx, ses.ProductionAccessRequest{
		MailType: q.MailType, WebsiteURL: q.WebsiteURL, ContactLanguage: q.ContactLanguage,
		UseCase: q.UseCase, AdditionalContacts: q.AdditionalContacts,
	}); err != nil {
		hint := "nothing was changed; fix the cause and run -submit again"
		if errors.Is(err, ses.ErrReviewPending) {
			hint = "run 'mailform requests production-access' later to see the review status"
		}
		errorf(io.Stderr, err, hint)
		return ExitError
	}
	st, err := acct.Status(ctx)
	if err != nil {
		errorf(io.Stderr, fmt.Errorf("the request was submitted, but reading its review status failed: %w", err))
		return ExitError
	}
	status, caseID := "not reported yet", "-"
	if st.Request != nil && st.Request.ReviewStatus != "" {
		status = st.Request.ReviewStatus
		if st.Request.CaseID != "" {
			caseID = st.Request.CaseID
		}
	}
	fmt.Fprintf(io.Stdout, "Submitted the production-access request in %s. Review: %s (case %s).\n", r.sess.region, status, caseID)
	fmt.Fprintln(io.Stdout, "AWS answers within about 24 hours; run 'mailform requests production-access' to see the review status.")
	return ExitOK
}
