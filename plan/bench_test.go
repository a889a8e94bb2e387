package plan

import (
	"testing"

	"github.com/mailform/mailform/plan/internal/fixture"
	"github.com/mailform/mailform/specs"
)

// manyDomains is fixture.ManyDomains of the stack acme-prod, observed as
// plan's providers report it.
func manyDomains(n int) ([]specs.Resource, []Observed) {
	desired, seen := fixture.ManyDomains(n, stack)
	var out []Observed
	for _, o := range seen {
		out = append(out, observed(o))
	}
	return desired, out
}

func TestManyDomainsPlan(t *testing.T) {
	desired, observed := manyDomains(50)
	p, diags := Make(desired, observed, Options{Stack: stack})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if s := p.Summary(); s != (Summary{Update: 5}) {
		t.Errorf("summary = %+v, want 5 updates", s)
	}
}

func BenchmarkMake1000Domains(b *testing.B) {
	desired, observed := manyDomains(1000)
	b.ResetTimer()
	for b.Loop() {
		if _, diags := Make(desired, observed, Options{Stack: stack}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

func BenchmarkDestroyOrder1000Domains(b *testing.B) {
	desired, observed := manyDomains(1000)
	p, _ := Make(desired, observed, Options{Stack: stack, Destroy: true})
	b.ResetTimer()
	for b.Loop() {
		if _, err := Order(p.Changes); err != nil {
			b.Fatal(err)
		}
	}
}
