package kinds

import "github.com/mailform/mailform/specs"

// SQSQueue is an SQS queue, its policy, and its subscription to its topic
// (providers/sqs).
var SQSQueue = declare(&Schema{
	Kind: specs.KindSQSQueue,
	Attrs: []Attr{
		{Name: "name", Type: String, Replaces: true},
		{Name: "retention_days", Type: Number}, // fractional for a queue whose retention is not whole days
		{Name: "topic_arn", Type: String},
		{Name: "arn", Type: String, Observed: true},
		{Name: "url", Type: String, Observed: true},
		{Name: "subscription_arn", Type: String, Observed: true},
	},
	Identity: []string{"name"},
	Actions: map[Access][]string{
		Read: {
			"sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic",
			"sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags", "sqs:ListQueues",
		},
		Create: {
			"sns:SetSubscriptionAttributes", "sns:Subscribe",
			"sqs:CreateQueue", "sqs:SetQueueAttributes", "sqs:TagQueue",
		},
		Update: {
			"sns:SetSubscriptionAttributes", "sns:Subscribe", "sns:Unsubscribe",
			"sqs:SetQueueAttributes", "sqs:TagQueue",
		},
		Delete: {"sns:Unsubscribe", "sqs:DeleteQueue"},
	},
})
