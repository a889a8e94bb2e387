package ses

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

func TestRecordedSettingsRoundTrip(t *testing.T) {
	for _, r := range []recordedSettings{
		{ConfigSet: "acme-prod-default", DkimOrigin: "AWS_SES", DkimLength: 2048},
		{DkimOrigin: "EXTERNAL", DkimSelector: "mf2026"},
		{ConfigSet: "x"},
		{},
	} {
		got, ok := parseRecorded(r.String())
		if !ok || got != r {
			t.Errorf("parseRecorded(%q) = %+v, %v; want %+v", r.String(), got, ok, r)
		}
	}
	for _, v := range []string{"", "someone's value", "configuration_set=a colour=blue", "dkim_origin=AWS_SES", "configuration_set=a dkim_key_length=big"} {
		if _, ok := parseRecorded(v); ok {
			t.Errorf("parseRecorded(%q) accepted a value mailform does not write", v)
		}
	}
}

// Which identities a plain plan describes one at a time, and which it reads
// in batches.
func TestPlanIdentityReads(t *testing.T) {
	rec := func(r recordedSettings) map[string]string {
		return map[string]string{specs.TagStack: testStack, TagSettings: r.String()}
	}
	easy := recordedSettings{ConfigSet: "acme-prod-default", DkimOrigin: "AWS_SES", DkimLength: 2048}
	withSet := func(r specs.Resource) specs.Resource {
		r.Attrs = maps.Clone(r.Attrs)
		r.Attrs["configuration_set"] = "acme-prod-default"
		return r
	}
	byo := domain("byo.example", map[string]any{"dkim_mode": "byo", "dkim_selector": "s1", "dkim_private_key": "ssm:/k"})
	delete(byo.Attrs, "dkim_key_length")
	email := identityResource("email.a@acme.example", map[string]any{"identity": "a@acme.example", "type": "EMAIL_ADDRESS", "configuration_set": "acme-prod-default"})
	for _, tc := range []struct {
		name   string
		want   specs.Resource
		tags   map[string]string // nil: not in the index
		full   bool
		expect string // batch, describe, lookup
	}{
		{"recorded as declared", withSet(domain("a.example", nil)), rec(easy), false, "batch"},
		{"recorded as declared, full refresh", withSet(domain("a.example", nil)), rec(easy), true, "describe"},
		{"no record (created before TagSettings)", withSet(domain("a.example", nil)), map[string]string{specs.TagStack: testStack}, false, "describe"},
		{"record mailform did not write", withSet(domain("a.example", nil)), map[string]string{TagSettings: "cs=x"}, false, "describe"},
		{"other configuration set declared", domain("a.example", map[string]any{"configuration_set": "acme-prod-other"}), rec(easy), false, "describe"},
		{"configuration set not declared", domain("a.example", nil), rec(easy), false, "batch"},
		{"other key length declared", withSet(domain("a.example", map[string]any{"dkim_key_length": int64(1024)})), rec(easy), false, "describe"},
		{"BYODKIM declared, Easy recorded", withSet(byo), rec(easy), false, "describe"},
		{"BYODKIM as recorded: v1 documents Easy DKIM only", byo, rec(recordedSettings{DkimOrigin: "EXTERNAL", DkimSelector: "s1"}), false, "describe"},
		{"BYODKIM, other selector recorded", byo, rec(recordedSettings{DkimOrigin: "EXTERNAL", DkimSelector: "s0"}), false, "describe"},
		{"Easy declared, BYODKIM recorded", domain("a.example", nil), rec(recordedSettings{DkimOrigin: "EXTERNAL", DkimSelector: "s1"}), false, "describe"},
		{"signing off declared", domain("a.example", map[string]any{"dkim_mode": "off"}), rec(recordedSettings{DkimOrigin: "AWS_SES", DkimLength: 2048}), false, "batch"},
		{"email address", email, rec(recordedSettings{ConfigSet: "acme-prod-default"}), false, "batch"},
		{"declared, not in the index", domain("a.example", nil), nil, false, "lookup"},
		{"declared, not in the index, full refresh", domain("a.example", nil), nil, true, "lookup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := attrs(tc.want.Attrs).str("identity")
			want := map[string]specs.Resource{lowerName(name): tc.want}
			marked := map[string]markedIdentity{}
			if tc.tags != nil {
				marked[lowerName(name)] = markedIdentity{Name: name, Tags: tc.tags}
			}
			got := planIdentityReads(want, marked, tc.full)
			how := map[string]int{"batch": len(got.Batch), "describe": len(got.Describe), "lookup": len(got.Lookup)}
			if how[tc.expect] != 1 || len(got.Batch)+len(got.Describe)+len(got.Lookup) != 1 {
				t.Errorf("reads %+v, want %s", got, tc.expect)
			}
		})
	}
	t.Run("an undeclared identity of the stack is described", func(t *testing.T) {
		got := planIdentityReads(nil, map[string]markedIdentity{"old.example": {Name: "old.example", Tags: rec(easy)}}, false)
		if len(got.Describe) != 1 || len(got.Batch) != 0 {
			t.Errorf("reads %+v, want old.example described (the plan deletes it)", got)
		}
	})
}

// batchSpecs are identities of every kind a spec declares, applied by
// mailform.
func (e *env) batchSpecs() []specs.Resource {
	e.t.Helper()
	topic := e.createTopic("acme-prod-feedback")
	e.createConfigSetDirect("acme-prod-default")
	e.secrets.values["ssm:/acme/dkim"] = pkcs1PEM(testRSAKey(e.t, 2048))
	byo := domain("byo.acme.example", map[string]any{"dkim_mode": "byo", "dkim_selector": "mf2026", "dkim_private_key": "ssm:/acme/dkim"})
	delete(byo.Attrs, "dkim_key_length")
	off := domain("off.acme.example", map[string]any{"dkim_mode": "off"})
	delete(off.Attrs, "dkim_key_length")
	desired := []specs.Resource{
		domain("acme.example", map[string]any{
			"configuration_set": "acme-prod-default", "mail_from_domain": "bounce.acme.example",
			"mail_from_on_mx_failure": "REJECT_MESSAGE", "bounce_topic": topic, "complaint_topic": topic,
			"notification_headers": true, "feedback_forwarding": false,
		}),
		domain("short.acme.example", map[string]any{"dkim_key_length": int64(1024)}),
		byo, off,
		identityResource("email.ops@acme.example", map[string]any{"identity": "ops@acme.example", "type": "EMAIL_ADDRESS", "configuration_set": "acme-prod-default"}),
	}
	for _, r := range desired {
		e.apply(createOf(r))
	}
	return desired
}

func (e *env) readWith(r Refresh, desired []specs.Resource) map[string]plan.Observed {
	e.t.Helper()
	e.provider.SetRefresh(r)
	defer e.provider.SetRefresh(RefreshBatch)
	return e.read(desired...)
}

// The batch read reports what GetEmailIdentity does, for identities that
// mailform set up, without a per-identity call.
func TestBatchReadSeesWhatFullReadSees(t *testing.T) {
	e := newEnv(t)
	desired := e.batchSpecs()
	e.resetCounts()
	batch := e.readWith(RefreshBatch, desired)
	if n := e.sesCalls()["GetEmailIdentity"]; n != 1 {
		t.Errorf("%d GetEmailIdentity calls in a plain read of identities mailform set up, want 1 (the BYODKIM one)", n)
	}
	full := e.readWith(RefreshFull, desired)
	if diff := cmp.Diff(full, batch); diff != "" {
		t.Errorf("batch read differs from the full read (-full +batch):\n%s", diff)
	}
	if len(batch) != len(desired) {
		t.Errorf("read %v", keysOf(batch))
	}
}

// Drift made outside mailform: a plain plan sees what the batch reads
// return; the rest needs -refresh=full, as docs/performance.md says.
func TestPlainPlanDrift(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		name       string
		plainSees  bool
		changedKey string
		drift      func(e *env) error
	}{
		{"MAIL FROM domain", true, "mail_from_domain", func(e *env) error {
			_, err := e.v2.PutEmailIdentityMailFromAttributes(ctx, &sesv2.PutEmailIdentityMailFromAttributesInput{EmailIdentity: aws.String("acme.example"), MailFromDomain: aws.String("other.acme.example")})
			return err
		}},
		{"behaviour on MX failure", true, "mail_from_on_mx_failure", func(e *env) error {
			_, err := e.v2.PutEmailIdentityMailFromAttributes(ctx, &sesv2.PutEmailIdentityMailFromAttributesInput{EmailIdentity: aws.String("acme.example"),
				MailFromDomain: aws.String("bounce.acme.example"), BehaviorOnMxFailure: types.BehaviorOnMxFailureUseDefaultValue})
			return err
		}},
		{"DKIM signing turned off", true, "dkim_mode", func(e *env) error {
			_, err := e.v2.PutEmailIdentityDkimAttributes(ctx, &sesv2.PutEmailIdentityDkimAttributesInput{EmailIdentity: aws.String("acme.example"), SigningEnabled: false})
			return err
		}},
		{"bounce topic removed", true, "bounce_topic", func(e *env) error {
			if _, err := e.v1.SetIdentityFeedbackForwardingEnabled(ctx, &sesv1.SetIdentityFeedbackForwardingEnabledInput{Identity: aws.String("acme.example"), ForwardingEnabled: true}); err != nil {
				return err
			}
			_, err := e.v1.SetIdentityNotificationTopic(ctx, &sesv1.SetIdentityNotificationTopicInput{Identity: aws.String("acme.example"), NotificationType: "Bounce"})
			return err
		}},
		{"default configuration set changed", false, "configuration_set", func(e *env) error {
			e.createConfigSetDirect("acme-prod-other")
			_, err := e.v2.PutEmailIdentityConfigurationSetAttributes(ctx, &sesv2.PutEmailIdentityConfigurationSetAttributesInput{EmailIdentity: aws.String("acme.example"), ConfigurationSetName: aws.String("acme-prod-other")})
			return err
		}},
		{"Easy DKIM key length changed", false, "dkim_key_length", func(e *env) error {
			_, err := e.v2.PutEmailIdentityDkimSigningAttributes(ctx, &sesv2.PutEmailIdentityDkimSigningAttributesInput{EmailIdentity: aws.String("acme.example"),
				SigningAttributesOrigin: types.DkimSigningAttributesOriginAwsSes, SigningAttributes: &types.DkimSigningAttributes{NextSigningKeyLength: types.DkimSigningKeyLengthRsa1024Bit}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			desired := e.batchSpecs()
			e.requireNoChanges(desired...)
			if err := tc.drift(e); err != nil {
				t.Fatalf("drifting: %v", err)
			}
			seen := func(r Refresh) bool {
				e.provider.SetRefresh(r)
				defer e.provider.SetRefresh(RefreshBatch)
				for _, c := range e.replan(desired...) {
					for _, d := range c.Diffs {
						if c.Addr == "domain.acme.example" && d.Name == tc.changedKey {
							return true
						}
					}
				}
				return false
			}
			if got := seen(RefreshBatch); got != tc.plainSees {
				t.Errorf("plain plan sees the drift: %v, want %v", got, tc.plainSees)
			}
			if !seen(RefreshFull) {
				t.Errorf("plan -refresh=full does not see the drift")
			}
		})
	}
}

// frozenTags answers GetResources with what the index held at one moment:
// an index that lags behind tags changed since.
type frozenTags struct {
	list []taggingtypes.ResourceTagMapping
}

func (f frozenTags) GetResources(context.Context, *resourcegroupstaggingapi.GetResourcesInput, ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error) {
	return &resourcegroupstaggingapi.GetResourcesOutput{ResourceTagMappingList: f.list}, nil
}

func (e *env) freezeTagIndex() frozenTags {
	e.t.Helper()
	var f frozenTags
	pager := resourcegroupstaggingapi.NewGetResourcesPaginator(resourcegroupstaggingapi.NewFromConfig(e.cfg), &resourcegroupstaggingapi.GetResourcesInput{
		ResourceTypeFilters: []string{"ses:identity"},
		TagFilters:          []taggingtypes.TagFilter{{Key: aws.String(specs.TagStack), Values: []string{testStack}}},
	})
	for pager.HasMorePages() {
		page, err := pager.NextPage(e.t.Context())
		if err != nil {
			e.t.Fatal(err)
		}
		f.list = append(f.list, page.ResourceTagMappingList...)
	}
	return f
}

// An identity whose mark was removed after the index saw it is never
// changed nor deleted: a plain plan may take the index's word for a declared
// identity, but every change describes the identity again first.
func TestCheapReadNeverTouchesAnIdentityThatLostTheMark(t *testing.T) {
	e := newEnv(t)
	declared := domain("kept.acme.example", nil)
	undeclared := domain("dropped.acme.example", nil)
	e.apply(createOf(declared))
	e.apply(createOf(undeclared))
	e.provider.opts.Tags = e.freezeTagIndex()
	for _, name := range []string{"kept.acme.example", "dropped.acme.example"} {
		if err := e.untagIdentity(name, specs.TagStack); err != nil {
			t.Fatal(err)
		}
	}

	changed := domain("kept.acme.example", map[string]any{"mail_from_domain": "bounce.kept.acme.example"})
	obs := e.read(changed)
	if _, ok := obs["domain.dropped.acme.example"]; ok {
		t.Errorf("the undeclared identity that lost the mark was taken for the stack's: %v", keysOf(obs))
	}
	o, ok := obs["domain.kept.acme.example"]
	if !ok {
		t.Fatalf("read %v", keysOf(obs))
	}
	res := e.applyResult(updateOf(changed, o))
	if res.Err == nil || !strings.Contains(res.Err.Error(), "kept.acme.example") {
		t.Errorf("update of an identity that lost the mark: err = %v, want a refusal", res.Err)
	}
	res = e.applyResult(deleteOf(plan.Observed{Addr: undeclared.Addr, Kind: undeclared.Kind, ID: "dropped.acme.example"}))
	if res.Err == nil {
		t.Error("delete of an identity that lost the mark succeeded")
	}
	for _, name := range []string{"kept.acme.example", "dropped.acme.example"} {
		out, found := e.getIdentity(name)
		if !found {
			t.Fatalf("%s was deleted", name)
		}
		if mf := mailFromOf(out); mf != "" {
			t.Errorf("%s was changed: MAIL FROM %s", name, mf)
		}
	}
}

// An identity that never had the mark but looks like the stack's (the
// declared name, the settings record and address tag mailform writes, the
// stack tag's key in another case) is read as unowned, and foreign
// identities that share names, prefixes and tag keys are left as they are.
func TestCheapReadNeverTakesALookalike(t *testing.T) {
	e := newEnv(t)
	e.foreignIdentities()
	e.createDirect(testZone, map[string]string{
		TagSettings:                     recordedSettings{DkimOrigin: "AWS_SES", DkimLength: 2048}.String(),
		specs.TagAddr:                   "domain." + testZone,
		strings.ToUpper(specs.TagStack): testStack,
	})
	before := map[string]*sesv2.GetEmailIdentityOutput{}
	for _, n := range []string{testZone, "mail.acme.example", "acme.examples", "acme.example.other.example"} {
		before[n], _ = e.getIdentity(n)
	}
	want := domain(testZone, map[string]any{"mail_from_domain": "bounce." + testZone})
	obs := e.read(want, domain("mail.acme.example", nil))
	if o := obs["domain."+testZone]; o.Owner != "" {
		t.Errorf("the lookalike reads as owned by %q", o.Owner)
	}
	if o := obs["domain.mail.acme.example"]; o.Owner != "other-stack" {
		t.Errorf("mail.acme.example reads as owned by %q, want other-stack", o.Owner)
	}
	p, diags := plan.Make([]specs.Resource{want}, slices.Collect(maps.Values(obs)), plan.Options{Stack: testStack, Region: testRegion})
	if !diags.HasErrors() {
		t.Errorf("plan of a declared identity that is not the stack's: no error; changes %+v", p.Changes)
	}
	if res := e.applyResult(updateOf(want, obs["domain."+testZone])); res.Err == nil {
		t.Error("update of the lookalike succeeded")
	}
	for n, b := range before {
		a, found := e.getIdentity(n)
		if !found {
			t.Fatalf("%s was deleted", n)
		}
		if !cmp.Equal(tagMap(a.Tags), tagMap(b.Tags)) || mailFromOf(a) != mailFromOf(b) {
			t.Errorf("%s was changed", n)
		}
	}
}

// untagIdentity removes tags from an identity as someone else would.
func (e *env) untagIdentity(name string, keys ...string) error {
	_, err := e.v2.UntagResource(e.t.Context(), &sesv2.UntagResourceInput{
		ResourceArn: aws.String("arn:aws:ses:" + testRegion + ":" + awstest.AccountID + ":identity/" + name),
		TagKeys:     keys,
	})
	return err
}

func mailFromOf(out *sesv2.GetEmailIdentityOutput) string {
	if out == nil || out.MailFromAttributes == nil {
		return ""
	}
	return aws.ToString(out.MailFromAttributes.MailFromDomain)
}
