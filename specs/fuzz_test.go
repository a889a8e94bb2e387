package specs

import (
	"bytes"
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

// FuzzExpression evaluates arbitrary expressions and function calls in a
// spec with some values at hand: it must never panic nor run without end,
// and its diagnostics must render without control characters.
func FuzzExpression(f *testing.F) {
	for _, seed := range []string{
		`replace(replace(local.s, " ", local.s), " ", local.s)`,
		`join(local.s, split("", local.s))`,
		`format("%10000s%10000s", "", "")`,
		`"${local.s}${local.s}${upper(local.s)}"`,
		`[for a in local.l : [for b in local.l : "${a}${b}"]]`,
		`{for k, v in local.m : k => [for x in split(",", v) : trimspace(x)] if length(v) > 1}`,
		`concat(local.l, [for a in local.l : local.l]...)`,
		`length(local.m) > 1 ? tostring(length(local.l)) : lower("X")`,
		`file("main.hcl")`,
		`file("/proc/self/environ")`,
		"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		"!!!!!!!!!!!!!!!!true",
		"\"\x1b[2J\x07\"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		dir := t.TempDir()
		src := `mailform {
  stack  = "acme"
  region = "us-west-2"
}
locals {
  s = format("%2000s", "")
  l = split(",", "a,b,c,d,e,f,g,h")
  m = { a = "x,y", b = "z" }
  x = ` + expr + `
}
`
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		spec, diags := Load(dir, LoadOptions{})
		var buf bytes.Buffer
		if err := WriteDiagnostics(&buf, diags, spec.Files(), false); err != nil {
			t.Fatalf("WriteDiagnostics: %v", err)
		}
		if p := unprintable(buf.String()); p != "" {
			t.Fatalf("the diagnostics hold %s", p)
		}
	})
}
