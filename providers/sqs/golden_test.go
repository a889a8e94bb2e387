package sqs

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

func TestQueuePolicyGolden(t *testing.T) {
	got := QueuePolicy("arn:aws:sqs:us-west-2:123456789012:acme-feedback-feedback", "arn:aws:sns:us-west-2:123456789012:acme-feedback")
	checkGolden(t, "queue-policy.json", got)
	if topics := allowedTopics(got, "arn:aws:sqs:us-west-2:123456789012:acme-feedback-feedback"); len(topics) != 1 {
		t.Errorf("allowedTopics = %v", topics)
	}
	if topics := allowedTopics(got, "arn:aws:sqs:us-west-2:123456789012:another"); len(topics) != 0 {
		t.Errorf("policy of another queue counts: %v", topics)
	}
}
