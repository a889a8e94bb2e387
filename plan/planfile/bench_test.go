package planfile

import (
	"io"
	"testing"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/internal/fixture"
)

func BenchmarkSave1000Domains(b *testing.B) {
	desired, _ := fixture.ManyDomains(1000, fixture.Stack)
	p, _ := plan.Make(desired, nil, plan.Options{Stack: fixture.Stack})
	b.ResetTimer()
	for b.Loop() {
		if err := Save(io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
}
