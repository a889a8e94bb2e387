package sns

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

func TestTopicPolicyGolden(t *testing.T) {
	const arn = "arn:aws:sns:us-west-2:123456789012:acme-feedback"
	withOther := `{"Version":"2012-10-17","Statement":[{"Sid":"ops-subscribe","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sns:Subscribe","Resource":"` + arn + `"}]}`
	tests := []struct {
		name, existing string
		sesPublish     bool
	}{
		{"topic-policy/new-topic.json", defaultPolicy(arn, account), true},
		{"topic-policy/keeps-other-statements.json", withOther, true},
		{"topic-policy/ses-publish-off.json", defaultPolicy(arn, account), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TopicPolicy(tt.existing, arn, account, tt.sesPublish)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, got)
		})
	}
}
