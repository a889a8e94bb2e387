package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestCheckRefusesUnknownFormat: -format takes human, json or checklist,
// and says so before anything is read.
func TestCheckRefusesUnknownFormat(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Run(t.Context(), []string{"check", "-format", "xml", "../examples/ses-domain"}, IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
	if code != ExitError || !strings.Contains(stderr.String(), `-format "xml": want human, json or checklist`) || stdout.Len() != 0 {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
	}
}
