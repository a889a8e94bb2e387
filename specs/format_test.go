package specs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    string
		wantErr string
	}{
		{
			name: "aligns and indents",
			src:  "zone \"acme.example\" {}\ndomain \"acme.example\" {\nspf {\ninclude=[\"amazonses.com\"]\nall = \"fail\"\n}\n}\n",
			want: "zone \"acme.example\" {}\ndomain \"acme.example\" {\n  spf {\n    include = [\"amazonses.com\"]\n    all     = \"fail\"\n  }\n}\n",
		},
		{
			name: "already canonical",
			src:  "topic \"feedback\" {\n  queue {}\n}\n",
			want: "topic \"feedback\" {\n  queue {}\n}\n",
		},
		{
			name:    "syntax error",
			src:     "domain \"acme.example\" {\n  spf {\n",
			wantErr: "Unclosed configuration block",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := Format([]byte(tt.src), "main.hcl")
			if tt.wantErr != "" {
				if !diags.HasErrors() || got != nil {
					t.Fatalf("want an error and no output, got %q, %v", got, diags)
				}
				if !strings.Contains(diags.Error(), tt.wantErr) {
					t.Errorf("error %q lacks %q", diags.Error(), tt.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			again, _ := Format(got, "main.hcl")
			if string(again) != string(got) {
				t.Errorf("formatting is not idempotent:\n%s", again)
			}
		})
	}
}

func TestFormatPath(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"a.hcl":     "topic \"a\" {\nqueue {}\n}\n",
		"b.hcl":     "topic \"b\" {}\n",
		"c.hcl":     "topic \"c\" {\n",
		"notes.txt": "x  =  1\n",
	})
	files, diags := FormatPath(dir)
	if !diags.HasErrors() {
		t.Error("want the syntax error of c.hcl reported")
	}
	if len(files) != 2 {
		t.Fatalf("got %d files, want a.hcl and b.hcl", len(files))
	}
	if filepath.Base(files[0].Path) != "a.hcl" || !files[0].Changed() {
		t.Errorf("a.hcl: %+v", files[0])
	}
	if filepath.Base(files[1].Path) != "b.hcl" || files[1].Changed() {
		t.Errorf("b.hcl should be unchanged: %+v", files[1])
	}
	one, diags := FormatPath(filepath.Join(dir, "b.hcl"))
	if diags.HasErrors() || len(one) != 1 {
		t.Errorf("one file: %v %v", one, diags)
	}
	if _, diags := FormatPath(filepath.Join(dir, "missing")); !diags.HasErrors() {
		t.Error("want an error for a missing path")
	}
}

// TestExamplesAreFormatted keeps the examples in canonical layout.
func TestExamplesAreFormatted(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "examples", "*"))
	for _, dir := range dirs {
		files, diags := FormatPath(dir)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		for _, f := range files {
			if f.Changed() {
				t.Errorf("%s is not formatted:\n%s", f.Path, UnifiedDiff(f.Path, f.Old, f.New))
			}
		}
	}
}

func TestUnifiedDiff(t *testing.T) {
	lines := func(n int, change map[int]string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if v, ok := change[i]; ok {
				b.WriteString(v)
				continue
			}
			b.WriteString("line" + string(rune('a'+i%26)) + "\n")
		}
		return b.String()
	}
	tests := []struct {
		name string
		a, b string
		want string
	}{
		{name: "equal", a: "x\n", b: "x\n", want: ""},
		{
			name: "one change in the middle",
			a:    lines(10, nil), b: lines(10, map[int]string{5: "changed\n"}),
			want: "--- a/f.hcl\n+++ b/f.hcl\n@@ -2,7 +2,7 @@\n linec\n lined\n linee\n-linef\n+changed\n lineg\n lineh\n linei\n",
		},
		{
			name: "two far changes make two hunks",
			a:    lines(20, nil), b: lines(20, map[int]string{2: "two\n", 18: "eighteen\n"}),
			want: "--- a/f.hcl\n+++ b/f.hcl\n@@ -1,5 +1,5 @@\n lineb\n-linec\n+two\n lined\n linee\n linef\n@@ -15,6 +15,6 @@\n linep\n lineq\n liner\n-lines\n+eighteen\n linet\n lineu\n",
		},
		{
			name: "insert into empty",
			a:    "", b: "a\nb\n",
			want: "--- a/f.hcl\n+++ b/f.hcl\n@@ -0,0 +1,2 @@\n+a\n+b\n",
		},
		{
			name: "missing final newline",
			a:    "a\nb", b: "a\nb\n",
			want: "--- a/f.hcl\n+++ b/f.hcl\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := UnifiedDiff("f.hcl", []byte(tt.a), []byte(tt.b))
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestUnifiedDiffAppliesWithPatch checks the diff against patch(1) when it
// is installed: applying it to a must give b.
func TestUnifiedDiffAppliesWithPatch(t *testing.T) {
	patch, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("patch(1) is not installed")
	}
	a := "zone \"acme.example\" {}\n\ndomain \"acme.example\" {\nspf {\ninclude=[\"amazonses.com\"]\n}\n}\n\ntopic \"a\" {}\ntopic \"b\" {}\n"
	b, diags := Format([]byte(a), "main.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(a), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(patch, "-p1", "--quiet")
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(UnifiedDiff("main.hcl", []byte(a), b))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "main.hcl"))
	if string(got) != string(b) {
		t.Errorf("patched file\n%s\nwant\n%s", got, b)
	}
}
