package sns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mailform/mailform/internal/policydoc"
)

// StatementID is the Sid of mailform's statement in a topic policy.
const StatementID = "mailform-ses-publish"

// sesStatement lets SES publish to the topic, only on behalf of account.
func sesStatement(arn, account string) map[string]any {
	return map[string]any{
		"Sid":       StatementID,
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": "ses.amazonaws.com"},
		"Action":    "sns:Publish",
		"Resource":  arn,
		"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceAccount": account}},
	}
}

// defaultPolicy is the policy SNS gives a new topic: the owning account may
// manage and use it.
func defaultPolicy(arn, account string) string {
	doc := map[string]any{
		"Version": "2008-10-17",
		"Id":      "__default_policy_ID",
		"Statement": []any{map[string]any{
			"Sid":       "__default_statement_ID",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": "*"},
			"Action": []any{
				"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
				"SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish",
			},
			"Resource":  arn,
			"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceOwner": account}},
		}},
	}
	b, _ := policydoc.Canonical(doc)
	return string(b)
}

// CloudWatchStatementID is the Sid of mailform's statement letting the
// account's CloudWatch alarms publish to the topic.
const CloudWatchStatementID = "mailform-cloudwatch-publish"

// cloudWatchStatement lets CloudWatch alarms of account, and of no other
// account, publish to the topic (CloudWatch User Guide, "Confused deputy
// prevention": aws:SourceArn of the alarms, aws:SourceAccount).
func cloudWatchStatement(arn, account string) map[string]any {
	parts := strings.SplitN(arn, ":", 5) // arn:PARTITION:sns:REGION:...
	alarms := "arn:aws:cloudwatch:*:" + account + ":alarm:*"
	if len(parts) == 5 {
		alarms = fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:*", parts[1], parts[3], account)
	}
	return map[string]any{
		"Sid":       CloudWatchStatementID,
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
		"Action":    "sns:Publish",
		"Resource":  arn,
		"Condition": map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": alarms},
			"StringEquals": map[string]any{"aws:SourceAccount": account},
		},
	}
}

// Grants says which services mailform lets publish to a topic.
type Grants struct {
	SES        bool // SES feedback notifications and event destinations
	CloudWatch bool // the stack's reputation alarms
}

// TopicPolicy returns the policy the topic should have: the statements of
// existing other than mailform's, plus mailform's SES statement when
// sesPublish. A policy left without statements becomes the SNS default.
func TopicPolicy(existing, arn, account string, sesPublish bool) (string, error) {
	return TopicPolicyFor(existing, arn, account, Grants{SES: sesPublish})
}

// TopicPolicyFor is TopicPolicy with every grant mailform may make.
func TopicPolicyFor(existing, arn, account string, g Grants) (string, error) {
	doc := map[string]any{}
	if strings.TrimSpace(existing) != "" {
		if err := json.Unmarshal([]byte(existing), &doc); err != nil {
			return "", fmt.Errorf("the topic policy is not JSON: %w", err)
		}
	}
	var kept []any
	for _, st := range policydoc.Statements(doc) {
		if m, ok := st.(map[string]any); ok && (m["Sid"] == StatementID || m["Sid"] == CloudWatchStatementID) {
			continue
		}
		kept = append(kept, st)
	}
	if g.SES {
		kept = append(kept, sesStatement(arn, account))
	}
	if g.CloudWatch {
		kept = append(kept, cloudWatchStatement(arn, account))
	}
	if len(kept) == 0 {
		return defaultPolicy(arn, account), nil
	}
	if doc["Version"] == nil {
		doc["Version"] = "2012-10-17"
	}
	doc["Statement"] = kept
	b, err := policydoc.Canonical(doc)
	return string(b), err
}

// GrantsSESPublish reports whether a topic policy lets SES publish on behalf
// of account: an Allow statement for the ses.amazonaws.com service principal
// with sns:Publish, conditioned on AWS:SourceAccount = account.
func GrantsSESPublish(policy, account string) bool {
	var doc map[string]any
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	for _, st := range policydoc.Statements(doc) {
		m, ok := st.(map[string]any)
		if !ok || m["Effect"] != "Allow" {
			continue
		}
		principal, _ := m["Principal"].(map[string]any)
		if !policydoc.ContainsFold(principal["Service"], "ses.amazonaws.com") || !policydoc.ContainsFold(m["Action"], "sns:Publish") {
			continue
		}
		cond, _ := m["Condition"].(map[string]any)
		eq, _ := cond["StringEquals"].(map[string]any)
		for k, v := range eq {
			if strings.EqualFold(k, "aws:SourceAccount") && policydoc.ContainsFold(v, account) {
				return true
			}
		}
	}
	return false
}

// GrantsCloudWatchPublish reports whether a topic policy holds mailform's
// statement letting the account's CloudWatch alarms publish.
func GrantsCloudWatchPublish(policy, account string) bool {
	var doc map[string]any
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	want, _ := policydoc.Canonical(cloudWatchStatement(policyResource(doc), account))
	for _, st := range policydoc.Statements(doc) {
		if got, err := policydoc.Canonical(st); err == nil && bytes.Equal(got, want) {
			return true
		}
	}
	return false
}

// policyResource is the topic ARN a policy's statements name.
func policyResource(doc map[string]any) string {
	for _, st := range policydoc.Statements(doc) {
		if m, ok := st.(map[string]any); ok {
			if r, ok := m["Resource"].(string); ok {
				return r
			}
		}
	}
	return ""
}
