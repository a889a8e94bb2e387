package kinds

import "github.com/mailform/mailform/specs"

// SNSTopic is an SNS topic and its policy (providers/sns).
var SNSTopic = declare(&Schema{
	Kind: specs.KindSNSTopic,
	Attrs: []Attr{
		{Name: "name", Type: String, Replaces: true},
		{Name: "ses_publish", Type: Bool},
		{Name: "cloudwatch_publish", Type: Bool},
		{Name: "arn", Type: String, Observed: true},
	},
	Identity: []string{"name"},
	Actions: map[Access][]string{
		Read:   {"sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:ListTopics"},
		Create: {"sns:CreateTopic", "sns:SetTopicAttributes", "sns:TagResource"},
		Update: {"sns:SetTopicAttributes", "sns:TagResource"},
		Delete: {"sns:DeleteTopic"},
	},
})
