package ses

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// A mailform:settings tag edited by hand (to garbage, or to what another
// stack would write) on an identity of the stack: the plan reads SES's own
// settings instead, changes nothing for the tag alone, and says what it
// found at the identity. A record that agrees with SES says nothing.
func TestSettingsRecordEditedByHandIsReported(t *testing.T) {
	e := newEnv(t)
	names := map[string]string{
		"garbage.acme.example": "!!!garbage=== x",
		"other.acme.example":   "configuration_set=other-default dkim_origin=EXTERNAL dkim_selector=evil",
		"agrees.acme.example":  recordedSettings{DkimOrigin: "AWS_SES", DkimLength: 2048}.String(),
	}
	var desired []specs.Resource
	for name, record := range names {
		e.createDirect(name, map[string]string{specs.TagStack: testStack, specs.TagAddr: "domain." + name, TagSettings: record})
		desired = append(desired, domain(name, nil))
	}
	obs := e.read(desired...)
	for name, record := range names {
		o := obs["domain."+name]
		notes := strings.Join(o.Notes, "\n")
		if name == "agrees.acme.example" {
			if notes != "" {
				t.Errorf("%s: notes %q, want none", name, notes)
			}
			continue
		}
		if !strings.Contains(notes, TagSettings) || !strings.Contains(notes, record) || !strings.Contains(notes, "dkim_key_length=2048") {
			t.Errorf("%s: notes %q, want the tag's value %q and what SES reports", name, notes, record)
		}
	}
	p, diags := plan.Make(desired, slices.Collect(maps.Values(obs)), plan.Options{Stack: testStack, Region: testRegion})
	if diags.HasErrors() {
		t.Fatalf("plan: %v", diags)
	}
	for _, c := range p.Changes {
		if c.Action != plan.NoOp {
			t.Errorf("plan changes %s (%s) for a hand-edited record", c.Addr, c.Action)
		}
	}
	warned := 0
	for _, d := range diags {
		if strings.Contains(d.Summary, TagSettings) {
			warned++
		}
	}
	if warned != 2 {
		t.Errorf("%d warnings name %s, want 2: %v", warned, TagSettings, diags)
	}
}
