package cli

import (
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

func TestProblemDiagnostics(t *testing.T) {
	rng := hcl.Range{Filename: "news.hcl", Start: hcl.Pos{Line: 2, Column: 3}}
	desired := []specs.Resource{{Addr: "domain.news.acme.example/dmarc", DeclRange: rng}}
	problems := providers.Problems{{Addr: "domain.news.acme.example/dmarc", Summary: "under a delegation"}}
	for _, tc := range []struct {
		name string
		opts plan.Options
		want int
	}{
		{"plan", plan.Options{}, 1},
		{"destroy removes, never writes", plan.Options{Destroy: true}, 0},
		{"target of the domain", plan.Options{Targets: []string{"domain.news.acme.example"}}, 1},
		{"another target", plan.Options{Targets: []string{"topic.feedback"}}, 0},
	} {
		diags := problemDiagnostics(problems, desired, tc.opts)
		if len(diags) != tc.want {
			t.Errorf("%s: %d diagnostics, want %d", tc.name, len(diags), tc.want)
			continue
		}
		if tc.want == 1 && (diags[0].Subject == nil || diags[0].Subject.Filename != "news.hcl" || diags[0].Severity != hcl.DiagError) {
			t.Errorf("%s: %+v, want an error at news.hcl", tc.name, diags[0])
		}
	}
}
