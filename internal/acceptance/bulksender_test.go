package acceptance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// bulkReport is the part of check -bulk-sender -json the test reads.
type bulkReport struct {
	FormatVersion string `json:"format_version"`
	Passed        bool   `json:"passed"`
	BulkSender    bool   `json:"bulk_sender"`
	Checks        []struct {
		Group   string `json:"group"`
		Check   string `json:"check"`
		Status  string `json:"status"`
		Message string `json:"message"`
		Fix     string `json:"fix"`
		Sources []struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"sources"`
	} `json:"checks"`
}

// bulkStatus runs check -bulk-sender -json and returns "group/check" ->
// "STATUS message" for the first result of each.
func (e *env) bulkStatus(want int) (bulkReport, map[string]string) {
	e.t.Helper()
	r := e.check(want, "-bulk-sender", "-json", "-smtp-timeout", "1s")
	var rep bulkReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		e.t.Fatalf("check -bulk-sender -json: %v\n%s", err, r.stdout)
	}
	if rep.FormatVersion != "1" || !rep.BulkSender {
		e.t.Errorf("format_version %q, bulk_sender %v", rep.FormatVersion, rep.BulkSender)
	}
	out := map[string]string{}
	for _, c := range rep.Checks {
		if len(c.Sources) == 0 || !strings.HasPrefix(c.Sources[0].URL, "https://") {
			e.t.Errorf("%s/%s has no source", c.Group, c.Check)
		}
		key := c.Group + "/" + c.Check
		if _, ok := out[key]; !ok {
			out[key] = c.Status + " " + c.Message
		}
	}
	return rep, out
}

func requireStatus(t *testing.T, got map[string]string, key, status, message string) {
	t.Helper()
	v, ok := got[key]
	if !ok || !strings.HasPrefix(v, status+" ") || !strings.Contains(v, message) {
		t.Errorf("%s: %q, want %s with %q (all: %v)", key, v, status, message, got)
	}
}

// TestCheckBulkSender applies examples/ses-domain, publishes SES's
// reputation metrics as SES does, and checks the bulk-sender requirements
// through the double's DNS and CloudWatch: healthy first, then with the
// DMARC record gone and the complaint and bounce rates over their limits.
func TestCheckBulkSender(t *testing.T) {
	e := newEnv(t, "ses-domain")
	zoneID := e.createZone("acme.example")
	e.must(0, "apply", e.dir, "-auto-approve")

	// No metrics yet: the rates are INFO, not OK.
	_, before := e.bulkStatus(0)
	requireStatus(t, before, "SES account/complaint rate", "INFO", "no value in the last 14 days")

	// Each value lands in an hour of its own: check reads the newest hourly
	// average, as CloudWatch computes it.
	if err := e.s.PublishSESReputation(e.ctx(), "us-west-2", 0.01, 0.0004, time.Now().Add(-5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	rep, healthy := e.bulkStatus(0)
	if !rep.Passed {
		t.Errorf("a healthy setup did not pass: %v", healthy)
	}
	requireStatus(t, healthy, "acme.example/SPF", "OK", "SES path: MAIL FROM bounce.acme.example includes amazonses.com")
	requireStatus(t, healthy, "acme.example/DKIM", "OK", "signed with d=acme.example; 3 key record(s) served")
	requireStatus(t, healthy, "acme.example/DMARC", "OK", "p=quarantine")
	requireStatus(t, healthy, "acme.example/DMARC alignment", "OK", "DKIM (d=acme.example), SPF for SES (MAIL FROM bounce.acme.example)")
	requireStatus(t, healthy, "acme.example/one-click unsubscribe", "INFO", "MANUAL")
	requireStatus(t, healthy, "SES account/complaint rate", "OK", "0.04%")
	requireStatus(t, healthy, "SES account/bounce rate", "OK", "1.00%")

	// A rate between the thresholds warns, without failing the run.
	if err := e.s.PublishSESReputation(e.ctx(), "us-west-2", 0.06, 0.002, time.Now().Add(-3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, warned := e.bulkStatus(0)
	requireStatus(t, warned, "SES account/complaint rate", "WARN", "0.20%")
	requireStatus(t, warned, "SES account/bounce rate", "WARN", "6.00%")

	// Broken out of band: no DMARC, SES's MAIL FROM SPF without amazonses.com,
	// and rates over the limits.
	e.changeRecord(zoneID, r53types.ChangeActionDelete, "_dmarc.acme.example", r53types.RRTypeTxt, `"v=DMARC1; p=quarantine; rua=mailto:ops@acme.example"`)
	e.setRecord(zoneID, "bounce.acme.example", r53types.RRTypeTxt, `"v=spf1 ip4:192.0.2.1 -all"`)
	if err := e.s.PublishSESReputation(e.ctx(), "us-west-2", 0.11, 0.004, time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	_, broken := e.bulkStatus(1)
	requireStatus(t, broken, "acme.example/DMARC", "FAIL", "no DMARC record")
	requireStatus(t, broken, "acme.example/DMARC alignment", "FAIL", "nothing to align with")
	requireStatus(t, broken, "acme.example/SPF", "FAIL", "does not include amazonses.com")
	requireStatus(t, broken, "SES account/complaint rate", "FAIL", "0.40%")
	requireStatus(t, broken, "SES account/bounce rate", "FAIL", "11.00%")

	// The checklist for a ticket: unticked boxes with the fix.
	md := e.check(1, "-bulk-sender", "-format", "checklist")
	for _, want := range []string{"# Bulk-sender readiness", "- [ ] **DMARC** (FAIL): no DMARC record", "  - fix: publish \"v=DMARC1; p=none;", "- [x] **DKIM** (OK)"} {
		if !strings.Contains(md.stdout, want) {
			t.Errorf("checklist lacks %q:\n%s", want, md.stdout)
		}
	}
	if !strings.Contains(md.stderr, "checks failed") {
		t.Errorf("stderr %q does not say checks failed", md.stderr)
	}
}

// TestCheckBulkSenderMTAs applies examples/ec2-mta and checks its MTAs'
// requirements through the double's DNS: forward-confirmed reverse DNS for
// both, SPF passing for each MTA's address, and port 25 that cannot be
// reached from here reported as "could not test" (WARN), never FAIL. With
// an A record removed out of band, that MTA's FCrDNS fails.
func TestCheckBulkSenderMTAs(t *testing.T) {
	n := newNorthwind(t)
	n.must(0, "apply", n.dir, "-auto-approve")
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)

	_, got := n.bulkStatus(0)
	for _, mx := range []string{"mx1", "mx2"} {
		group := mx + ".northwind.example (mta." + mx + ")"
		requireStatus(t, got, group+"/FCrDNS", "OK", n.ips[mx]+" -> "+mx+".northwind.example. -> "+n.ips[mx])
		requireStatus(t, got, group+"/TLS", "WARN", "could not test")
	}
	requireStatus(t, got, "northwind.example/SPF", "OK", "mta.mx1 path: SPF passes for "+n.ips["mx1"])
	requireStatus(t, got, "northwind.example/DKIM", "OK", "signed with d=northwind.example")

	n.changeRecord(n.zoneID, r53types.ChangeActionDelete, "mx2.northwind.example", r53types.RRTypeA, n.ips["mx2"])
	_, broken := n.bulkStatus(1)
	requireStatus(t, broken, "mx2.northwind.example (mta.mx2)/FCrDNS", "FAIL", "does not resolve back to "+n.ips["mx2"])
	requireStatus(t, broken, "mx1.northwind.example (mta.mx1)/FCrDNS", "OK", "")
}
