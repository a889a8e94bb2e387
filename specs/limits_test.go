package specs

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestLanguageLimits loads hostile specs: each must fail with its
// diagnostic at the line that breaks a limit, quickly, without a crash (a
// stack overflow or an out-of-memory error would end this test binary).
func TestLanguageLimits(t *testing.T) {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	chain := func(op string, n int) string { return "1" + strings.Repeat(op+"1", n) }
	cases := []struct {
		name    string
		value   string            // the attribute at line 10 of main.hcl, in a locals block
		files   map[string]string // other files of the folder
		summary string
		line    int
	}{
		{name: "brackets 100000 deep", value: "x = " + deep("[", "]", 100000), summary: "Nesting too deep", line: 10},
		{name: "braces 100000 deep", value: "x = " + deep("{a=", "}", 100000), summary: "Nesting too deep", line: 10},
		{name: "parentheses 100000 deep", value: "x = " + deep("(", ")", 100000), summary: "Nesting too deep", line: 10},
		{name: "templates 10000 deep", value: "x = " + deep(`"${`, `}"`, 10000), summary: "Nesting too deep", line: 10},
		{name: "negations 100000 long", value: "x = " + strings.Repeat("!", 100000) + "true", summary: "Expression too long", line: 10},
		{name: "minus signs 100000 long", value: "x = " + strings.Repeat("-", 100000) + "1", summary: "Expression too long", line: 10},
		{name: "negations on 100000 lines in an object", value: "x = { a = " + strings.Repeat("!\n", 100000) + "true }", summary: "Invalid expression", line: 10},
		{name: "sum on 100000 lines in a list", value: "x = [1" + strings.Repeat("\n+ 1", 100000) + "]", summary: "Expression too long", line: 1011},
		{name: "sum 100000 long", value: "x = " + chain("+", 100000), summary: "Expression too long", line: 10},
		{name: "conditionals 50000 long", value: "x = " + strings.Repeat("true ? 1 : ", 50000) + "1", summary: "Expression too long", line: 10},
		{name: "replace of replace", value: `s = format("%10000s", "")` + "\n  x = replace(replace(local.s, \" \", local.s), \" \", local.s)", summary: "Error in function call", line: 11},
		{name: "replace of empty", value: `x = replace(format("%10000s", ""), "", format("%10000s", ""))`, summary: "Error in function call", line: 10},
		{name: "split into a million", value: `x = split("", format("%10000s%10000s", "", ""))` + "\n  y = split(\"\", join(\"\", [for i in split(\" \", format(\"%5000s\", \"\")) : format(\"%200s\", \"\")]))", summary: "Error in function call", line: 11},
		{name: "join", value: `s = format("%10000s", "")` + "\n  x = join(local.s, split(\" \", local.s))", summary: "Error in function call", line: 11},
		{name: "concat", value: `l = split(" ", format("%9000s", ""))` + "\n  x = concat(local.l, local.l)", summary: "Error in function call", line: 11},
		{name: "format many widths", value: `x = format("` + strings.Repeat("%9999s", 200) + `", ` + strings.TrimSuffix(strings.Repeat(`"", `, 200), ", ") + `)`, summary: "Error in function call", line: 10},
		{name: "template of a large value", value: `s = format("%10000s", "")` + "\n  x = \"" + strings.Repeat("${local.s}", 200) + "\"", summary: "Template too large", line: 11},
		{name: "for inside for", value: `l = split(" ", format("%9000s", ""))` + "\n  x = [for a in local.l : [for b in local.l : \"${a}${b}\"]]", summary: "For expression inside a for expression", line: 11},
		{name: "for over for results", value: `l = split(" ", format("%9000s", ""))` + "\n  m = [for a in local.l : local.l]\n  x = [for a in local.m : join(\",\", a)]", summary: "Too much work", line: 11},
		{name: "spec file over 1 MiB", value: "x = \"" + strings.Repeat("a", 2<<20) + "\"", summary: "Cannot read a spec file", line: 1},
		{name: "file() over 1 MiB", value: `x = file("big.txt")`, files: map[string]string{"big.txt": strings.Repeat("a", 2<<20)}, summary: "Invalid function argument", line: 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"main.hcl": header + "\nlocals {\n  " + c.value + "\n}\n"}
			for k, v := range c.files {
				files[k] = v
			}
			dir := writeSpec(t, files)
			start := time.Now()
			spec, diags := Load(dir, LoadOptions{})
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("Load took %s", d)
			}
			if !diags.HasErrors() {
				t.Fatal("the spec loads; want an error")
			}
			var found bool
			for _, d := range diags {
				if d.Summary == c.summary && d.Subject != nil && d.Subject.Start.Line == c.line {
					found = true
				}
			}
			out := renderDiags(t, spec.Files(), diags)
			if !found {
				t.Errorf("want %q at line %d, got:\n%.3000s", c.summary, c.line, out)
			}
			if len(out) > 20000 {
				t.Errorf("the diagnostics are %d bytes long", len(out))
			}
			if n := strings.Count(out, "Error:"); n > 3 {
				t.Errorf("%d errors for one problem:\n%.3000s", n, out)
			}
		})
	}
}

// TestDiagnosticsNeverEchoControlCharacters: binary garbage in a spec file
// (ESC sequences, BEL, C1 controls, bidirectional overrides, bytes that are
// not UTF-8) is never written raw to the terminal.
func TestDiagnosticsNeverEchoControlCharacters(t *testing.T) {
	garbage := "\x1b[2J\x1b]0;owned\x07 \x07\x07 \xc2\x9b31m \xe2\x80\xae \xff\xfe\x00\x01"
	for name, src := range map[string]string{
		"garbage alone":      garbage,
		"garbage in a value": header + "\nlocals {\n  x = \"" + garbage + "\"\n  y = \n}\n",
		"garbage in a label": header + "\ndomain \"" + garbage + "\" {}\n",
		"garbage in a name":  header + "\nlocals {\n  " + garbage + " = 1\n}\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeSpec(t, map[string]string{"main.hcl": src})
			spec, diags := Load(dir, LoadOptions{})
			if !diags.HasErrors() {
				t.Fatal("the spec loads; want an error")
			}
			for _, color := range []bool{false, true} {
				var buf bytes.Buffer
				if err := WriteDiagnostics(&buf, diags, spec.Files(), color); err != nil {
					t.Fatal(err)
				}
				out := buf.String()
				if color {
					// mailform's own color sequences are the only ESC allowed.
					for _, seq := range []string{"\x1b[31m", "\x1b[33m", "\x1b[0m", "\x1b[1m"} {
						out = strings.ReplaceAll(out, seq, "")
					}
				}
				if p := unprintable(out); p != "" {
					t.Errorf("color=%v: the diagnostics hold %s:\n%q", color, p, out)
				}
			}
		})
	}
}

// unprintable names the first thing in s a terminal would act on, or "".
func unprintable(s string) string {
	if !utf8.ValidString(s) {
		return "bytes that are not UTF-8"
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			return fmt.Sprintf("control character %U", r)
		case r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069:
			return fmt.Sprintf("bidirectional control %U", r)
		}
	}
	return ""
}

// TestVariableValuesWithinLimits: a -var value is an expression too, and
// bounded like one.
func TestVariableValuesWithinLimits(t *testing.T) {
	dir := writeSpec(t, map[string]string{"main.hcl": header + "\nvariable \"x\" {\n  type = list(any)\n}\n"})
	for name, raw := range map[string]string{
		"brackets 100000 deep": strings.Repeat("[", 100000) + strings.Repeat("]", 100000),
		"replace of replace":   `[replace(replace(format("%10000s", ""), " ", format("%10000s", "")), " ", format("%10000s", ""))]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, diags := Load(dir, LoadOptions{Vars: map[string]string{"x": raw}})
			if !diags.HasErrors() || diags[0].Summary != "Invalid value for variable" {
				t.Errorf("want Invalid value for variable, got %v", diags)
			}
		})
	}
}
