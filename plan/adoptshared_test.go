package plan

import (
	"testing"

	"github.com/mailform/mailform/specs"
)

// TestAdoptSharedValuePublishedByHand: -adopt of a domain whose apex SPF
// value was published by hand, beside a verification token, adopts that
// value (no value changes); without -adopt the plan adds the value as
// before; a different value is never taken for the spec's.
func TestAdoptSharedValuePublishedByHand(t *testing.T) {
	spf := `"v=spf1 include:amazonses.com ~all"`
	desired := []specs.Resource{{Addr: "domain.acme.example/spf", Kind: specs.KindRoute53Record, Attrs: map[string]any{
		"zone": "acme.example.", "name": "acme.example.", "type": "TXT", "ttl": int64(300), "values": []any{spf}, "shared": true,
	}}}
	observed := func(values ...any) []Observed {
		return []Observed{{Addr: "domain.acme.example/spf", Kind: specs.KindRoute53Record, ID: "Z1/acme.example./TXT", Attrs: map[string]any{
			"zone": "acme.example.", "zone_id": "Z1", "name": "acme.example.", "type": "TXT", "ttl": int64(300), "shared": true,
			"values": []any{}, "other_values": values,
		}}}
	}
	token := `"google-site-verification=abc"`
	for _, tc := range []struct {
		name     string
		live     []Observed
		adopt    []string
		action   Action
		adopting bool
	}{
		{"adopted", observed(spf, token), []string{"domain.acme.example"}, Update, true},
		{"not asked", observed(spf, token), nil, Create, false},
		{"another value", observed(`"v=spf1 include:amazonses.com -all"`, token), []string{"domain.acme.example"}, Create, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, diags := Make(desired, tc.live, Options{Stack: "acme-prod", Region: "us-west-2", Adopt: tc.adopt})
			if tc.name == "another value" {
				// A second SPF value is refused, whatever -adopt says.
				if !diags.HasErrors() {
					t.Errorf("a foreign SPF value beside the spec's is accepted: %+v", p.Changes)
				}
				return
			}
			if diags.HasErrors() || len(p.Changes) != 1 {
				t.Fatalf("plan: %v, %+v", diags, p)
			}
			c := p.Changes[0]
			if c.Action != tc.action || c.Adopt != tc.adopting || (tc.adopting && len(c.Diffs) != 0) {
				t.Errorf("change %s (adopt %v, diffs %+v), want %s (adopt %v) without diffs", c.Action, c.Adopt, c.Diffs, tc.action, tc.adopting)
			}
		})
	}
}
