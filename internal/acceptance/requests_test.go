package acceptance

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/internal/golden"
)

// requests runs 'mailform requests KIND' against the double.
func (e *env) requests(want int, kind string, args ...string) result {
	e.t.Helper()
	full := append([]string{"requests", kind, e.dir, "-endpoint-url", e.s.URL()}, args...)
	return e.must(want, full...)
}

var (
	ipv4Pattern   = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
	allocPattern  = regexp.MustCompile(`eipalloc-[0-9a-f]+`)
	caseIDPattern = regexp.MustCompile(`(case |Case ID:\s+|Case ID:\*\* )\d+`)
	keyPattern    = regexp.MustCompile(`p=MIIB[A-Za-z0-9+/]*\.\.\.[A-Za-z0-9+/=]{8}`)
	tablePad      = regexp.MustCompile(` {2,}`)
	tableRule     = regexp.MustCompile(`-{3,}`)
)

// normalise replaces what the double randomises (Elastic IPs, allocation
// IDs, DKIM public keys, review case IDs) with stable names, numbered in
// order of appearance, and evens out the padding of plain-text tables,
// whose column widths follow the addresses' lengths.
func normalise(s string) string {
	number := func(re *regexp.Regexp, name string) {
		seen := map[string]string{}
		s = re.ReplaceAllStringFunc(s, func(m string) string {
			if _, ok := seen[m]; !ok {
				seen[m] = fmt.Sprintf("<%s-%d>", name, len(seen)+1)
			}
			return seen[m]
		})
	}
	number(ipv4Pattern, "EIP")
	number(allocPattern, "ALLOC")
	s = keyPattern.ReplaceAllString(s, "p=<PUBLIC KEY>")
	s = caseIDPattern.ReplaceAllString(s, "${1}<CASE>")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ") && !strings.HasPrefix(l, "  >") && !strings.HasPrefix(l, "  - ") {
			l = tablePad.ReplaceAllString(l, "  ")
			lines[i] = tableRule.ReplaceAllString(l, "---")
		}
	}
	return strings.Join(lines, "\n")
}

// golden compares a normalised request text with
// testdata/requests/NAME, or rewrites it with -update.
func (e *env) golden(name, got string) {
	e.t.Helper()
	path := filepath.Join("testdata", "requests", name)
	golden.Check(e.t, path, []byte(normalise(got)))
}

// allGoldens writes each document in both formats and compares them.
func (e *env) allGoldens(example string, kinds ...string) {
	e.t.Helper()
	for _, kind := range kinds {
		for _, format := range []string{"text", "markdown"} {
			r := e.requests(0, kind, "-format", format)
			ext := map[string]string{"text": ".txt", "markdown": ".md"}[format]
			e.golden(example+"-"+kind+ext, r.stdout)
		}
	}
}

// setPTR makes the reverse DNS of the address of the MTA with hostname be
// host (or none when host is ""), through the EC2 API, whatever apply did:
// the texts then show one address handled by the API and one to ask for.
func (e *env) setPTR(hostname, host string) {
	e.t.Helper()
	c := ec2.NewFromConfig(e.cfg())
	out, err := c.DescribeAddresses(e.ctx(), &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:mailform:hostname"), Values: []string{hostname + "."}},
	}})
	if err != nil || len(out.Addresses) != 1 {
		e.t.Fatalf("the Elastic IP of %s: %v (%d found)", hostname, err, len(out.Addresses))
	}
	id := out.Addresses[0].AllocationId
	attr, err := c.DescribeAddressesAttribute(e.ctx(), &ec2.DescribeAddressesAttributeInput{
		AllocationIds: []string{aws.ToString(id)}, Attribute: ec2types.AddressAttributeNameDomainName})
	if err != nil {
		e.t.Fatal(err)
	}
	has := len(attr.Addresses) > 0 && aws.ToString(attr.Addresses[0].PtrRecord) != ""
	switch {
	case host != "" && !has:
		_, err = c.ModifyAddressAttribute(e.ctx(), &ec2.ModifyAddressAttributeInput{AllocationId: id, DomainName: aws.String(host)})
	case host == "" && has:
		_, err = c.ResetAddressAttribute(e.ctx(), &ec2.ResetAddressAttributeInput{AllocationId: id, Attribute: ec2types.AddressAttributeNameDomainName})
	}
	if err != nil {
		e.t.Fatalf("setting the PTR of %s: %v", hostname, err)
	}
}

// applyEC2MTA applies examples/ec2-mta. Its mx1 may name an instance that
// does not exist in the double, so the test drops the association: the
// request texts do not depend on it.
func applyEC2MTA(t *testing.T) *env {
	e := newEnv(t, "ec2-mta", "northwind.example")
	e.region = "eu-west-1"
	path := filepath.Join(e.dir, "main.hcl")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e.write("main.hcl", regexp.MustCompile(`(?m)^\s*instance_id\s*=.*\n`).ReplaceAllString(string(src), ""))
	e.must(0, "apply", e.dir, "-auto-approve")
	e.setPTR("mx1.northwind.example", "mx1.northwind.example")
	e.setPTR("mx2.northwind.example", "")
	return e
}

// TestRequestsEC2MTA writes the three texts for examples/ec2-mta after
// apply and compares them with the goldens.
func TestRequestsEC2MTA(t *testing.T) {
	e := applyEC2MTA(t)
	e.allGoldens("ec2-mta", "port25", "rdns", "production-access")

	port25 := e.requests(0, "port25")
	for _, want := range []string{
		"[ok]      mta.mx1: reverse DNS (PTR) of the address is mx1.northwind.example",
		"[not met] mta.mx2: reverse DNS (PTR) of the address is mx2.northwind.example",
		"[ok]      domain northwind.example: SPF includes the address of mta.mx2",
		"9 of 10 met, 1 not met.",
	} {
		if !strings.Contains(port25.stdout, want) {
			t.Errorf("port25 lacks %q:\n%s", want, port25.stdout)
		}
	}
	// The text names every address the stack holds in EC2.
	out, err := ec2.NewFromConfig(e.cfg()).DescribeAddresses(e.ctx(), &ec2.DescribeAddressesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:mailform:stack"), Values: []string{"northwind-mta"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Addresses) != 2 {
		t.Fatalf("Elastic IPs = %d, want 2", len(out.Addresses))
	}
	for _, a := range out.Addresses {
		if !strings.Contains(port25.stdout, aws.ToString(a.PublicIp)) {
			t.Errorf("port25 does not list %s", aws.ToString(a.PublicIp))
		}
	}
	// The EC2 texts read Route 53, EC2 and the key store: never SES or IAM,
	// and they change nothing.
	e.s.ResetCounts()
	e.requests(0, "port25")
	e.requests(0, "rdns")
	counts := e.s.Counts()
	for _, svc := range []string{"ses", "iam", "sns", "sqs"} {
		if len(counts[svc]) > 0 {
			t.Errorf("the EC2 request texts called %s: %s", svc, countsReport(counts))
		}
	}
	for svc, ops := range counts {
		for op := range ops {
			if !regexp.MustCompile(`^(Describe|Get|List)`).MatchString(op) {
				t.Errorf("the request texts called %s:%s, which is not a read", svc, op)
			}
		}
	}
	t.Logf("calls of port25 + rdns: %s", countsReport(counts))

	// A PTR that AWS is still setting counts as handled by the API.
	if err := e.s.Configure(func(o *awstest.Options) { o.PTRDelay = time.Hour }); err != nil {
		t.Fatal(err)
	}
	e.setPTR("mx2.northwind.example", "mx2.northwind.example")
	pending := e.requests(0, "port25")
	if !strings.Contains(pending.stdout, "[pending] mta.mx2: reverse DNS (PTR) of the address is mx2.northwind.example") {
		t.Errorf("port25 does not show the pending PTR:\n%s", pending.stdout)
	}
	rdns := e.requests(0, "rdns")
	for _, want := range []string{"None: every allocated address has its reverse DNS set, or being set", "pending (AWS is setting it)  mta.mx2"} {
		if !strings.Contains(rdns.stdout, want) {
			t.Errorf("rdns lacks %q:\n%s", want, rdns.stdout)
		}
	}

	var secrets []string
	for _, name := range []string{"/northwind/mail/dkim/mx1", "/northwind/mail/dkim/mx2"} {
		p, err := ssm.NewFromConfig(e.cfg()).GetParameter(e.ctx(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, pemLines([]byte(aws.ToString(p.Parameter.Value)))...)
	}
	if len(secrets) == 0 {
		t.Fatal("no DKIM private key to look for")
	}
	e.requireNoSecrets(nil, secrets...)
}

// TestRequestsHybrid writes the three texts for examples/hybrid after apply.
func TestRequestsHybrid(t *testing.T) {
	e := newEnv(t, "hybrid", "globex.example")
	e.region = "us-east-1"
	e.must(0, "apply", e.dir, "-auto-approve")
	e.setPTR("legacy-mta.globex.example", "legacy-mta.globex.example")
	e.allGoldens("hybrid", "port25", "rdns", "production-access")

	rdns := e.requests(0, "rdns")
	if !strings.Contains(rdns.stdout, "None: every allocated address has its reverse DNS set") {
		t.Errorf("rdns does not say the API handled every address:\n%s", rdns.stdout)
	}
	pem, err := os.ReadFile(filepath.Join(e.dir, "secrets", "legacy-dkim.pem"))
	if err != nil {
		t.Fatal(err)
	}
	e.requireNoSecrets(nil, pemLines(pem)...)
}

// TestRequestsSESDomainProductionAccess writes the production-access text
// for examples/ses-domain after apply and a test send to the simulator.
func TestRequestsSESDomainProductionAccess(t *testing.T) {
	e := newEnv(t, "ses-domain", "acme.example")
	e.must(0, "apply", e.dir, "-auto-approve")
	v2 := sesv2.NewFromConfig(e.cfg())
	if _, err := v2.SendEmail(e.ctx(), &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("receipts@acme.example"),
		Destination:      &sesv2types.Destination{ToAddresses: []string{"success@simulator.amazonses.com"}},
		Content: &sesv2types.EmailContent{Simple: &sesv2types.Message{
			Subject: &sesv2types.Content{Data: aws.String("test")}, Body: &sesv2types.Body{Text: &sesv2types.Content{Data: aws.String("test")}}}},
	}); err != nil {
		t.Fatalf("test send: %v", err)
	}
	e.allGoldens("ses-domain", "production-access")
	r := e.requests(0, "production-access")
	for _, want := range []string{
		"[ok]      domain.acme.example: SES has verified the identity",
		"[ok]      domain.acme.example: bounces and complaints reach an SNS topic with",
		"found:    1 delivery attempts in the SES send statistics",
		"The spec has no account.production_access block",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("production-access lacks %q:\n%s", want, r.stdout)
		}
	}
	// Without production_access there is nothing to submit.
	sub := e.requests(1, "production-access", "-submit")
	if !strings.Contains(sub.stderr, "no account.production_access block") {
		t.Errorf("-submit without the block: stderr = %s", sub.stderr)
	}
	if n := e.s.Count("ses", "PutAccountDetails"); n != 0 {
		t.Errorf("PutAccountDetails calls = %d, want 0", n)
	}
}

// TestRequestsProductionAccessSubmit submits examples/hybrid's request:
// refused while required items fail, sent once with -force (PENDING), not
// sent again while PENDING, then GRANTED once the review delay has passed.
func TestRequestsProductionAccessSubmit(t *testing.T) {
	e := newEnv(t, "hybrid", "globex.example")
	e.region = "us-east-1"
	e.must(0, "apply", e.dir, "-auto-approve")
	if err := e.s.Configure(func(o *awstest.Options) { o.ReviewDelay = time.Hour }); err != nil {
		t.Fatal(err)
	}
	puts := func() int { return e.s.Count("ses", "PutAccountDetails") }

	e.s.ResetCounts()
	refused := e.requests(1, "production-access", "-submit")
	counts := e.s.Counts()
	t.Logf("calls of production-access: %s", countsReport(counts))
	for op, want := range map[string]int{"GetAccount": 1, "GetSendStatistics": 1} {
		if got := counts["ses"][op]; got != want {
			t.Errorf("production-access called %s %d times, want %d", op, got, want)
		}
	}
	if got := counts["sns"]["ListSubscriptionsByTopic"]; got != 1 {
		t.Errorf("production-access listed subscriptions %d times, want once for the one feedback topic", got)
	}
	for _, want := range []string{"not submitting the production-access request", "domain.globex-partner.example: SES has verified the identity (pending", "hint: fix them", "-force"} {
		if !strings.Contains(refused.stderr, want) {
			t.Errorf("refusal lacks %q:\n%s", want, refused.stderr)
		}
	}
	if n := puts(); n != 0 {
		t.Fatalf("a refused submission called PutAccountDetails %d times", n)
	}

	sent := e.requests(0, "production-access", "-submit", "-force")
	if !strings.Contains(sent.stdout, "Submitted the production-access request in us-east-1. Review: PENDING (case ") {
		t.Errorf("submission output:\n%s", sent.stdout)
	}
	if n := puts(); n != 1 {
		t.Fatalf("PutAccountDetails calls = %d, want 1", n)
	}
	acct, err := sesv2.NewFromConfig(e.cfg()).GetAccount(e.ctx(), &sesv2.GetAccountInput{})
	if err != nil {
		t.Fatal(err)
	}
	useCase, err := os.ReadFile(filepath.Join(e.dir, "use-case.txt"))
	if err != nil {
		t.Fatal(err)
	}
	d := acct.Details
	if d == nil || d.ReviewDetails == nil || d.ReviewDetails.Status != sesv2types.ReviewStatusPending ||
		d.MailType != sesv2types.MailTypeTransactional || aws.ToString(d.WebsiteURL) != "https://globex.example" ||
		d.ContactLanguage != sesv2types.ContactLanguageEn || aws.ToString(d.UseCaseDescription) != strings.TrimSpace(string(useCase)) ||
		!cmp.Equal(d.AdditionalContactEmailAddresses, []string{"mail-ops@globex.example"}) {
		t.Fatalf("account details in SES = %+v", d)
	}
	caseID := aws.ToString(d.ReviewDetails.CaseId)

	again := e.requests(0, "production-access", "-submit", "-force")
	if want := "A review of an earlier request is PENDING (case " + caseID + "): nothing was sent."; !strings.Contains(again.stdout, want) {
		t.Errorf("second submission lacks %q:\n%s", want, again.stdout)
	}
	if n := puts(); n != 1 {
		t.Fatalf("a second submission while PENDING called PutAccountDetails: %d calls", n)
	}
	status := e.requests(0, "production-access")
	for _, want := range []string{"Review:             PENDING", "Case ID:            " + caseID} {
		if !strings.Contains(status.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, status.stdout)
		}
	}

	// The review ends once the delay has passed: make it end now.
	if err := e.s.Configure(func(o *awstest.Options) { o.ReviewDelay = 0 }); err != nil {
		t.Fatal(err)
	}
	granted := e.requests(0, "production-access")
	for _, want := range []string{"Production access:  yes", "Review:             GRANTED", "Case ID:            " + caseID, "quota 50000 per 24 hours at 14 per second"} {
		if !strings.Contains(granted.stdout, want) {
			t.Errorf("after the review, the text lacks %q:\n%s", want, granted.stdout)
		}
	}
	done := e.requests(0, "production-access", "-submit")
	if !strings.Contains(done.stdout, "Production access is already enabled in us-east-1: nothing was sent.") {
		t.Errorf("submission after GRANTED:\n%s", done.stdout)
	}
	if n := puts(); n != 1 {
		t.Fatalf("PutAccountDetails calls = %d, want 1", n)
	}
}

// TestRequestsErrors covers the command line's refusals: each exits 1 and
// says what to do, before contacting AWS where the spec tells already.
func TestRequestsErrors(t *testing.T) {
	e := newEnv(t, "ses-domain")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"requests"}, "requests needs the document to write"},
		{[]string{"requests", "mx", e.dir}, `unknown request "mx"`},
		{[]string{"requests", "port25", e.dir}, "the spec has no requests block"},
		{[]string{"requests", "rdns", e.dir}, "the spec has no mta block"},
		{[]string{"requests", "port25", e.dir, "-submit"}, "-submit and -force apply to production-access only"},
		{[]string{"requests", "production-access", e.dir, "-force"}, "-force goes with -submit"},
		{[]string{"requests", "production-access", e.dir, "-format", "html"}, `format "html": want text or markdown`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := e.must(1, tt.args...)
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, r.stderr)
			}
		})
	}
	if n := e.s.MutatingCalls(); n != 0 {
		t.Errorf("refused commands made %d mutating calls", n)
	}
}

// pemLines returns the base64 lines of a PEM block: any of them in output
// would leak the key.
func pemLines(pem []byte) []string {
	var out []string
	for _, l := range strings.Split(string(pem), "\n") {
		l = strings.TrimSpace(l)
		if len(l) >= 32 && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	return out
}
