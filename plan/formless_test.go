package plan

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/specs"
)

// A value of a type plan does not know fails the plan loudly, naming the
// kind, the attribute and the Go type, instead of being compared as its
// fmt.Sprint text.
func TestMakeRefusesValuesOfUnknownTypes(t *testing.T) {
	type keyBits int
	type window struct{ Days int }
	tests := map[string]struct {
		desired  []specs.Resource
		observed []Observed
		want     string
	}{
		"observed named int": {
			desired:  desiredStack(),
			observed: replaced(observedStack(), withAttr(obsQueue(), "retention_days", keyBits(14))),
			want:     `attribute "retention_days" of sqs.queue holds a value of Go type plan.keyBits`,
		},
		"observed struct in a map": {
			desired: desiredStack(),
			observed: replaced(observedStack(), withAttr(obsConfigSet(), "event_destinations",
				map[string]any{"all": map[string]any{"window": window{Days: 1}}})),
			want: `attribute "event_destinations" of ses.configuration_set holds a value of Go type plan.window`,
		},
		"desired struct in a list": {
			desired: func() []specs.Resource {
				d := desiredStack()
				for i := range d {
					if d[i].Kind == specs.KindSMTPUser {
						d[i].Attrs["allowed_from"] = []any{"a@acme.example", window{}}
					}
				}
				return d
			}(),
			observed: observedStack(),
			want:     `attribute "allowed_from" of iam.smtp_user holds a value of Go type plan.window`,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			p, diags := Make(tt.desired, tt.observed, Options{Stack: stack, Region: region})
			if !diags.HasErrors() {
				t.Fatalf("no error; changes: %v", p.Changes)
			}
			var found *hcl.Diagnostic
			for _, d := range diags {
				if strings.Contains(d.Detail, tt.want) {
					found = d
				}
			}
			if found == nil {
				t.Fatalf("no error says %s; got %v", tt.want, diags)
			}
			if len(p.Changes) != 0 {
				t.Errorf("a refused plan holds changes: %v", p.Changes)
			}
		})
	}
	// Values of the types providers hand over (int, []string, float64,
	// pointers, named strings) are not refused.
	type status string
	ok := withAttr(withAttr(obsQueue(), "retention_days", 14.0), "url", status("https://sqs"))
	if _, diags := Make(desiredStack(), replaced(observedStack(), ok), Options{Stack: stack, Region: region}); diags.HasErrors() {
		t.Errorf("known types refused: %v", diags)
	}
}
