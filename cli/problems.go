package cli

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// problemDiagnostics turns what the providers found wrong with desired
// resources into errors at their blocks.
func problemDiagnostics(problems providers.Problems, desired []specs.Resource) hcl.Diagnostics {
	ranges := map[string]hcl.Range{}
	for _, r := range desired {
		ranges[r.Addr] = r.DeclRange
	}
	var diags hcl.Diagnostics
	for _, p := range problems {
		d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: p.Summary, Detail: p.Detail}
		if rng, ok := ranges[p.Addr]; ok {
			d.Subject = &rng
		}
		diags = append(diags, d)
	}
	return diags
}
