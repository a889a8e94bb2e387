package acceptance

import (
	"bufio"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/mailform/mailform/internal/awstest"
)

// TestApplyWaitEndsBeforeSESVerifies: SES takes longer to find the records
// than the wait lasts. The apply's changes all succeeded, so it exits 0 and
// ends with "Applied; not yet verified", naming the identity with what DNS
// answers against what SES expects; -json lists the identities; check exits
// non-zero until SES has verified them.
func TestApplyWaitEndsBeforeSESVerifies(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	if err := e.s.Configure(func(o *awstest.Options) { o.VerifyDelay = time.Hour }); err != nil {
		t.Fatal(err)
	}

	r := e.must(0, "apply", e.dir, "-auto-approve", "-wait=2s", "-resolver", e.s.DNSAddr())
	for _, want := range []string{
		"Applied; not yet verified: SES has not verified 1 of 1 identities",
		"acme.example is not verified yet:",
		"DKIM: PENDING.",
		"._domainkey.acme.example. CNAME: DNS answers ",
		".dkim.amazonses.com., as SES expects: SES has not seen it yet",
		"'mailform check'",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("apply -wait does not say %q:\n%s", want, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("an apply whose identities are only pending wrote to stderr:\n%s", r.stderr)
	}

	j := e.must(0, "apply", e.dir, "-auto-approve", "-wait=1s", "-json", "-resolver", e.s.DNSAddr())
	var verification map[string]any
	sc := bufio.NewScanner(strings.NewReader(j.stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("not a JSON line: %q (%v)", sc.Text(), err)
		}
		if ev["type"] == "verification" {
			verification = ev
		}
	}
	if verification == nil {
		t.Fatalf("apply -json printed no verification line:\n%s", j.stdout)
	}
	if verification["status"] != "not_yet_verified" {
		t.Errorf("verification status %v, want not_yet_verified", verification["status"])
	}
	pending, _ := verification["not_yet_verified"].([]any)
	if !slices.Equal(pending, []any{"acme.example"}) {
		t.Errorf("not_yet_verified = %v, want [acme.example]", verification["not_yet_verified"])
	}
	dns, _ := verification["dns"].([]any)
	if len(dns) < 3 {
		t.Errorf("dns = %v, want the 3 DKIM records with what DNS answers", verification["dns"])
	}
	for _, d := range dns {
		rec := d.(map[string]any)
		if rec["type"] == "CNAME" && rec["matches"] != true {
			t.Errorf("DKIM record %v: DNS serves it, but matches is not true", rec)
		}
	}

	c := e.mailform("check", e.dir, "-endpoint-url", e.s.URL(), "-resolver", e.s.DNSAddr())
	if c.code == 0 {
		t.Errorf("check exits 0 while SES has not verified the domain:\n%s", c.stdout)
	}
}

// TestApplyWaitWhenSESGaveUp: an identity SES stopped looking for (FAILED)
// is a real failure: waiting longer cannot help, and apply -wait exits 1.
func TestApplyWaitWhenSESGaveUp(t *testing.T) {
	e := newEnv(t, "")
	e.write("main.hcl", `mailform {
  stack  = "partner"
  region = "us-west-2"
}

domain "partner.example" {}
`)
	e.must(0, "apply", e.dir, "-auto-approve")
	later := time.Now().Add(73 * time.Hour)
	e.s.SetClock(func() time.Time { return later })
	t.Cleanup(func() { e.s.SetClock(nil) })

	r := e.must(1, "apply", e.dir, "-auto-approve", "-wait=5s", "-resolver", e.s.DNSAddr())
	if strings.Contains(r.stdout, "Applied; not yet verified") {
		t.Errorf("a FAILED identity is reported as only pending:\n%s", r.stdout)
	}
	for _, want := range []string{"partner.example is not verified", "FAILED", "SES stopped looking"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("apply -wait does not say %q:\n%s", want, r.stderr)
		}
	}
}

// TestDomainWithDKIMOffVerifies: SES v2 verifies a domain through its Easy
// DKIM records, also when it does not sign with them: mailform publishes
// them, and the domain verifies with signing left off.
func TestDomainWithDKIMOffVerifies(t *testing.T) {
	e := newEnv(t, "")
	zoneID := e.createZone("acme.example")
	e.write("main.hcl", `mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  dkim {
    mode = "off"
  }
}
`)
	r := e.must(0, "apply", e.dir, "-auto-approve", "-wait=1m", "-resolver", e.s.DNSAddr())
	if !strings.Contains(r.stdout, "All 1 identities are verified") {
		t.Errorf("the domain did not verify:\n%s", r.stdout)
	}
	out, err := sesv2.NewFromConfig(e.cfg()).GetEmailIdentity(e.ctx(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	if out.DkimAttributes == nil || out.DkimAttributes.SigningEnabled {
		t.Errorf("DKIM signing is on: %+v", out.DkimAttributes)
	}
	if !out.VerifiedForSendingStatus {
		t.Error("SES does not report the domain verified for sending")
	}
	sets := e.recordSets(zoneID)
	for _, token := range out.DkimAttributes.Tokens {
		e.requireRecord(sets, token+"._domainkey.acme.example.", "CNAME", token+".dkim.amazonses.com.")
	}
	if p := e.must(0, "plan", e.dir, "-detailed-exitcode"); !strings.Contains(p.stdout, "No changes") {
		t.Errorf("re-plan after apply:\n%s", p.stdout)
	}
}
