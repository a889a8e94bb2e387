package specs

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestFormatTree formats a folder and its subfolders, leaves hidden ones
// out, and refuses a folder with no spec file.
func TestFormatTree(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.hcl", "x   = 1\n")
	write("sub/b.hcl", "y = 2\n")
	write(".hidden/c.hcl", "z   = 3\n")
	write("notes.txt", "not a spec\n")
	files, diags, err := FormatTree(dir)
	if err != nil || diags.HasErrors() {
		t.Fatal(err, diags)
	}
	var changed, all []string
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f.Path)
		all = append(all, filepath.ToSlash(rel))
		if f.Changed() {
			changed = append(changed, filepath.ToSlash(rel))
		}
	}
	slices.Sort(all)
	if !slices.Equal(all, []string{"main.hcl", "sub/b.hcl"}) || !slices.Equal(changed, []string{"main.hcl"}) {
		t.Errorf("files %v, changed %v", all, changed)
	}
	if _, _, err := FormatTree(filepath.Join(dir, "sub")); err != nil {
		t.Errorf("a folder with a spec: %v", err)
	}
	empty := t.TempDir()
	if _, _, err := FormatTree(empty); err == nil {
		t.Error("a folder without a spec file was formatted without error")
	}
}
