package check

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// TestNewTarget builds the target of examples/hybrid from its resources and
// a live state in which apply has run: values known only after apply are
// filled, records land in their domains, the DNS-elsewhere domain is marked.
func TestNewTarget(t *testing.T) {
	spec, diags := specs.Load("../examples/hybrid", specs.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	observed := []plan.Observed{
		{Addr: "domain.globex.example", Kind: specs.KindSESIdentity, Attrs: map[string]any{"identity": "globex.example", "dkim_tokens": []any{"t0", "t1", "t2"},
			"verification_status": "SUCCESS", "dkim_status": "SUCCESS", "mail_from_status": "PENDING"}},
		{Addr: "domain.globex-partner.example/dkim_key", Kind: specs.KindDKIMKey, Attrs: map[string]any{"public_key": "PARTNERKEY"}},
		{Addr: "dkim_key.legacy", Kind: specs.KindDKIMKey, Attrs: map[string]any{"public_key": "LEGACYKEY"}},
		{Addr: "mta.legacy", Kind: specs.KindEIP, Attrs: map[string]any{"public_ip": "192.0.2.10", "allocation_id": "eipalloc-1"}},
		{Addr: "mta.legacy/ptr", Kind: specs.KindReverseDNS, Attrs: map[string]any{"ptr_status": "PENDING"}},
		{Addr: "domain.globex.example/dmarc", Kind: specs.KindRoute53Record, Attrs: map[string]any{"zone": "globex.example.", "zone_id": "Z9"}},
	}
	desired := spec.Resources()
	got := NewTarget("us-east-1", spec, plan.NewLive(spec.Stack, desired, observed))

	want := Target{
		Region: "us-east-1",
		Domains: []Domain{
			{Name: "globex-partner.example.", Elsewhere: true, SES: true, SignedBy: []string{"BYODKIM selector globex1"}, Records: []Record{
				{Addr: "domain.globex-partner.example/dkim", Part: "dkim", Name: "globex1._domainkey.globex-partner.example.", Type: "TXT", Values: []string{`"p=PARTNERKEY"`}},
				{Addr: "domain.globex-partner.example/dmarc", Part: "dmarc", Name: "_dmarc.globex-partner.example.", Type: "TXT", Values: []string{`"v=DMARC1; p=none; rua=mailto:dmarc@globex.example"`}},
			}},
			{Name: "globex.example.", SES: true, MailFrom: "mail.globex.example.", SignedBy: []string{"Easy DKIM", "dkim_key.legacy (self-managed key)"}, Records: []Record{
				{Addr: "dkim_key.legacy/txt", Part: "txt", Name: "legacy._domainkey.globex.example.", Type: "TXT", Values: []string{`"v=DKIM1; k=rsa; p=LEGACYKEY"`}},
				{Addr: "domain.globex.example/dkim[0]", Part: "dkim", Name: "t0._domainkey.globex.example.", Type: "CNAME", Values: []string{"t0.dkim.amazonses.com."}},
				{Addr: "domain.globex.example/dkim[1]", Part: "dkim", Name: "t1._domainkey.globex.example.", Type: "CNAME", Values: []string{"t1.dkim.amazonses.com."}},
				{Addr: "domain.globex.example/dkim[2]", Part: "dkim", Name: "t2._domainkey.globex.example.", Type: "CNAME", Values: []string{"t2.dkim.amazonses.com."}},
				{Addr: "domain.globex.example/dmarc", Part: "dmarc", Name: "_dmarc.globex.example.", Type: "TXT", Values: []string{`"v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@globex.example; ruf=mailto:dmarc-forensic@globex.example"`}},
				{Addr: "domain.globex.example/mail_from_mx", Part: "mail_from_mx", Name: "mail.globex.example.", Type: "MX", Values: []string{"10 feedback-smtp.us-east-1.amazonses.com."}},
				{Addr: "domain.globex.example/mail_from_spf", Part: "mail_from_spf", Name: "mail.globex.example.", Type: "TXT", Values: []string{`"v=spf1 include:amazonses.com ~all"`}},
				{Addr: "domain.globex.example/spf", Part: "spf", Name: "globex.example.", Type: "TXT", Shared: true, Values: []string{`"v=spf1 ip4:192.0.2.10 include:amazonses.com include:_spf.google.com ~all"`}},
			}},
		},
		MTAs:       []MTA{{Addr: "mta.legacy", Hostname: "legacy-mta.globex.example.", IP: "192.0.2.10", ReverseDNS: true, PTRStatus: "PENDING"}},
		Identities: []string{"alerts@globex-partner.example", "globex-partner.example", "globex.example"},
		Zones:      []Zone{{Name: "globex.example.", ID: "Z9"}},
		SESStatus:  map[string]string{"globex.example": "verification SUCCESS, DKIM SUCCESS, MAIL FROM PENDING"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("target (-want +got):\n%s", diff)
	}

	// Before apply: what is unknown says what it waits for.
	before := NewTarget("us-east-1", spec, plan.NewLive(spec.Stack, desired, nil))
	for _, d := range before.Domains {
		for _, r := range d.Records {
			if r.Addr == "domain.globex.example/dkim[1]" && r.Unknown != "domain.globex.example (dkim_tokens)" {
				t.Errorf("dkim[1] before apply: Unknown = %q", r.Unknown)
			}
		}
	}
	if before.MTAs[0].IP != "" {
		t.Errorf("MTA IP before apply = %q", before.MTAs[0].IP)
	}
}
