package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The daily drift jobs of the GitOps example read every identity in full:
// a plain plan trusts what mailform recorded of default configuration sets
// and DKIM signing settings.
func TestGitOpsDriftJobsReadInFull(t *testing.T) {
	for _, f := range []string{".github/workflows/mailform.yml", ".gitlab-ci.yml"} {
		blob, err := os.ReadFile(filepath.Join("..", "examples", "gitops", filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, line := range strings.Split(string(blob), "\n") {
			if strings.Contains(line, "mailform plan") && strings.Contains(line, "-detailed-exitcode") {
				found = true
				if !strings.Contains(line, "-refresh=full") {
					t.Errorf("%s: drift check without -refresh=full: %s", f, strings.TrimSpace(line))
				}
			}
		}
		if !found {
			t.Errorf("%s: no drift check (mailform plan -detailed-exitcode)", f)
		}
	}
}

func TestRefreshFlag(t *testing.T) {
	var f refreshFlag
	if f.String() != "batch" {
		t.Errorf("default %q, want batch", f.String())
	}
	if err := f.Set("full"); err != nil || f.String() != "full" {
		t.Errorf("Set(full): %v, %q", err, f.String())
	}
	if err := f.Set("partial"); err == nil {
		t.Error("Set(partial) accepted")
	}
}
