package kinds

import "github.com/mailform/mailform/specs"

// CloudWatchAlarm is a CloudWatch alarm on an SES reputation metric
// (providers/cloudwatch). PutMetricAlarm overwrites every setting but the
// name in place.
var CloudWatchAlarm = declare(&Schema{
	Kind: specs.KindAlarm,
	Attrs: []Attr{
		{Name: "name", Type: String, Replaces: true},
		{Name: "description", Type: String},
		{Name: "namespace", Type: String},
		{Name: "metric", Type: String},
		{Name: "statistic", Type: String},
		{Name: "comparison", Type: String},
		{Name: "threshold", Type: String},
		{Name: "period", Type: Int},
		{Name: "evaluation_periods", Type: Int},
		{Name: "treat_missing_data", Type: String},
		{Name: "alarm_actions", Type: StringList},
		{Name: "arn", Type: String, Observed: true},
		{Name: "state", Type: String, Observed: true},
	},
	Identity: []string{"name"},
	Actions: map[Access][]string{
		Read:   {"cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"},
		Create: {"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"},
		Update: {"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"},
		Delete: {"cloudwatch:DeleteAlarms"},
	},
})
