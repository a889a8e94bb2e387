package cloudwatch

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const stack = "acme"

func alarmAttrs(name, threshold string) map[string]any {
	return map[string]any{
		"name": name, "description": "d", "namespace": "AWS/SES", "metric": "Reputation.BounceRate",
		"statistic": "Average", "comparison": "GreaterThanOrEqualToThreshold", "threshold": threshold,
		"period": int64(3600), "evaluation_periods": int64(1), "treat_missing_data": "ignore",
		"alarm_actions": []any{"arn:aws:sns:us-west-2:" + awstest.AccountID + ":acme-alerts"},
	}
}

func apply(t *testing.T, p *Provider, c plan.Change) providers.Result {
	t.Helper()
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Region: "us-west-2", Changes: []plan.Change{c}})
	if len(res) != 1 {
		t.Fatalf("%d results", len(res))
	}
	return res[0]
}

// TestAlarmsOfOthersAreNeverWritten: PutMetricAlarm overwrites any alarm of
// the name, so the provider refuses to write or delete an alarm that is not
// the stack's, adopts an unmarked one only when told, and Read leaves out
// other stacks' alarms under the same name prefix.
func TestAlarmsOfOthersAreNeverWritten(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	api := cw.NewFromConfig(s.Config("us-west-2"))
	p := NewWithAPI(api)
	foreign := func(name string, tags ...cwtypes.Tag) {
		t.Helper()
		if _, err := api.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{
			AlarmName: aws.String(name), Namespace: aws.String("AWS/SES"), MetricName: aws.String("Reputation.BounceRate"),
			Statistic: cwtypes.StatisticMaximum, ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
			Threshold: aws.Float64(0.5), Period: aws.Int32(300), EvaluationPeriods: aws.Int32(3), Tags: tags,
		}); err != nil {
			t.Fatal(err)
		}
	}
	threshold := func(name string) float64 {
		t.Helper()
		out, err := api.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{name}})
		if err != nil || len(out.MetricAlarms) != 1 {
			t.Fatalf("DescribeAlarms %s: %v", name, err)
		}
		return aws.ToFloat64(out.MetricAlarms[0].Threshold)
	}
	foreign("acme-reputation-bounce-rate")
	foreign("acme-staging-reputation-bounce-rate", cwtypes.Tag{Key: aws.String(specs.TagStack), Value: aws.String("acme-staging")})

	create := plan.Change{Addr: "account/bounce_alarm", Kind: specs.KindAlarm, Action: plan.Create, After: alarmAttrs("acme-reputation-bounce-rate", "0.04")}
	if res := apply(t, p, create); res.Err == nil || !strings.Contains(res.Err.Error(), "is not mailform's") {
		t.Errorf("create over an unmarked alarm: %v", res.Err)
	}
	if got := threshold("acme-reputation-bounce-rate"); got != 0.5 {
		t.Errorf("the unmarked alarm was overwritten: threshold %v", got)
	}
	del := plan.Change{Addr: "account/bounce_alarm", Kind: specs.KindAlarm, Action: plan.Delete, Before: map[string]any{"name": "acme-staging-reputation-bounce-rate"}}
	if res := apply(t, p, del); res.Err == nil || !strings.Contains(res.Err.Error(), `belongs to mailform stack "acme-staging"`) {
		t.Errorf("delete of another stack's alarm: %v", res.Err)
	}

	create.Adopt = true
	res := apply(t, p, create)
	if res.Err != nil || !strings.Contains(res.Message, "adopted") || res.Observed == nil || res.Observed.Attrs["threshold"] != "0.04" {
		t.Fatalf("adopt: %+v", res)
	}
	got, err := p.Read(ctx, stack, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Addr != "account/bounce_alarm" || got[0].Owner != stack || got[0].Attrs["state"] != "INSUFFICIENT_DATA" {
		t.Errorf("Read after adoption: %+v", got)
	}

	del.Before = map[string]any{"name": "acme-reputation-bounce-rate"}
	if res := apply(t, p, del); res.Err != nil || !strings.Contains(res.Message, "deleted") {
		t.Errorf("delete of our alarm: %+v", res)
	}
	if res := apply(t, p, del); res.Err != nil || !strings.Contains(res.Message, "already gone") {
		t.Errorf("second delete: %+v", res)
	}
}
