package ses

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

func identityResource(addr string, a map[string]any) specs.Resource {
	return specs.Resource{Addr: addr, Kind: specs.KindSESIdentity, Attrs: a}
}

func domain(name string, extra map[string]any) specs.Resource {
	a := map[string]any{"identity": name, "type": "DOMAIN", "dkim_mode": "easy", "dkim_key_length": int64(2048)}
	for k, v := range extra {
		a[k] = v
	}
	return identityResource("domain."+name, a)
}

func createOf(r specs.Resource) plan.Change {
	return plan.Change{Addr: r.Addr, Kind: r.Kind, Action: plan.Create, After: r.Attrs}
}

func updateOf(r specs.Resource, o plan.Observed) plan.Change {
	return plan.Change{Addr: r.Addr, Kind: r.Kind, Action: plan.Update, ID: o.ID, Before: o.Attrs, After: r.Attrs}
}

func deleteOf(o plan.Observed) plan.Change {
	return plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs}
}

// replan reads AWS and plans desired against it; it returns the changes.
func (e *env) replan(desired ...specs.Resource) []plan.Change {
	e.t.Helper()
	obs, err := e.provider.Read(e.t.Context(), testStack, desired)
	if err != nil {
		e.t.Fatalf("read: %v", err)
	}
	p, diags := plan.Make(desired, obs, plan.Options{Stack: testStack, Region: testRegion})
	if diags.HasErrors() {
		e.t.Fatalf("plan: %v", diags)
	}
	return p.Changes
}

// requireNoChanges is the acceptance check: after apply, a new plan is empty.
func (e *env) requireNoChanges(desired ...specs.Resource) {
	e.t.Helper()
	if changes := e.replan(desired...); len(changes) != 0 {
		for _, c := range changes {
			e.t.Errorf("second plan: %s %s: %+v", c.Action, c.Addr, c.Diffs)
		}
		e.t.Fatalf("expected 0 changes on the second plan, got %d", len(changes))
	}
}

func (e *env) notifications(name string) (bounce, complaint, delivery string, forwarding bool) {
	e.t.Helper()
	out, err := e.v1.GetIdentityNotificationAttributes(e.t.Context(), &sesv1.GetIdentityNotificationAttributesInput{Identities: []string{name}})
	if err != nil {
		e.t.Fatalf("GetIdentityNotificationAttributes: %v", err)
	}
	n := out.NotificationAttributes[name]
	return aws.ToString(n.BounceTopic), aws.ToString(n.ComplaintTopic), aws.ToString(n.DeliveryTopic), n.ForwardingEnabled
}

func (e *env) createConfigSetDirect(name string) {
	e.t.Helper()
	if _, err := e.v2.CreateConfigurationSet(e.t.Context(), &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String(name)}); err != nil {
		e.t.Fatalf("CreateConfigurationSet: %v", err)
	}
}

func TestDomainIdentityCreateUpdateDelete(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	feedback := e.createTopic("acme-prod-feedback")
	deliveries := e.createTopic("acme-prod-deliveries")
	e.createConfigSetDirect("acme-prod-default")
	e.createConfigSetDirect("acme-prod-other")

	want := domain("acme.example", map[string]any{
		"configuration_set":       "acme-prod-default",
		"mail_from_domain":        "bounce.acme.example",
		"mail_from_on_mx_failure": "USE_DEFAULT_VALUE",
		"bounce_topic":            feedback,
		"complaint_topic":         feedback,
		"delivery_topic":          deliveries,
		"feedback_forwarding":     false,
	})

	t.Run("create", func(t *testing.T) {
		e.resetCounts()
		res := e.apply(createOf(want))
		// Create, MAIL FROM, three topics, forwarding: no reads, nothing twice.
		wantCalls := map[string]int{
			"CreateEmailIdentity":                1,
			"PutEmailIdentityMailFromAttributes": 1,
			"SetIdentityNotificationTopic":       3,
			"PutEmailIdentityFeedbackAttributes": 1,
		}
		if diff := cmp.Diff(wantCalls, e.sesCalls()); diff != "" {
			t.Errorf("SES calls of a create (-want +got):\n%s", diff)
		}
		if res.Observed == nil {
			t.Fatal("create returned no observed state")
		}
		tokens := toStrings(res.Observed.Attrs["dkim_tokens"])
		if len(tokens) != 3 {
			t.Fatalf("dkim_tokens = %v, want 3 Easy DKIM tokens in the create result", res.Observed.Attrs["dkim_tokens"])
		}
		if got := res.Observed.Attrs["arn"]; got != "arn:aws:ses:us-west-2:123456789012:identity/acme.example" {
			t.Errorf("arn = %v", got)
		}
		out, ok := e.getIdentity("acme.example")
		if !ok {
			t.Fatal("identity not created")
		}
		tags := tagMap(out.Tags)
		if tags[specs.TagStack] != testStack || tags[specs.TagAddr] != "domain.acme.example" {
			t.Errorf("tags = %v", tags)
		}
		if aws.ToString(out.ConfigurationSetName) != "acme-prod-default" {
			t.Errorf("configuration set = %q", aws.ToString(out.ConfigurationSetName))
		}
		if out.DkimAttributes.NextSigningKeyLength != types.DkimSigningKeyLengthRsa2048Bit {
			t.Errorf("key length = %s", out.DkimAttributes.NextSigningKeyLength)
		}
		if got := aws.ToString(out.MailFromAttributes.MailFromDomain); got != "bounce.acme.example" {
			t.Errorf("MAIL FROM = %q", got)
		}
		if !cmp.Equal(tokens, out.DkimAttributes.Tokens) {
			t.Errorf("result tokens %v, SES has %v", tokens, out.DkimAttributes.Tokens)
		}
		b, c, d, fwd := e.notifications("acme.example")
		if b != feedback || c != feedback || d != deliveries || fwd {
			t.Errorf("notifications = %q %q %q forwarding=%v", b, c, d, fwd)
		}
	})

	t.Run("no changes after create", func(t *testing.T) { e.requireNoChanges(want) })

	changed := domain("acme.example", map[string]any{
		"configuration_set":       "acme-prod-other",
		"mail_from_domain":        "mail.acme.example",
		"mail_from_on_mx_failure": "REJECT_MESSAGE",
		"bounce_topic":            feedback,
		"complaint_topic":         feedback,
		"delivery_topic":          nil,
		"feedback_forwarding":     true,
	})
	t.Run("update", func(t *testing.T) {
		obs := e.read(changed)["domain.acme.example"]
		e.resetCounts()
		e.apply(updateOf(changed, obs))
		wantCalls := map[string]int{
			"GetEmailIdentity":                           1, // fresh state and ownership
			"GetIdentityNotificationAttributes":          1,
			"PutEmailIdentityConfigurationSetAttributes": 1,
			"PutEmailIdentityMailFromAttributes":         1,
			"PutEmailIdentityFeedbackAttributes":         1,
			"SetIdentityNotificationTopic":               1, // only the delivery topic is cleared
			"TagResource":                                1, // the new configuration set, recorded in TagSettings
		}
		if diff := cmp.Diff(wantCalls, e.sesCalls()); diff != "" {
			t.Errorf("SES calls of an update (-want +got):\n%s", diff)
		}
		out, _ := e.getIdentity("acme.example")
		if aws.ToString(out.ConfigurationSetName) != "acme-prod-other" {
			t.Errorf("configuration set = %q", aws.ToString(out.ConfigurationSetName))
		}
		if got := aws.ToString(out.MailFromAttributes.MailFromDomain); got != "mail.acme.example" || out.MailFromAttributes.BehaviorOnMxFailure != types.BehaviorOnMxFailureRejectMessage {
			t.Errorf("MAIL FROM = %q %s", got, out.MailFromAttributes.BehaviorOnMxFailure)
		}
		b, c, d, fwd := e.notifications("acme.example")
		if b != feedback || c != feedback || d != "" || !fwd {
			t.Errorf("notifications = %q %q %q forwarding=%v", b, c, d, fwd)
		}
	})

	t.Run("no changes after update", func(t *testing.T) { e.requireNoChanges(changed) })

	t.Run("delete", func(t *testing.T) {
		obs := e.read()["domain.acme.example"]
		if obs.Owner != testStack {
			t.Fatalf("owned identity not read without being desired: %+v", obs)
		}
		changes := e.replan()
		if len(changes) != 1 || changes[0].Action != plan.Delete {
			t.Fatalf("plan without the domain = %+v, want one delete", changes)
		}
		e.apply(changes[0])
		if _, ok := e.getIdentity("acme.example"); ok {
			t.Fatal("identity still exists after delete")
		}
		// Deleting again (a re-run after an interrupted apply) succeeds.
		res := e.apply(deleteOf(obs))
		if !strings.Contains(res.Message, "already gone") {
			t.Errorf("second delete message = %q", res.Message)
		}
	})
	_ = ctx
}

func TestEmailIdentity(t *testing.T) {
	e := newEnv(t)
	want := identityResource("email.alerts@partner.example", map[string]any{"identity": "alerts@partner.example", "type": "EMAIL_ADDRESS"})
	res := e.apply(createOf(want))
	if !strings.Contains(res.Message, "SES mailed a verification link to alerts@partner.example") {
		t.Errorf("message = %q", res.Message)
	}
	if res.Observed.Attrs["verification_status"] != "PENDING" {
		t.Errorf("verification_status = %v", res.Observed.Attrs["verification_status"])
	}
	if _, has := res.Observed.Attrs["dkim_mode"]; has {
		t.Errorf("an email identity reports dkim_mode: %v", res.Observed.Attrs)
	}
	e.requireNoChanges(want)
}

func TestDKIMModes(t *testing.T) {
	e := newEnv(t)
	r := domain("acme.example", map[string]any{"dkim_mode": "off"})
	delete(r.Attrs, "dkim_key_length")
	e.apply(createOf(r))
	out, _ := e.getIdentity("acme.example")
	if out.DkimAttributes.SigningEnabled {
		t.Fatal("dkim_mode off: signing still enabled")
	}
	e.requireNoChanges(r)

	easy := domain("acme.example", map[string]any{"dkim_key_length": int64(1024)})
	changes := e.replan(easy)
	if len(changes) != 1 {
		t.Fatalf("changes = %+v", changes)
	}
	e.apply(changes[0])
	out, _ = e.getIdentity("acme.example")
	if !out.DkimAttributes.SigningEnabled || out.DkimAttributes.NextSigningKeyLength != types.DkimSigningKeyLengthRsa1024Bit {
		t.Fatalf("after switching to easy 1024: signing=%v next=%s", out.DkimAttributes.SigningEnabled, out.DkimAttributes.NextSigningKeyLength)
	}
	e.requireNoChanges(easy)
}

func TestKeyLengthChangeOncePer24Hours(t *testing.T) {
	e := newEnv(t)
	short := domain("acme.example", map[string]any{"dkim_key_length": int64(1024)})
	e.apply(createOf(short))
	long := domain("acme.example", map[string]any{"dkim_key_length": int64(2048)})

	e.clock.Advance(time.Hour)
	changes := e.replan(long)
	if len(changes) != 1 || changes[0].Action != plan.Update {
		t.Fatalf("changes = %+v", changes)
	}
	e.resetCounts()
	res := e.applyResult(changes[0])
	if res.Err == nil {
		t.Fatal("a key-length change 1 hour after the key was generated was not refused")
	}
	for _, want := range []string{"once per 24 hours", "2026-11-30T08:00:00Z", "after 2026-12-01T08:00:00Z", "Nothing was changed"} {
		if !strings.Contains(res.Err.Error(), want) {
			t.Errorf("refusal %q does not say %q", res.Err, want)
		}
	}
	if diff := cmp.Diff(map[string]int{"GetEmailIdentity": 1}, e.sesCalls()); diff != "" {
		t.Errorf("a refused change called SES (-want +got):\n%s", diff)
	}

	e.clock.Advance(24 * time.Hour)
	e.apply(e.replan(long)[0])
	out, _ := e.getIdentity("acme.example")
	if out.DkimAttributes.NextSigningKeyLength != types.DkimSigningKeyLengthRsa2048Bit {
		t.Errorf("key length = %s", out.DkimAttributes.NextSigningKeyLength)
	}
	e.requireNoChanges(long)
}
