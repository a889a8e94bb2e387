package planfile

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/internal/fixture"
	"github.com/mailform/mailform/plan/internal/plantest"
	"github.com/mailform/mailform/specs"
)

// A plan loaded from its file judges whether live state moved exactly as the
// plan it was saved from: the digests of what it was made from survive the
// file. Each resource the plan was made from goes away, gets another ID,
// loses its mark or changes an attribute in turn.
func TestLoadedPlanJudgesStalenessAlike(t *testing.T) {
	// The plan updates the DMARC record and deletes topic.old.
	old := plan.Observed{Addr: "topic.old", Kind: specs.KindSNSTopic, ID: "arn:old", Owner: fixture.Stack,
		Attrs: map[string]any{"name": "acme-prod-old", "arn": "arn:old"}}
	planned := append(plantest.Replaced(plantest.ObservedStack(), plantest.WithAttr(plantest.Observed(fixture.ObsDMARC()), "ttl", 600)), old)
	p, diags := plan.Make(fixture.DesiredStack(), planned, plan.Options{Stack: fixture.Stack, Region: fixture.Region})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var buf bytes.Buffer
	if err := Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}

	nows := map[string][]plan.Observed{"nothing changed": planned}
	for i, o := range planned {
		nows[o.Addr+" went away"] = slices.Delete(slices.Clone(planned), i, i+1)
		moved := o
		moved.ID += "-new"
		nows[o.Addr+" got another ID"] = plantest.Replaced(planned, moved)
		unowned := o
		unowned.Owner = ""
		nows[o.Addr+" lost its mark"] = plantest.Replaced(planned, unowned)
		nows[o.Addr+" changed"] = plantest.Replaced(planned, plantest.WithAttr(o, "name", "changed"))
	}
	stale := 0
	for name, now := range nows {
		want, got := plan.CheckStale(p, now), plan.CheckStale(loaded, now)
		if fmt.Sprint(want) != fmt.Sprint(got) {
			t.Errorf("%s: the plan in memory says %v; loaded from its file, %v", name, want, got)
		}
		if want != nil {
			stale++
		}
	}
	if stale == 0 || stale == len(nows) {
		t.Fatalf("%d of %d states are stale: the test cannot tell a loaded plan that judges wrongly", stale, len(nows))
	}
}
