package plan

import (
	"testing"

	"github.com/mailform/mailform/specs"
)

// TestRecordValueSpellings: two spellings of one record value are the same
// value to the plan, in dnsvalue's canonical form (the form check prints).
func TestRecordValueSpellings(t *testing.T) {
	for _, tc := range []struct{ rtype, desired, observed string }{
		{"AAAA", "2001:DB8:0:0::1", "2001:db8::1"},
		{"SRV", "1 5 443 HOST.acme.example", "1 5 443 host.acme.example."},
		{"MX", "010 MX.acme.example", "10 mx.acme.example."},
		{"TXT", `"v=spf1 " "-all"`, `"v=spf1 -all"`},
		{"CAA", `0 ISSUE "amazon.com"`, `0 issue "amazon.com"`},
	} {
		if !sameValue(specs.KindRoute53Record, tc.rtype, "values", []any{tc.desired}, []any{tc.observed}) {
			t.Errorf("%s %q and %q differ to the plan", tc.rtype, tc.desired, tc.observed)
		}
	}
	if got := canonical(specs.KindRoute53Record, "AAAA", "values", []any{"2001:DB8:0:0::1"}); got.([]any)[0] != "2001:db8::1" {
		t.Errorf("plan shows AAAA 2001:DB8:0:0::1 as %v, want 2001:db8::1 (as check does)", got)
	}
}
