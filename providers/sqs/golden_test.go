package sqs

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

func TestQueuePolicyGolden(t *testing.T) {
	got := QueuePolicy("arn:aws:sqs:us-west-2:123456789012:acme-feedback-feedback", "arn:aws:sns:us-west-2:123456789012:acme-feedback")
	golden(t, "queue-policy.json", got)
	if topics := allowedTopics(got, "arn:aws:sqs:us-west-2:123456789012:acme-feedback-feedback"); len(topics) != 1 {
		t.Errorf("allowedTopics = %v", topics)
	}
	if topics := allowedTopics(got, "arn:aws:sqs:us-west-2:123456789012:another"); len(topics) != 0 {
		t.Errorf("policy of another queue counts: %v", topics)
	}
}
