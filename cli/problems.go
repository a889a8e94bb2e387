package cli

import (
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// problemDiagnostics turns what the providers found wrong with desired
// resources into errors at their blocks: those the plan would write (none
// under -destroy; under -target, those of the targets).
func problemDiagnostics(problems providers.Problems, desired []specs.Resource, opts plan.Options) hcl.Diagnostics {
	if opts.Destroy {
		return nil
	}
	ranges := map[string]hcl.Range{}
	for _, r := range desired {
		ranges[r.Addr] = r.DeclRange
	}
	var diags hcl.Diagnostics
	for _, p := range problems {
		if len(opts.Targets) > 0 && !slices.ContainsFunc(opts.Targets, func(t string) bool {
			return p.Addr == t || strings.HasPrefix(p.Addr, t+"/")
		}) {
			continue
		}
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: p.Summary, Detail: p.Detail}
		if rng, ok := ranges[p.Addr]; ok {
			d.Subject = &rng
		}
		diags = append(diags, d)
	}
	return diags
}
