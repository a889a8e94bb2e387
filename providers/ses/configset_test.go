package ses

import (
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

func configSet(label string, a map[string]any) specs.Resource {
	attrs := map[string]any{"name": testStack + "-" + label}
	for k, v := range a {
		attrs[k] = v
	}
	return specs.Resource{Addr: "configuration_set." + label, Kind: specs.KindSESConfigSet, Attrs: attrs}
}

func dest(topic string, types ...string) map[string]any {
	l := make([]any, len(types))
	for i, t := range types {
		l[i] = t
	}
	return map[string]any{"types": l, "topic_arn": topic, "enabled": true}
}

// liveDestinations reads the event destinations of a set with the SDK.
func (e *env) liveDestinations(name string) map[string]string {
	e.t.Helper()
	out, err := e.v2.GetConfigurationSetEventDestinations(e.t.Context(), &sesv2.GetConfigurationSetEventDestinationsInput{ConfigurationSetName: aws.String(name)})
	if err != nil {
		e.t.Fatalf("GetConfigurationSetEventDestinations: %v", err)
	}
	m := map[string]string{}
	for _, d := range out.EventDestinations {
		var ts []string
		for _, t := range d.MatchingEventTypes {
			ts = append(ts, string(t))
		}
		sort.Strings(ts)
		m[aws.ToString(d.Name)] = aws.ToString(d.SnsDestination.TopicArn) + " " + strings.Join(ts, ",")
	}
	return m
}

func TestConfigurationSetCreateUpdateDelete(t *testing.T) {
	e := newEnv(t)
	feedback := e.createTopic("acme-prod-feedback")
	deliveries := e.createTopic("acme-prod-deliveries")
	name := testStack + "-default"

	want := configSet("default", map[string]any{
		"suppression":        []any{"BOUNCE", "COMPLAINT"},
		"reputation_metrics": true,
		"tls_policy":         "REQUIRE",
		"event_destinations": map[string]any{
			"feedback":   dest(feedback, "BOUNCE", "COMPLAINT"),
			"deliveries": dest(deliveries, "DELIVERY"),
		},
	})
	t.Run("create", func(t *testing.T) {
		e.resetCounts()
		res := e.apply(createOf(want))
		wantCalls := map[string]int{"CreateConfigurationSet": 1, "CreateConfigurationSetEventDestination": 2}
		if diff := cmp.Diff(wantCalls, e.sesCalls()); diff != "" {
			t.Errorf("SES calls (-want +got):\n%s", diff)
		}
		if res.Observed == nil || res.Observed.ID != name {
			t.Fatalf("observed = %+v", res.Observed)
		}
		out, err := e.v2.GetConfigurationSet(t.Context(), &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if tags := tagMap(out.Tags); tags[specs.TagStack] != testStack || tags[specs.TagAddr] != "configuration_set.default" {
			t.Errorf("tags = %v", tags)
		}
		if out.DeliveryOptions == nil || out.DeliveryOptions.TlsPolicy != types.TlsPolicyRequire {
			t.Errorf("delivery options = %+v", out.DeliveryOptions)
		}
		if out.ReputationOptions == nil || !out.ReputationOptions.ReputationMetricsEnabled {
			t.Errorf("reputation options = %+v", out.ReputationOptions)
		}
		if out.SuppressionOptions == nil || len(out.SuppressionOptions.SuppressedReasons) != 2 {
			t.Errorf("suppression = %+v", out.SuppressionOptions)
		}
		wantDest := map[string]string{"feedback": feedback + " BOUNCE,COMPLAINT", "deliveries": deliveries + " DELIVERY"}
		if diff := cmp.Diff(wantDest, e.liveDestinations(name)); diff != "" {
			t.Errorf("destinations (-want +got):\n%s", diff)
		}
	})
	t.Run("no changes after create", func(t *testing.T) { e.requireNoChanges(want) })

	changed := configSet("default", map[string]any{
		"suppression":        []any{"BOUNCE"},
		"reputation_metrics": false,
		"tls_policy":         "OPTIONAL",
		"event_destinations": map[string]any{
			"feedback": dest(feedback, "BOUNCE", "COMPLAINT", "REJECT"),
			"sends":    dest(deliveries, "SEND"),
		},
	})
	t.Run("update", func(t *testing.T) {
		changes := e.replan(changed)
		if len(changes) != 1 || changes[0].Action != plan.Update {
			t.Fatalf("changes = %+v", changes)
		}
		e.resetCounts()
		e.apply(changes[0])
		wantCalls := map[string]int{
			"GetConfigurationSet":                    1,
			"GetConfigurationSetEventDestinations":   1,
			"PutConfigurationSetSuppressionOptions":  1,
			"PutConfigurationSetReputationOptions":   1,
			"PutConfigurationSetDeliveryOptions":     1,
			"UpdateConfigurationSetEventDestination": 1,
			"DeleteConfigurationSetEventDestination": 1,
			"CreateConfigurationSetEventDestination": 1,
		}
		if diff := cmp.Diff(wantCalls, e.sesCalls()); diff != "" {
			t.Errorf("SES calls (-want +got):\n%s", diff)
		}
		wantDest := map[string]string{"feedback": feedback + " BOUNCE,COMPLAINT,REJECT", "sends": deliveries + " SEND"}
		if diff := cmp.Diff(wantDest, e.liveDestinations(name)); diff != "" {
			t.Errorf("destinations (-want +got):\n%s", diff)
		}
	})
	t.Run("no changes after update", func(t *testing.T) { e.requireNoChanges(changed) })

	t.Run("a set of someone else is never read as ours or deleted", func(t *testing.T) {
		e.createConfigSetDirect(testStack + "-handmade") // carries the prefix but not the tag
		e.createConfigSetDirect("unrelated")
		changes := e.replan(changed)
		if len(changes) != 0 {
			t.Fatalf("changes = %+v", changes)
		}
		res := e.applyResult(plan.Change{Addr: "configuration_set.handmade", Kind: specs.KindSESConfigSet, Action: plan.Delete, ID: testStack + "-handmade"})
		if res.Err == nil || !strings.Contains(res.Err.Error(), "without the ownership tag") {
			t.Fatalf("err = %v", res.Err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		changes := e.replan()
		if len(changes) != 1 || changes[0].Action != plan.Delete || changes[0].ID != name {
			t.Fatalf("changes = %+v", changes)
		}
		e.apply(changes[0])
		if _, err := e.v2.GetConfigurationSet(t.Context(), &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String(name)}); !isNotFound(err) {
			t.Fatalf("after delete: %v", err)
		}
		for _, n := range []string{testStack + "-handmade", "unrelated"} {
			if _, err := e.v2.GetConfigurationSet(t.Context(), &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String(n)}); err != nil {
				t.Errorf("%s: %v", n, err)
			}
		}
	})
}

func TestConfigurationSetResume(t *testing.T) {
	e := newEnv(t)
	topic := e.createTopic("acme-prod-feedback")
	name := testStack + "-default"
	if _, err := e.v2.CreateConfigurationSet(t.Context(), &sesv2.CreateConfigurationSetInput{
		ConfigurationSetName: aws.String(name),
		Tags:                 ownershipTags(testStack, "configuration_set.default"),
	}); err != nil {
		t.Fatal(err)
	}
	want := configSet("default", map[string]any{"event_destinations": map[string]any{"feedback": dest(topic, "BOUNCE")}})
	res := e.apply(createOf(want))
	if !strings.Contains(res.Message, "earlier run") {
		t.Errorf("message = %q", res.Message)
	}
	e.requireNoChanges(want)
}

func TestAccountSuppression(t *testing.T) {
	e := newEnv(t)
	want := specs.Resource{Addr: "account", Kind: specs.KindSESAccount, Attrs: map[string]any{"suppression": []any{"BOUNCE"}}}
	e.resetCounts()
	obs := e.read(want)["account"]
	// No identity is declared or marked by the stack: none is listed
	// (identity_read.go).
	if diff := cmp.Diff(map[string]int{"GetAccount": 1, "ListConfigurationSets": 1}, e.sesCalls()); diff != "" {
		t.Errorf("SES calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"BOUNCE", "COMPLAINT"}, obs.Attrs["suppression"]); diff != "" {
		t.Errorf("the account starts with (-want +got):\n%s", diff)
	}
	changes := e.replan(want)
	if len(changes) != 1 {
		t.Fatalf("changes = %+v", changes)
	}
	e.apply(changes[0])
	out, err := e.v2.GetAccount(t.Context(), &sesv2.GetAccountInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.SuppressionAttributes.SuppressedReasons; len(got) != 1 || got[0] != types.SuppressionListReasonBounce {
		t.Errorf("suppression = %v", got)
	}
	e.requireNoChanges(want)
	if changes := e.replan(); len(changes) != 0 {
		t.Errorf("a spec without account settings plans %+v", changes)
	}
}

// What a spec without suppression, reputation or destinations expands to:
// the set follows the account's suppression list and plans stay empty.
func TestConfigurationSetDefaults(t *testing.T) {
	e := newEnv(t)
	name := testStack + "-plain"
	want := configSet("plain", map[string]any{
		"suppression": []any{}, "suppression_override": false, "reputation_metrics": false, "tls_policy": "OPTIONAL", "event_destinations": map[string]any{},
	})
	e.resetCounts()
	e.apply(createOf(want))
	if diff := cmp.Diff(map[string]int{"CreateConfigurationSet": 1}, e.sesCalls()); diff != "" {
		t.Errorf("SES calls (-want +got):\n%s", diff)
	}
	suppression := func(t *testing.T) *types.SuppressionOptions {
		t.Helper()
		out, err := e.v2.GetConfigurationSet(t.Context(), &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return out.SuppressionOptions
	}
	if got := suppression(t); got != nil {
		t.Errorf("a set without suppression has SuppressionOptions %+v; it must follow the account's list", got)
	}
	e.requireNoChanges(want)

	// suppression = [] is an override that suppresses nothing: SES then
	// sends to addresses on the account's list. The plan must tell it from
	// a set that follows the account's list, both ways.
	t.Run("suppression = [] overrides the account's list with none", func(t *testing.T) {
		none := configSet("plain", map[string]any{"suppression": []any{}, "suppression_override": true, "tls_policy": "OPTIONAL"})
		changes := e.replan(none)
		if len(changes) != 1 || changes[0].Action != plan.Update {
			t.Fatalf("plan from no override to an empty override: %+v", changes)
		}
		e.apply(changes[0])
		if got := suppression(t); got == nil || len(got.SuppressedReasons) != 0 {
			t.Errorf("SuppressionOptions %+v, want an override with no reason", got)
		}
		e.requireNoChanges(none)
		if changes := e.replan(want); len(changes) != 1 || changes[0].Action != plan.Replace {
			t.Errorf("the set suppresses nothing and the spec wants the account's list, yet the plan is %+v", changes)
		}
	})

	t.Run("removing suppression re-creates the set without its own list", func(t *testing.T) {
		withList := configSet("plain", map[string]any{"suppression": []any{"COMPLAINT"}, "suppression_override": true, "tls_policy": "OPTIONAL"})
		e.apply(e.replan(withList)[0])
		e.requireNoChanges(withList)
		changes := e.replan(want)
		if len(changes) != 1 || changes[0].Action != plan.Replace || !strings.Contains(changes[0].Reason, "account's suppression list") {
			t.Fatalf("plan after removing suppression: %+v", changes)
		}
		e.apply(changes[0])
		if got := suppression(t); got != nil {
			t.Errorf("suppression after removing it from the spec = %+v; the set must follow the account's list", got)
		}
		e.requireNoChanges(want)
	})
}

// An update that would leave a set's own list for the account's cannot be
// made in place: it fails saying how, instead of emptying the list.
func TestConfigurationSetOverrideNotRemovedInPlace(t *testing.T) {
	e := newEnv(t)
	withList := configSet("plain", map[string]any{"suppression": []any{"BOUNCE"}, "suppression_override": true, "tls_policy": "OPTIONAL"})
	e.apply(createOf(withList))
	want := configSet("plain", map[string]any{"suppression": []any{}, "suppression_override": false, "tls_policy": "OPTIONAL"})
	obs, ok := e.read()["configuration_set.plain"]
	if !ok {
		t.Fatal("the set was not read")
	}
	update := plan.Change{Addr: want.Addr, Kind: want.Kind, Action: plan.Update, ID: obs.ID, Before: obs.Attrs, After: want.Attrs}
	res := e.applyResult(update)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "mailform apply -replace configuration_set.plain") {
		t.Fatalf("result %+v, want an error naming -replace", res)
	}
	out, err := e.v2.GetConfigurationSet(t.Context(), &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String(testStack + "-plain")})
	if err != nil {
		t.Fatal(err)
	}
	if out.SuppressionOptions == nil || len(out.SuppressionOptions.SuppressedReasons) != 1 {
		t.Errorf("the failed update changed the set's list: %+v", out.SuppressionOptions)
	}
}

func TestConfigurationSetReplace(t *testing.T) {
	e := newEnv(t)
	old := configSet("default", map[string]any{"reputation_metrics": true})
	e.apply(createOf(old))
	o := e.read(old)["configuration_set.default"]
	next := specs.Resource{Addr: "configuration_set.default", Kind: specs.KindSESConfigSet, Attrs: map[string]any{"name": testStack + "-main", "reputation_metrics": true}}
	c := updateOf(next, o)
	c.Action = plan.Replace
	res := e.apply(c)
	if res.Observed == nil || res.Observed.ID != testStack+"-main" {
		t.Fatalf("observed = %+v", res.Observed)
	}
	list, err := e.v2.ListConfigurationSets(t.Context(), &sesv2.ListConfigurationSetsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{testStack + "-main"}, list.ConfigurationSets); diff != "" {
		t.Errorf("configuration sets (-want +got):\n%s", diff)
	}
	e.requireNoChanges(next)
}
