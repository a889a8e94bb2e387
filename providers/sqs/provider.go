// Package sqs is mailform's provider for the feedback queues of topics (kind
// sqs.queue): an SQS queue tagged with the stack's mark at creation, its
// retention, a queue policy letting only the topic send to it, and the
// topic's SNS subscription delivering to it (SNS envelope, not raw).
//
// It never decides what should change (plan does) and never changes or
// deletes a queue that does not carry the stack's mark.
package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	snssdk "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	sqssdk "github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/policydoc"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// API is the part of the SQS client the provider uses.
type API interface {
	ListQueues(ctx context.Context, in *sqssdk.ListQueuesInput, optFns ...func(*sqssdk.Options)) (*sqssdk.ListQueuesOutput, error)
	GetQueueUrl(ctx context.Context, in *sqssdk.GetQueueUrlInput, optFns ...func(*sqssdk.Options)) (*sqssdk.GetQueueUrlOutput, error)
	CreateQueue(ctx context.Context, in *sqssdk.CreateQueueInput, optFns ...func(*sqssdk.Options)) (*sqssdk.CreateQueueOutput, error)
	DeleteQueue(ctx context.Context, in *sqssdk.DeleteQueueInput, optFns ...func(*sqssdk.Options)) (*sqssdk.DeleteQueueOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqssdk.GetQueueAttributesInput, optFns ...func(*sqssdk.Options)) (*sqssdk.GetQueueAttributesOutput, error)
	SetQueueAttributes(ctx context.Context, in *sqssdk.SetQueueAttributesInput, optFns ...func(*sqssdk.Options)) (*sqssdk.SetQueueAttributesOutput, error)
	ListQueueTags(ctx context.Context, in *sqssdk.ListQueueTagsInput, optFns ...func(*sqssdk.Options)) (*sqssdk.ListQueueTagsOutput, error)
	TagQueue(ctx context.Context, in *sqssdk.TagQueueInput, optFns ...func(*sqssdk.Options)) (*sqssdk.TagQueueOutput, error)
}

// SNSAPI is the part of the SNS client the provider uses for subscriptions.
type SNSAPI interface {
	ListSubscriptionsByTopic(ctx context.Context, in *snssdk.ListSubscriptionsByTopicInput, optFns ...func(*snssdk.Options)) (*snssdk.ListSubscriptionsByTopicOutput, error)
	Subscribe(ctx context.Context, in *snssdk.SubscribeInput, optFns ...func(*snssdk.Options)) (*snssdk.SubscribeOutput, error)
	Unsubscribe(ctx context.Context, in *snssdk.UnsubscribeInput, optFns ...func(*snssdk.Options)) (*snssdk.UnsubscribeOutput, error)
	GetSubscriptionAttributes(ctx context.Context, in *snssdk.GetSubscriptionAttributesInput, optFns ...func(*snssdk.Options)) (*snssdk.GetSubscriptionAttributesOutput, error)
	SetSubscriptionAttributes(ctx context.Context, in *snssdk.SetSubscriptionAttributesInput, optFns ...func(*snssdk.Options)) (*snssdk.SetSubscriptionAttributesOutput, error)
}

// Provider reads and changes feedback queues.
type Provider struct {
	api API
	sns SNSAPI
	// newQueueWait bounds how long a queue just created may answer
	// QueueDoesNotExist (0: DefaultNewQueueWait).
	newQueueWait time.Duration
}

// DefaultNewQueueWait bounds the retries of calls on a queue just created:
// SQS documents that a new queue can be used only after "at least one
// second" (CreateQueue's reference).
const DefaultNewQueueWait = 30 * time.Second

// New builds the provider on the real SQS and SNS clients.
func New(cfg aws.Config) *Provider {
	return NewWithAPI(sqssdk.NewFromConfig(cfg), snssdk.NewFromConfig(cfg))
}

// NewWithAPI builds the provider on any implementations of the APIs.
func NewWithAPI(api API, snsClient SNSAPI) *Provider {
	return &Provider{api: api, sns: snsClient}
}

var _ providers.Provider = (*Provider)(nil)

// Kinds implements providers.Provider.
func (p *Provider) Kinds() []specs.Kind { return []specs.Kind{specs.KindSQSQueue} }

const daySeconds = 86400

// queue is one queue as read from AWS.
type queue struct {
	url, name, arn string
	tags           map[string]string
	retention      int64 // seconds
	policy         string
}

// Read implements providers.Provider. Queue names are
// "<stack>-<label>-feedback" (docs/resources.md): one paginated ListQueues
// with the stack's prefix finds the candidates, and a GetQueueUrl each finds
// desired queues named otherwise. Each candidate costs one ListQueueTags;
// each owned or desired queue one GetQueueAttributes, one
// ListSubscriptionsByTopic per topic it may be subscribed to, and one
// GetSubscriptionAttributes for the subscription found.
func (p *Provider) Read(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	want := map[string]specs.Resource{}
	for _, r := range desired {
		if r.Kind == specs.KindSQSQueue {
			want[str(r.Attrs, "name")] = r
		}
	}
	urls := map[string]bool{}
	pages := sqssdk.NewListQueuesPaginator(p.api, &sqssdk.ListQueuesInput{QueueNamePrefix: aws.String(stack + "-"), MaxResults: aws.Int32(1000)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing SQS queues: %w", err)
		}
		for _, u := range page.QueueUrls {
			urls[u] = true
		}
	}
	listed := map[string]bool{}
	for u := range urls {
		listed[queueName(u)] = true
	}
	// A desired queue missing from the list is looked up by name: one
	// named otherwise is not listed, and ListQueues may not yet show a
	// queue created moments ago.
	for _, name := range specs.SortedKeys(want) {
		if listed[name] {
			continue
		}
		out, err := p.api.GetQueueUrl(ctx, &sqssdk.GetQueueUrlInput{QueueName: aws.String(name)})
		if isNoQueue(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: looking up SQS queue %s: %w", want[name].Addr, name, err)
		}
		urls[aws.ToString(out.QueueUrl)] = true
	}
	var out []plan.Observed
	for _, u := range specs.SortedKeys(urls) {
		tags, err := p.tags(ctx, u)
		if isNoQueue(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		name := queueName(u)
		r, wanted := want[name]
		owner := tags[specs.TagStack]
		if owner != stack && !wanted {
			continue
		}
		addr := r.Addr
		if owner == stack && tags[specs.TagAddr] != "" {
			addr = tags[specs.TagAddr]
		}
		q, err := p.queue(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", addr, err)
		}
		q.tags = tags
		attrs, err := p.observe(ctx, q, str(r.Attrs, "topic_arn"))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", addr, err)
		}
		out = append(out, plan.Observed{Addr: addr, Kind: specs.KindSQSQueue, ID: u, Owner: owner, Attrs: attrs})
	}
	return out, nil
}

// observe builds the observed attributes of q. The topic counts as
// subscribed only when an SNS subscription delivers its envelopes (not raw
// messages) to the queue and the queue policy lets that topic send.
func (p *Provider) observe(ctx context.Context, q queue, desiredTopic string) (map[string]any, error) {
	attrs := map[string]any{"name": q.name, "arn": q.arn, "url": q.url, "retention_days": retentionDays(q.retention)}
	allowed := allowedTopics(q.policy, q.arn)
	topics := append([]string(nil), allowed...)
	if desiredTopic != "" && !slices.Contains(topics, desiredTopic) {
		topics = append([]string{desiredTopic}, topics...)
	}
	for _, topic := range topics {
		sub, err := p.subscription(ctx, topic, q.arn)
		if err != nil {
			return nil, err
		}
		if sub == "" {
			continue
		}
		raw, err := p.rawDelivery(ctx, sub)
		if err != nil {
			return nil, err
		}
		if raw || !slices.Contains(allowed, topic) {
			continue
		}
		attrs["topic_arn"] = topic
		attrs["subscription_arn"] = sub
		break
	}
	return attrs, nil
}

func (p *Provider) tags(ctx context.Context, url string) (map[string]string, error) {
	out, err := p.api.ListQueueTags(ctx, &sqssdk.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil {
		return nil, fmt.Errorf("reading the tags of SQS queue %s: %w", queueName(url), err)
	}
	if out.Tags == nil {
		return map[string]string{}, nil
	}
	return out.Tags, nil
}

func (p *Provider) queue(ctx context.Context, url string) (queue, error) {
	out, err := p.api.GetQueueAttributes(ctx, &sqssdk.GetQueueAttributesInput{
		QueueUrl:       aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNameMessageRetentionPeriod, sqstypes.QueueAttributeNamePolicy},
	})
	if err != nil {
		return queue{}, fmt.Errorf("reading the attributes of SQS queue %s: %w", queueName(url), err)
	}
	q := queue{url: url, name: queueName(url), arn: out.Attributes["QueueArn"], policy: out.Attributes["Policy"]}
	if s := out.Attributes["MessageRetentionPeriod"]; s != "" {
		q.retention, _ = strconv.ParseInt(s, 10, 64)
	}
	return q, nil
}

// subscription returns the ARN of the confirmed SQS subscription of topic
// that delivers to queueARN, or "".
func (p *Provider) subscription(ctx context.Context, topic, queueARN string) (string, error) {
	pages := snssdk.NewListSubscriptionsByTopicPaginator(p.sns, &snssdk.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if isSNSNotFound(err) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("listing the subscriptions of SNS topic %s: %w", topic, err)
		}
		for _, s := range page.Subscriptions {
			arn := aws.ToString(s.SubscriptionArn)
			if aws.ToString(s.Protocol) == "sqs" && aws.ToString(s.Endpoint) == queueARN && strings.HasPrefix(arn, "arn:") {
				return arn, nil
			}
		}
	}
	return "", nil
}

func (p *Provider) rawDelivery(ctx context.Context, sub string) (bool, error) {
	out, err := p.sns.GetSubscriptionAttributes(ctx, &snssdk.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
	if err != nil {
		return false, fmt.Errorf("reading SNS subscription %s: %w", sub, err)
	}
	return strings.EqualFold(out.Attributes["RawMessageDelivery"], "true"), nil
}

// Apply implements providers.Provider.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) []providers.Result {
	return providers.ApplyEach(req, providers.Steps{
		Noun: "a queue",
		Ensure: func(c plan.Change) (*plan.Observed, string, error) {
			return p.ensure(ctx, req.Stack, c, func(msg string) { req.Report(c.Addr, msg) })
		},
		Delete:  func(c plan.Change) (string, error) { return p.delete(ctx, req.Stack, c) },
		Renamed: func(c plan.Change) bool { return c.ID != "" && queueName(c.ID) != str(c.After, "name") },
	})
}

// ensure makes the queue exist with the stack's mark, its retention and
// policy, and the topic's subscription. It looks the queue up by name first,
// so that CreateQueue's idempotence never takes over a queue mailform does
// not own. Every step can be repeated after an interruption.
func (p *Provider) ensure(ctx context.Context, stack string, c plan.Change, report func(string)) (*plan.Observed, string, error) {
	name := str(c.After, "name")
	topic := str(c.After, "topic_arn")
	if name == "" {
		return nil, "", fmt.Errorf("the change lacks the queue name")
	}
	if !strings.HasPrefix(topic, "arn:") {
		return nil, "", fmt.Errorf("the topic ARN of queue %s is not known yet", name)
	}
	retention, hasRetention, err := retentionSeconds(c.After["retention_days"])
	if err != nil {
		return nil, "", err
	}
	url, justCreated, note, err := p.openQueue(ctx, stack, c, name, retention, hasRetention)
	if err != nil {
		return nil, "", err
	}
	notes := []string{note}
	// A queue just created may answer QueueDoesNotExist for a moment:
	// calls on it are retried then (each is safe to repeat).
	onQueue := func(f func() error) error {
		if !justCreated {
			return f()
		}
		return p.retryNewQueue(ctx, report, name, f)
	}
	var q queue
	if err := onQueue(func() (err error) { q, err = p.queue(ctx, url); return err }); err != nil {
		return nil, "", err
	}
	// The subscription comes first and stale ones go before the policy
	// changes: until then the old policy still names the topics whose
	// subscriptions a run stopped half way would otherwise lose track of.
	sub, msg, err := p.ensureSubscription(ctx, topic, q.arn)
	if err != nil {
		return nil, "", err
	}
	notes = append(notes, msg)
	stale := staleTopics(append(allowedTopics(q.policy, q.arn), str(c.Before, "topic_arn")), topic)
	removed, err := p.removeSubscriptions(ctx, q.arn, stale, str(c.Before, "subscription_arn"), sub)
	if err != nil {
		return nil, "", err
	}
	for _, t := range removed {
		notes = append(notes, "removed the subscription to "+t)
	}
	if set := queueAttributes(q, QueuePolicy(q.arn, topic), retention, hasRetention); set != nil {
		if err := onQueue(func() error {
			_, err := p.api.SetQueueAttributes(ctx, &sqssdk.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: set})
			return err
		}); err != nil {
			return nil, "", fmt.Errorf("setting the attributes of SQS queue %s: %w", name, err)
		}
		if hasRetention {
			q.retention = retention
		}
	}
	return &plan.Observed{
		Addr: c.Addr, Kind: specs.KindSQSQueue, ID: url, Owner: stack,
		Attrs: map[string]any{
			"name": name, "arn": q.arn, "url": url, "retention_days": retentionDays(q.retention),
			"topic_arn": topic, "subscription_arn": sub,
		},
	}, providers.JoinMessages(notes...), nil
}

// openQueue looks the queue name up and creates it when it does not exist,
// or checks that the stack owns it (or adopts it) and tags it with the
// block's address. It returns the queue's URL, whether it was just created,
// and what it did.
func (p *Provider) openQueue(ctx context.Context, stack string, c plan.Change, name string, retention int64, hasRetention bool) (string, bool, string, error) {
	got, err := p.api.GetQueueUrl(ctx, &sqssdk.GetQueueUrlInput{QueueName: aws.String(name)})
	if isNoQueue(err) {
		in := &sqssdk.CreateQueueInput{
			QueueName: aws.String(name),
			Tags:      map[string]string{specs.TagStack: stack, specs.TagAddr: c.Addr},
		}
		if hasRetention {
			in.Attributes = map[string]string{string(sqstypes.QueueAttributeNameMessageRetentionPeriod): strconv.FormatInt(retention, 10)}
		}
		created, err := p.api.CreateQueue(ctx, in)
		if err != nil {
			return "", false, "", fmt.Errorf("creating SQS queue %s: %w", name, err)
		}
		return aws.ToString(created.QueueUrl), true, "created SQS queue " + name, nil
	}
	if err != nil {
		return "", false, "", fmt.Errorf("looking up SQS queue %s: %w", name, err)
	}
	url := aws.ToString(got.QueueUrl)
	tags, err := p.tags(ctx, url)
	if err != nil {
		return "", false, "", err
	}
	mark, err := markQueue(name, tags, stack, c.Addr, c.Adopt)
	if err != nil {
		return "", false, "", err
	}
	if mark.retag {
		if _, err := p.api.TagQueue(ctx, &sqssdk.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{specs.TagAddr: c.Addr, specs.TagStack: stack}}); err != nil {
			return "", false, "", fmt.Errorf("tagging SQS queue %s: %w", name, err)
		}
	}
	if mark.adopt {
		return url, false, "adopted SQS queue " + name + ": tagged " + specs.TagStack + "=" + stack, nil
	}
	return url, false, "", nil
}

// removeSubscriptions unsubscribes the queue from every topic of topics
// (staleTopics), and removes the subscription known (from the plan) unless
// it is keepSub. It returns the topics it unsubscribed the queue from.
func (p *Provider) removeSubscriptions(ctx context.Context, queueARN string, topics []string, known, keepSub string) ([]string, error) {
	var removed []string
	unsubscribe := func(sub string) error {
		if _, err := p.sns.Unsubscribe(ctx, &snssdk.UnsubscribeInput{SubscriptionArn: aws.String(sub)}); err != nil && !isSNSNotFound(err) {
			return fmt.Errorf("removing subscription %s: %w", sub, err)
		}
		return nil
	}
	gone := map[string]bool{}
	for _, t := range topics {
		sub, err := p.subscription(ctx, t, queueARN)
		if err != nil {
			return nil, err
		}
		if sub == "" {
			continue
		}
		if err := unsubscribe(sub); err != nil {
			return nil, err
		}
		gone[sub] = true
		removed = append(removed, t)
	}
	if known != "" && known != keepSub && !gone[known] {
		if err := unsubscribe(known); err != nil {
			return nil, err
		}
	}
	return removed, nil
}

// ensureSubscription finds the topic's subscription for the queue, or makes
// one, and keeps raw message delivery off (SES notifications arrive in the
// SNS envelope).
func (p *Provider) ensureSubscription(ctx context.Context, topic, queueARN string) (string, string, error) {
	sub, err := p.subscription(ctx, topic, queueARN)
	if err != nil {
		return "", "", err
	}
	if sub == "" {
		out, err := p.sns.Subscribe(ctx, &snssdk.SubscribeInput{
			TopicArn:              aws.String(topic),
			Protocol:              aws.String("sqs"),
			Endpoint:              aws.String(queueARN),
			Attributes:            map[string]string{"RawMessageDelivery": "false"},
			ReturnSubscriptionArn: true,
		})
		if err != nil {
			return "", "", fmt.Errorf("subscribing the queue to SNS topic %s: %w", topic, err)
		}
		return aws.ToString(out.SubscriptionArn), "subscribed the queue to " + topic, nil
	}
	raw, err := p.rawDelivery(ctx, sub)
	if err != nil {
		return "", "", err
	}
	if raw {
		if _, err := p.sns.SetSubscriptionAttributes(ctx, &snssdk.SetSubscriptionAttributesInput{
			SubscriptionArn: aws.String(sub), AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("false"),
		}); err != nil {
			return "", "", fmt.Errorf("turning raw delivery off on subscription %s: %w", sub, err)
		}
		return sub, "turned raw message delivery off", nil
	}
	return sub, "", nil
}

// delete removes the subscription, then the queue, if the queue carries the
// stack's mark. A queue that is already gone is not an error.
func (p *Provider) delete(ctx context.Context, stack string, c plan.Change) (string, error) {
	url := c.ID
	if url == "" {
		url = str(c.Before, "url")
	}
	if url == "" {
		return "", fmt.Errorf("the change does not name the queue to delete")
	}
	tags, err := p.tags(ctx, url)
	if isNoQueue(err) {
		return "SQS queue " + queueName(url) + " was already gone", nil
	}
	if err != nil {
		return "", err
	}
	if err := checkOwner(queueName(url), tags, stack); err != nil {
		return "", err
	}
	q, err := p.queue(ctx, url)
	if isNoQueue(err) {
		return "SQS queue " + queueName(url) + " was already gone", nil
	}
	if err != nil {
		return "", err
	}
	topics := staleTopics(append(allowedTopics(q.policy, q.arn), str(c.Before, "topic_arn")), "")
	if _, err := p.removeSubscriptions(ctx, q.arn, topics, str(c.Before, "subscription_arn"), ""); err != nil {
		return "", err
	}
	if _, err := p.api.DeleteQueue(ctx, &sqssdk.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil && !isNoQueue(err) {
		return "", fmt.Errorf("deleting SQS queue %s: %w", queueName(url), err)
	}
	return "deleted SQS queue " + queueName(url) + " (SQS lets a queue of the same name be created again only after 60 seconds)", nil
}

// QueuePolicy lets only the SNS topic topicARN send to the queue queueARN.
func QueuePolicy(queueARN, topicARN string) string {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":       "mailform-sns-send",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "sns.amazonaws.com"},
			"Action":    "sqs:SendMessage",
			"Resource":  queueARN,
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": topicARN}},
		}},
	}
	b, _ := policydoc.Canonical(doc)
	return string(b)
}

// allowedTopics lists the topics a queue policy lets send to queueARN
// through the sns.amazonaws.com service principal.
func allowedTopics(policy, queueARN string) []string {
	var doc map[string]any
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return nil
	}
	var out []string
	for _, st := range policydoc.Statements(doc) {
		m, ok := st.(map[string]any)
		if !ok || m["Effect"] != "Allow" {
			continue
		}
		principal, _ := m["Principal"].(map[string]any)
		if !policydoc.ContainsFold(principal["Service"], "sns.amazonaws.com") || !policydoc.ContainsFold(m["Action"], "sqs:SendMessage") {
			continue
		}
		if r, ok := m["Resource"]; ok && !policydoc.ContainsFold(r, queueARN) {
			continue
		}
		cond, _ := m["Condition"].(map[string]any)
		for op, kv := range cond {
			if !strings.EqualFold(op, "ArnEquals") && !strings.EqualFold(op, "ArnLike") && !strings.EqualFold(op, "StringEquals") {
				continue
			}
			kvm, _ := kv.(map[string]any)
			for k, v := range kvm {
				if !strings.EqualFold(k, "aws:SourceArn") {
					continue
				}
				out = append(out, policydoc.Strings(v)...)
			}
		}
	}
	sort.Strings(out)
	return out
}

// retentionSeconds converts the desired retention_days. SQS keeps messages
// from 60 seconds to 14 days.
func retentionSeconds(v any) (int64, bool, error) {
	var days int64
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case int:
		days = int64(x)
	case int64:
		days = x
	case float64:
		days = int64(x)
		if float64(days) != x {
			return 0, false, fmt.Errorf("retention_days must be a whole number of days, not %v", x)
		}
	default:
		return 0, false, fmt.Errorf("retention_days must be a number of days, not %T", v)
	}
	if days < 1 || days > 14 {
		return 0, false, fmt.Errorf("retention_days must be 1 to 14 (SQS keeps messages at most 14 days), not %d", days)
	}
	return days * daySeconds, true, nil
}

// retentionDays reports seconds as whole days when they are, else as a
// fraction, so that a retention set outside mailform shows as drift.
func retentionDays(seconds int64) any {
	if seconds%daySeconds == 0 {
		return seconds / daySeconds
	}
	return float64(seconds) / daySeconds
}

func checkOwner(name string, tags map[string]string, stack string) error {
	switch owner := tags[specs.TagStack]; {
	case owner == stack:
		return nil
	case owner == "":
		return fmt.Errorf("SQS queue %s exists and is not mailform's (no %s tag): adopt it or choose another name", name, specs.TagStack)
	default:
		return fmt.Errorf("SQS queue %s belongs to mailform stack %q, not %q", name, owner, stack)
	}
}

func queueName(url string) string {
	if i := strings.LastIndexByte(url, '/'); i >= 0 {
		return url[i+1:]
	}
	return url
}

func isNoQueue(err error) bool {
	var nq *sqstypes.QueueDoesNotExist
	return errors.As(err, &nq)
}

func isSNSNotFound(err error) bool {
	var nf *snstypes.NotFoundException
	var rnf *snstypes.ResourceNotFoundException
	return errors.As(err, &nf) || errors.As(err, &rnf)
}

func str(attrs map[string]any, key string) string {
	s, _ := attrs[key].(string)
	return s
}

// retryNewQueue calls f, a call on the queue name created moments ago,
// again while it answers QueueDoesNotExist, for up to p.newQueueWait.
func (p *Provider) retryNewQueue(ctx context.Context, report func(string), name string, f func() error) error {
	wait := p.newQueueWait
	if wait <= 0 {
		wait = DefaultNewQueueWait
	}
	start := time.Now()
	pause := 250 * time.Millisecond
	for {
		err := f()
		if !isNoQueue(err) {
			return err
		}
		waited := time.Since(start)
		if waited+pause > wait {
			return fmt.Errorf("SQS queue %s, created moments ago, still does not exist after %s: %w", name, waited.Round(time.Second), err)
		}
		report(fmt.Sprintf("waiting for new SQS queue %s to be usable (SQS needs at least a second after CreateQueue)", name))
		if err := awscfg.Sleep(ctx, pause); err != nil {
			return err
		}
		if pause < 2*time.Second {
			pause *= 2
		}
	}
}
