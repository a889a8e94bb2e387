package check

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/internal/golden"
	"github.com/mailform/mailform/providers/ses"
)

// A 1024-bit RSA public key, fixed so that the golden files are stable.
const testKey = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCgatFNh9W1QufabfRayUN8d8skG9wnNhKOWS5INHv9ZDxGrst3OXMiNB2oqMyctt69z+81XtipuPII7+7wMYYRC5QOttXyn8/1/0nhifVb817hG2gdG7aIYDLoFuBhNDOmkhziT7AgUAitC6ZTX/2jDg5jfbYJAZhtu2Rhxa5tfwIDAQAB"

type stubRoute53 struct {
	zones map[string][]string // zone ID -> name servers
	names map[string]string   // zone name -> ID
}

func (s stubRoute53) GetHostedZone(ctx context.Context, in *route53.GetHostedZoneInput, _ ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error) {
	ns, ok := s.zones[aws.ToString(in.Id)]
	if !ok {
		return nil, errors.New("NoSuchHostedZone")
	}
	return &route53.GetHostedZoneOutput{HostedZone: &r53types.HostedZone{Id: in.Id}, DelegationSet: &r53types.DelegationSet{NameServers: ns}}, nil
}

func (s stubRoute53) ListHostedZonesByName(ctx context.Context, in *route53.ListHostedZonesByNameInput, _ ...func(*route53.Options)) (*route53.ListHostedZonesByNameOutput, error) {
	var out route53.ListHostedZonesByNameOutput
	for name, id := range s.names {
		out.HostedZones = append(out.HostedZones, r53types.HostedZone{Id: aws.String(id), Name: aws.String(name)})
	}
	return &out, nil
}

type stubDelegation map[string][]string

func (s stubDelegation) Delegation(ctx context.Context, zone string) ([]string, string, error) {
	ns, ok := s[zone]
	if !ok {
		return nil, "", errors.New("no answer from the parent")
	}
	return ns, "192.0.2.53:53", nil
}

type stubSES struct {
	results []ses.WaitResult
	asked   []string
	timeout time.Duration
}

func (s *stubSES) Wait(ctx context.Context, ids []string, timeout time.Duration, _ func(string, string)) ([]ses.WaitResult, error) {
	s.asked, s.timeout = ids, timeout
	var out []ses.WaitResult
	for _, r := range s.results {
		for _, id := range ids {
			if r.Identity == id {
				out = append(out, r)
			}
		}
	}
	return out, ses.ErrWaitTimeout
}

// runFixture is a spec's target with one healthy domain and one broken in
// every way, and the DNS, Route 53 and SES that answer for them.
func runFixture(t *testing.T) (Target, Options, *stubSES) {
	target := Target{
		Region: "us-west-2",
		Zones:  []Zone{{Name: "acme.example.", ID: "Z1"}, {Name: "broken.example."}},
		Domains: []Domain{
			{Name: "acme.example.", SES: true, MailFrom: "bounce.acme.example.", SignedBy: []string{"Easy DKIM"}, Records: []Record{
				{Addr: "dkim_key.mx1/txt", Part: "txt", Name: "mx1._domainkey.acme.example.", Type: "TXT", Values: []string{`"v=DKIM1; k=rsa; p=` + testKey + `"`}},
				{Addr: "domain.acme.example/dkim[0]", Part: "dkim", Name: "tok0._domainkey.acme.example.", Type: "CNAME", Values: []string{"tok0.dkim.amazonses.com."}},
				{Addr: "domain.acme.example/dmarc", Part: "dmarc", Name: "_dmarc.acme.example.", Type: "TXT", Values: []string{`"v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example"`}},
				{Addr: "domain.acme.example/mail_from_mx", Part: "mail_from_mx", Name: "bounce.acme.example.", Type: "MX", Values: []string{"10 feedback-smtp.us-west-2.amazonses.com."}},
				{Addr: "domain.acme.example/mail_from_spf", Part: "mail_from_spf", Name: "bounce.acme.example.", Type: "TXT", Values: []string{`"v=spf1 include:amazonses.com ~all"`}},
				{Addr: "domain.acme.example/spf", Part: "spf", Name: "acme.example.", Type: "TXT", Shared: true, Values: []string{`"v=spf1 ip4:192.0.2.10 include:amazonses.com ~all"`}},
			}},
			{Name: "broken.example.", SES: true, MailFrom: "bounce.broken.example.", Records: []Record{
				{Addr: "domain.broken.example/dkim", Part: "dkim", Name: "sel._domainkey.broken.example.", Type: "TXT", Values: []string{`"p=` + testKey + `"`}},
				{Addr: "domain.broken.example/dmarc", Part: "dmarc", Name: "_dmarc.broken.example.", Type: "TXT", Values: []string{`"v=DMARC1; p=reject; aspf=s"`}},
				{Addr: "domain.broken.example/mail_from_mx", Part: "mail_from_mx", Name: "bounce.broken.example.", Type: "MX", Values: []string{"10 feedback-smtp.us-west-2.amazonses.com."}},
				{Addr: "domain.broken.example/spf", Part: "spf", Name: "broken.example.", Type: "TXT", Shared: true, Values: []string{`"v=spf1 include:amazonses.com -all"`}},
				{Addr: "record.www.broken.example.A", Name: "www.broken.example.", Type: "A", Values: []string{"192.0.2.80"}},
				{Addr: "record.later.broken.example.TXT", Name: "later.broken.example.", Type: "TXT", Values: []string{"${mta.mx3#public_ip}"}, Unknown: "mta.mx3 (public_ip)"},
			}},
			{Name: "partner.example.", Elsewhere: true, SES: true, SignedBy: []string{"Easy DKIM"}, Records: []Record{
				{Addr: "domain.partner.example/dmarc", Part: "dmarc", Name: "_dmarc.partner.example.", Type: "TXT", Values: []string{`"v=DMARC1; p=none; rua=mailto:d@partner.example"`}},
			}},
		},
		MTAs: []MTA{
			{Addr: "mta.mx1", Hostname: "mx1.acme.example.", IP: "192.0.2.10", ReverseDNS: true, PTRStatus: "SET"},
			{Addr: "mta.mx2", Hostname: "mx2.acme.example.", IP: "192.0.2.11", ReverseDNS: true},
			{Addr: "mta.mx3", Hostname: "mx3.broken.example."},
		},
		Identities: []string{"acme.example", "alerts@acme.example", "broken.example", "partner.example"},
		SESStatus:  map[string]string{"acme.example": "verification SUCCESS, DKIM SUCCESS, MAIL FROM SUCCESS"},
	}
	dnsStub := newStub(t,
		`mx1._domainkey.acme.example. 300 IN TXT "v=DKIM1; k=rsa; p=`+testKey+`"`,
		`tok0._domainkey.acme.example. 1800 IN CNAME tok0.dkim.amazonses.com.`,
		`_dmarc.acme.example. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example"`,
		`bounce.acme.example. 300 IN MX 10 feedback-smtp.us-west-2.amazonses.com.`,
		`bounce.acme.example. 300 IN TXT "v=spf1 include:amazonses.com ~all"`,
		`acme.example. 300 IN TXT "v=spf1 ip4:192.0.2.10 include:amazonses.com ~all"`,
		`acme.example. 300 IN TXT "google-site-verification=abc"`,
		`mx1.acme.example. 300 IN A 192.0.2.10`,
		`10.2.0.192.in-addr.arpa. 300 IN PTR mx1.acme.example.`,
		`mx2.acme.example. 300 IN A 192.0.2.11`,
		`11.2.0.192.in-addr.arpa. 300 IN PTR mail.other.example.`,
		`mail.other.example. 300 IN A 198.51.100.1`,
		`sel._domainkey.broken.example. 300 IN TXT "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GN"`,
		`_dmarc.broken.example. 300 IN TXT "v=DMARC1; p=rejekt; aspf=s"`,
		`bounce.broken.example. 300 IN MX 10 feedback-smtp.us-west-2.amazonses.com.`,
		`bounce.broken.example. 300 IN MX 20 backup.broken.example.`,
		`broken.example. 300 IN TXT "v=spf1 include:amazonses.com -all"`,
		`broken.example. 300 IN TXT "v=spf1 a -all"`,
		`www.broken.example. 300 IN A 192.0.2.80`,
	)
	dnsStub.unreachable = []string{"amazonses.com.", "partner.example."}
	dnsStub.unanswered = map[string][]string{"_dmarc.acme.example.": {"no answer for _dmarc.acme.example. TXT from 192.0.2.3:53: i/o timeout"}}
	dnsStub.disagree = map[string][]string{"www.broken.example.": {"192.0.2.1:53: A 192.0.2.80", "192.0.2.2:53: NXDOMAIN (no records)"}}
	sesStub := &stubSES{results: []ses.WaitResult{
		{Identity: "acme.example", Verified: true},
		{Identity: "alerts@acme.example", Pending: []ses.PendingCheck{{Check: ses.CheckVerification, Status: "PENDING", Explain: "SES mailed a verification link to alerts@acme.example; the address stays unverified until someone follows it"}}},
		{Identity: "broken.example", Pending: []ses.PendingCheck{{Check: ses.CheckDKIM, Status: "FAILED", Explain: "SES stopped looking for these records",
			Expect: []ses.ExpectedRecord{{Name: "sel._domainkey.broken.example.", Type: "TXT", Note: `"p=<the public key of the private key given to SES>"`}}}}},
		{Identity: "partner.example", Pending: []ses.PendingCheck{{Check: ses.CheckDKIM, Status: "PENDING", Explain: "SES is looking for these records and keeps looking for up to 72 hours",
			Expect: ses.EasyDKIMRecords("partner.example", []string{"tok9"})}}},
	}}
	opts := Options{
		DNS:        dnsStub,
		Delegation: stubDelegation{"acme.example.": {"ns-1.awsdns-01.com.", "ns-2.awsdns-02.net."}, "broken.example.": {"ns1.old-host.example."}},
		Route53: stubRoute53{
			zones: map[string][]string{"Z1": {"ns-2.awsdns-02.net", "ns-1.awsdns-01.com"}, "/hostedzone/Z2": {"ns-3.awsdns-03.org"}},
			names: map[string]string{"broken.example.": "/hostedzone/Z2"},
		},
		SES: sesStub,
	}
	return target, opts, sesStub
}

func TestRunGolden(t *testing.T) {
	target, opts, sesStub := runFixture(t)
	report := Run(t.Context(), target, opts)

	if report.Passed() {
		t.Error("the report passed, with broken records")
	}
	if sesStub.timeout != 0 || !cmp.Equal(sesStub.asked, target.Identities) {
		t.Errorf("SES asked for %v with timeout %s, want one read of %v", sesStub.asked, sesStub.timeout, target.Identities)
	}
	var human, js bytes.Buffer
	if err := WriteHuman(&human, report); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, report); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/report.txt", human.Bytes())
	golden.Check(t, "testdata/report.json", js.Bytes())
}

// TestRunWithResolver: with -resolver, the delegation is not checked and
// the report says so; a healthy domain passes.
func TestRunWithResolver(t *testing.T) {
	target, opts, _ := runFixture(t)
	target.Domains = target.Domains[:1]
	target.Zones = target.Zones[:1]
	target.MTAs = target.MTAs[:1]
	target.Identities = target.Identities[:1]
	opts.Delegation, opts.Route53, opts.Resolver = nil, nil, "127.0.0.1:5353"
	report := Run(t.Context(), target, opts)
	if !report.Passed() {
		t.Errorf("a healthy domain failed: %+v", report.Failed())
	}
	if report.DelegationChecked {
		t.Error("DelegationChecked with a resolver")
	}
	var human bytes.Buffer
	if err := WriteHuman(&human, report); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/resolver.txt", human.Bytes())
}

// TestEmptyReport: nothing to check passes, and JSON lists no checks as [].
func TestEmptyReport(t *testing.T) {
	report := Run(t.Context(), Target{Region: "us-west-2"}, Options{DNS: newStub(t)})
	if !report.Passed() || len(report.Results) != 0 {
		t.Errorf("empty target: passed %v, %d results", report.Passed(), len(report.Results))
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, report); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/empty.json", js.Bytes())
}

// TestAlignment: which of DKIM and SPF align, from the spec and the served
// records, under relaxed and strict modes.
func TestAlignment(t *testing.T) {
	dmarcRec := func(text string) Record {
		return Record{Addr: "domain.acme.example/dmarc", Part: "dmarc", Name: "_dmarc.acme.example.", Type: "TXT", Values: []string{`"` + text + `"`}}
	}
	dkimRec := Record{Addr: "domain.acme.example/dkim[0]", Part: "dkim", Name: "t0._domainkey.acme.example.", Type: "CNAME", Values: []string{"t0.dkim.amazonses.com."}}
	mxRec := Record{Addr: "domain.acme.example/mail_from_mx", Part: "mail_from_mx", Name: "bounce.acme.example.", Type: "MX", Values: []string{"10 feedback-smtp.us-west-2.amazonses.com."}}
	cases := []struct {
		name    string
		domain  Domain
		served  []string
		status  Status
		message string
	}{
		{name: "both, relaxed",
			domain: Domain{SES: true, MailFrom: "bounce.acme.example.", SignedBy: []string{"Easy DKIM"}, Records: []Record{dkimRec, dmarcRec("v=DMARC1; p=reject"), mxRec}},
			served: []string{`t0._domainkey.acme.example. CNAME t0.dkim.amazonses.com.`, `_dmarc.acme.example. TXT "v=DMARC1; p=reject"`, `bounce.acme.example. MX 10 feedback-smtp.us-west-2.amazonses.com.`},
			status: OK, message: "DKIM and SPF both align with the From domain"},
		{name: "strict SPF: a MAIL FROM subdomain does not align, DKIM does",
			domain: Domain{SES: true, MailFrom: "bounce.acme.example.", SignedBy: []string{"Easy DKIM"}, Records: []Record{dkimRec, dmarcRec("v=DMARC1; p=reject; aspf=s"), mxRec}},
			served: []string{`t0._domainkey.acme.example. CNAME t0.dkim.amazonses.com.`, `_dmarc.acme.example. TXT "v=DMARC1; p=reject; aspf=s"`, `bounce.acme.example. MX 10 feedback-smtp.us-west-2.amazonses.com.`},
			status: OK, message: "one of DKIM and SPF aligns with the From domain, enough for DMARC"},
		{name: "DKIM records missing, no MAIL FROM",
			domain: Domain{SES: true, SignedBy: []string{"Easy DKIM"}, Records: []Record{dkimRec, dmarcRec("v=DMARC1; p=none")}},
			served: []string{`_dmarc.acme.example. TXT "v=DMARC1; p=none"`},
			status: Fail, message: "neither DKIM nor SPF aligns with the From domain: DMARC fails for all mail"},
		{name: "no DMARC record in the spec: no alignment check",
			domain: Domain{SES: true, SignedBy: []string{"Easy DKIM"}, Records: []Record{dkimRec}},
			served: []string{`t0._domainkey.acme.example. CNAME t0.dkim.amazonses.com.`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.domain.Name = "acme.example."
			stub := newStub(t, c.served...)
			stub.unreachable = []string{"amazonses.com."}
			report := Run(t.Context(), Target{Region: "us-west-2", Domains: []Domain{c.domain}}, Options{DNS: stub})
			var got *Result
			for i, r := range report.Results {
				if r.Check == "alignment" {
					got = &report.Results[i]
				}
			}
			if c.status == "" {
				if got != nil {
					t.Errorf("an alignment check without DMARC: %+v", *got)
				}
				return
			}
			if got == nil {
				t.Fatalf("no alignment check in %+v", report.Results)
			}
			if got.Status != c.status || got.Message != c.message {
				t.Errorf("alignment = %s %q, want %s %q (details %q)", got.Status, got.Message, c.status, c.message, got.Details)
			}
		})
	}
}

// TestMTASPF: the SPF served for a domain whose spec lists an MTA must let
// the MTA's address send.
func TestMTASPF(t *testing.T) {
	spf := Record{Addr: "domain.acme.example/spf", Part: "spf", Name: "acme.example.", Type: "TXT", Shared: true, Values: []string{`"v=spf1 ip4:192.0.2.10 -all"`}}
	cases := []struct {
		name    string
		served  string
		status  Status
		message string
	}{
		{"listed", `acme.example. TXT "v=spf1 ip4:192.0.2.10 -all"`, OK, "the SPF of acme.example lets 192.0.2.10 send (pass)"},
		{"through a network", `acme.example. TXT "v=spf1 ip4:192.0.2.0/24 -all"`, OK, "the SPF of acme.example lets 192.0.2.10 send (pass)"},
		{"removed by hand", `acme.example. TXT "v=spf1 -all"`, Fail, "the SPF of acme.example gives fail for 192.0.2.10"},
		{"softfail", `acme.example. TXT "v=spf1 ~all"`, Fail, "the SPF of acme.example gives softfail for 192.0.2.10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stub := newStub(t, c.served, "mx1.acme.example. A 192.0.2.10", "10.2.0.192.in-addr.arpa. PTR mx1.acme.example.")
			target := Target{Region: "us-west-2",
				Domains: []Domain{{Name: "acme.example.", Records: []Record{spf}}},
				MTAs:    []MTA{{Addr: "mta.mx1", Hostname: "mx1.acme.example.", IP: "192.0.2.10", ReverseDNS: true}}}
			report := Run(t.Context(), target, Options{DNS: stub})
			for _, r := range report.Results {
				if r.Check == "MTA SPF" {
					if r.Status != c.status || r.Message != c.message {
						t.Errorf("MTA SPF = %s %q, want %s %q", r.Status, r.Message, c.status, c.message)
					}
					return
				}
			}
			t.Errorf("no MTA SPF check in %+v", report.Results)
		})
	}
}
