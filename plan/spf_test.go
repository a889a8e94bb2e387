package plan

import (
	"testing"

	"github.com/mailform/mailform/specs"
)

// TestForeignSPFInASharedSet: mailform's SPF value cannot join a shared TXT
// set that holds another SPF value, whoever holds it; the stack's own older
// value and values that are not SPF are no conflict.
func TestForeignSPFInASharedSet(t *testing.T) {
	const mine = `"v=spf1 include:amazonses.com ~all"`
	spf := specs.Resource{Addr: "domain.acme.example/spf", Kind: specs.KindRoute53Record, Attrs: map[string]any{
		"zone": "acme.example.", "name": "acme.example.", "type": "TXT", "ttl": 300, "shared": true, "values": []any{mine},
	}}
	observed := func(owner string, values, others []any) []Observed {
		return []Observed{{Addr: spf.Addr, Kind: specs.KindRoute53Record, ID: "Z1/acme.example./TXT", Owner: owner, Attrs: map[string]any{
			"zone": "acme.example.", "name": "acme.example.", "type": "TXT", "ttl": 300, "shared": true, "values": values, "other_values": others,
		}}}
	}
	tests := []struct {
		name     string
		observed []Observed
		conflict bool
	}{
		{"a person's SPF beside a verification token", observed("", nil, []any{`"v=spf1 include:_spf.google.com ~all"`, `"google-site-verification=x"`}), true},
		{"another stack's SPF", observed("other", []any{`"v=spf1 include:other.example ~all"`}, nil), true},
		{"the stack's own older SPF", observed(stack, []any{`"v=spf1 include:old.example ~all"`}, []any{`"google-site-verification=x"`}), false},
		{"no SPF among the others", observed("", nil, []any{`"google-site-verification=x"`}), false},
		{"the same value already there", observed("", nil, []any{mine}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := Make([]specs.Resource{spf}, tt.observed, Options{Stack: stack, Region: "us-west-2"})
			if diags.HasErrors() != tt.conflict {
				t.Errorf("errors = %v, want a conflict: %v", diags, tt.conflict)
			}
		})
	}
}
