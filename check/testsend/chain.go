package testsend

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/mailform/mailform/internal/policydoc"
)

// Link IDs.
const linkIdentity = "identity"

func linkIdentityTopic(notificationType string) string { return "identity-topic:" + notificationType }
func linkDestination(name string) string               { return "event-destination:" + name }
func linkTopic(name string) string                     { return "topic:" + name }
func linkQueue(name string) string                     { return "queue:" + name }
func linkSubscription(topic, queue string) string      { return "subscription:" + topic + "->" + queue }
func linkPolicy(topic, queue string) string            { return "queue-policy:" + topic + "->" + queue }

// chain is what inspectChain found.
type chain struct {
	links    []Link
	byID     map[string]int
	verified bool
	topicARN map[string]string // topic name -> ARN, for topics that exist
	queueURL map[string]string // queue name -> URL, for queues that exist
}

func (c *chain) add(id string, ok bool, format string, args ...any) {
	if _, seen := c.byID[id]; seen {
		return
	}
	c.byID[id] = len(c.links)
	c.links = append(c.links, Link{ID: id, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

func (c *chain) link(id string) Link {
	if i, ok := c.byID[id]; ok {
		return c.links[i]
	}
	return Link{ID: id}
}

// firstBroken returns the first link of ids that is broken, or nil.
func (c *chain) firstBroken(ids []string) *Link {
	for _, id := range ids {
		if i, ok := c.byID[id]; ok && !c.links[i].OK {
			return &c.links[i]
		}
	}
	return nil
}

// intact reports whether every link of ids was checked and is fine.
func (c *chain) intact(ids []string) bool {
	for _, id := range ids {
		i, ok := c.byID[id]
		if !ok || !c.links[i].OK {
			return false
		}
	}
	return true
}

// inspectChain reads every link between the identity and the queues the
// spec names, in the order a notification travels.
func inspectChain(ctx context.Context, c Clients, setup Setup) (*chain, error) {
	ch := &chain{byID: map[string]int{}, topicARN: map[string]string{}, queueURL: map[string]string{}}

	// 1. The identity exists and is verified.
	id, err := c.SESv2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(setup.Identity)})
	var notFound *sestypes.NotFoundException
	switch {
	case errors.As(err, &notFound):
		ch.add(linkIdentity, false, "identity %s does not exist in SES in %s: run 'mailform apply'", setup.Identity, setup.Region)
	case err != nil:
		return nil, fmt.Errorf("reading SES identity %s: %w", setup.Identity, err)
	case !id.VerifiedForSendingStatus:
		dkim := "not set up"
		if id.DkimAttributes != nil {
			dkim = string(id.DkimAttributes.Status)
		}
		ch.add(linkIdentity, false, "identity %s is not verified (verification %s, DKIM %s): publish its DNS records and wait with 'mailform apply -wait'",
			setup.Identity, id.VerificationStatus, dkim)
	default:
		ch.verified = true
		ch.add(linkIdentity, true, "identity %s is verified for sending", setup.Identity)
	}

	// 2. The topics the spec names exist.
	topics := map[string]bool{}
	for _, t := range setup.IdentityTopics {
		topics[t] = true
	}
	for _, ed := range setup.EventDestinations {
		topics[ed.Topic] = true
	}
	if len(topics) > 0 {
		p := sns.NewListTopicsPaginator(c.SNS, &sns.ListTopicsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("listing SNS topics: %w", err)
			}
			for _, t := range page.Topics {
				arn := aws.ToString(t.TopicArn)
				if name := arn[strings.LastIndex(arn, ":")+1:]; topics[name] {
					ch.topicARN[name] = arn
				}
			}
		}
	}

	// 3. The identity's notification topics (SES v1 settings).
	if len(setup.IdentityTopics) > 0 && id != nil {
		out, err := c.SESv1.GetIdentityNotificationAttributes(ctx, &sesv1.GetIdentityNotificationAttributesInput{Identities: []string{setup.Identity}})
		if err != nil {
			return nil, fmt.Errorf("reading the notification topics of %s: %w", setup.Identity, err)
		}
		attrs := out.NotificationAttributes[setup.Identity]
		live := map[string]string{"Bounce": aws.ToString(attrs.BounceTopic), "Complaint": aws.ToString(attrs.ComplaintTopic), "Delivery": aws.ToString(attrs.DeliveryTopic)}
		for _, typ := range slices.Sorted(maps.Keys(setup.IdentityTopics)) {
			want := setup.IdentityTopics[typ]
			got := live[typ]
			switch {
			case got == "":
				ch.add(linkIdentityTopic(typ), false, "identity %s has no topic for %s notifications (SES emails them to the sender instead): run 'mailform apply'", setup.Identity, strings.ToLower(typ))
			case !strings.HasSuffix(got, ":"+want):
				ch.add(linkIdentityTopic(typ), false, "identity %s sends %s notifications to %s, not to topic %s: run 'mailform apply'", setup.Identity, strings.ToLower(typ), got, want)
			default:
				ch.add(linkIdentityTopic(typ), true, "identity %s sends %s notifications to topic %s", setup.Identity, strings.ToLower(typ), want)
			}
		}
	}

	// 4. The configuration set's event destinations.
	if setup.ConfigurationSet != "" && len(setup.EventDestinations) > 0 {
		out, err := c.SESv2.GetConfigurationSetEventDestinations(ctx, &sesv2.GetConfigurationSetEventDestinationsInput{ConfigurationSetName: aws.String(setup.ConfigurationSet)})
		live := map[string]sestypes.EventDestination{}
		switch {
		case errors.As(err, &notFound):
		case err != nil:
			return nil, fmt.Errorf("reading the event destinations of configuration set %s: %w", setup.ConfigurationSet, err)
		default:
			for _, ed := range out.EventDestinations {
				live[aws.ToString(ed.Name)] = ed
			}
		}
		for _, want := range setup.EventDestinations {
			got, found := live[want.Name]
			var liveTypes []string
			for _, t := range got.MatchingEventTypes {
				liveTypes = append(liveTypes, string(t))
			}
			var lacking []string
			for _, t := range want.Types {
				if !slices.Contains(liveTypes, t) {
					lacking = append(lacking, t)
				}
			}
			id := linkDestination(want.Name)
			switch {
			case err != nil:
				ch.add(id, false, "configuration set %s does not exist: run 'mailform apply'", setup.ConfigurationSet)
			case !found:
				ch.add(id, false, "configuration set %s has no event destination %s: run 'mailform apply'", setup.ConfigurationSet, want.Name)
			case !got.Enabled:
				ch.add(id, false, "event destination %s of configuration set %s is disabled", want.Name, setup.ConfigurationSet)
			case got.SnsDestination == nil || !strings.HasSuffix(aws.ToString(got.SnsDestination.TopicArn), ":"+want.Topic):
				ch.add(id, false, "event destination %s of configuration set %s does not publish to topic %s", want.Name, setup.ConfigurationSet, want.Topic)
			case len(lacking) > 0:
				ch.add(id, false, "event destination %s of configuration set %s lacks the event types %s: run 'mailform apply'", want.Name, setup.ConfigurationSet, strings.Join(lacking, ", "))
			default:
				ch.add(id, true, "event destination %s of configuration set %s publishes %s to topic %s", want.Name, setup.ConfigurationSet, strings.Join(want.Types, ", "), want.Topic)
			}
		}
	}

	// 5. Each topic, its queue, the subscription and the queue's policy.
	for _, topic := range slices.Sorted(maps.Keys(topics)) {
		arn, ok := ch.topicARN[topic]
		if !ok {
			ch.add(linkTopic(topic), false, "topic %s does not exist in %s: run 'mailform apply'", topic, setup.Region)
		} else {
			ch.add(linkTopic(topic), true, "topic %s exists", topic)
		}
		queue := setup.Queues[topic]
		if queue == "" {
			continue
		}
		qurl, err := c.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(queue)})
		var noQueue *sqstypes.QueueDoesNotExist
		if errors.As(err, &noQueue) {
			ch.add(linkQueue(queue), false, "queue %s does not exist in %s: run 'mailform apply'", queue, setup.Region)
			continue
		} else if err != nil {
			return nil, fmt.Errorf("finding queue %s: %w", queue, err)
		}
		ch.queueURL[queue] = aws.ToString(qurl.QueueUrl)
		ch.add(linkQueue(queue), true, "queue %s exists", queue)
		attrs, err := c.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qurl.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNamePolicy}})
		if err != nil {
			return nil, fmt.Errorf("reading the attributes of queue %s: %w", queue, err)
		}
		if !ok {
			continue
		}
		queueARN := attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
		subscribed, err := isSubscribed(ctx, c.SNS, arn, queueARN)
		if err != nil {
			return nil, err
		}
		if subscribed {
			ch.add(linkSubscription(topic, queue), true, "queue %s is subscribed to topic %s", queue, topic)
		} else {
			ch.add(linkSubscription(topic, queue), false, "queue %s is not subscribed to topic %s: run 'mailform apply'", queue, topic)
		}
		if policyAllows(attrs.Attributes[string(sqstypes.QueueAttributeNamePolicy)], arn) {
			ch.add(linkPolicy(topic, queue), true, "the policy of queue %s lets topic %s send", queue, topic)
		} else {
			ch.add(linkPolicy(topic, queue), false, "the policy of queue %s does not let topic %s send (sqs:SendMessage for sns.amazonaws.com with aws:SourceArn %s): run 'mailform apply'", queue, topic, arn)
		}
	}
	return ch, nil
}

func isSubscribed(ctx context.Context, api SNSAPI, topicARN, queueARN string) (bool, error) {
	p := sns.NewListSubscriptionsByTopicPaginator(api, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("listing the subscriptions of %s: %w", topicARN, err)
		}
		for _, s := range page.Subscriptions {
			if aws.ToString(s.Protocol) == "sqs" && aws.ToString(s.Endpoint) == queueARN {
				return true, nil
			}
		}
	}
	return false, nil
}

// policyAllows reports whether a queue policy lets the SNS topic topicARN
// send messages to the queue: an Allow statement for sqs:SendMessage whose
// principal is SNS (or anyone) and whose aws:SourceArn condition, if any,
// matches the topic.
func policyAllows(policy, topicARN string) bool {
	if policy == "" {
		return false
	}
	var doc struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	type statement struct {
		Effect    string
		Principal any
		Action    any
		Condition map[string]map[string]any
	}
	var stmts []statement
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one statement
		if json.Unmarshal(doc.Statement, &one) != nil {
			return false
		}
		stmts = []statement{one}
	}
	denied, allowed := false, false
	for _, s := range stmts {
		if !matchesAny(strings.ToLower, policydoc.Strings(s.Action), "sqs:sendmessage") || !principalIsSNS(s.Principal) || !sourceMatches(s.Condition, topicARN) {
			continue
		}
		switch s.Effect {
		case "Allow":
			allowed = true
		case "Deny":
			denied = true
		}
	}
	return allowed && !denied
}

func principalIsSNS(p any) bool {
	switch v := p.(type) {
	case string:
		return v == "*"
	case map[string]any:
		return slices.Contains(policydoc.Strings(v["Service"]), "sns.amazonaws.com") || slices.Contains(policydoc.Strings(v["AWS"]), "*")
	}
	return false
}

// sourceMatches checks the aws:SourceArn conditions of a statement; a
// statement without one applies to every source.
func sourceMatches(cond map[string]map[string]any, arn string) bool {
	for op, keys := range cond {
		for key, values := range keys {
			if !strings.EqualFold(key, "aws:SourceArn") {
				continue
			}
			vs := policydoc.Strings(values)
			switch strings.ToLower(op) {
			case "arnequals", "stringequals":
				if !slices.Contains(vs, arn) {
					return false
				}
			case "arnlike", "stringlike":
				if !matchesAny(func(s string) string { return s }, vs, arn) {
					return false
				}
			}
		}
	}
	return true
}

// matchesAny reports whether s matches one of the IAM patterns (with * and ?).
func matchesAny(norm func(string) string, patterns []string, s string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ReplaceAll(norm(p), "/", "\x00"), strings.ReplaceAll(norm(s), "/", "\x00")); ok {
			return true
		}
	}
	return false
}
