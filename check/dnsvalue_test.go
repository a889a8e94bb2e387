package check

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/mailform/mailform/internal/dnsvalue"
)

// TestServedValuesMatchTheRecord: a record's values and the same data served
// by DNS compare in one canonical form, whatever their spelling.
func TestServedValuesMatchTheRecord(t *testing.T) {
	for _, tc := range []struct {
		rtype, value, served string
	}{
		{"SRV", "1 5 443 HOST.acme.example", "_sip._tcp.acme.example. 300 IN SRV 1 5 443 host.acme.example."},
		{"AAAA", "2001:DB8:0:0::1", "mta.acme.example. 300 IN AAAA 2001:db8::1"},
		{"MX", "10 MX.acme.example", "acme.example. 300 IN MX 10 mx.acme.example."},
		{"TXT", `"v=spf1 " "-all"`, `acme.example. 300 IN TXT "v=spf1 -all"`},
	} {
		rr, err := dns.NewRR(tc.served)
		if err != nil {
			t.Fatal(err)
		}
		rec := Record{Type: tc.rtype, Values: []string{tc.value}}
		served := []string{dnsvalue.FromRR(rr)}
		if !sameValues(rec, served) {
			t.Errorf("%s %q and served %q differ to check", tc.rtype, tc.value, served)
		}
	}
}
