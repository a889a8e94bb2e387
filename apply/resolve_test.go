package apply

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// TestResolveChangesFillsARoundAtOnce: resolving a round of changes in one
// call gives what resolving each change alone gives, leaves deletes alone,
// and keeps what live state cannot fill deferred.
func TestResolveChangesFillsARoundAtOnce(t *testing.T) {
	live := []plan.Observed{
		{Addr: "domain.a.example", Kind: specs.KindSESIdentity, Attrs: map[string]any{"dkim_tokens": []any{"ta0", "ta1", "ta2"}}},
		{Addr: "topic.feedback", Kind: specs.KindSNSTopic, Attrs: map[string]any{"arn": "arn:aws:sns:eu-central-1:123456789012:s-feedback"}},
	}
	dkim := func(domain string, i int) plan.Change {
		return plan.Change{Addr: fmt.Sprintf("domain.%s/dkim[%d]", domain, i), Kind: specs.KindRoute53Record, Action: plan.Create,
			After: map[string]any{
				"name":   specs.Deferred(specs.RefIndex("domain."+domain, "dkim_tokens", i) + "._domainkey." + domain + "."),
				"values": []any{specs.Deferred(specs.RefIndex("domain."+domain, "dkim_tokens", i) + ".dkim.amazonses.com.")},
			}}
	}
	cases := []struct {
		name string
		chs  []plan.Change
		want []map[string]any
	}{
		{
			name: "records of a created identity",
			chs:  []plan.Change{dkim("a.example", 0), dkim("a.example", 2)},
			want: []map[string]any{
				{"name": "ta0._domainkey.a.example.", "values": []any{"ta0.dkim.amazonses.com."}},
				{"name": "ta2._domainkey.a.example.", "values": []any{"ta2.dkim.amazonses.com."}},
			},
		},
		{
			name: "an identity not created yet stays deferred, a delete stays as it is",
			chs: []plan.Change{
				dkim("b.example", 1),
				{Addr: "record.old.example.TXT", Kind: specs.KindRoute53Record, Action: plan.Delete, Before: map[string]any{"ttl": int64(300)}},
				{Addr: "domain.a.example", Kind: specs.KindSESIdentity, Action: plan.Update, After: map[string]any{"bounce_topic": specs.Deferred(specs.Ref("topic.feedback", "arn"))}},
			},
			want: []map[string]any{
				dkim("b.example", 1).After,
				nil,
				{"bounce_topic": "arn:aws:sns:eu-central-1:123456789012:s-feedback"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			chs := append([]plan.Change(nil), tc.chs...)
			resolveChanges(chs, live)
			for i, ch := range chs {
				if diff := cmp.Diff(tc.want[i], ch.After); diff != "" {
					t.Errorf("%s (-want +got):\n%s", ch.Addr, diff)
				}
				if ch.Addr != tc.chs[i].Addr || ch.Action != tc.chs[i].Action {
					t.Errorf("change %d became %s %s", i, ch.Action, ch.Addr)
				}
			}
		})
	}
}
