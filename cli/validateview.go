package cli

import (
	"fmt"

	"github.com/mailform/mailform/specs"
)

// validateView writes a valid spec in one output form: a line that sums it
// up, or the resources it expands into as JSON (-json,
// docs/validate-json.md). Diagnostics go to stderr before, from the
// command, in both forms.
type validateView interface {
	Valid(spec *specs.Spec) error
}

// newValidateView returns the view of validate's output form.
func newValidateView(io IO, asJSON bool) validateView {
	if asJSON {
		return jsonValidateView{io: io}
	}
	return humanValidateView{io: io}
}

// humanValidateView sums the spec up in one line.
type humanValidateView struct{ io IO }

func (v humanValidateView) Valid(spec *specs.Spec) error {
	fmt.Fprintf(v.io.Stdout, "The spec is valid: stack %q in %s, %s.\n", spec.Stack, spec.Region, countSummary(spec))
	return nil
}

// jsonValidateView writes the resources the spec expands into.
type jsonValidateView struct{ io IO }

func (v jsonValidateView) Valid(spec *specs.Spec) error {
	doc, err := specs.ResourcesJSON(spec)
	if err != nil {
		return err
	}
	v.io.Stdout.Write(doc)
	if len(doc) > 0 && doc[len(doc)-1] != '\n' {
		fmt.Fprintln(v.io.Stdout)
	}
	return nil
}
