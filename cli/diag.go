package cli

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/apply"
	"github.com/mailform/mailform/internal/awscfg"
)

type (
	hclDiagnostics = hcl.Diagnostics
	hclFile        = hcl.File
)

// resourceDiagnostic reports a failed change at the block that declared it,
// naming the missing IAM permission when AWS refused the call.
func resourceDiagnostic(f apply.ResourceError) *hcl.Diagnostic {
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Applying " + f.Addr + " failed",
		Detail:   awscfg.Explain(f.Err).Error(),
	}
	if f.DeclRange.Filename != "" {
		r := f.DeclRange
		d.Subject = &r
	}
	return d
}
