package specs

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary files to Load: it must never panic, its
// diagnostics must render, and a spec that loads without errors must render
// as JSON.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.hcl"))
	examples, _ := filepath.Glob(filepath.Join("..", "examples", "*", "*.hcl"))
	for _, p := range append(seeds, examples...) {
		src, err := os.ReadFile(p)
		if err == nil && len(src) < 8<<10 {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		spec, diags := Load(dir, LoadOptions{Vars: map[string]string{}})
		if spec == nil {
			t.Fatal("nil Spec")
		}
		// Whatever the diagnostics, they render with their source snippets.
		for _, color := range []bool{false, true} {
			if err := WriteDiagnostics(io.Discard, diags, spec.Files(), color); err != nil {
				t.Fatalf("WriteDiagnostics: %v", err)
			}
		}
		if diags.HasErrors() {
			return
		}
		if _, err := ResourcesJSON(spec); err != nil {
			t.Fatalf("ResourcesJSON: %v", err)
		}
	})
}
