package check

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// alarmsStub answers DescribeAlarms with fixed alarms, two per page.
type alarmsStub struct{ alarms []cwtypes.MetricAlarm }

func (s alarmsStub) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	start := 0
	if in.NextToken != nil {
		start = len(aws.ToString(in.NextToken))
	}
	end := min(start+2, len(s.alarms))
	out := &cloudwatch.DescribeAlarmsOutput{MetricAlarms: s.alarms[start:end]}
	if end < len(s.alarms) {
		out.NextToken = aws.String(strings.Repeat("x", end))
	}
	return out, nil
}

func alarm(name, metric string, actions int, dims ...cwtypes.Dimension) cwtypes.MetricAlarm {
	return cwtypes.MetricAlarm{
		AlarmName: aws.String(name), Namespace: aws.String("AWS/SES"), MetricName: aws.String(metric),
		StateValue: cwtypes.StateValueOk, Threshold: aws.Float64(0.04), Dimensions: dims,
		AlarmActions: make([]string, actions),
	}
}

// TestReputationAlarmCheck: OK when an alarm with an action watches the
// account-wide rate (found on any page); WARN for an alarm without actions
// or one on a configuration set's metric only; nothing without identities.
func TestReputationAlarmCheck(t *testing.T) {
	stub := alarmsStub{alarms: []cwtypes.MetricAlarm{
		alarm("a-other", "Send", 1),
		alarm("b-set-complaints", "Reputation.ComplaintRate", 1, cwtypes.Dimension{Name: aws.String("ses:configuration-set"), Value: aws.String("x")}),
		alarm("c-silent-complaints", "Reputation.ComplaintRate", 0),
		alarm("d-bounces", "Reputation.BounceRate", 1),
	}}
	c := &checker{ctx: t.Context(), t: Target{Identities: []string{"acme.example"}}, opts: Options{Alarms: stub}}
	c.reputationAlarms()
	if len(c.results) != 2 {
		t.Fatalf("results: %+v", c.results)
	}
	if r := c.results[0]; r.Status != OK || r.Name != "Reputation.BounceRate" || !strings.Contains(r.Message, "d-bounces (OK)") {
		t.Errorf("bounce: %+v", r)
	}
	if r := c.results[1]; r.Status != Warn || r.Name != "Reputation.ComplaintRate" || !strings.Contains(r.Message, "no CloudWatch alarm that notifies anyone") {
		t.Errorf("complaint: %+v", r)
	}

	none := &checker{ctx: t.Context(), opts: Options{Alarms: stub}}
	none.reputationAlarms()
	if len(none.results) != 0 {
		t.Errorf("a spec without SES identities got %+v", none.results)
	}
}
