package sns

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	snssdk "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const (
	stack   = "acme"
	region  = "us-west-2"
	account = awstest.AccountID
)

func TestGrantsSESPublish(t *testing.T) {
	arn := "arn:aws:sns:us-west-2:" + account + ":acme-feedback"
	ours, _ := TopicPolicy("", arn, account, true)
	tests := []struct {
		name   string
		policy string
		want   bool
	}{
		{"mailform's policy", ours, true},
		{"default policy", defaultPolicy(arn, account), false},
		{"empty", "", false},
		{"not JSON", "{", false},
		{"other account", strings.ReplaceAll(ours, `"AWS:SourceAccount":"`+account, `"AWS:SourceAccount":"999999999999`), false},
		{"lower-case key, list values, single statement object", `{"Statement":{"Effect":"Allow","Principal":{"Service":["SES.amazonaws.com"]},"Action":["SNS:Publish"],"Condition":{"StringEquals":{"aws:sourceaccount":["` + account + `"]}}}}`, true},
		{"deny", strings.Replace(ours, `"Effect":"Allow"`, `"Effect":"Deny"`, 1), false},
		{"no condition", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"ses.amazonaws.com"},"Action":"sns:Publish"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GrantsSESPublish(tt.policy, account); got != tt.want {
				t.Errorf("GrantsSESPublish = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTopicPolicyKeepsOtherStatements(t *testing.T) {
	arn := "arn:aws:sns:us-west-2:" + account + ":acme-feedback"
	other := `{"Version":"2012-10-17","Statement":[{"Sid":"lambda","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sns:Subscribe","Resource":"` + arn + `"}]}`
	with, err := TopicPolicy(other, arn, account, true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(with, `"Sid":"lambda"`) || !GrantsSESPublish(with, account) {
		t.Errorf("policy = %s", with)
	}
	again, _ := TopicPolicy(with, arn, account, true)
	if again != with {
		t.Errorf("not idempotent:\n%s\n%s", with, again)
	}
	without, _ := TopicPolicy(with, arn, account, false)
	if GrantsSESPublish(without, account) || !strings.Contains(without, `"Sid":"lambda"`) {
		t.Errorf("ses_publish=false policy = %s", without)
	}
	onlyOurs, _ := TopicPolicy("", arn, account, true)
	if empty, _ := TopicPolicy(onlyOurs, arn, account, false); empty != defaultPolicy(arn, account) {
		t.Errorf("emptied policy = %s", empty)
	}
	if _, err := TopicPolicy("{", arn, account, true); err == nil {
		t.Error("no error for a broken policy")
	}
}

type fixture struct {
	s   *awstest.Server
	sns *snssdk.Client
	p   *Provider
}

func newFixture(t *testing.T) *fixture {
	s := awstest.Shared(t)
	cfg := s.Config(region)
	return &fixture{s: s, sns: snssdk.NewFromConfig(cfg), p: New(cfg)}
}

func topic(label string) specs.Resource {
	return specs.Resource{Addr: "topic." + label, Kind: specs.KindSNSTopic, Attrs: map[string]any{"name": stack + "-" + label, "ses_publish": true}}
}

func (f *fixture) apply(t *testing.T, c plan.Change) providers.Result {
	t.Helper()
	res := f.p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Region: region, Changes: []plan.Change{c}})
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	return res[0]
}

func (f *fixture) read(t *testing.T, desired ...specs.Resource) []plan.Observed {
	t.Helper()
	obs, err := f.p.Read(t.Context(), stack, desired)
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

func (f *fixture) awsTags(t *testing.T, arn string) map[string]string {
	out, err := f.sns.ListTagsForResource(t.Context(), &snssdk.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[*tg.Key] = *tg.Value
	}
	return m
}

func TestCreateReadUpdateDelete(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	want := topic("feedback")
	arn := "arn:aws:sns:" + region + ":" + account + ":acme-feedback"

	res := f.apply(t, plan.Change{Addr: want.Addr, Kind: want.Kind, Action: plan.Create, After: want.Attrs})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	wantObs := &plan.Observed{Addr: "topic.feedback", Kind: specs.KindSNSTopic, ID: arn, Owner: stack,
		Attrs: map[string]any{"name": "acme-feedback", "arn": arn, "ses_publish": true}}
	if diff := cmp.Diff(wantObs, res.Observed); diff != "" {
		t.Errorf("Result observed (-want +got):\n%s", diff)
	}
	if got := f.awsTags(t, arn); got[specs.TagStack] != stack || got[specs.TagAddr] != "topic.feedback" {
		t.Errorf("tags in AWS: %v", got)
	}
	attrs, err := f.sns.GetTopicAttributes(ctx, &snssdk.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(attrs.Attributes["Policy"]), &doc); err != nil {
		t.Fatal(err)
	}
	if !GrantsSESPublish(attrs.Attributes["Policy"], account) {
		t.Errorf("policy in AWS does not let SES publish: %s", attrs.Attributes["Policy"])
	}
	if n := f.s.Count("sns", "CreateTopic"); n != 1 {
		t.Errorf("CreateTopic calls = %d", n)
	}

	t.Run("read", func(t *testing.T) {
		before := f.s.Counts()["sns"]
		obs := f.read(t, want)
		after := f.s.Counts()["sns"]
		for op, n := range map[string]int{"ListTopics": 1, "ListTagsForResource": 1, "GetTopicAttributes": 1} {
			if got := after[op] - before[op]; got != n {
				t.Errorf("Read: %s calls = %d, want %d", op, got, n)
			}
		}
		if len(obs) != 1 {
			t.Fatalf("observed %+v", obs)
		}
		if diff := cmp.Diff(*wantObs, obs[0]); diff != "" {
			t.Errorf("Read (-want +got):\n%s", diff)
		}
		if n := f.s.Count("sts", "GetCallerIdentity"); n != 1 {
			t.Errorf("GetCallerIdentity calls = %d, want 1 per run", n)
		}
	})

	t.Run("applying again writes nothing", func(t *testing.T) {
		res := f.apply(t, plan.Change{Addr: want.Addr, Kind: want.Kind, Action: plan.Update, ID: arn, After: want.Attrs})
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		for op, n := range map[string]int{"CreateTopic": 1, "SetTopicAttributes": 1, "TagResource": 0} {
			if got := f.s.Count("sns", op); got != n {
				t.Errorf("%s calls = %d, want %d", op, got, n)
			}
		}
	})

	t.Run("a policy someone stripped is restored", func(t *testing.T) {
		if _, err := f.sns.SetTopicAttributes(ctx, &snssdk.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("Policy"), AttributeValue: aws.String(defaultPolicy(arn, account))}); err != nil {
			t.Fatal(err)
		}
		if obs := f.read(t, want); obs[0].Attrs["ses_publish"] != false {
			t.Errorf("ses_publish = %v after the statement was removed", obs[0].Attrs["ses_publish"])
		}
		if res := f.apply(t, plan.Change{Addr: want.Addr, Kind: want.Kind, Action: plan.Update, ID: arn, After: want.Attrs}); res.Err != nil {
			t.Fatal(res.Err)
		}
		if obs := f.read(t, want); obs[0].Attrs["ses_publish"] != true {
			t.Errorf("ses_publish = %v after update", obs[0].Attrs["ses_publish"])
		}
	})

	t.Run("delete of a removed block", func(t *testing.T) {
		obs := f.read(t)
		if len(obs) != 1 || obs[0].Addr != "topic.feedback" {
			t.Fatalf("owned topic not found without a desired resource: %+v", obs)
		}
		res := f.apply(t, plan.Change{Addr: obs[0].Addr, Kind: obs[0].Kind, Action: plan.Delete, ID: obs[0].ID, Before: obs[0].Attrs})
		if res.Err != nil || res.Observed != nil {
			t.Fatalf("delete: %+v", res)
		}
		if _, err := f.sns.GetTopicAttributes(ctx, &snssdk.GetTopicAttributesInput{TopicArn: aws.String(arn)}); !isNotFound(err) {
			t.Errorf("topic still there: %v", err)
		}
		if res := f.apply(t, plan.Change{Addr: obs[0].Addr, Kind: obs[0].Kind, Action: plan.Delete, ID: obs[0].ID}); res.Err != nil {
			t.Errorf("second delete: %v", res.Err)
		}
	})
}

func TestReplaceRenames(t *testing.T) {
	f := newFixture(t)
	old := topic("feedback")
	res := f.apply(t, plan.Change{Addr: old.Addr, Kind: old.Kind, Action: plan.Create, After: old.Attrs})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	renamed := map[string]any{"name": "acme-bounces", "ses_publish": true}
	res2 := f.apply(t, plan.Change{Addr: old.Addr, Kind: old.Kind, Action: plan.Replace, ID: res.Observed.ID, Before: res.Observed.Attrs, After: renamed})
	if res2.Err != nil {
		t.Fatal(res2.Err)
	}
	obs := f.read(t)
	if len(obs) != 1 || obs[0].Attrs["name"] != "acme-bounces" {
		t.Errorf("after replace: %+v", obs)
	}
}

func TestForeignTopicsAreLeftAlone(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	create := func(name string, tags ...snstypes.Tag) string {
		out, err := f.sns.CreateTopic(ctx, &snssdk.CreateTopicInput{Name: aws.String(name), Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.TopicArn)
	}
	theirs := create("acme-feedback")
	create("acme-unrelated") // the stack's prefix, but no mark
	otherStack := create("acme-other", snstypes.Tag{Key: aws.String(specs.TagStack), Value: aws.String("other")})
	create("unrelated")

	want := topic("feedback")
	obs := f.read(t, want)
	if len(obs) != 1 || obs[0].ID != theirs || obs[0].Owner != "" || obs[0].Addr != "topic.feedback" {
		t.Fatalf("observed %+v, want only the unowned topic the spec names", obs)
	}
	for _, c := range []plan.Change{
		{Addr: want.Addr, Kind: want.Kind, Action: plan.Create, After: want.Attrs},
		{Addr: want.Addr, Kind: want.Kind, Action: plan.Delete, ID: theirs},
		{Addr: "topic.other", Kind: want.Kind, Action: plan.Delete, ID: otherStack},
	} {
		res := f.apply(t, c)
		if res.Err == nil || strings.HasPrefix(res.Err.Error(), c.Addr) {
			t.Errorf("%s on a foreign topic: err = %v, want a refusal without the address (apply adds it)", c.Action, res.Err)
		}
	}
	for _, op := range []string{"CreateTopic", "SetTopicAttributes", "DeleteTopic", "TagResource"} {
		if n := f.s.Count("sns", op); n != map[string]int{"CreateTopic": 4}[op] {
			t.Errorf("%s called %d times", op, n)
		}
	}
	if tags := f.awsTags(t, theirs); len(tags) != 0 {
		t.Errorf("foreign topic got tags %v", tags)
	}
}

func TestAdopt(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	theirs, err := f.sns.CreateTopic(ctx, &snssdk.CreateTopicInput{Name: aws.String("acme-feedback")})
	if err != nil {
		t.Fatal(err)
	}
	others, err := f.sns.CreateTopic(ctx, &snssdk.CreateTopicInput{Name: aws.String("acme-other"), Tags: []snstypes.Tag{{Key: aws.String(specs.TagStack), Value: aws.String("other")}}})
	if err != nil {
		t.Fatal(err)
	}
	want := topic("feedback")
	res := f.apply(t, plan.Change{Addr: want.Addr, Kind: want.Kind, Action: plan.Update, ID: *theirs.TopicArn, After: want.Attrs, Adopt: true})
	if res.Err != nil || !strings.Contains(res.Message, "adopted") {
		t.Fatalf("adopt: %+v", res)
	}
	if tags := f.awsTags(t, *theirs.TopicArn); tags[specs.TagStack] != stack || tags[specs.TagAddr] != want.Addr {
		t.Errorf("tags after adoption: %v", tags)
	}
	if obs := f.read(t, want); len(obs) != 1 || !obs[0].Owned(stack) || obs[0].Attrs["ses_publish"] != true {
		t.Errorf("after adoption: %+v", obs)
	}
	other := topic("other")
	res = f.apply(t, plan.Change{Addr: other.Addr, Kind: other.Kind, Action: plan.Update, ID: *others.TopicArn, After: other.Attrs, Adopt: true})
	if res.Err == nil {
		t.Error("adopted another stack's topic")
	}
	if tags := f.awsTags(t, *others.TopicArn); tags[specs.TagStack] != "other" {
		t.Errorf("other stack's topic tags: %v", tags)
	}
}

// TestLostAnswers cuts the connection after AWS carried out a call, so the
// SDK retries it: the run must still succeed and leave one topic.
func TestLostAnswers(t *testing.T) {
	for _, fault := range []string{"sns:CreateTopic=cut#1", "sns:SetTopicAttributes=cut#1", "sns:DeleteTopic=cut#1"} {
		t.Run(fault, func(t *testing.T) {
			f := newFixture(t)
			want := topic("feedback")
			deletes := strings.Contains(fault, "Delete")
			if deletes {
				if res := f.apply(t, plan.Change{Addr: want.Addr, Kind: want.Kind, Action: plan.Create, After: want.Attrs}); res.Err != nil {
					t.Fatal(res.Err)
				}
			}
			if err := f.s.SetFaults(fault); err != nil {
				t.Fatal(err)
			}
			c := plan.Change{Addr: want.Addr, Kind: want.Kind, Action: plan.Create, After: want.Attrs}
			if deletes {
				o := f.read(t)[0]
				c = plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs}
			}
			if res := f.apply(t, c); res.Err != nil {
				t.Fatal(res.Err)
			}
			obs := f.read(t, want)
			switch {
			case deletes && len(obs) != 0:
				t.Errorf("topic survives: %+v", obs)
			case !deletes && (len(obs) != 1 || obs[0].Attrs["ses_publish"] != true):
				t.Errorf("observed %+v", obs)
			}
			if n := f.s.InjectedFaults()[fault]; n != 1 {
				t.Errorf("fault injected %d times", n)
			}
		})
	}
}

// TestCloudWatchGrant: the CloudWatch statement is added beside SES's,
// scoped to the account's alarms in the topic's region, found again by
// GrantsCloudWatchPublish, and removed without touching the others.
func TestCloudWatchGrant(t *testing.T) {
	arn := "arn:aws:sns:eu-west-1:" + account + ":acme-alerts"
	both, err := TopicPolicyFor("", arn, account, Grants{SES: true, CloudWatch: true})
	if err != nil {
		t.Fatal(err)
	}
	if !GrantsCloudWatchPublish(both, account) || !GrantsSESPublish(both, account) {
		t.Errorf("policy lacks a grant:\n%s", both)
	}
	if !strings.Contains(both, `"aws:SourceArn":"arn:aws:cloudwatch:eu-west-1:`+account+`:alarm:*"`) {
		t.Errorf("the CloudWatch grant is not scoped to the account's alarms of eu-west-1:\n%s", both)
	}
	if GrantsCloudWatchPublish(both, "999999999999") {
		t.Error("the grant is reported for another account")
	}
	sesOnly, _ := TopicPolicyFor(both, arn, account, Grants{SES: true})
	if GrantsCloudWatchPublish(sesOnly, account) || !GrantsSESPublish(sesOnly, account) {
		t.Errorf("removing the CloudWatch grant:\n%s", sesOnly)
	}
}
