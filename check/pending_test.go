package check

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"

	"github.com/mailform/mailform/providers/ses"
)

// TestPendingRecords asks a DNS server for the records of the pending
// checks only, in order: one answered as SES expects, one answered with
// another value, one whose value only the key's owner knows.
func TestPendingRecords(t *testing.T) {
	addr := serveDNS(t, "127.0.0.1:0", func(req *dns.Msg, tcp bool) *dns.Msg {
		m := new(dns.Msg)
		m.SetReply(req)
		switch q := req.Question[0]; q.Name {
		case "t0._domainkey.acme.example.":
			m.Answer = append(m.Answer, mustRR(t, "t0._domainkey.acme.example. 300 IN CNAME t0.dkim.amazonses.com."))
		case "mail.acme.example.":
			m.Answer = append(m.Answer, mustRR(t, "mail.acme.example. 300 IN MX 10 mx.elsewhere.example."))
		}
		return m
	})
	results := []ses.WaitResult{
		{Identity: "done.example", Verified: true, Pending: []ses.PendingCheck{{Check: "dkim", Expect: []ses.ExpectedRecord{{Name: "x.done.example.", Type: "TXT", Value: "ignored"}}}}},
		{Identity: "acme.example", Pending: []ses.PendingCheck{
			{Check: "dkim", Expect: []ses.ExpectedRecord{{Name: "t0._domainkey.acme.example.", Type: "CNAME", Value: "t0.dkim.amazonses.com."}}},
			{Check: "mail_from", Expect: []ses.ExpectedRecord{{Name: "mail.acme.example.", Type: "MX", Value: "10 feedback-smtp.us-east-1.amazonses.com."}}},
			{Check: "byodkim", Expect: []ses.ExpectedRecord{{Name: "s1._domainkey.acme.example.", Type: "TXT"}}},
		}},
	}
	got := PendingRecords(t.Context(), results, addr)
	want := []PendingRecord{
		{Identity: "acme.example", Check: "dkim", Name: "t0._domainkey.acme.example.", Type: "CNAME", Expected: "t0.dkim.amazonses.com.", Served: []string{"t0.dkim.amazonses.com."}, Matches: true},
		{Identity: "acme.example", Check: "mail_from", Name: "mail.acme.example.", Type: "MX", Expected: "10 feedback-smtp.us-east-1.amazonses.com.", Served: []string{"10 mx.elsewhere.example."}},
		{Identity: "acme.example", Check: "byodkim", Name: "s1._domainkey.acme.example.", Type: "TXT", Served: []string{}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("PendingRecords (-want +got):\n%s", d)
	}
	if got := PendingRecords(t.Context(), results[:1], addr); len(got) != 0 {
		t.Errorf("all verified: %v", got)
	}
}
