package cli

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/apply"
)

type (
	hclDiagnostics = hcl.Diagnostics
	hclFile        = hcl.File
)

// resourceDiagnostic reports a failed change at the block that declared it.
func resourceDiagnostic(f apply.ResourceError) *hcl.Diagnostic {
	d := &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Applying " + f.Addr + " failed",
		Detail:   f.Err.Error(),
	}
	if f.DeclRange.Filename != "" {
		r := f.DeclRange
		d.Subject = &r
	}
	return d
}
