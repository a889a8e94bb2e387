package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/mailform/mailform/importer"
)

// importOutcome is what an import wrote, for its view.
type importOutcome struct {
	stack, region string
	// dir is the folder written; specPath and adoptPath the files in it.
	dir, specPath, adoptPath string
	res                      *importer.Result
}

// importView writes the outcome of an import in one output form: lines
// that say what to run next, or a JSON document (-json). Warnings go to
// stderr in both forms, from the command.
type importView interface {
	Outcome(o importOutcome) error
}

// newImportView returns the view of import's output form.
func newImportView(io IO, asJSON bool) importView {
	if asJSON {
		return jsonImportView{io: io}
	}
	return humanImportView{io: io}
}

// humanImportView says what was written and the commands to run next.
type humanImportView struct{ io IO }

func (v humanImportView) Outcome(o importOutcome) error {
	out := v.io.Stdout
	fmt.Fprintf(out, "Wrote %s (%s) and %s (%s to adopt).\n", o.specPath, importer.Count(o.res.Blocks, "block", "blocks"), o.adoptPath, importer.Count(len(o.res.Adopt), "address", "addresses"))
	fmt.Fprintf(out, "Next: review the spec, then\n  mailform plan %s -adopt-file %s\n  mailform apply %s -adopt-file %s\n", o.dir, o.adoptPath, o.dir, o.adoptPath)
	return nil
}

// jsonImportView writes the outcome as one JSON document.
type jsonImportView struct{ io IO }

func (v jsonImportView) Outcome(o importOutcome) error {
	notes := o.res.Notes
	if notes == nil {
		notes = []importer.Note{}
	}
	return json.NewEncoder(v.io.Stdout).Encode(map[string]any{
		"format_version": JSONFormatVersion,
		"stack":          o.stack,
		"region":         o.region,
		"spec":           filepath.ToSlash(o.specPath),
		"adopt_file":     filepath.ToSlash(o.adoptPath),
		"blocks":         o.res.Blocks,
		"adopt":          nonNil(o.res.Adopt),
		"notes":          notes,
		"pending":        nonNil(o.res.Pending),
	})
}
