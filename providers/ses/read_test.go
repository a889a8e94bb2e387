package ses

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// The calls of a Read that finds nothing to change are the budget the SES
// control plane (1 request/s) is spent on: exact numbers, per operation.
func TestNoChangeReadCalls(t *testing.T) {
	for _, tc := range []struct {
		identities int
		refresh    Refresh
		want       map[string]int
	}{
		{1, RefreshBatch, map[string]int{
			"GetIdentityVerificationAttributes":   1,
			"GetIdentityDkimAttributes":           1,
			"GetIdentityMailFromDomainAttributes": 1,
			"GetIdentityNotificationAttributes":   1,
			"ListConfigurationSets":               1,
		}},
		{150, RefreshBatch, map[string]int{
			"GetIdentityVerificationAttributes":   2, // 100 identities per call
			"GetIdentityDkimAttributes":           2,
			"GetIdentityMailFromDomainAttributes": 2,
			"GetIdentityNotificationAttributes":   2,
			"ListConfigurationSets":               1,
		}},
		{150, RefreshFull, map[string]int{
			"GetEmailIdentity":                  150, // the only read with the configuration set, DKIM origin and key length
			"GetIdentityNotificationAttributes": 2,
			"ListConfigurationSets":             1,
		}},
	} {
		t.Run(fmt.Sprint(tc.identities, tc.refresh), func(t *testing.T) {
			e := newEnv(t)
			topic := e.createTopic("acme-prod-feedback")
			var desired []specs.Resource
			var changes []plan.Change
			for i := range tc.identities {
				// Notification topics on a few: what they are set to does not change the calls.
				var extra map[string]any
				if i%50 == 0 {
					extra = map[string]any{"bounce_topic": topic, "complaint_topic": topic, "mail_from_domain": fmt.Sprintf("bounce.d%03d.acme.example", i)}
				}
				r := domain(fmt.Sprintf("d%03d.acme.example", i), extra)
				desired = append(desired, r)
				changes = append(changes, createOf(r))
			}
			for _, res := range e.provider.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Region: testRegion, Changes: changes}) {
				if res.Err != nil {
					t.Fatal(res.Err)
				}
			}
			e.resetCounts()
			e.provider.SetRefresh(tc.refresh)
			obs, err := e.provider.Read(t.Context(), testStack, desired)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, e.sesCalls()); diff != "" {
				t.Errorf("SES calls of a no-change read (-want +got):\n%s", diff)
			}
			if len(obs) != tc.identities {
				t.Fatalf("read %d identities, want %d", len(obs), tc.identities)
			}
			p, diags := plan.Make(desired, obs, plan.Options{Stack: testStack, Region: testRegion})
			if diags.HasErrors() || len(p.Changes) != 0 {
				t.Fatalf("plan after apply: %d changes, %v", len(p.Changes), diags)
			}
		})
	}
}

// Observed attributes use the names and normal forms of docs/resources.md.
func TestObservedIdentityAttributes(t *testing.T) {
	e := newEnv(t)
	topic := e.createTopic("acme-prod-feedback")
	e.createConfigSetDirect("acme-prod-default")
	r := domain("acme.example", map[string]any{
		"configuration_set": "acme-prod-default",
		"mail_from_domain":  "bounce.acme.example", "mail_from_on_mx_failure": "REJECT_MESSAGE",
		"bounce_topic": topic, "complaint_topic": topic, "feedback_forwarding": false,
	})
	created := e.apply(createOf(r)).Observed
	o := e.read(r)["domain.acme.example"]
	tokens := o.Attrs["dkim_tokens"]
	want := map[string]any{
		"identity":                "acme.example",
		"type":                    "DOMAIN",
		"dkim_mode":               "easy",
		"dkim_key_length":         int64(2048),
		"dkim_tokens":             tokens,
		"dkim_status":             "PENDING",
		"configuration_set":       "acme-prod-default",
		"mail_from_domain":        "bounce.acme.example",
		"mail_from_on_mx_failure": "REJECT_MESSAGE",
		"mail_from_status":        "PENDING",
		"bounce_topic":            topic,
		"complaint_topic":         topic,
		"notification_headers":    false,
		"feedback_forwarding":     false,
		"verification_status":     "PENDING",
		"arn":                     "arn:aws:ses:us-west-2:123456789012:identity/acme.example",
	}
	if diff := cmp.Diff(want, o.Attrs); diff != "" {
		t.Errorf("observed attributes (-want +got):\n%s", diff)
	}
	if o.ID != "acme.example" || o.Owner != testStack || o.Kind != specs.KindSESIdentity {
		t.Errorf("observed = %+v", o)
	}
	// What apply returned is what a read sees, but for the MAIL FROM status
	// that only a read can know.
	delete(want, "mail_from_status")
	if diff := cmp.Diff(want, created.Attrs); diff != "" {
		t.Errorf("apply result attributes (-want +got):\n%s", diff)
	}
}

// countingLimiter counts the calls that waited for it.
type countingLimiter struct {
	mu sync.Mutex
	n  int
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	return ctx.Err()
}

func TestLimiterPacesEverySESCall(t *testing.T) {
	e := newEnv(t)
	lim := &countingLimiter{}
	p := New(e.cfg, nil, Options{Limiter: lim})
	r := domain("acme.example", map[string]any{"mail_from_domain": "bounce.acme.example"})
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Changes: []plan.Change{createOf(r)}})
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	if _, err := p.Read(t.Context(), testStack, []specs.Resource{r}); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range e.sesCalls() {
		total += n
	}
	if total == 0 || lim.n != total {
		t.Errorf("limiter waited %d times for %d SES calls", lim.n, total)
	}
}
