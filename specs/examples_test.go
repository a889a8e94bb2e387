package specs

import (
	"path/filepath"
	"testing"
)

// TestExamples loads every example with zero errors and zero warnings, and
// compares what it expands into with testdata/examples/<name>.json.
func TestExamples(t *testing.T) {
	for _, name := range []string{"ses-domain", "ec2-mta", "hybrid", "many-domains", "reputation-alarms"} {
		t.Run(name, func(t *testing.T) {
			spec, diags := Load(filepath.Join("..", "examples", name), LoadOptions{})
			if len(diags) > 0 {
				t.Fatalf("want no diagnostics, got:\n%s", renderDiags(t, spec.Files(), diags))
			}
			got, err := ResourcesJSON(spec)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("testdata", "examples", name+".json"), got)
		})
	}
}
