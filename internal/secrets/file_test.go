package secrets

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailform/mailform/specs"
)

// TestFileSecretsInGitWorkTreeAreIgnored: a secret file written under a
// folder git tracks is listed in a .gitignore beside it before it is
// written, so "git add ." never stages it; outside a work tree no
// .gitignore appears.
func TestFileSecretsInGitWorkTreeAreIgnored(t *testing.T) {
	ctx := t.Context()
	repo := t.TempDir()
	git, gitErr := exec.LookPath("git")
	if gitErr == nil {
		run(t, repo, git, "init", "-q")
	} else if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	specDir := filepath.Join(repo, "mail")
	if err := os.MkdirAll(filepath.Join(specDir, "keys"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A .gitignore of the user's own, without a final newline, is kept.
	if err := os.WriteFile(filepath.Join(specDir, "keys", ".gitignore"), []byte("*.bak"), 0o644); err != nil {
		t.Fatal(err)
	}
	store := NewRouter(nil, nil, specDir)
	for range 2 {
		if err := store.Put(ctx, "file:secrets/smtp.json", []byte(`{"password":"p"}`), "acme"); err != nil {
			t.Fatal(err)
		}
		if err := store.Put(ctx, "file:keys/dkim.pem", []byte("KEY"), "acme"); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]string{
		filepath.Join(specDir, "secrets", ".gitignore"): "# Secrets mailform writes here; never commit them.\n/smtp.json\n/.smtp.json.tmp-*\n",
		filepath.Join(specDir, "keys", ".gitignore"):    "*.bak\n/dkim.pem\n/.dkim.pem.tmp-*\n",
	} {
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s = %q (%v), want %q", path, got, err, want)
		}
	}
	if gitErr == nil {
		run(t, repo, git, "add", "-A")
		staged := run(t, repo, git, "diff", "--cached", "--name-only")
		if strings.Contains(staged, "smtp.json") || strings.Contains(staged, "dkim.pem") {
			t.Errorf("git stages a secret:\n%s", staged)
		}
	}

	outside := t.TempDir()
	if specs.InGitWorkTree(outside) {
		t.Skip("the temporary folder is inside a git work tree")
	}
	if err := NewRouter(nil, nil, outside).Put(ctx, "file:secrets/smtp.json", []byte("x"), "acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(outside, "secrets", ".gitignore")); err == nil {
		t.Error("a .gitignore appears outside a git work tree")
	}
}

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}
