package sqs

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	snssdk "github.com/aws/aws-sdk-go-v2/service/sns"
	sqssdk "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const (
	stack  = "acme"
	region = "us-west-2"
	addr   = "topic.feedback/queue"
	qname  = "acme-feedback-feedback"
)

type fixture struct {
	s   *awstest.Server
	sqs *sqssdk.Client
	sns *snssdk.Client
	p   *Provider
}

func newFixture(t *testing.T) *fixture {
	s := awstest.Shared(t)
	cfg := s.Config(region)
	return &fixture{s: s, sqs: sqssdk.NewFromConfig(cfg), sns: snssdk.NewFromConfig(cfg), p: New(cfg)}
}

func (f *fixture) topic(t *testing.T, name string) string {
	out, err := f.sns.CreateTopic(t.Context(), &snssdk.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.TopicArn)
}

func desiredQueue(topic any, days int64) specs.Resource {
	return specs.Resource{Addr: addr, Kind: specs.KindSQSQueue, Attrs: map[string]any{"name": qname, "retention_days": days, "topic_arn": topic}}
}

func (f *fixture) apply(t *testing.T, c plan.Change) providers.Result {
	t.Helper()
	res := f.p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Region: region, Changes: []plan.Change{c}})
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	return res[0]
}

func (f *fixture) mustApply(t *testing.T, c plan.Change) providers.Result {
	t.Helper()
	res := f.apply(t, c)
	if res.Err != nil {
		t.Fatalf("%s: %v", c.Action, res.Err)
	}
	return res
}

func (f *fixture) read(t *testing.T, desired ...specs.Resource) []plan.Observed {
	t.Helper()
	obs, err := f.p.Read(t.Context(), stack, desired)
	if err != nil {
		t.Fatal(err)
	}
	return obs
}

func planFor(r specs.Resource, obs []plan.Observed) plan.Change {
	for _, o := range obs {
		if o.Attrs["name"] == r.Attrs["name"] {
			return plan.Change{Addr: r.Addr, Kind: r.Kind, Action: plan.Update, ID: o.ID, Before: o.Attrs, After: r.Attrs}
		}
	}
	return plan.Change{Addr: r.Addr, Kind: r.Kind, Action: plan.Create, After: r.Attrs}
}

// inAWS reads the queue's state with the SDK.
func (f *fixture) inAWS(t *testing.T, url string) (attrs, tags map[string]string) {
	t.Helper()
	a, err := f.sqs.GetQueueAttributes(t.Context(), &sqssdk.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := f.sqs.ListQueueTags(t.Context(), &sqssdk.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil {
		t.Fatal(err)
	}
	return a.Attributes, tg.Tags
}

func (f *fixture) subscriptions(t *testing.T, topic string) []string {
	out, err := f.sns.ListSubscriptionsByTopic(t.Context(), &snssdk.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	if err != nil {
		t.Fatal(err)
	}
	var subs []string
	for _, s := range out.Subscriptions {
		subs = append(subs, aws.ToString(s.Endpoint))
	}
	return subs
}

func TestCreateDeliverReadAndNoChange(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	topic := f.topic(t, "acme-feedback")
	want := desiredQueue(topic, 14)

	res := f.mustApply(t, planFor(want, f.read(t, want)))
	url := res.Observed.ID
	attrs, tags := f.inAWS(t, url)
	queueARN := attrs["QueueArn"]
	if attrs["MessageRetentionPeriod"] != "1209600" {
		t.Errorf("MessageRetentionPeriod = %s", attrs["MessageRetentionPeriod"])
	}
	if tags[specs.TagStack] != stack || tags[specs.TagAddr] != addr {
		t.Errorf("tags = %v", tags)
	}
	if got := allowedTopics(attrs["Policy"], queueARN); len(got) != 1 || got[0] != topic {
		t.Errorf("policy allows %v: %s", got, attrs["Policy"])
	}
	if subs := f.subscriptions(t, topic); len(subs) != 1 || subs[0] != queueARN {
		t.Errorf("subscriptions = %v", subs)
	}
	sub := res.Observed.Attrs["subscription_arn"].(string)
	sa, err := f.sns.GetSubscriptionAttributes(ctx, &snssdk.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
	if err != nil {
		t.Fatal(err)
	}
	if sa.Attributes["RawMessageDelivery"] != "false" {
		t.Errorf("RawMessageDelivery = %q", sa.Attributes["RawMessageDelivery"])
	}
	if n := f.s.Count("sqs", "CreateQueue"); n != 1 {
		t.Errorf("CreateQueue calls = %d", n)
	}

	t.Run("a notification published to the topic arrives in its envelope", func(t *testing.T) {
		if _, err := f.sns.Publish(ctx, &snssdk.PublishInput{TopicArn: aws.String(topic), Message: aws.String(`{"notificationType":"Bounce"}`)}); err != nil {
			t.Fatal(err)
		}
		msgs, err := f.sqs.ReceiveMessage(ctx, &sqssdk.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs.Messages) != 1 {
			t.Fatalf("received %d messages", len(msgs.Messages))
		}
		var env struct{ Type, Message, TopicArn string }
		if err := json.Unmarshal([]byte(aws.ToString(msgs.Messages[0].Body)), &env); err != nil {
			t.Fatal(err)
		}
		if env.Type != "Notification" || env.TopicArn != topic || env.Message != `{"notificationType":"Bounce"}` {
			t.Errorf("envelope = %+v", env)
		}
	})

	t.Run("read", func(t *testing.T) {
		before := f.s.Counts()
		obs := f.read(t, want)
		after := f.s.Counts()
		wantObs := plan.Observed{Addr: addr, Kind: specs.KindSQSQueue, ID: url, Owner: stack, Attrs: map[string]any{
			"name": qname, "arn": queueARN, "url": url, "retention_days": int64(14), "topic_arn": topic, "subscription_arn": sub,
		}}
		if len(obs) != 1 {
			t.Fatalf("observed %+v", obs)
		}
		if diff := cmp.Diff(wantObs, obs[0]); diff != "" {
			t.Errorf("Read (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantObs, *res.Observed); diff != "" {
			t.Errorf("Result (-want +got):\n%s", diff)
		}
		for svc, ops := range map[string]map[string]int{
			"sqs": {"ListQueues": 1, "ListQueueTags": 1, "GetQueueAttributes": 1, "GetQueueUrl": 0},
			"sns": {"ListSubscriptionsByTopic": 1, "GetSubscriptionAttributes": 1},
		} {
			for op, n := range ops {
				if got := after[svc][op] - before[svc][op]; got != n {
					t.Errorf("%s %s calls = %d, want %d", svc, op, got, n)
				}
			}
		}
	})

	t.Run("applying again writes nothing", func(t *testing.T) {
		f.mustApply(t, planFor(want, f.read(t, want)))
		for op, n := range map[string]int{"CreateQueue": 1, "SetQueueAttributes": 1, "TagQueue": 0} {
			if got := f.s.Count("sqs", op); got != n {
				t.Errorf("sqs %s calls = %d, want %d", op, got, n)
			}
		}
		if got := f.s.Count("sns", "Subscribe"); got != 1 {
			t.Errorf("Subscribe calls = %d", got)
		}
	})
}

func TestUpdates(t *testing.T) {
	tests := []struct {
		name  string
		drift func(t *testing.T, f *fixture, url, sub string)
		next  func(t *testing.T, f *fixture, topic string) specs.Resource
		check func(t *testing.T, f *fixture, o *plan.Observed, topic string)
	}{
		{
			name: "retention",
			next: func(t *testing.T, f *fixture, topic string) specs.Resource { return desiredQueue(topic, 4) },
			check: func(t *testing.T, f *fixture, o *plan.Observed, topic string) {
				if a, _ := f.inAWS(t, o.ID); a["MessageRetentionPeriod"] != "345600" {
					t.Errorf("MessageRetentionPeriod = %s", a["MessageRetentionPeriod"])
				}
			},
		},
		{
			name: "raw delivery switched on outside mailform",
			drift: func(t *testing.T, f *fixture, url, sub string) {
				if _, err := f.sns.SetSubscriptionAttributes(t.Context(), &snssdk.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub), AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, f *fixture, o *plan.Observed, topic string) {
				sa, _ := f.sns.GetSubscriptionAttributes(t.Context(), &snssdk.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(o.Attrs["subscription_arn"].(string))})
				if sa.Attributes["RawMessageDelivery"] != "false" {
					t.Errorf("RawMessageDelivery = %s", sa.Attributes["RawMessageDelivery"])
				}
			},
		},
		{
			name: "policy removed outside mailform",
			drift: func(t *testing.T, f *fixture, url, sub string) {
				if _, err := f.sqs.SetQueueAttributes(t.Context(), &sqssdk.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": ""}}); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "subscription removed outside mailform",
			drift: func(t *testing.T, f *fixture, url, sub string) {
				if _, err := f.sns.Unsubscribe(t.Context(), &snssdk.UnsubscribeInput{SubscriptionArn: aws.String(sub)}); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "another topic",
			next: func(t *testing.T, f *fixture, topic string) specs.Resource {
				return desiredQueue(f.topic(t, "acme-other"), 14)
			},
			check: func(t *testing.T, f *fixture, o *plan.Observed, topic string) {
				if subs := f.subscriptions(t, topic); len(subs) != 0 {
					t.Errorf("old topic still subscribed: %v", subs)
				}
				if o.Attrs["topic_arn"] == topic {
					t.Error("topic_arn unchanged")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			topic := f.topic(t, "acme-feedback")
			first := desiredQueue(topic, 14)
			res := f.mustApply(t, planFor(first, f.read(t, first)))
			if tt.drift != nil {
				tt.drift(t, f, res.Observed.ID, res.Observed.Attrs["subscription_arn"].(string))
				if obs := f.read(t, first); obs[0].Attrs["topic_arn"] == topic {
					t.Error("drift not seen: topic_arn still observed as subscribed")
				}
			}
			next := first
			if tt.next != nil {
				next = tt.next(t, f, topic)
			}
			res = f.mustApply(t, planFor(next, f.read(t, next)))
			obs := f.read(t, next)
			for _, k := range []string{"retention_days", "topic_arn", "name"} {
				if !cmp.Equal(obs[0].Attrs[k], next.Attrs[k]) {
					t.Errorf("%s = %v, want %v", k, obs[0].Attrs[k], next.Attrs[k])
				}
			}
			if subs := f.subscriptions(t, next.Attrs["topic_arn"].(string)); len(subs) != 1 {
				t.Errorf("subscriptions of the topic: %v", subs)
			}
			if tt.check != nil {
				tt.check(t, f, res.Observed, topic)
			}
		})
	}
}

func TestResumeAfterCreateQueue(t *testing.T) {
	f := newFixture(t)
	topic := f.topic(t, "acme-feedback")
	// A run stopped right after CreateQueue.
	if _, err := f.sqs.CreateQueue(t.Context(), &sqssdk.CreateQueueInput{QueueName: aws.String(qname), Tags: map[string]string{specs.TagStack: stack, specs.TagAddr: addr}}); err != nil {
		t.Fatal(err)
	}
	want := desiredQueue(topic, 14)
	obs := f.read(t, want)
	if len(obs) != 1 || obs[0].Owner != stack || obs[0].Attrs["topic_arn"] != nil {
		t.Fatalf("observed %+v", obs)
	}
	f.mustApply(t, planFor(want, obs))
	obs = f.read(t, want)
	if obs[0].Attrs["topic_arn"] != topic || obs[0].Attrs["retention_days"] != int64(14) {
		t.Errorf("not converged: %v", obs[0].Attrs)
	}
	if n := f.s.Count("sqs", "CreateQueue"); n != 1 {
		t.Errorf("CreateQueue calls = %d", n)
	}
}

func TestDelete(t *testing.T) {
	f := newFixture(t)
	topic := f.topic(t, "acme-feedback")
	want := desiredQueue(topic, 14)
	f.mustApply(t, planFor(want, f.read(t, want)))
	obs := f.read(t)
	if len(obs) != 1 || obs[0].Addr != addr {
		t.Fatalf("owned queue not found without a desired resource: %+v", obs)
	}
	c := plan.Change{Addr: addr, Kind: specs.KindSQSQueue, Action: plan.Delete, ID: obs[0].ID, Before: obs[0].Attrs}
	if res := f.mustApply(t, c); res.Observed != nil || !strings.Contains(res.Message, "deleted") {
		t.Errorf("result %+v", res)
	}
	if subs := f.subscriptions(t, topic); len(subs) != 0 {
		t.Errorf("subscription left: %v", subs)
	}
	if _, err := f.sqs.GetQueueUrl(t.Context(), &sqssdk.GetQueueUrlInput{QueueName: aws.String(qname)}); !isNoQueue(err) {
		t.Errorf("queue still there: %v", err)
	}
	if res := f.apply(t, c); res.Err != nil {
		t.Errorf("second delete: %v", res.Err)
	}
}

func TestForeignQueuesAreLeftAlone(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	topic := f.topic(t, "acme-feedback")
	for name, tags := range map[string]map[string]string{
		qname:          nil,
		"acme-x":       nil,
		"acme-other-q": {specs.TagStack: "other"},
	} {
		if _, err := f.sqs.CreateQueue(ctx, &sqssdk.CreateQueueInput{QueueName: aws.String(name), Tags: tags}); err != nil {
			t.Fatal(err)
		}
	}
	want := desiredQueue(topic, 14)
	obs := f.read(t, want)
	if len(obs) != 1 || obs[0].Owner != "" || obs[0].Addr != addr {
		t.Fatalf("observed %+v, want only the unowned queue the spec names", obs)
	}
	for _, c := range []plan.Change{
		{Addr: addr, Kind: specs.KindSQSQueue, Action: plan.Create, After: want.Attrs},
		{Addr: addr, Kind: specs.KindSQSQueue, Action: plan.Delete, ID: obs[0].ID, Before: obs[0].Attrs},
	} {
		if res := f.apply(t, c); res.Err == nil || strings.HasPrefix(res.Err.Error(), addr) {
			t.Errorf("%s of a foreign queue: %v, want a refusal without the address (apply adds it)", c.Action, res.Err)
		}
	}
	for op, n := range map[string]int{"CreateQueue": 3, "SetQueueAttributes": 0, "DeleteQueue": 0, "TagQueue": 0} {
		if got := f.s.Count("sqs", op); got != n {
			t.Errorf("%s calls = %d, want %d", op, got, n)
		}
	}
	if n := f.s.Count("sns", "Subscribe"); n != 0 {
		t.Errorf("Subscribe calls = %d", n)
	}
}

func TestUnknownTopicIsAnError(t *testing.T) {
	f := newFixture(t)
	want := desiredQueue(specs.Deferred(specs.Ref("topic.feedback", "arn")), 14)
	res := f.apply(t, plan.Change{Addr: addr, Kind: specs.KindSQSQueue, Action: plan.Create, After: want.Attrs})
	if res.Err == nil || !strings.Contains(res.Err.Error(), "not known") {
		t.Errorf("err = %v", res.Err)
	}
	if n := f.s.Count("sqs", "CreateQueue"); n != 0 {
		t.Errorf("CreateQueue calls = %d", n)
	}
}

func TestRetention(t *testing.T) {
	tests := []struct {
		in      any
		want    int64
		wantErr bool
	}{
		{int64(14), 1209600, false}, {4, 345600, false}, {float64(1), 86400, false},
		{int64(15), 0, true}, {0, 0, true}, {1.5, 0, true}, {"4", 0, true},
	}
	for _, tt := range tests {
		got, _, err := retentionSeconds(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("retentionSeconds(%v) = %d, %v", tt.in, got, err)
		}
	}
	if retentionDays(345600) != int64(4) || retentionDays(3600) != float64(3600)/86400 {
		t.Error("retentionDays")
	}
}

func TestAdopt(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	topic := f.topic(t, "acme-feedback")
	q, err := f.sqs.CreateQueue(ctx, &sqssdk.CreateQueueInput{QueueName: aws.String(qname)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sqs.CreateQueue(ctx, &sqssdk.CreateQueueInput{QueueName: aws.String("acme-x-feedback"), Tags: map[string]string{specs.TagStack: "other"}}); err != nil {
		t.Fatal(err)
	}
	want := desiredQueue(topic, 14)
	c := planFor(want, f.read(t, want))
	c.Adopt = true
	res := f.mustApply(t, c)
	if !strings.Contains(res.Message, "adopted") {
		t.Errorf("message %q", res.Message)
	}
	if _, tags := f.inAWS(t, *q.QueueUrl); tags[specs.TagStack] != stack || tags[specs.TagAddr] != addr {
		t.Errorf("tags after adoption: %v", tags)
	}
	if obs := f.read(t, want); len(obs) != 1 || !obs[0].Owned(stack) || obs[0].Attrs["topic_arn"] != topic {
		t.Errorf("after adoption: %+v", obs)
	}
	other := desiredQueue(topic, 14)
	other.Attrs["name"] = "acme-x-feedback"
	c = plan.Change{Addr: "topic.x/queue", Kind: specs.KindSQSQueue, Action: plan.Create, After: other.Attrs, Adopt: true}
	if res := f.apply(t, c); res.Err == nil {
		t.Error("adopted another stack's queue")
	}
}

// TestLostAnswers cuts the connection after AWS carried out a call, so the
// SDK retries it: the run must still succeed, with one queue and one
// subscription, or none after a delete.
func TestLostAnswers(t *testing.T) {
	for _, fault := range []string{"sqs:CreateQueue=cut#1", "sqs:SetQueueAttributes=cut#1", "sns:Subscribe=cut#1", "sns:Unsubscribe=cut#1", "sqs:DeleteQueue=cut#1"} {
		t.Run(fault, func(t *testing.T) {
			f := newFixture(t)
			topic := f.topic(t, "acme-feedback")
			want := desiredQueue(topic, 14)
			deletes := strings.Contains(fault, "Delete") || strings.Contains(fault, "Unsubscribe")
			if deletes {
				f.mustApply(t, planFor(want, f.read(t, want)))
			}
			if err := f.s.SetFaults(fault); err != nil {
				t.Fatal(err)
			}
			c := planFor(want, f.read(t, want))
			if deletes {
				o := f.read(t)[0]
				c = plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs}
			}
			f.mustApply(t, c)
			subs := f.subscriptions(t, topic)
			obs := f.read(t, want)
			switch {
			case deletes && (len(obs) != 0 || len(subs) != 0):
				t.Errorf("left: %+v, subscriptions %v", obs, subs)
			case !deletes && (len(obs) != 1 || obs[0].Attrs["topic_arn"] != topic || len(subs) != 1):
				t.Errorf("observed %+v, subscriptions %v", obs, subs)
			}
			if n := f.s.InjectedFaults()[fault]; n != 1 {
				t.Errorf("fault injected %d times", n)
			}
		})
	}
}

// TestStaleSubscriptionsGo covers a run stopped after subscribing the queue
// to its new topic: the next run, even without the plan's Before, finds the
// old topic through the queue policy and unsubscribes it.
func TestStaleSubscriptionsGo(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	oldTopic := f.topic(t, "acme-feedback")
	newTopic := f.topic(t, "acme-bounces")
	res := f.mustApply(t, planFor(desiredQueue(oldTopic, 14), nil))
	if _, err := f.sns.Subscribe(ctx, &snssdk.SubscribeInput{TopicArn: aws.String(newTopic), Protocol: aws.String("sqs"), Endpoint: aws.String(res.Observed.Attrs["arn"].(string)), ReturnSubscriptionArn: true}); err != nil {
		t.Fatal(err)
	}
	want := desiredQueue(newTopic, 14)
	f.mustApply(t, plan.Change{Addr: addr, Kind: specs.KindSQSQueue, Action: plan.Update, ID: res.Observed.ID, After: want.Attrs})
	if subs := f.subscriptions(t, oldTopic); len(subs) != 0 {
		t.Errorf("old topic still subscribed: %v", subs)
	}
	if subs := f.subscriptions(t, newTopic); len(subs) != 1 {
		t.Errorf("new topic subscriptions: %v", subs)
	}
	if n := f.s.Count("sns", "Subscribe"); n != 2 {
		t.Errorf("Subscribe calls = %d: the existing subscription should be found", n)
	}
	if obs := f.read(t, want); obs[0].Attrs["topic_arn"] != newTopic {
		t.Errorf("observed %v", obs[0].Attrs)
	}
}
