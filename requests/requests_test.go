package requests

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/internal/golden"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers/ses"
	"github.com/mailform/mailform/specs"
)

func loadSpec(t *testing.T, name string) *specs.Spec {
	t.Helper()
	spec, diags := specs.Load(filepath.Join("testdata", "specs", name), specs.LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("loading %s: %v", name, diags)
	}
	return spec
}

// goldens renders doc in both formats and compares them with
// testdata/NAME.txt and testdata/NAME.md.
func goldens(t *testing.T, name string, doc *Document) {
	t.Helper()
	for _, f := range []Format{Text, Markdown} {
		var buf bytes.Buffer
		if err := doc.Write(&buf, f); err != nil {
			t.Fatal(err)
		}
		ext := ".txt"
		if f == Markdown {
			ext = ".md"
		}
		golden.Check(t, filepath.Join("testdata", name+ext), buf.Bytes())
	}
}

// Builders of observed state, in the forms the providers report.

func eip(label, ip string) plan.Observed {
	return plan.Observed{Addr: "mta." + label, Kind: specs.KindEIP, ID: "eipalloc-" + label, Owner: "test",
		Attrs: map[string]any{"allocation_id": "eipalloc-" + label, "public_ip": ip, "hostname": label + ".example.com."}}
}

func ptr(label, name, status string) plan.Observed {
	return plan.Observed{Addr: "mta." + label + "/ptr", Kind: specs.KindReverseDNS, ID: "eipalloc-" + label, Owner: "test",
		Attrs: map[string]any{"allocation_id": "eipalloc-" + label, "ptr_name": name, "ptr_status": status}}
}

func rec(addr, name, typ string, values ...string) plan.Observed {
	vs := make([]any, len(values))
	for i, v := range values {
		if typ == "TXT" {
			v = specs.QuoteTXT(v)
		}
		vs[i] = v
	}
	return plan.Observed{Addr: addr, Kind: specs.KindRoute53Record, ID: "Z1/" + name + "/" + typ, Owner: "test",
		Attrs: map[string]any{"zone": "example.com.", "name": name, "type": typ, "ttl": int64(300), "values": vs}}
}

func sharedRec(addr, name, typ string, mine string, others ...string) plan.Observed {
	o := rec(addr, name, typ, mine)
	var os []any
	for _, v := range others {
		os = append(os, specs.QuoteTXT(v))
	}
	o.Attrs["shared"] = true
	o.Attrs["other_values"] = os
	return o
}

func dkimKey(label, pub string) plan.Observed {
	return plan.Observed{Addr: "dkim_key." + label, Kind: specs.KindDKIMKey, ID: "ssm:/test/dkim/" + label, Owner: "test",
		Attrs: map[string]any{"location": "ssm:/test/dkim/" + label, "key_length": int64(2048), "public_key": pub, "private_key": specs.Sensitive{Digest: "present"}}}
}

// mtaFactsMixed has every branch of the port-25 checks somewhere.
func mtaFactsMixed() Facts {
	return Facts{Region: "eu-west-1", Observed: []plan.Observed{
		eip("a", "192.0.2.1"), ptr("a", "a.example.com.", "SET"),
		rec("mta.a/a", "a.example.com.", "A", "192.0.2.1"),
		eip("b", "192.0.2.2"),
		rec("mta.b/a", "b.example.com.", "A", "192.0.2.99"),
		eip("c", "192.0.2.3"), ptr("c", "c.elsewhere.org.", "PENDING"),
		sharedRec("domain.example.com/spf", "example.com.", "TXT", "v=spf1 ip4:192.0.2.1 -all", "google-site-verification=abc"),
		dkimKey("a", "PUBKEY"),
		rec("dkim_key.a/txt", "a._domainkey.example.com.", "TXT", "v=DKIM1; k=rsa; p=PUBKEY"),
	}}
}

// find returns the item about subject whose check starts with check.
func find(t *testing.T, doc *Document, subject, check string) Item {
	t.Helper()
	for _, it := range doc.Items() {
		if it.Subject == subject && strings.HasPrefix(it.Check, check) {
			return it
		}
	}
	t.Fatalf("no item %s: %s... in\n%s", subject, check, itemList(doc))
	return Item{}
}

func itemList(doc *Document) string {
	var b strings.Builder
	for _, it := range doc.Items() {
		b.WriteString(string(it.Status) + " " + it.Subject + ": " + it.Check + "\n")
	}
	return b.String()
}

func TestPort25Checks(t *testing.T) {
	spec := loadSpec(t, "mta")
	doc, err := Port25(spec, mtaFactsMixed())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		subject, check string
		want           Status
		found          string
	}{
		{"mta.a", "the Elastic IP exists", Met, "192.0.2.1 (eipalloc-a)"},
		{"mta.d", "the Elastic IP exists", NotMet, "no Elastic IP of stack test for mta.d"},
		{"mta.a", "the A record", Met, "192.0.2.1"},
		{"mta.b", "the A record", NotMet, "192.0.2.99"},
		{"mta.c", "the A record", Unknown, "c.elsewhere.org. is not in a zone block of the spec, so mailform cannot read it"},
		{"mta.d", "the A record", NotMet, "no A record"},
		{"mta.a", "reverse DNS", Met, "a.example.com"},
		{"mta.b", "reverse DNS", NotMet, "none"},
		{"mta.c", "reverse DNS", Pending, "c.elsewhere.org (PENDING)"},
		{"mta.d", "reverse DNS", NotMet, "no Elastic IP yet"},
		{"domain example.com", "SPF includes the address of mta.a", Met, "v=spf1 ip4:192.0.2.1 -all"},
		{"domain example.com", "SPF includes the address of mta.b", NotMet, "v=spf1 ip4:192.0.2.1 -all"},
		{"domain elsewhere.org", "SPF includes the address of mta.c", Unknown, "elsewhere.org. is not in a zone block of the spec"},
		{"mta.d", "an SPF record lists the address", NotMet, "no domain block lists mta.d in spf.mtas"},
		{"domain example.com", "the DKIM key of dkim_key.a", Met, "v=DKIM1; k=rsa; p=PUBKEY"},
		{"domain elsewhere.org", "a DKIM key is published", NotMet, "no dkim_key block for elsewhere.org"},
	}
	for _, tt := range tests {
		t.Run(tt.subject+" "+tt.check, func(t *testing.T) {
			it := find(t, doc, tt.subject, tt.check)
			if it.Status != tt.want || it.Found != tt.found {
				t.Errorf("status %q found %q, want %q found %q", it.Status, it.Found, tt.want, tt.found)
			}
			if !it.Required {
				t.Errorf("every port-25 pre-flight check is required")
			}
			if it.Status != Met && it.Hint == "" {
				t.Errorf("an item that does not hold says what to do")
			}
		})
	}
	if got := find(t, doc, "mta.b", "reverse DNS").Hint; !strings.Contains(got, "mailform requests rdns") {
		t.Errorf("reverse_dns = false hint = %q, want it to point at the rdns request", got)
	}
	goldens(t, "port25_mixed", doc)
}

func TestPort25DKIMBranches(t *testing.T) {
	spec := loadSpec(t, "mta")
	base := mtaFactsMixed()
	without := func(addr string) []plan.Observed {
		var out []plan.Observed
		for _, o := range base.Observed {
			if o.Addr != addr {
				out = append(out, o)
			}
		}
		return out
	}
	tests := []struct {
		name     string
		observed []plan.Observed
		want     Status
		found    string
		expected string
	}{
		{"published", base.Observed, Met, "v=DKIM1; k=rsa; p=PUBKEY", "v=DKIM1; k=rsa; p=PUBKEY"},
		{"key not generated yet", without("dkim_key.a"), NotMet, "v=DKIM1; k=rsa; p=PUBKEY", "the public half of the key in ssm:/test/dkim/a"},
		{"record missing", without("dkim_key.a/txt"), NotMet, "no TXT record", "v=DKIM1; k=rsa; p=PUBKEY"},
		{"record holds another key", append(without("dkim_key.a/txt"), rec("dkim_key.a/txt", "a._domainkey.example.com.", "TXT", "v=DKIM1; k=rsa; p=OLDKEY")),
			NotMet, "v=DKIM1; k=rsa; p=OLDKEY", "v=DKIM1; k=rsa; p=PUBKEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Port25(spec, Facts{Region: "eu-west-1", Observed: tt.observed})
			if err != nil {
				t.Fatal(err)
			}
			it := find(t, doc, "domain example.com", "the DKIM key of dkim_key.a")
			if it.Status != tt.want || it.Found != tt.found || it.Expected != tt.expected {
				t.Errorf("got %q found %q expected %q; want %q found %q expected %q", it.Status, it.Found, it.Expected, tt.want, tt.found, tt.expected)
			}
		})
	}
}

// TestPort25PTRBranches changes the PTR of mta.a (reverse_dns = true).
func TestPort25PTRBranches(t *testing.T) {
	spec := loadSpec(t, "mta")
	tests := []struct {
		name  string
		ptr   *plan.Observed
		want  Status
		found string
	}{
		{"set", ptrOf(ptr("a", "a.example.com.", "SET")), Met, "a.example.com"},
		{"none yet", nil, NotMet, "none"},
		{"another name", ptrOf(ptr("a", "old.example.com.", "SET")), NotMet, "old.example.com"},
		{"being removed", ptrOf(ptr("a", "", "PENDING")), NotMet, "being removed (PENDING)"},
		{"update failed", ptrOf(ptr("a", "a.example.com.", "FAILED")), NotMet, "a.example.com (FAILED)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts := mtaFactsMixed()
			var obs []plan.Observed
			for _, o := range facts.Observed {
				if o.Addr != "mta.a/ptr" {
					obs = append(obs, o)
				}
			}
			if tt.ptr != nil {
				obs = append(obs, *tt.ptr)
			}
			facts.Observed = obs
			doc, err := Port25(spec, facts)
			if err != nil {
				t.Fatal(err)
			}
			it := find(t, doc, "mta.a", "reverse DNS")
			if it.Status != tt.want || it.Found != tt.found {
				t.Errorf("status %q found %q, want %q found %q", it.Status, it.Found, tt.want, tt.found)
			}
			if it.Status == NotMet && !strings.Contains(it.Hint, "ModifyAddressAttribute") {
				t.Errorf("hint %q does not say how mailform sets it", it.Hint)
			}
		})
	}
}

func ptrOf(o plan.Observed) *plan.Observed { return &o }

func TestPort25DKIMOutsideTheZones(t *testing.T) {
	spec := loadSpec(t, "mta")
	spec.DKIMKeys = append(spec.DKIMKeys, specs.DKIMKey{Label: "c", Domain: "elsewhere.org", Selector: "c", PrivateKey: "ssm:/test/dkim/c"})
	doc, err := Port25(spec, mtaFactsMixed())
	if err != nil {
		t.Fatal(err)
	}
	if it := find(t, doc, "domain elsewhere.org", "the DKIM key of dkim_key.c"); it.Status != Unknown {
		t.Errorf("a key published outside the declared zones: %q, want unknown", it.Status)
	}
}

func TestEmailIdentityPendingSaysWhoMustClick(t *testing.T) {
	facts := sesFactsMixed()
	facts.Observed = append(facts.Observed, observedIdentity("email.a@example.com", "a@example.com", map[string]any{"verification_status": "PENDING"}))
	doc, err := ProductionAccess(loadSpec(t, "ses"), facts)
	if err != nil {
		t.Fatal(err)
	}
	it := find(t, doc, "email.a@example.com", "SES has verified")
	if it.Status != Pending || !strings.Contains(it.Hint, "SES mailed a link to a@example.com") {
		t.Errorf("status %q hint %q", it.Status, it.Hint)
	}
}

func TestPort25SPFForms(t *testing.T) {
	spec := loadSpec(t, "mta")
	tests := []struct {
		spf  string
		want Status
	}{
		{"v=spf1 ip4:192.0.2.1 -all", Met},
		{"v=spf1 ip4:192.0.2.1/32 -all", Met},
		{"V=SPF1 IP4:192.0.2.1 -ALL", Met},
		{"v=spf1 ip4:192.0.2.10 -all", NotMet},
		{"v=spf1 ip4:192.0.2.0/24 -all", NotMet}, // a wider range is not what AWS looks for
		{"google-site-verification=abc", NotMet},
	}
	for _, tt := range tests {
		t.Run(tt.spf, func(t *testing.T) {
			facts := mtaFactsMixed()
			for i, o := range facts.Observed {
				if o.Addr == "domain.example.com/spf" {
					facts.Observed[i] = rec(o.Addr, "example.com.", "TXT", tt.spf)
				}
			}
			doc, err := Port25(spec, facts)
			if err != nil {
				t.Fatal(err)
			}
			if it := find(t, doc, "domain example.com", "SPF includes the address of mta.a"); it.Status != tt.want {
				t.Errorf("status %q (found %q), want %q", it.Status, it.Found, tt.want)
			}
		})
	}
}

func TestPort25LongKeysAreAbbreviated(t *testing.T) {
	spec := loadSpec(t, "mta")
	long := strings.Repeat("A", 300) + "IDAQAB"
	facts := mtaFactsMixed()
	for i, o := range facts.Observed {
		switch o.Addr {
		case "dkim_key.a":
			facts.Observed[i] = dkimKey("a", long)
		case "dkim_key.a/txt":
			facts.Observed[i] = rec("dkim_key.a/txt", "a._domainkey.example.com.", "TXT", "v=DKIM1; k=rsa; p="+long)
		}
	}
	doc, err := Port25(spec, facts)
	if err != nil {
		t.Fatal(err)
	}
	it := find(t, doc, "domain example.com", "the DKIM key of dkim_key.a")
	if it.Status != Met || len(it.Found) > 64 || !strings.HasSuffix(it.Found, "AAIDAQAB") {
		t.Errorf("status %q found %q: a long key is met when it matches and shown abbreviated", it.Status, it.Found)
	}
}

func TestPort25NeedsTheRequestsBlock(t *testing.T) {
	_, err := Port25(loadSpec(t, "ses"), Facts{})
	var missing *MissingInputError
	if !errors.As(err, &missing) || !strings.Contains(err.Error(), "requests block") || !strings.Contains(missing.Hint(), "contact_email") {
		t.Fatalf("err = %v, want a MissingInputError about the requests block with an example", err)
	}
}

func TestPort25WithoutMTAs(t *testing.T) {
	spec := loadSpec(t, "bare")
	spec.Requests = &specs.Requests{ContactEmail: "ops@example.com", UseCase: "Receipts."}
	doc, err := Port25(spec, Facts{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(doc.Items()); n != 0 {
		t.Errorf("a spec without MTAs has %d pre-flight items, want 0", n)
	}
	var buf bytes.Buffer
	if err := doc.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "declares no mta block") {
		t.Errorf("the text does not say there is no MTA:\n%s", buf.String())
	}
}

func TestReverseDNS(t *testing.T) {
	spec := loadSpec(t, "mta")
	doc, err := ReverseDNS(spec, mtaFactsMixed())
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]Section{}
	for _, s := range doc.Sections {
		sections[s.Heading] = s
	}
	rows := func(heading string) []string {
		var out []string
		if t := sections[heading].Table; t != nil {
			for _, r := range t.Rows {
				out = append(out, strings.Join(r, " | "))
			}
		}
		return out
	}
	if d := cmp.Diff([]string{"192.0.2.2 | b.example.com | none | mta.b"}, rows("Addresses to ask AWS for")); d != "" {
		t.Errorf("addresses to ask for (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{
		"192.0.2.1 | a.example.com | set | mta.a",
		"192.0.2.3 | c.elsewhere.org | pending (AWS is setting it) | mta.c",
	}, rows("Already handled through the API")); d != "" {
		t.Errorf("handled through the API (-want +got):\n%s", d)
	}
	if s, ok := sections["Not allocated yet"]; !ok || !strings.Contains(s.Text[0], "mta.d") {
		t.Errorf("mta.d has no address and is not listed as such: %+v", s)
	}
	if it := find(t, doc, "mta.b", "the A record"); it.Status != NotMet {
		t.Errorf("the A record precondition of mta.b = %q, want not met", it.Status)
	}
	if _, ok := sections["Form fields"]; !ok {
		t.Errorf("the contact fields are missing although the spec has a requests block")
	}
	goldens(t, "rdns_mixed", doc)
}

func TestReverseDNSAllHandled(t *testing.T) {
	spec := loadSpec(t, "mta")
	spec.Requests = nil
	var obs []plan.Observed
	for _, l := range []string{"a", "b", "c", "d"} {
		host := l + ".example.com."
		if l == "c" {
			host = "c.elsewhere.org."
		}
		obs = append(obs, eip(l, "192.0.2.1"+l), ptr(l, host, "SET"))
	}
	doc, err := ReverseDNS(spec, Facts{Region: "eu-west-1", Observed: obs})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_ = doc.WriteText(&buf)
	for _, want := range []string{"None: every allocated address has its reverse DNS set", "192.0.2.1d"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, buf.String())
		}
	}
	if strings.Contains(buf.String(), "Form fields") {
		t.Errorf("without a requests block there are no contact fields")
	}
}

func TestReverseDNSNeedsMTAs(t *testing.T) {
	_, err := ReverseDNS(loadSpec(t, "ses"), Facts{})
	var missing *MissingInputError
	if !errors.As(err, &missing) {
		t.Fatalf("err = %v, want a MissingInputError", err)
	}
}

const topicARN = "arn:aws:sns:us-west-2:123456789012:test-fb"

func observedIdentity(addr, name string, attrs map[string]any) plan.Observed {
	a := map[string]any{"identity": name, "type": "DOMAIN"}
	if strings.Contains(name, "@") {
		a["type"] = "EMAIL_ADDRESS"
	}
	for k, v := range attrs {
		a[k] = v
	}
	return plan.Observed{Addr: addr, Kind: specs.KindSESIdentity, ID: name, Owner: "test", Attrs: a}
}

func healthyAccount() *ses.AccountStatus {
	return &ses.AccountStatus{SendingEnabled: true, EnforcementStatus: "HEALTHY", Max24HourSend: 200, MaxSendRate: 1,
		SentLast24Hours: 2, SuppressedReasons: []string{"BOUNCE", "COMPLAINT"}, SendsLast14Days: 3}
}

// sesFactsMixed has every branch of the readiness checks somewhere.
func sesFactsMixed() Facts {
	return Facts{Region: "us-west-2", Account: healthyAccount(),
		Subscribers: map[string]ses.Subscribers{topicARN: {Confirmed: 1, Pending: 1}},
		Observed: []plan.Observed{
			observedIdentity("domain.example.com", "example.com", map[string]any{
				"verification_status": "SUCCESS", "dkim_mode": "easy", "dkim_status": "SUCCESS",
				"mail_from_domain": "bounce.example.com", "mail_from_status": "SUCCESS",
				"bounce_topic": topicARN, "complaint_topic": topicARN}),
			observedIdentity("domain.nodkim.example.com", "nodkim.example.com", map[string]any{
				"verification_status": "PENDING", "dkim_mode": "off"}),
			observedIdentity("domain.other.org", "other.org", map[string]any{
				"verification_status": "FAILED", "dkim_mode": "easy", "dkim_status": "FAILED", "configuration_set": "test-cs"}),
			{Addr: "configuration_set.cs", Kind: specs.KindSESConfigSet, ID: "test-cs", Owner: "test", Attrs: map[string]any{
				"name": "test-cs", "event_destinations": map[string]any{
					"all":      map[string]any{"types": []any{"BOUNCE", "COMPLAINT"}, "topic_arn": topicARN, "enabled": true},
					"disabled": map[string]any{"types": []any{"BOUNCE"}, "topic_arn": "arn:aws:sns:us-west-2:123456789012:off", "enabled": false},
				}}},
			rec("domain.example.com/dmarc", "_dmarc.example.com.", "TXT", "v=DMARC1; p=none; rua=mailto:d@example.com"),
		}}
}

func TestProductionAccessChecks(t *testing.T) {
	spec := loadSpec(t, "ses")
	doc, err := ProductionAccess(spec, sesFactsMixed())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		subject, check string
		want           Status
		found          string
	}{
		{"domain.example.com", "SES has verified", Met, "SUCCESS"},
		{"domain.nodkim.example.com", "SES has verified", Pending, "PENDING"},
		{"domain.other.org", "SES has verified", NotMet, "FAILED"},
		{"email.a@example.com", "SES has verified", NotMet, "SES has no identity a@example.com"},
		{"domain.example.com", "DKIM signing", Met, "signing on, status SUCCESS"},
		{"domain.nodkim.example.com", "DKIM signing", NotMet, `the spec sets dkim { mode = "off" }`},
		{"domain.other.org", "DKIM signing", NotMet, "signing on, status FAILED"},
		{"domain.example.com", "a custom MAIL FROM", Met, "bounce.example.com, status SUCCESS"},
		{"domain.other.org", "a custom MAIL FROM", NotMet, "no mail_from block: SES uses a subdomain of amazonses.com"},
		{"domain.example.com", "a DMARC record", Met, "v=DMARC1; p=none; rua=mailto:d@example.com"},
		{"domain.nodkim.example.com", "a DMARC record", NotMet, "no dmarc block"},
		{"domain.other.org", "a DMARC record", Unknown, "_dmarc.other.org. is not in a zone block of the spec"},
		{"domain.example.com", "bounces and complaints", Met, "bounce -> test-fb (identity notifications, 1 confirmed, 1 pending); complaint -> test-fb (identity notifications, 1 confirmed, 1 pending)"},
		{"domain.other.org", "bounces and complaints", Met, "bounce -> test-fb (configuration set test-cs, 1 confirmed, 1 pending); complaint -> test-fb (configuration set test-cs, 1 confirmed, 1 pending)"},
		{"domain.nodkim.example.com", "bounces and complaints", NotMet, "bounce: not routed to a topic; complaint: not routed to a topic"},
		{"account", "the account-level suppression list", Met, "BOUNCE, COMPLAINT"},
		{"account", "test mail", Met, "3 delivery attempts in the SES send statistics"},
		{"account", "sending is enabled", Met, "sending enabled, enforcement HEALTHY; quota 200 per 24 hours at 1 per second, 2 sent in the last 24 hours"},
	}
	for _, tt := range tests {
		t.Run(tt.subject+" "+tt.check, func(t *testing.T) {
			it := find(t, doc, tt.subject, tt.check)
			if it.Status != tt.want || it.Found != tt.found {
				t.Errorf("status %q found %q, want %q found %q", it.Status, it.Found, tt.want, tt.found)
			}
			if it.Status != Met && it.Status != Unknown && it.Hint == "" {
				t.Errorf("an item that does not hold says what to do")
			}
		})
	}
	goldens(t, "production_mixed", doc)
}

// TestProductionAccessAccountBranches changes one fact at a time.
func TestProductionAccessAccountBranches(t *testing.T) {
	spec := loadSpec(t, "ses")
	tests := []struct {
		name           string
		change         func(*Facts)
		subject, check string
		want           Status
		found          string
	}{
		{"suppression off", func(f *Facts) { f.Account.SuppressedReasons = []string{"BOUNCE"} },
			"account", "the account-level suppression list", NotMet, "BOUNCE"},
		{"suppression empty", func(f *Facts) { f.Account.SuppressedReasons = nil },
			"account", "the account-level suppression list", NotMet, "no reasons"},
		{"no test sends", func(f *Facts) { f.Account.SendsLast14Days = 0 },
			"account", "test mail", NotMet, "0 delivery attempts in the SES send statistics"},
		{"probation", func(f *Facts) { f.Account.EnforcementStatus = "PROBATION" },
			"account", "sending is enabled", NotMet, "sending enabled, enforcement PROBATION; quota 200 per 24 hours at 1 per second, 2 sent in the last 24 hours"},
		{"paused, unlimited quota", func(f *Facts) { f.Account.SendingEnabled = false; f.Account.Max24HourSend = -1 },
			"account", "sending is enabled", NotMet, "sending paused, enforcement HEALTHY; quota unlimited at 1 per second, 2 sent in the last 24 hours"},
		{"topic without a confirmed subscriber", func(f *Facts) { f.Subscribers = map[string]ses.Subscribers{topicARN: {Pending: 2}} },
			"domain.example.com", "bounces and complaints", NotMet, "bounce -> test-fb (identity notifications, 0 confirmed, 2 pending); complaint -> test-fb (identity notifications, 0 confirmed, 2 pending)"},
		{"MAIL FROM pending", func(f *Facts) { f.Observed[0].Attrs["mail_from_status"] = "PENDING" },
			"domain.example.com", "a custom MAIL FROM", Pending, "bounce.example.com, status PENDING"},
		{"MAIL FROM elsewhere", func(f *Facts) { f.Observed[0].Attrs["mail_from_domain"] = "mail.example.com" },
			"domain.example.com", "a custom MAIL FROM", NotMet, "mail.example.com, status SUCCESS"},
		{"MAIL FROM failed", func(f *Facts) { f.Observed[0].Attrs["mail_from_status"] = "FAILED" },
			"domain.example.com", "a custom MAIL FROM", NotMet, "bounce.example.com, status FAILED"},
		{"DKIM pending", func(f *Facts) { f.Observed[0].Attrs["dkim_status"] = "PENDING" },
			"domain.example.com", "DKIM signing", Pending, "signing on, status PENDING"},
		{"DKIM signing turned off in SES", func(f *Facts) { f.Observed[0].Attrs["dkim_mode"] = "off" },
			"domain.example.com", "DKIM signing", NotMet, "signing off, status SUCCESS"},
		{"DMARC differs", func(f *Facts) {
			f.Observed[len(f.Observed)-1] = rec("domain.example.com/dmarc", "_dmarc.example.com.", "TXT", "v=DMARC1; p=reject")
		}, "domain.example.com", "a DMARC record", NotMet, "v=DMARC1; p=reject"},
		{"DMARC missing", func(f *Facts) { f.Observed = f.Observed[:len(f.Observed)-1] },
			"domain.example.com", "a DMARC record", NotMet, "no TXT record"},
		{"configuration set gone", func(f *Facts) { f.Observed = append(f.Observed[:3], f.Observed[4:]...) },
			"domain.other.org", "bounces and complaints", NotMet, "bounce: not routed to a topic; complaint: not routed to a topic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts := sesFactsMixed()
			tt.change(&facts)
			doc, err := ProductionAccess(spec, facts)
			if err != nil {
				t.Fatal(err)
			}
			it := find(t, doc, tt.subject, tt.check)
			if it.Status != tt.want || it.Found != tt.found {
				t.Errorf("status %q found %q, want %q found %q", it.Status, it.Found, tt.want, tt.found)
			}
		})
	}
}

func TestProductionAccessWithoutIdentitiesOrRequest(t *testing.T) {
	spec := loadSpec(t, "bare")
	doc, err := ProductionAccess(spec, Facts{Region: "us-east-1", Account: healthyAccount()})
	if err != nil {
		t.Fatal(err)
	}
	if it := find(t, doc, "spec", "the spec declares an SES identity"); it.Status != NotMet {
		t.Errorf("no identity: %q", it.Status)
	}
	var buf bytes.Buffer
	_ = doc.WriteText(&buf)
	if !strings.Contains(buf.String(), "no account.production_access block") || !strings.Contains(buf.String(), `mail_type           = "TRANSACTIONAL"`) {
		t.Errorf("the text does not say how to add the request:\n%s", buf.String())
	}
	if _, err := ProductionAccess(spec, Facts{}); err == nil {
		t.Errorf("without the account status the document cannot be built")
	}
}

func TestFeedbackTopics(t *testing.T) {
	got := FeedbackTopics(loadSpec(t, "ses"), sesFactsMixed().Observed)
	if d := cmp.Diff([]string{topicARN}, got); d != "" {
		t.Errorf("FeedbackTopics (-want +got):\n%s (a disabled destination does not count)", d)
	}
}

func TestReviewStatus(t *testing.T) {
	spec := loadSpec(t, "ses")
	tests := []struct {
		name    string
		request *ses.SubmittedRequest
		access  bool
		want    []string
	}{
		{"none", nil, false, []string{"Production access:  no (sandbox)", "Review:             no request submitted"}},
		{"pending", &ses.SubmittedRequest{ReviewStatus: "PENDING", CaseID: "123"}, false, []string{"Review:             PENDING", "Case ID:            123", "AWS is reviewing the request"}},
		{"granted", &ses.SubmittedRequest{ReviewStatus: "GRANTED", CaseID: "123"}, true, []string{"Production access:  yes", "Review:             GRANTED"}},
		{"denied", &ses.SubmittedRequest{ReviewStatus: "DENIED", CaseID: "9"}, false, []string{"Review:             DENIED", "AWS denied the request"}},
		{"failed", &ses.SubmittedRequest{ReviewStatus: "FAILED"}, false, []string{"Case ID:            -", "could not be completed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts := sesFactsMixed()
			facts.Account.Request, facts.Account.ProductionAccess = tt.request, tt.access
			doc, err := ProductionAccess(spec, facts)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			_ = doc.WriteText(&buf)
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("text lacks %q:\n%s", w, buf.String())
				}
			}
		})
	}
}

func TestDecideSubmit(t *testing.T) {
	spec := loadSpec(t, "ses")
	ready := sesFactsMixed
	// Every required item holds for the first domain: keep only it.
	readySpec := *spec
	readySpec.Domains = spec.Domains[:1]
	readySpec.Emails = nil

	tests := []struct {
		name     string
		spec     *specs.Spec
		change   func(*Facts)
		force    bool
		wantSend bool
		reason   string
		err      string
	}{
		{name: "ready", spec: &readySpec, wantSend: true},
		{name: "review pending", spec: &readySpec, change: func(f *Facts) { f.Account.Request = &ses.SubmittedRequest{ReviewStatus: "PENDING", CaseID: "77"} },
			reason: "A review of an earlier request is PENDING (case 77): nothing was sent. AWS accepts no new details until it ends."},
		{name: "already granted", spec: &readySpec, change: func(f *Facts) {
			f.Account.ProductionAccess = true
			f.Account.Request = &ses.SubmittedRequest{ReviewStatus: "GRANTED", CaseID: "77"}
		}, reason: "Production access is already enabled in us-west-2: nothing was sent."},
		{name: "denied before: send again", spec: &readySpec, change: func(f *Facts) { f.Account.Request = &ses.SubmittedRequest{ReviewStatus: "DENIED"} }, wantSend: true},
		{name: "required items fail", spec: spec, err: "not submitting the production-access request: 7 required checklist items do not hold"},
		{name: "required items fail, forced", spec: spec, force: true, wantSend: true},
		{name: "recommended items never block", spec: &readySpec, change: func(f *Facts) { f.Account.SendsLast14Days = 0 }, wantSend: true},
		{name: "pending items block", spec: &readySpec, change: func(f *Facts) { f.Observed[0].Attrs["dkim_status"] = "PENDING" },
			err: "domain.example.com: DKIM signing is on and verified (pending; found signing on, status PENDING)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			facts := ready()
			if tt.change != nil {
				tt.change(&facts)
			}
			doc, err := ProductionAccess(tt.spec, facts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecideSubmit(tt.spec, facts, doc, tt.force)
			if tt.err != "" {
				var refused *RefusedError
				if !errors.As(err, &refused) || !strings.Contains(err.Error(), tt.err) || !strings.Contains(refused.Hint(), "-force") {
					t.Fatalf("err = %v, want a RefusedError containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Send != tt.wantSend || got.Reason != tt.reason {
				t.Fatalf("DecideSubmit = send %v reason %q, want send %v reason %q", got.Send, got.Reason, tt.wantSend, tt.reason)
			}
			if got.Send {
				want := ProductionAccessRequest{MailType: "TRANSACTIONAL", WebsiteURL: "https://example.com", ContactLanguage: "EN",
					UseCase: "Receipts for customers who signed up.", AdditionalContacts: []string{"ops@example.com"}}
				if d := cmp.Diff(want, got.Request); d != "" {
					t.Errorf("request (-want +got):\n%s", d)
				}
			}
		})
	}

	t.Run("no production_access block", func(t *testing.T) {
		bare := loadSpec(t, "bare")
		facts := Facts{Region: "us-east-1", Account: healthyAccount()}
		doc, _ := ProductionAccess(bare, facts)
		_, err := DecideSubmit(bare, facts, doc, true)
		var missing *MissingInputError
		if !errors.As(err, &missing) {
			t.Fatalf("err = %v, want a MissingInputError", err)
		}
	})
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"": Text, "text": Text, "Markdown": Markdown, "md": Markdown} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("html"); err == nil {
		t.Errorf("ParseFormat(html) accepted")
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in     string
		width  int
		indent string
		want   string
	}{
		{"a b c", 80, "", "a b c"},
		{"aaa bbb ccc", 7, "  ", "aaa bbb\n  ccc"},
		{"averyveryverylongword b", 5, "", "averyveryverylongword\nb"},
		{"line one\nline two", 80, "> ", "line one\n> line two"},
	}
	for _, tt := range tests {
		if got := wrap(tt.in, tt.width, tt.indent); got != tt.want {
			t.Errorf("wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	doc := &Document{Title: "T", Sections: []Section{{
		Heading: "S",
		Table:   &Table{Header: []string{"a|b"}, Rows: [][]string{{"x|y"}}},
		Items:   []Item{{Subject: "s", Check: "c", Status: NotMet, Required: true, Found: "has `tick`"}},
	}}}
	var buf bytes.Buffer
	if err := doc.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`| a\|b |`, `| x\|y |`, "found: `` has `tick` ``", "- [ ] **not met** `s`: c"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestCheckSpec(t *testing.T) {
	mta, ses, bare := loadSpec(t, "mta"), loadSpec(t, "ses"), loadSpec(t, "bare")
	tests := []struct {
		kind    string
		spec    *specs.Spec
		missing bool
		err     bool
	}{
		{KindPort25, mta, false, false},
		{KindPort25, ses, true, true},
		{KindReverseDNS, mta, false, false},
		{KindReverseDNS, ses, true, true},
		{KindProductionAccess, bare, false, false},
		{"smtp", mta, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.spec.Stack, func(t *testing.T) {
			err := CheckSpec(tt.kind, tt.spec)
			var missing *MissingInputError
			if (err != nil) != tt.err || errors.As(err, &missing) != tt.missing {
				t.Errorf("CheckSpec = %v, want error %v (missing input %v)", err, tt.err, tt.missing)
			}
		})
	}
}
