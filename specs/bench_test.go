package specs

import (
	"path/filepath"
	"testing"
)

// BenchmarkLoadManyDomains loads the 120-domain example: parse, evaluate,
// validate and expand.
func BenchmarkLoadManyDomains(b *testing.B) {
	dir := filepath.Join("..", "examples", "many-domains")
	for b.Loop() {
		if _, diags := Load(dir, LoadOptions{}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}
