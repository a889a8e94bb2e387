package sns

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
			checkGolden(t, tt.name, got)
		})
	}
}
