package render

import (
	"io"
	"testing"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/internal/fixture"
)

func BenchmarkRender1000Domains(b *testing.B) {
	desired, _ := fixture.ManyDomains(1000, fixture.Stack)
	p, _ := plan.Make(desired, nil, plan.Options{Stack: fixture.Stack})
	b.ResetTimer()
	for b.Loop() {
		for _, v := range []View{HumanView{}, JSONView{}, MarkdownView{}} {
			if err := v.Render(io.Discard, p); err != nil {
				b.Fatal(err)
			}
		}
	}
}
