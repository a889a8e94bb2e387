package planfile

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/internal/fixture"
	"github.com/mailform/mailform/specs"
)

// A plan that creates an MTA (Elastic IP, A record, reverse DNS) survives a
// plan file, so that 'mailform apply PLANFILE' can carry it out.
func TestPlanFileKeepsAnMTA(t *testing.T) {
	p := &plan.Plan{
		FormatVersion: plan.FormatVersion, Stack: fixture.Stack, Region: fixture.Region,
		Changes: []plan.Change{
			{Addr: "mta.mx1", Kind: specs.KindEIP, Action: plan.Create, After: map[string]any{"hostname": "mx1.acme.example."}, DeclRange: fixture.At(3)},
			{Addr: "mta.mx1/a", Kind: specs.KindRoute53Record, Action: plan.Create, After: map[string]any{
				"zone": "acme.example.", "name": "mx1.acme.example.", "type": "A", "ttl": int64(300),
				"values": []any{specs.Deferred("${mta.mx1#public_ip}")}, "shared": false,
			}, DependsOn: []string{"mta.mx1"}, DeclRange: fixture.At(3)},
			{Addr: "mta.mx1/ptr", Kind: specs.KindReverseDNS, Action: plan.Create, After: map[string]any{
				"allocation_id": specs.Deferred("${mta.mx1#allocation_id}"), "ptr_name": "mx1.acme.example.",
			}, DependsOn: []string{"mta.mx1", "mta.mx1/a"}, DeclRange: fixture.At(3)},
		},
	}
	var buf bytes.Buffer
	if err := Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	got, err := Load(&buf)
	if err != nil {
		t.Fatalf("loading a plan with reverse DNS: %v", err)
	}
	if diff := cmp.Diff(p, got, cmpRange); diff != "" {
		t.Errorf("round trip (-saved +loaded):\n%s", diff)
	}
}
