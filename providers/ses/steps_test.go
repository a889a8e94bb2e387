package ses

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/specs"
)

func TestNotificationStepsOrder(t *testing.T) {
	const a, b = "arn:aws:sns:us-west-2:123456789012:a", "arn:aws:sns:us-west-2:123456789012:b"
	state := func(fwd bool, topics map[string]string) identityState {
		if topics == nil {
			topics = map[string]string{}
		}
		return identityState{Name: "acme.example", Type: "DOMAIN", NotificationsKnown: true, Forwarding: fwd, Topics: topics, Headers: map[string]bool{}}
	}
	desired := func(t *testing.T, after map[string]any) desiredIdentity {
		t.Helper()
		after["identity"] = "acme.example"
		d, err := parseDesired("domain.acme.example", after)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name  string
		cur   identityState
		after map[string]any
		want  []string
	}{
		{
			name:  "forwarding off comes after both topics",
			cur:   state(true, nil),
			after: map[string]any{"bounce_topic": a, "complaint_topic": a, "feedback_forwarding": false},
			want:  []string{"setting the bounce notification topic to " + a, "setting the complaint notification topic to " + a, "turning email feedback forwarding off"},
		},
		{
			name:  "forwarding on comes before the topics are cleared",
			cur:   state(false, map[string]string{"bounce": a, "complaint": a}),
			after: map[string]any{"bounce_topic": nil, "complaint_topic": "", "feedback_forwarding": true},
			want:  []string{"turning email feedback forwarding on", "clearing the bounce notification topic", "clearing the complaint notification topic"},
		},
		{
			name:  "new topics are set before old ones are cleared",
			cur:   state(false, map[string]string{"bounce": a, "complaint": a, "delivery": a}),
			after: map[string]any{"bounce_topic": b, "complaint_topic": b, "delivery_topic": nil, "feedback_forwarding": false},
			want:  []string{"setting the bounce notification topic to " + b, "setting the complaint notification topic to " + b, "clearing the delivery notification topic"},
		},
		{
			name:  "headers only for types with a topic",
			cur:   state(true, map[string]string{"bounce": a}),
			after: map[string]any{"bounce_topic": a, "delivery_topic": b, "notification_headers": true},
			want:  []string{"setting the delivery notification topic to " + b, "turning original headers in bounce notifications on", "turning original headers in delivery notifications on"},
		},
		{
			name:  "attributes the spec does not name are left alone",
			cur:   state(false, map[string]string{"bounce": a, "complaint": a, "delivery": b}),
			after: map[string]any{"bounce_topic": a},
			want:  nil,
		},
		{
			name:  "nothing to do",
			cur:   state(false, map[string]string{"bounce": a, "complaint": a}),
			after: map[string]any{"bounce_topic": a, "complaint_topic": a, "feedback_forwarding": false},
			want:  nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			cur := tc.cur
			for _, s := range notificationSteps(cur, desired(t, tc.after)) {
				got = append(got, s.String())
				s.applyTo(&cur)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
			// After the steps nothing is left to do.
			if again := notificationSteps(cur, desired(t, tc.after)); len(again) != 0 {
				t.Errorf("steps after applying them: %v", again)
			}
		})
	}
}

func TestParseDesiredRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after map[string]any
		want  string
	}{
		{"forwarding off without a complaint topic", map[string]any{"identity": "a.example", "bounce_topic": "arn:x", "feedback_forwarding": false}, "needs both a bounce and a complaint topic"},
		{"unresolved topic", map[string]any{"identity": "a.example", "bounce_topic": specsDeferred("${topic.feedback#arn}")}, "bounce_topic still unknown"},
		{"byo without key", map[string]any{"identity": "a.example", "dkim_mode": "byo", "dkim_selector": "s1"}, "needs dkim_selector and dkim_private_key"},
		{"odd key length", map[string]any{"identity": "a.example", "dkim_key_length": int64(4096)}, "1024 or 2048"},
		{"unknown mode", map[string]any{"identity": "a.example", "dkim_mode": "strong"}, `dkim_mode "strong"`},
		{"no name", map[string]any{"type": "DOMAIN"}, "identity name is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseDesired("domain.a.example", tc.after)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.HasPrefix(err.Error(), "domain.a.example") {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func specsDeferred(s string) specs.Deferred { return specs.Deferred(s) }
