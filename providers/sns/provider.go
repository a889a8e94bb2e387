// Package sns is mailform's provider for SNS topics (kind sns.topic) that SES
// publishes bounce, complaint and delivery notifications to: the topic,
// tagged with the stack's mark at creation, and its policy statement letting
// SES of this account (and no other) publish.
//
// It never decides what should change (plan does) and never changes or
// deletes a topic that does not carry the stack's mark. Statements of a topic
// policy other than mailform's own are kept as they are.
package sns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	snssdk "github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/policydoc"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// API is the part of the SNS client the provider uses.
type API interface {
	ListTopics(ctx context.Context, in *snssdk.ListTopicsInput, optFns ...func(*snssdk.Options)) (*snssdk.ListTopicsOutput, error)
	CreateTopic(ctx context.Context, in *snssdk.CreateTopicInput, optFns ...func(*snssdk.Options)) (*snssdk.CreateTopicOutput, error)
	DeleteTopic(ctx context.Context, in *snssdk.DeleteTopicInput, optFns ...func(*snssdk.Options)) (*snssdk.DeleteTopicOutput, error)
	GetTopicAttributes(ctx context.Context, in *snssdk.GetTopicAttributesInput, optFns ...func(*snssdk.Options)) (*snssdk.GetTopicAttributesOutput, error)
	SetTopicAttributes(ctx context.Context, in *snssdk.SetTopicAttributesInput, optFns ...func(*snssdk.Options)) (*snssdk.SetTopicAttributesOutput, error)
	ListTagsForResource(ctx context.Context, in *snssdk.ListTagsForResourceInput, optFns ...func(*snssdk.Options)) (*snssdk.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, in *snssdk.TagResourceInput, optFns ...func(*snssdk.Options)) (*snssdk.TagResourceOutput, error)
}

// STSAPI is the part of the STS client the provider uses: the account that
// SES must publish from.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Provider reads and changes SNS topics. One Provider serves one run: it asks
// STS for the account once and remembers it.
type Provider struct {
	api    API
	sts    STSAPI
	region string

	mu        sync.Mutex
	account   string
	partition string
}

// New builds the provider on the real SNS and STS clients.
func New(cfg aws.Config) *Provider {
	return NewWithAPI(snssdk.NewFromConfig(cfg), sts.NewFromConfig(cfg), cfg.Region)
}

// NewWithAPI builds the provider on any implementations of the APIs; region
// is the clients' region (topic ARNs are built from it).
func NewWithAPI(api API, stsClient STSAPI, region string) *Provider {
	return &Provider{api: api, sts: stsClient, region: region}
}

var _ providers.Provider = (*Provider)(nil)

// Kinds implements providers.Provider.
func (p *Provider) Kinds() []specs.Kind { return []specs.Kind{specs.KindSNSTopic} }

// identity returns the account and partition of the credentials, asking STS
// once per Provider.
func (p *Provider) identity(ctx context.Context) (account, partition string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.account != "" {
		return p.account, p.partition, nil
	}
	out, err := p.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", "", fmt.Errorf("asking STS for the account: %w", err)
	}
	caller := awscfg.CallerOf(out)
	p.account, p.partition = caller.Account, caller.Partition
	return p.account, p.partition, nil
}

// Read implements providers.Provider. Topic names are "<stack>-<label>"
// (docs/resources.md), so one paginated ListTopics finds every candidate:
// names with the stack's prefix, and names a desired resource gives. Each
// candidate then costs one ListTagsForResource, and each owned or desired
// topic one GetTopicAttributes (its policy).
func (p *Provider) Read(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	want := map[string]specs.Resource{}
	for _, r := range desired {
		if r.Kind == specs.KindSNSTopic {
			want[str(r.Attrs, "name")] = r
		}
	}
	var arns []string
	pages := snssdk.NewListTopicsPaginator(p.api, &snssdk.ListTopicsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing SNS topics: %w", err)
		}
		for _, t := range page.Topics {
			arn := aws.ToString(t.TopicArn)
			name := topicName(arn)
			if _, ok := want[name]; ok || strings.HasPrefix(name, stack+"-") {
				arns = append(arns, arn)
			}
		}
	}
	// ListTopics may not yet show a topic created moments ago: a desired
	// topic missing from it is looked up by its ARN.
	for _, name := range specs.SortedKeys(want) {
		if name == "" || slices.ContainsFunc(arns, func(a string) bool { return topicName(a) == name }) {
			continue
		}
		account, partition, err := p.identity(ctx)
		if err != nil {
			return nil, err
		}
		arn := fmt.Sprintf("arn:%s:sns:%s:%s:%s", partition, p.region, account, name)
		_, err = p.api.GetTopicAttributes(ctx, &snssdk.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		switch {
		case isNotFound(err):
			continue
		case err != nil:
			return nil, fmt.Errorf("%s: looking up SNS topic %s: %w", want[name].Addr, arn, err)
		}
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	var out []plan.Observed
	for _, arn := range arns {
		name := topicName(arn)
		tags, err := p.tags(ctx, arn)
		if err != nil {
			return nil, err
		}
		r, wanted := want[name]
		owner := tags[specs.TagStack]
		if owner != stack && !wanted {
			continue
		}
		addr := r.Addr
		if owner == stack && tags[specs.TagAddr] != "" {
			addr = tags[specs.TagAddr]
		}
		policy, err := p.policy(ctx, arn)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", addr, err)
		}
		account, _, err := p.identity(ctx)
		if err != nil {
			return nil, err
		}
		attrs := map[string]any{"name": name, "arn": arn, "ses_publish": GrantsSESPublish(policy, account)}
		if GrantsCloudWatchPublish(policy, account) {
			// Reported only when granted: a spec asks for it only of the
			// topics its alarms notify.
			attrs["cloudwatch_publish"] = true
		}
		out = append(out, plan.Observed{Addr: addr, Kind: specs.KindSNSTopic, ID: arn, Owner: owner, Attrs: attrs})
	}
	return out, nil
}

func (p *Provider) tags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := p.api.ListTagsForResource(ctx, &snssdk.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("reading the tags of SNS topic %s: %w", arn, err)
	}
	tags := make(map[string]string, len(out.Tags))
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// policy returns the topic's policy document ("" when it has none).
func (p *Provider) policy(ctx context.Context, arn string) (string, error) {
	out, err := p.api.GetTopicAttributes(ctx, &snssdk.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("reading the attributes of SNS topic %s: %w", arn, err)
	}
	return out.Attributes["Policy"], nil
}

// Apply implements providers.Provider.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) []providers.Result {
	return providers.ApplyEach(req, providers.Steps{
		Noun:   "a topic",
		Ensure: func(c plan.Change) (*plan.Observed, string, error) { return p.ensure(ctx, req.Stack, c) },
		Delete: func(c plan.Change) (string, error) {
			arn := c.ID
			if arn == "" {
				arn = str(c.Before, "arn")
			}
			return p.delete(ctx, req.Stack, arn)
		},
		Renamed: func(c plan.Change) bool { return c.ID != "" && topicName(c.ID) != str(c.After, "name") },
	})
}

// ensure makes the topic exist with the stack's mark and the wanted policy.
// It looks the topic up by its ARN first, so that a topic mailform does not
// own is never taken over by CreateTopic's idempotence.
func (p *Provider) ensure(ctx context.Context, stack string, c plan.Change) (*plan.Observed, string, error) {
	name := str(c.After, "name")
	if name == "" {
		return nil, "", fmt.Errorf("the change lacks the topic name")
	}
	sesPublish := true
	if b, ok := c.After["ses_publish"].(bool); ok {
		sesPublish = b
	}
	account, partition, err := p.identity(ctx)
	if err != nil {
		return nil, "", err
	}
	arn := fmt.Sprintf("arn:%s:sns:%s:%s:%s", partition, p.region, account, name)
	var msg string
	current, err := p.api.GetTopicAttributes(ctx, &snssdk.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	switch {
	case isNotFound(err):
		created, err := p.api.CreateTopic(ctx, &snssdk.CreateTopicInput{
			Name: aws.String(name),
			Tags: []snstypes.Tag{
				{Key: aws.String(specs.TagAddr), Value: aws.String(c.Addr)},
				{Key: aws.String(specs.TagStack), Value: aws.String(stack)},
			},
		})
		if err != nil {
			return nil, "", fmt.Errorf("creating SNS topic %s: %w", name, err)
		}
		arn = aws.ToString(created.TopicArn)
		current = &snssdk.GetTopicAttributesOutput{Attributes: map[string]string{"Policy": defaultPolicy(arn, account)}}
		msg = "created SNS topic " + arn
	case err != nil:
		return nil, "", fmt.Errorf("reading SNS topic %s: %w", arn, err)
	default:
		tags, err := p.tags(ctx, arn)
		if err != nil {
			return nil, "", err
		}
		adopt := c.Adopt && tags[specs.TagStack] == ""
		if !adopt {
			if err := checkOwner(arn, tags, stack); err != nil {
				return nil, "", err
			}
		}
		if tags[specs.TagAddr] != c.Addr || adopt {
			if _, err := p.api.TagResource(ctx, &snssdk.TagResourceInput{ResourceArn: aws.String(arn), Tags: []snstypes.Tag{
				{Key: aws.String(specs.TagAddr), Value: aws.String(c.Addr)},
				{Key: aws.String(specs.TagStack), Value: aws.String(stack)},
			}}); err != nil {
				return nil, "", fmt.Errorf("tagging SNS topic %s: %w", arn, err)
			}
		}
		if adopt {
			msg = "adopted SNS topic " + arn + ": tagged " + specs.TagStack + "=" + stack
		}
	}
	have := current.Attributes["Policy"]
	cloudWatchPublish, _ := c.After["cloudwatch_publish"].(bool)
	wantPolicy, err := TopicPolicyFor(have, arn, account, Grants{SES: sesPublish, CloudWatch: cloudWatchPublish})
	if err != nil {
		return nil, "", fmt.Errorf("SNS topic %s: %w", arn, err)
	}
	if !policydoc.Same(have, wantPolicy) {
		if _, err := p.api.SetTopicAttributes(ctx, &snssdk.SetTopicAttributesInput{
			TopicArn: aws.String(arn), AttributeName: aws.String("Policy"), AttributeValue: aws.String(wantPolicy),
		}); err != nil {
			return nil, "", fmt.Errorf("setting the policy of SNS topic %s: %w", arn, err)
		}
	}
	attrs := map[string]any{"name": name, "arn": arn, "ses_publish": sesPublish}
	if cloudWatchPublish {
		attrs["cloudwatch_publish"] = true
	}
	return &plan.Observed{Addr: c.Addr, Kind: specs.KindSNSTopic, ID: arn, Owner: stack, Attrs: attrs}, msg, nil
}

// delete removes a topic that carries the stack's mark (AWS removes its
// subscriptions with it). A topic that is already gone is not an error.
func (p *Provider) delete(ctx context.Context, stack, arn string) (string, error) {
	if arn == "" {
		return "", fmt.Errorf("the change does not name the topic to delete")
	}
	tags, err := p.tags(ctx, arn)
	if isNotFound(err) {
		return "SNS topic " + arn + " was already gone", nil
	}
	if err != nil {
		return "", err
	}
	if err := checkOwner(arn, tags, stack); err != nil {
		return "", err
	}
	if _, err := p.api.DeleteTopic(ctx, &snssdk.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
		return "", fmt.Errorf("deleting SNS topic %s: %w", arn, err)
	}
	return "deleted SNS topic " + arn, nil
}

func checkOwner(arn string, tags map[string]string, stack string) error {
	switch owner := tags[specs.TagStack]; {
	case owner == stack:
		return nil
	case owner == "":
		return fmt.Errorf("SNS topic %s exists and is not mailform's (no %s tag): adopt it or choose another name", arn, specs.TagStack)
	default:
		return fmt.Errorf("SNS topic %s belongs to mailform stack %q, not %q", arn, owner, stack)
	}
}

func topicName(arn string) string {
	if i := strings.LastIndexByte(arn, ':'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func str(attrs map[string]any, key string) string {
	s, _ := attrs[key].(string)
	return s
}

func isNotFound(err error) bool {
	var nf *snstypes.NotFoundException
	var rnf *snstypes.ResourceNotFoundException
	return errors.As(err, &nf) || errors.As(err, &rnf)
}
