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

// TestCheckRefusesSMTPTimeoutNotPositive: -smtp-timeout 0 or a negative
// duration is refused before anything is read, rather than silently taken
// as the default of 10s.
func TestCheckRefusesSMTPTimeoutNotPositive(t *testing.T) {
	for _, value := range []string{"0", "-5s"} {
		var stdout, stderr strings.Builder
		code := Run(t.Context(), []string{"check", "-bulk-sender", "-smtp-timeout", value, "../examples/ses-domain"}, IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
		if code != ExitError || !strings.Contains(stderr.String(), "-smtp-timeout") || !strings.Contains(stderr.String(), "more than 0") || stdout.Len() != 0 {
			t.Errorf("-smtp-timeout %s: exit %d, stdout %q, stderr %q", value, code, stdout.String(), stderr.String())
		}
	}
}

// TestCheckRefusesJSONWithAnotherFormat: -json is -format json, so -json
// with -format checklist (or human) asks for two reports; it is refused
// rather than one of them silently winning.
func TestCheckRefusesJSONWithAnotherFormat(t *testing.T) {
	var stdout, stderr strings.Builder
	code := Run(t.Context(), []string{"check", "-json", "-format", "checklist", "../examples/ses-domain"}, IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
	if code != ExitError || !strings.Contains(stdout.String()+stderr.String(), `-json and -format \"checklist\"`) && !strings.Contains(stderr.String(), `-json and -format "checklist"`) {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, stdout.String(), stderr.String())
	}
}
