package ses

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// createDirect creates an identity as someone else would: with the given tags
// (none: unowned).
func (e *env) createDirect(name string, tags map[string]string) {
	e.t.Helper()
	in := &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(name)}
	for _, k := range specs.SortedKeys(tags) {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	if _, err := e.v2.CreateEmailIdentity(e.t.Context(), in); err != nil {
		e.t.Fatalf("CreateEmailIdentity %s: %v", name, err)
	}
}

func TestOwnership(t *testing.T) {
	e := newEnv(t)
	e.createDirect("theirs.example", nil)
	e.createDirect("other.example", map[string]string{specs.TagStack: "other-stack", specs.TagAddr: "domain.other.example"})
	e.createDirect("stray.example", nil) // neither desired nor owned

	theirs := domain("theirs.example", map[string]any{"mail_from_domain": "bounce.theirs.example"})
	other := domain("other.example", nil)

	t.Run("read reports desired resources whoever owns them, and nothing else", func(t *testing.T) {
		obs := e.read(theirs, other)
		if o, ok := obs["domain.theirs.example"]; !ok || o.Owner != "" {
			t.Errorf("unowned desired identity: %+v", o)
		}
		if o, ok := obs["domain.other.example"]; !ok || o.Owner != "other-stack" {
			t.Errorf("other stack's identity: %+v", o)
		}
		if len(obs) != 2 {
			t.Errorf("read %d resources, want 2 (the stray identity is not this stack's): %v", len(obs), obs)
		}
		_, diags := plan.Make([]specs.Resource{theirs, other}, mapValues(obs), plan.Options{Stack: testStack, Region: testRegion})
		if !diags.HasErrors() {
			t.Error("plan took over identities that are not the stack's")
		}
	})

	for _, tc := range []struct {
		name   string
		change func() plan.Change
		want   string
	}{
		{"update of an unowned identity", func() plan.Change {
			return updateOf(theirs, e.read(theirs)["domain.theirs.example"])
		}, "mailform apply -adopt domain.theirs.example"},
		{"delete of an unowned identity", func() plan.Change {
			return deleteOf(e.read(theirs)["domain.theirs.example"])
		}, "without the ownership tag"},
		{"update of another stack's identity", func() plan.Change {
			return updateOf(other, e.read(other)["domain.other.example"])
		}, `belongs to stack "other-stack"`},
		{"delete of another stack's identity", func() plan.Change {
			return deleteOf(e.read(other)["domain.other.example"])
		}, `belongs to stack "other-stack"`},
		{"create over an unowned identity", func() plan.Change { return createOf(theirs) }, "-adopt"},
		{"adopting another stack's identity", func() plan.Change {
			c := updateOf(other, e.read(other)["domain.other.example"])
			c.Adopt = true
			return c
		}, `belongs to stack "other-stack"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.change()
			e.resetCounts()
			res := e.applyResult(c)
			if res.Err == nil || !strings.Contains(res.Err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", res.Err, tc.want)
			}
			if strings.HasPrefix(res.Err.Error(), c.Addr+": ") {
				t.Errorf("error names the address, which apply adds (apply.ResourceError): %v", res.Err)
			}
			for op, n := range e.sesCalls() {
				if !strings.HasPrefix(op, "Get") && op != "CreateEmailIdentity" {
					t.Errorf("refused change still called %s %d times", op, n)
				}
			}
		})
	}

	t.Run("untouched", func(t *testing.T) {
		for _, name := range []string{"theirs.example", "other.example", "stray.example"} {
			out, ok := e.getIdentity(name)
			if !ok {
				t.Fatalf("%s was deleted", name)
			}
			if out.MailFromAttributes != nil && aws.ToString(out.MailFromAttributes.MailFromDomain) != "" {
				t.Errorf("%s was changed: MAIL FROM %s", name, aws.ToString(out.MailFromAttributes.MailFromDomain))
			}
		}
		out, _ := e.getIdentity("theirs.example")
		if len(out.Tags) != 0 {
			t.Errorf("unowned identity got tags %v", out.Tags)
		}
	})

	t.Run("a plan without them deletes nothing", func(t *testing.T) {
		if changes := e.replan(); len(changes) != 0 {
			t.Fatalf("changes = %+v", changes)
		}
	})

	t.Run("adopt", func(t *testing.T) {
		c := updateOf(theirs, e.read(theirs)["domain.theirs.example"])
		c.Adopt = true
		res := e.apply(c)
		if !strings.Contains(res.Message, "adopted") {
			t.Errorf("message = %q", res.Message)
		}
		out, _ := e.getIdentity("theirs.example")
		tags := tagMap(out.Tags)
		if tags[specs.TagStack] != testStack || tags[specs.TagAddr] != "domain.theirs.example" {
			t.Errorf("tags after adopt = %v", tags)
		}
		if got := aws.ToString(out.MailFromAttributes.MailFromDomain); got != "bounce.theirs.example" {
			t.Errorf("adopted identity not converged: MAIL FROM %q", got)
		}
		e.requireNoChanges(theirs)
	})
}

func mapValues(m map[string]plan.Observed) []plan.Observed {
	var out []plan.Observed
	for _, k := range specs.SortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// A run stopped right after CreateEmailIdentity left an identity with the
// stack's tags and nothing else: the next run's create takes it on and
// finishes the job, without a second identity.
func TestResumeAfterInterruptedCreate(t *testing.T) {
	e := newEnv(t)
	topic := e.createTopic("acme-prod-feedback")
	e.createDirect("acme.example", map[string]string{specs.TagStack: testStack, specs.TagAddr: "domain.acme.example"})
	want := domain("acme.example", map[string]any{
		"bounce_topic": topic, "complaint_topic": topic, "feedback_forwarding": false,
		"mail_from_domain": "bounce.acme.example", "mail_from_on_mx_failure": "USE_DEFAULT_VALUE",
	})
	res := e.apply(createOf(want))
	if !strings.Contains(res.Message, "earlier run") {
		t.Errorf("message = %q", res.Message)
	}
	if len(toStrings(res.Observed.Attrs["dkim_tokens"])) != 3 {
		t.Errorf("resumed create has no DKIM tokens: %v", res.Observed.Attrs)
	}
	e.requireNoChanges(want)
	list, err := e.v2.ListEmailIdentities(t.Context(), &sesv2.ListEmailIdentitiesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.EmailIdentities) != 1 {
		t.Errorf("%d identities, want 1", len(list.EmailIdentities))
	}
}

func TestConfigurationSetOwnership(t *testing.T) {
	e := newEnv(t)
	e.createConfigSetDirect(testStack + "-default") // unowned, but the name the spec wants
	if _, err := e.v2.CreateConfigurationSet(t.Context(), &sesv2.CreateConfigurationSetInput{
		ConfigurationSetName: aws.String(testStack + "-theirs"),
		Tags:                 ownershipTags("other-stack", "configuration_set.theirs"),
	}); err != nil {
		t.Fatal(err)
	}
	want := configSet("default", map[string]any{"reputation_metrics": true})
	theirs := configSet("theirs", map[string]any{"reputation_metrics": true})
	obs := e.read(want, theirs)
	if obs["configuration_set.default"].Owner != "" || obs["configuration_set.theirs"].Owner != "other-stack" {
		t.Fatalf("observed = %+v", obs)
	}
	for _, tc := range []struct {
		name   string
		change plan.Change
		want   string
	}{
		{"create over an unowned set", createOf(want), "-adopt configuration_set.default"},
		{"update of an unowned set", updateOf(want, obs["configuration_set.default"]), "without the ownership tag"},
		{"update of another stack's set", updateOf(theirs, obs["configuration_set.theirs"]), `belongs to stack "other-stack"`},
		{"delete of another stack's set", deleteOf(obs["configuration_set.theirs"]), `belongs to stack "other-stack"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e.applyResult(tc.change)
			if res.Err == nil || !strings.Contains(res.Err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", res.Err, tc.want)
			}
		})
	}
	t.Run("adopt", func(t *testing.T) {
		c := updateOf(want, obs["configuration_set.default"])
		c.Adopt = true
		e.apply(c)
		out, err := e.v2.GetConfigurationSet(t.Context(), &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String(testStack + "-default")})
		if err != nil {
			t.Fatal(err)
		}
		if tagMap(out.Tags)[specs.TagStack] != testStack || !out.ReputationOptions.ReputationMetricsEnabled {
			t.Errorf("after adopt: tags %v reputation %+v", out.Tags, out.ReputationOptions)
		}
		e.requireNoChanges(want)
	})
}

// A replace deletes the old identity (only when it is the stack's) and
// creates the new one.
func TestIdentityReplace(t *testing.T) {
	e := newEnv(t)
	old := identityResource("email.ops", map[string]any{"identity": "ops@acme.example", "type": "EMAIL_ADDRESS"})
	e.apply(createOf(old))
	o := e.read(old)["email.ops"]
	next := identityResource("email.ops", map[string]any{"identity": "ops2@acme.example", "type": "EMAIL_ADDRESS"})
	c := updateOf(next, o)
	c.Action = plan.Replace
	res := e.apply(c)
	if res.Observed == nil || res.Observed.ID != "ops2@acme.example" {
		t.Fatalf("observed = %+v", res.Observed)
	}
	if _, ok := e.getIdentity("ops@acme.example"); ok {
		t.Error("the old identity stayed")
	}
	if _, ok := e.getIdentity("ops2@acme.example"); !ok {
		t.Error("the new identity was not created")
	}

	t.Run("not when the old one is not the stack's", func(t *testing.T) {
		e.createDirect("keep@acme.example", nil)
		c := plan.Change{Addr: "email.keep", Kind: specs.KindSESIdentity, Action: plan.Replace, ID: "keep@acme.example",
			After: map[string]any{"identity": "keep2@acme.example", "type": "EMAIL_ADDRESS"}}
		res := e.applyResult(c)
		if res.Err == nil {
			t.Fatal("replaced an identity that is not the stack's")
		}
		if _, ok := e.getIdentity("keep@acme.example"); !ok {
			t.Error("deleted an identity that is not the stack's")
		}
		if _, ok := e.getIdentity("keep2@acme.example"); ok {
			t.Error("created the new identity although the old one stayed")
		}
	})
}

func TestNotificationHeaders(t *testing.T) {
	e := newEnv(t)
	topic := e.createTopic("acme-prod-feedback")
	want := domain("acme.example", map[string]any{"bounce_topic": topic, "complaint_topic": topic, "notification_headers": true})
	e.apply(createOf(want))
	out, err := e.v1.GetIdentityNotificationAttributes(t.Context(), &sesv1.GetIdentityNotificationAttributesInput{Identities: []string{"acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	n := out.NotificationAttributes["acme.example"]
	if !n.HeadersInBounceNotificationsEnabled || !n.HeadersInComplaintNotificationsEnabled || n.HeadersInDeliveryNotificationsEnabled {
		t.Errorf("headers: bounce %v complaint %v delivery %v", n.HeadersInBounceNotificationsEnabled, n.HeadersInComplaintNotificationsEnabled, n.HeadersInDeliveryNotificationsEnabled)
	}
	e.requireNoChanges(want)
}
