package sqs

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/mailform/mailform/specs"
)

func TestMarkQueue(t *testing.T) {
	ours := map[string]string{specs.TagStack: "prod", specs.TagAddr: "queue.bounces"}
	for _, tc := range []struct {
		name     string
		tags     map[string]string
		adopting bool
		want     queueMark
		wantErr  string
	}{
		{name: "ours, same block: nothing to do", tags: ours, want: queueMark{}},
		{name: "ours, another block's address: retag", tags: map[string]string{specs.TagStack: "prod", specs.TagAddr: "queue.old"}, want: queueMark{retag: true}},
		{name: "unmarked, adopting: adopt and tag", tags: map[string]string{}, adopting: true, want: queueMark{adopt: true, retag: true}},
		{name: "unmarked but for the block's address, adopting: adopt and tag", tags: map[string]string{specs.TagAddr: "queue.bounces"}, adopting: true, want: queueMark{adopt: true, retag: true}},
		{name: "unmarked, not adopting: refused", tags: map[string]string{}, wantErr: "queue-x"},
		{name: "another stack's, adopting: refused", tags: map[string]string{specs.TagStack: "staging", specs.TagAddr: "queue.bounces"}, adopting: true, wantErr: "staging"},
		{name: "ours, adopting: no adoption", tags: ours, adopting: true, want: queueMark{}},
	} {
		got, err := markQueue("queue-x", tc.tags, "prod", "queue.bounces", tc.adopting)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want one naming %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func TestStaleTopics(t *testing.T) {
	for _, tc := range []struct {
		topics []string
		keep   string
		want   []string
	}{
		{[]string{"arn:t1", "arn:t2", "arn:t1", ""}, "arn:t2", []string{"arn:t1"}},
		{[]string{"arn:t1", ""}, "", []string{"arn:t1"}},
		{[]string{"arn:keep"}, "arn:keep", nil},
		{nil, "arn:keep", nil},
	} {
		if got := staleTopics(tc.topics, tc.keep); !slices.Equal(got, tc.want) {
			t.Errorf("staleTopics(%q, %q) = %q, want %q", tc.topics, tc.keep, got, tc.want)
		}
	}
}

func TestQueueAttributes(t *testing.T) {
	policy := QueuePolicy("arn:aws:sqs:eu-west-1:123456789012:q", "arn:aws:sns:eu-west-1:123456789012:t")
	for _, tc := range []struct {
		name         string
		q            queue
		retention    int64
		hasRetention bool
		want         []string // attribute names set; nil for no call
	}{
		{name: "policy and retention as wanted", q: queue{policy: policy, retention: 86400}, retention: 86400, hasRetention: true},
		{name: "no retention asked: the queue's stays", q: queue{policy: policy, retention: 3600}},
		{name: "the policy differs: both are sent", q: queue{policy: `{"Statement":[]}`, retention: 86400}, retention: 86400, hasRetention: true, want: []string{"MessageRetentionPeriod", "Policy"}},
		{name: "the retention differs: both are sent", q: queue{policy: policy, retention: 3600}, retention: 86400, hasRetention: true, want: []string{"MessageRetentionPeriod", "Policy"}},
		{name: "no policy, no retention asked: the policy alone", q: queue{}, want: []string{"Policy"}},
	} {
		got := queueAttributes(tc.q, policy, tc.retention, tc.hasRetention)
		if names := slices.Sorted(maps.Keys(got)); !slices.Equal(names, tc.want) {
			t.Errorf("%s: sets %q, want %q", tc.name, names, tc.want)
		}
		if got != nil && (got["Policy"] != policy || (tc.hasRetention && got["MessageRetentionPeriod"] != "86400")) {
			t.Errorf("%s: sets %v", tc.name, got)
		}
	}
}
