package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Markers stand for the caller's credentials in the hostile-spec tests: they
// are in the environment (and so in /proc/self/environ) and in a file
// outside the spec's folder.
const (
	secretMarker  = "SECRETMARKER0123456789abcdef"
	sessionMarker = "SESSIONMARKER9876543210fedcba"
)

const hostileHeader = `mailform {
  stack  = "acme"
  region = "us-west-2"
}

zone "acme.example" {}

`

// hostileSpecs writes specs that try to read the machine, each in its own
// folder, with a credentials file beside the folders.
func hostileSpecs(t *testing.T) map[string]string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "x"), []byte(secretMarker+"\n"+sessionMarker+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	txt := func(expr string) string {
		return hostileHeader + "record \"acme.example\" \"TXT\" {\n  values = [" + expr + "]\n}\n"
	}
	specs := map[string]string{
		"proc-environ":  txt(`replace(file("/proc/self/environ"), "\u0000", " ")`),
		"etc-passwd":    txt(`file("/etc/passwd")`),
		"dot-dot":       txt(`file("../x")`),
		"symlink-out":   txt(`file("creds")`),
		"file-location": hostileHeader + "smtp_user \"app\" {\n  credentials = \"file:../x\"\n}\n",
		"hcl-symlink":   hostileHeader,
	}
	dirs := map[string]string{}
	for name, src := range specs {
		dir := filepath.Join(root, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		dirs[name] = dir
	}
	for link, target := range map[string]string{
		filepath.Join(dirs["symlink-out"], "creds"):     filepath.Join(root, "x"),
		filepath.Join(dirs["hcl-symlink"], "creds.hcl"): filepath.Join(root, "x"),
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Fatal(err)
		}
	}
	return dirs
}

// TestHostileSpecsNeverShowCredentials runs validate, plan (text, -json,
// -markdown) and apply on specs that try to read the caller's credentials:
// each fails, and no output holds them.
func TestHostileSpecsNeverShowCredentials(t *testing.T) {
	t.Setenv("AWS_SECRET_ACCESS_KEY", secretMarker)
	t.Setenv("AWS_SESSION_TOKEN", sessionMarker)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDHOSTILE")
	// Nothing may reach AWS: an endpoint that refuses connections.
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	for name, dir := range hostileSpecs(t) {
		for _, args := range [][]string{
			{"validate", dir},
			{"plan", dir},
			{"plan", "-json", dir},
			{"plan", "-markdown", dir},
			{"apply", "-auto-approve", dir},
		} {
			t.Run(name+"/"+strings.Join(args[:len(args)-1], " "), func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := Run(t.Context(), args, IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Env: os.Environ()})
				if code != ExitError {
					t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitError, stdout.String(), stderr.String())
				}
				out := stdout.String() + stderr.String()
				for _, m := range []string{secretMarker, sessionMarker, "root:x:0:0"} {
					if strings.Contains(out, m) {
						t.Errorf("the output holds %q:\n%s", m, out)
					}
				}
				if !strings.Contains(stderr.String(), "main.hcl:") && !strings.Contains(stderr.String(), ".hcl") {
					t.Errorf("the error does not name the spec file:\n%s", stderr.String())
				}
			})
		}
	}
}

// TestHostileSpecsBuiltBinary runs the built mailform on specs made to
// crash it (nesting 100,000 deep, replace() of replace(), binary garbage):
// each exits 1 with a diagnostic, without a Go crash report, and writes no
// control character to the terminal.
func TestHostileSpecsBuiltBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mailform")
	}
	bin := filepath.Join(t.TempDir(), "mailform")
	build := exec.Command("go", "build", "-o", bin, "github.com/mailform/mailform")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	locals := func(body string) string { return hostileHeader + "locals {\n  " + body + "\n}\n" }
	cases := map[string]struct{ src, want string }{
		"brackets 100000 deep": {locals("x = " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), "Nesting too deep"},
		"replace of replace":   {locals(`s = format("%10000s", "")` + "\n  x = replace(replace(local.s, \" \", local.s), \" \", local.s)"), "a function result may have at most"},
		"binary garbage":       {"\x1b[2J\x1b]0;owned\x07\x00\xff\xfe garbage \x9b31m", "Error:"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, command := range []string{"validate", "fmt"} {
				cmd := exec.Command(bin, command, dir)
				cmd.Env = append(os.Environ(), "NO_COLOR=1")
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				code := cmd.ProcessState.ExitCode()
				out := stdout.String() + stderr.String()
				// fmt does not evaluate: a replace() bomb is well formatted.
				if code != ExitError && !(command == "fmt" && code == ExitOK) {
					t.Errorf("%s: exit %d (%v), want %d:\n%.2000s", command, code, err, ExitError, out)
				}
				for _, crash := range []string{"fatal error", "goroutine ", "panic:", "runtime."} {
					if strings.Contains(out, crash) {
						t.Errorf("%s: the output holds %q:\n%.2000s", command, crash, out)
					}
				}
				if command == "validate" && !strings.Contains(out, c.want) {
					t.Errorf("%s: want %q in:\n%.2000s", command, c.want, out)
				}
				for _, b := range []byte(out) {
					if b < 0x20 && b != '\n' && b != '\t' || b == 0x7f {
						t.Errorf("%s: the output holds the control byte %#x:\n%q", command, b, out)
						break
					}
				}
			}
		})
	}
}
