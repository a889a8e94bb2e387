package iam

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got (JSON) with testdata/name, indented for reading.
func golden(t *testing.T, name, got string) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(got), "", "  "); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs:\n got: %s\nwant: %s", path, buf.Bytes(), want)
	}
}

func TestSMTPPolicyGolden(t *testing.T) {
	tests := map[string][]string{
		"policy/any-sender.json":   nil,
		"policy/allowed-from.json": {"alerts@acme.example", "*@acme.example", "*@mail.acme.example"},
	}
	for name, from := range tests {
		t.Run(name, func(t *testing.T) { golden(t, name, SMTPPolicy(from)) })
	}
}
