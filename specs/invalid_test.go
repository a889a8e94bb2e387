package specs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvalidSpecs loads each spec under testdata/invalid and compares the
// rendered diagnostics with its golden file. Every case must fail, and every
// diagnostic must point at the source.
func TestInvalidSpecs(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 45 {
		t.Fatalf("the invalid corpus has %d cases; want at least 45", len(cases))
	}
	for _, path := range cases {
		name := strings.TrimSuffix(filepath.Base(path), ".hcl")
		t.Run(name, func(t *testing.T) {
			spec, diags := Load(path, LoadOptions{})
			if !diags.HasErrors() {
				t.Fatalf("want errors, got none (diagnostics: %v)", diags)
			}
			if spec == nil {
				t.Fatal("Load returned a nil Spec; Files() is needed to render diagnostics")
			}
			if got := spec.Resources(); len(got) != 0 {
				t.Errorf("a spec with errors expanded into %d resources", len(got))
			}
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without a source range: %s: %s", d.Summary, d.Detail)
				}
				if d.Summary == "" || d.Detail == "" {
					t.Errorf("diagnostic without a summary or detail: %q / %q", d.Summary, d.Detail)
				}
			}
			rendered := renderDiags(t, spec.Files(), diags)
			if strings.Contains(rendered, "hunter2") {
				t.Errorf("a sensitive value appears in the diagnostics:\n%s", rendered)
			}
			checkGolden(t, strings.TrimSuffix(path, ".hcl")+".golden", []byte(rendered))
		})
	}
}

// TestInvalidGoldensHaveCases keeps the corpus tidy: no golden file without
// its spec.
func TestInvalidGoldensHaveCases(t *testing.T) {
	goldens, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.golden"))
	for _, g := range goldens {
		if _, err := os.Stat(strings.TrimSuffix(g, ".golden") + ".hcl"); err != nil {
			t.Errorf("%s has no spec beside it", g)
		}
	}
}
