package specs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocumentedSpecsLoad loads every complete spec (an hcl code block that
// starts with a mailform block) in docs/spec-language.md, so the contract's
// examples stay valid.
func TestDocumentedSpecsLoad(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "docs", "spec-language.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```hcl\n(.*?)```").FindAllStringSubmatch(string(src), -1)
	n := 0
	for i, b := range blocks {
		if !strings.HasPrefix(b[1], "mailform {") {
			continue
		}
		n++
		dir := writeSpec(t, map[string]string{"main.hcl": b[1], "use-case.txt": "Receipts and password resets for our customers.\n"})
		spec, diags := Load(dir, LoadOptions{})
		if len(diags) > 0 {
			t.Errorf("code block %d:\n%s", i, renderDiags(t, spec.Files(), diags))
		}
	}
	if n == 0 {
		t.Fatal("found no complete spec in docs/spec-language.md")
	}
}
