package iam

import (
	"path/filepath"
	"testing"

	"github.com/mailform/mailform/internal/golden"
)

// checkGolden compares got (JSON) with testdata/name, indented for reading.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.CheckJSON(t, filepath.Join("testdata", name), []byte(got))
}

func TestSMTPPolicyGolden(t *testing.T) {
	tests := map[string][]string{
		"policy/any-sender.json":   nil,
		"policy/allowed-from.json": {"alerts@acme.example", "*@acme.example", "*@mail.acme.example"},
	}
	for name, from := range tests {
		t.Run(name, func(t *testing.T) { checkGolden(t, name, SMTPPolicy(from)) })
	}
}
