package specs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// credentialMarkers stand for the caller's credentials: the tests put them
// in the environment (so /proc/self/environ holds them) and in a file
// outside the spec's folder, and look for them in everything mailform shows.
const (
	secretMarker  = "SECRETMARKER0123456789abcdef"
	sessionMarker = "SESSIONMARKER9876543210fedcba"
)

func setCredentialMarkers(t *testing.T) {
	t.Setenv("AWS_SECRET_ACCESS_KEY", secretMarker)
	t.Setenv("AWS_SESSION_TOKEN", sessionMarker)
}

// outsideFile writes a file holding the markers outside any spec folder.
func outsideFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(p, []byte(secretMarker+"\n"+sessionMarker+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFileConfinedToSpecFolder: file() and file: secret locations that
// reach outside the spec's folder fail validation at the value, and nothing
// read from outside appears in the diagnostics.
func TestFileConfinedToSpecFolder(t *testing.T) {
	setCredentialMarkers(t)
	outside := outsideFile(t)
	cases := []struct {
		name  string
		value string // the line written at line 8 of main.hcl, in a locals block
		setup func(t *testing.T, dir string)
		want  string
	}{
		{name: "proc environ", value: `x = file("/proc/self/environ")`, want: "absolute path"},
		{name: "etc passwd", value: `x = file("/etc/passwd")`, want: "absolute path"},
		{name: "dot dot", value: `x = file("../x")`, want: `climbs out with ".."`},
		{name: "dot dot inside", value: `x = file("texts/../../x")`, want: `climbs out with ".."`},
		{name: "replace of environ", value: `x = replace(file("/proc/self/environ"), "\u0000", " ")`, want: "absolute path"},
		{name: "symlink out", value: `x = file("creds")`, want: "leads out of the spec's folder", setup: func(t *testing.T, dir string) {
			symlink(t, outside, filepath.Join(dir, "creds"))
		}},
		{name: "symlinked folder out", value: `x = file("up/credentials")`, want: "leads out of the spec's folder", setup: func(t *testing.T, dir string) {
			symlink(t, filepath.Dir(outside), filepath.Join(dir, "up"))
		}},
		{name: "symlink to proc", value: `x = file("env")`, want: "leads into /proc", setup: func(t *testing.T, dir string) {
			symlink(t, "/proc/self/environ", filepath.Join(dir, "env"))
		}},
		{name: "symlink to dev zero", value: `x = file("zero")`, want: "leads into /dev", setup: func(t *testing.T, dir string) {
			symlink(t, "/dev/zero", filepath.Join(dir, "zero"))
		}},
		{name: "fifo", value: `x = file("pipe")`, want: "not a regular file", setup: func(t *testing.T, dir string) {
			if err := mkfifo(filepath.Join(dir, "pipe")); err != nil {
				t.Skip("no FIFOs here:", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeSpec(t, map[string]string{"main.hcl": header + "\nlocals {\n  " + c.value + "\n}\n"})
			if c.setup != nil {
				c.setup(t, dir)
			}
			spec, diags := Load(dir, LoadOptions{Environ: os.Environ()})
			if !diags.HasErrors() {
				t.Fatal("the spec loads; want an error")
			}
			d := diags[0]
			if d.Subject == nil || d.Subject.Start.Line != 10 || !strings.Contains(d.Detail, c.want) {
				t.Errorf("want an error at line 10 saying %q, got %v", c.want, diags)
			}
			out := renderDiags(t, spec.Files(), diags)
			if !strings.Contains(out, fmt.Sprintf("main.hcl:10:%d", d.Subject.Start.Column)) {
				t.Errorf("the error is not shown at file:line:col:\n%s", out)
			}
			for _, m := range []string{secretMarker, sessionMarker, "root:"} {
				if strings.Contains(out, m) {
					t.Errorf("the diagnostics show %q:\n%s", m, out)
				}
			}
		})
	}
}

// TestFileInsideSpecFolder: files inside the folder, also through a
// symlink that stays inside, are read.
func TestFileInsideSpecFolder(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"main.hcl":           header + "\nlocals {\n  a = file(\"texts/use-case.txt\")\n  b = file(\"./link.txt\")\n}\n",
		"texts/use-case.txt": "Receipts for orders.",
		"texts/site.txt":     "https://acme.example",
	})
	symlink(t, filepath.Join(dir, "texts", "site.txt"), filepath.Join(dir, "link.txt"))
	spec, diags := Load(dir, LoadOptions{})
	if diags.HasErrors() {
		t.Errorf("files inside the folder are refused:\n%s", renderDiags(t, spec.Files(), diags))
	}
}

// TestFileSecretLocationConfined: a file: secret location outside the
// folder is refused at validate (before, only plan refused it).
func TestFileSecretLocationConfined(t *testing.T) {
	outside := outsideFile(t)
	cases := []struct {
		name, location string
		setup          func(t *testing.T, dir string)
		want           string
	}{
		{name: "dot dot", location: "file:../x", want: `climbs out with ".."`},
		{name: "absolute", location: "file:/etc/x", want: "relative to the spec's folder"},
		{name: "symlinked folder out", location: "file:up/smtp.json", want: "leads out of the spec's folder", setup: func(t *testing.T, dir string) {
			symlink(t, filepath.Dir(outside), filepath.Join(dir, "up"))
		}},
		{name: "symlink out, file not yet written", location: "file:up/new/smtp.json", want: "leads out of the spec's folder", setup: func(t *testing.T, dir string) {
			symlink(t, filepath.Dir(outside), filepath.Join(dir, "up"))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeSpec(t, map[string]string{"main.hcl": header + "\nsmtp_user \"app\" {\n  credentials = \"" + c.location + "\"\n}\n"})
			if c.setup != nil {
				c.setup(t, dir)
			}
			_, diags := Load(dir, LoadOptions{})
			if !diags.HasErrors() || diags[0].Subject == nil || diags[0].Subject.Start.Line != 10 || !strings.Contains(diags[0].Detail, c.want) {
				t.Errorf("want an error at line 10 saying %q, got %v", c.want, diags)
			}
		})
	}
	dir := writeSpec(t, map[string]string{"main.hcl": header + "\nsmtp_user \"app\" {\n  credentials = \"file:secrets/smtp.json\"\n}\n"})
	if _, diags := Load(dir, LoadOptions{}); diags.HasErrors() {
		t.Errorf("a file location inside the folder, not yet written, is refused: %v", diags)
	}
}

// TestEnvironmentReachesOnlyDeclaredVariables: the process environment
// reaches a spec only through MAILFORM_VAR_<name> of a declared variable.
func TestEnvironmentReachesOnlyDeclaredVariables(t *testing.T) {
	spec, _ := mustLoad(t, map[string]string{"main.hcl": header + `
variable "contact" {
  default = "ops@acme.example"
}
requests {
  contact_email = var.contact
  use_case      = "Receipts for orders."
}
`}, LoadOptions{Environ: []string{
		"AWS_SECRET_ACCESS_KEY=" + secretMarker,
		"MAILFORM_VAR_AWS_SECRET_ACCESS_KEY=" + secretMarker,
		"MAILFORM_VAR_secret=" + secretMarker,
	}})
	out, err := ResourcesJSON(spec)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), secretMarker) {
		t.Errorf("an undeclared environment variable reached the spec:\n%s", out)
	}
}

// TestSpecFilesRefused: a .hcl symlink leaving the folder is refused and
// never parsed nor echoed; a folder named *.hcl is an error, not skipped.
func TestSpecFilesRefused(t *testing.T) {
	outside := outsideFile(t)
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{name: "symlink to etc passwd", want: "leads out of the spec's folder", setup: func(t *testing.T, dir string) {
			symlink(t, "/etc/passwd", filepath.Join(dir, "passwd.hcl"))
		}},
		{name: "relative symlink out", want: "leads out of the spec's folder", setup: func(t *testing.T, dir string) {
			symlink(t, outside, filepath.Join(dir, "creds.hcl"))
		}},
		{name: "folder named x.hcl", want: "a folder named like a spec file", setup: func(t *testing.T, dir string) {
			if err := os.Mkdir(filepath.Join(dir, "x.hcl"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeSpec(t, map[string]string{"main.hcl": header})
			c.setup(t, dir)
			spec, diags := Load(dir, LoadOptions{})
			out := renderDiags(t, spec.Files(), diags)
			if !diags.HasErrors() || !strings.Contains(out, c.want) {
				t.Errorf("want an error saying %q, got:\n%s", c.want, out)
			}
			for _, m := range []string{secretMarker, "root:"} {
				if strings.Contains(out, m) {
					t.Errorf("the diagnostics show %q:\n%s", m, out)
				}
			}
		})
	}
	// Named alone, a symlink leading out is refused too.
	dir := writeSpec(t, map[string]string{})
	symlink(t, "/etc/passwd", filepath.Join(dir, "main.hcl"))
	spec, diags := Load(filepath.Join(dir, "main.hcl"), LoadOptions{})
	if out := renderDiags(t, spec.Files(), diags); !diags.HasErrors() || strings.Contains(out, "root:") {
		t.Errorf("a spec file named alone that leads to /etc/passwd: want a refusal, got:\n%s", out)
	}
	// A symlink to a spec file inside the folder is fine.
	dir = writeSpec(t, map[string]string{"parts/main.txt": header})
	symlink(t, filepath.Join(dir, "parts", "main.txt"), filepath.Join(dir, "main.hcl"))
	if _, diags := Load(dir, LoadOptions{}); diags.HasErrors() {
		t.Errorf("a symlink inside the folder is refused: %v", diags)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// TestFormatRefusesWhatLoadRefuses: fmt neither reads nor writes through a
// .hcl symlink leading out of the folder, and does not parse a nesting bomb.
func TestFormatRefusesWhatLoadRefuses(t *testing.T) {
	outside := outsideFile(t)
	dir := writeSpec(t, map[string]string{
		"main.hcl": header,
		"deep.hcl": "x = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n",
	})
	symlink(t, outside, filepath.Join(dir, "creds.hcl"))
	files, diags := FormatPath(dir)
	var summaries []string
	for _, d := range diags {
		summaries = append(summaries, d.Summary)
	}
	if got := strings.Join(summaries, ", "); got != "Spec file refused, Nesting too deep" {
		t.Errorf("diagnostics: %s", got)
	}
	if len(files) != 1 || filepath.Base(files[0].Path) != "main.hcl" {
		t.Errorf("formatted %v, want main.hcl alone", files)
	}
	for _, d := range diags {
		if strings.Contains(d.Detail, secretMarker) {
			t.Errorf("a diagnostic shows the file: %s", d.Detail)
		}
	}
}

// TestSecretFileInGitWorkTreeWarns: a file: location under a git work tree
// warns at the value until its folder's .gitignore lists it.
func TestSecretFileInGitWorkTreeWarns(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		".git/HEAD": "ref: refs/heads/main\n",
		"main.hcl":  header + "\nsmtp_user \"app\" {\n  credentials = \"file:secrets/smtp.json\"\n}\n",
	})
	_, diags := Load(dir, LoadOptions{})
	if len(diags) != 1 || diags[0].Summary != "Secret file in a git work tree" || diags[0].Subject.Start.Line != 10 || !strings.Contains(diags[0].Detail, "secrets/.gitignore") {
		t.Fatalf("want one warning at line 10 naming secrets/.gitignore, got %v", diags)
	}
	if err := os.MkdirAll(filepath.Join(dir, "secrets"), 0o700); err != nil {
		t.Fatal(err)
	}
	ignore := strings.Join(GitIgnoreLines("smtp.json"), "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "secrets", ".gitignore"), []byte(ignore), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, diags := Load(dir, LoadOptions{}); len(diags) != 0 {
		t.Errorf("once listed in .gitignore, want no diagnostics, got %v", diags)
	}
}
