package acceptance

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// TestDMARCPolicyBackAndForth: setting a record back to a value it once
// had, in a zone holding other records, is accepted (p=none, quarantine,
// none again).
func TestDMARCPolicyBackAndForth(t *testing.T) {
	e := newEnv(t, "ses-domain")
	zoneID := e.createZone("acme.example")
	e.edit("main.hcl", `policy = "quarantine"`, `policy = "none"`)
	e.must(0, "apply", e.dir, "-auto-approve")
	e.edit("main.hcl", `policy = "none"`, `policy = "quarantine"`)
	e.must(0, "apply", e.dir, "-auto-approve")
	e.edit("main.hcl", `policy = "quarantine"`, `policy = "none"`)
	e.must(0, "apply", e.dir, "-auto-approve")
	e.must(0, "plan", e.dir, "-detailed-exitcode")
	e.requireRecord(e.recordSets(zoneID), "_dmarc.acme.example.", "TXT", `"v=DMARC1; p=none; rua=mailto:ops@acme.example"`)
}

// TestManyDomainsApplyDestroyApply: a stack destroyed and applied again,
// in a zone that also holds records mailform does not own, writes its
// records a second time (Easy DKIM tokens are new: SES made new identities).
func TestManyDomainsApplyDestroyApply(t *testing.T) {
	e := newEnv(t, "many-domains")
	keepDomains(t, filepath.Join(e.dir, "domains.hcl"), 3)
	zoneID := e.createZone("brands.example")
	e.setRecord(zoneID, "www.brands.example.", r53types.RRTypeA, "192.0.2.80")
	e.must(0, "apply", e.dir, "-auto-approve")
	first := e.recordSets(zoneID)
	e.must(0, "apply", e.dir, "-destroy", "-auto-approve")
	e.must(0, "apply", e.dir, "-auto-approve")
	e.must(0, "plan", e.dir, "-detailed-exitcode")
	second := e.recordSets(zoneID)
	for k := range first {
		if _, ok := second[k]; !ok && !strings.Contains(k, "._domainkey.") {
			t.Errorf("%s was written by the first apply, not by the second", k)
		}
	}
}

// keepDomains cuts a generated domains.hcl down to its first n domains.
func keepDomains(t *testing.T, path string, n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(b), "\ndomain \"")
	if len(parts) <= n {
		t.Fatalf("%s has %d domains, want more than %d", path, len(parts)-1, n)
	}
	if err := os.WriteFile(path, []byte(strings.Join(parts[:n+1], "\ndomain \"")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRecordUnderDelegatedSubzone: a record under a subzone the zone
// delegates elsewhere is an error at its block that names the delegation
// and the fix; declaring the subzone fixes it.
func TestRecordUnderDelegatedSubzone(t *testing.T) {
	e := newEnv(t, "ses-domain")
	parent := e.createZone("acme.example")
	e.setRecord(parent, "news.acme.example.", r53types.RRTypeNs, "ns-1.dns.elsewhere.example.", "ns-2.dns.elsewhere.example.")
	e.write("news.hcl", `domain "news.acme.example" {
  dmarc {
    policy = "none"
  }
}
`)
	r := e.must(1, "plan", e.dir)
	requireLine(t, r.stderr, `Error: _dmarc\.news\.acme\.example TXT would be written where nobody serves it: zone acme\.example delegates news\.acme\.example to other name servers \(ns-1\.dns\.elsewhere\.example\., ns-2\.dns\.elsewhere\.example\.\)`)
	requireLine(t, r.stderr, `on .*news\.hcl:2`)
	requireLine(t, r.stderr, `zone "news\.acme\.example" \{\}`)
	if strings.Contains(r.stdout, "Plan:") {
		t.Errorf("a plan was made:\n%s", r.stdout)
	}

	sub := e.createZone("news.acme.example")
	e.write("news.hcl", `zone "news.acme.example" {}

domain "news.acme.example" {
  dmarc {
    policy = "none"
  }
}
`)
	e.must(0, "apply", e.dir, "-auto-approve")
	e.requireRecord(e.recordSets(sub), "_dmarc.news.acme.example.", "TXT", `"v=DMARC1; p=none"`)
	if _, ok := e.recordSets(parent)["_dmarc.news.acme.example. TXT"]; ok {
		t.Errorf("the record was written to the parent zone")
	}
}

// TestRefusedChangeSaysItOnce: Route 53's message about a refused change
// (a CNAME beside a record made by hand) is shown once, for that change.
func TestRefusedChangeSaysItOnce(t *testing.T) {
	e := newEnv(t, "ses-domain")
	zoneID := e.createZone("acme.example")
	e.must(0, "apply", e.dir, "-auto-approve")
	e.setRecord(zoneID, "www.acme.example.", r53types.RRTypeTxt, `"made by hand"`)
	e.write("www.hcl", `record "www.acme.example" "CNAME" {
  ttl    = 300
  values = ["acme.example."]
}
`)
	r := e.must(1, "apply", e.dir, "-auto-approve")
	const msg = "RRSet of type CNAME with DNS name www.acme.example. is not permitted as it conflicts with other records with the same DNS name in zone acme.example."
	if n := strings.Count(r.stderr, msg); n != 1 {
		t.Errorf("Route 53's message appears %d times in stderr, want once:\n%s", n, r.stderr)
	}
	requireLine(t, r.stderr, `^Route 53 rejected this change: `+regexp.QuoteMeta(msg)+`$`)
	// The address is in the diagnostic's summary ("Applying ... failed"), once.
	if n := strings.Count(r.stderr, "record.www.acme.example.CNAME"); n != 1 {
		t.Errorf("the address appears %d times in stderr, want once:\n%s", n, r.stderr)
	}
}
