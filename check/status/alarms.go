package status

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// AlarmsAPI is the part of the CloudWatch client status uses.
type AlarmsAPI interface {
	DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

// The account-wide reputation metrics of SES (namespace AWS/SES, no
// dimension), which SES publishes as fractions (0.05 is 5%).
const (
	ReputationNamespace = "AWS/SES"
	BounceRateMetric    = "Reputation.BounceRate"
	ComplaintRateMetric = "Reputation.ComplaintRate"
)

// Alarm is a CloudWatch alarm on one of the account's reputation metrics,
// whoever made it.
type Alarm struct {
	Name      string  `json:"name"`
	State     string  `json:"state"`     // OK, ALARM or INSUFFICIENT_DATA
	Threshold float64 `json:"threshold"` // a fraction, as the metric
	Actions   int     `json:"actions"`   // how many actions it takes when it fires
}

// ReputationAlarms lists, by metric, the metric alarms of the account that
// watch its account-wide reputation metrics, sorted by name. Alarms on a
// configuration set's metrics (with a dimension) are left out.
func ReputationAlarms(ctx context.Context, api AlarmsAPI) (map[string][]Alarm, error) {
	out := map[string][]Alarm{}
	pages := cloudwatch.NewDescribeAlarmsPaginator(api, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing CloudWatch alarms: %w", err)
		}
		for _, a := range page.MetricAlarms {
			metric := aws.ToString(a.MetricName)
			if aws.ToString(a.Namespace) != ReputationNamespace || len(a.Dimensions) > 0 || (metric != BounceRateMetric && metric != ComplaintRateMetric) {
				continue
			}
			out[metric] = append(out[metric], Alarm{
				Name: aws.ToString(a.AlarmName), State: string(a.StateValue),
				Threshold: aws.ToFloat64(a.Threshold), Actions: len(a.AlarmActions),
			})
		}
	}
	for _, list := range out {
		sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	}
	return out, nil
}

// ReadAlarms adds to r the alarms that watch its bounce and complaint rates.
func ReadAlarms(ctx context.Context, api AlarmsAPI, r *Report) error {
	alarms, err := ReputationAlarms(ctx, api)
	if err != nil {
		return err
	}
	r.Bounce.Alarms = alarms[BounceRateMetric]
	r.Complaint.Alarms = alarms[ComplaintRateMetric]
	r.AlarmsRead = true
	return nil
}
