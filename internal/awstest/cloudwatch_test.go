package awstest

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// TestCloudWatchAlarmsAsAWSDocuments: a new alarm is INSUFFICIENT_DATA; an
// update keeps the state and ignores Tags; DescribeAlarms pages (50 a page
// without MaxRecords, in name order, with NextToken).
func TestCloudWatchAlarmsAsAWSDocuments(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	cw := cloudwatch.NewFromConfig(s.Config("us-west-2"))
	put := func(name string, threshold float64, tags ...cwtypes.Tag) {
		t.Helper()
		if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(name), Namespace: aws.String("AWS/SES"), MetricName: aws.String("Reputation.BounceRate"),
			Statistic: cwtypes.StatisticAverage, ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
			Threshold: aws.Float64(threshold), Period: aws.Int32(3600), EvaluationPeriods: aws.Int32(1), Tags: tags,
		}); err != nil {
			t.Fatal(err)
		}
	}
	describe := func(name string) cwtypes.MetricAlarm {
		t.Helper()
		out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
		if err != nil || len(out.MetricAlarms) != 1 {
			t.Fatalf("DescribeAlarms %s: %v, %d alarms", name, err, len(out.MetricAlarms))
		}
		return out.MetricAlarms[0]
	}

	put("bounces", 0.04, cwtypes.Tag{Key: aws.String("team"), Value: aws.String("mail")})
	a := describe("bounces")
	if a.StateValue != cwtypes.StateValueInsufficientData {
		t.Errorf("a new alarm is %s, want INSUFFICIENT_DATA", a.StateValue)
	}
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("bounces"), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
	put("bounces", 0.03, cwtypes.Tag{Key: aws.String("other"), Value: aws.String("x")})
	a = describe("bounces")
	if a.StateValue != cwtypes.StateValueAlarm || aws.ToFloat64(a.Threshold) != 0.03 {
		t.Errorf("after an update: %s at %v, want ALARM at 0.03", a.StateValue, aws.ToFloat64(a.Threshold))
	}
	tags, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: a.AlarmArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Errorf("an update changed the tags: %v", tags.Tags)
	}

	for i := range 60 {
		put(fmt.Sprintf("page-%02d", 59-i), 0.05)
	}
	first, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("page-")})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.MetricAlarms) != DescribeAlarmsPageSize || first.NextToken == nil || aws.ToString(first.MetricAlarms[0].AlarmName) != "page-00" {
		t.Fatalf("first page: %d alarms, token %v", len(first.MetricAlarms), first.NextToken)
	}
	var names []string
	pages := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("page-"), MaxRecords: aws.Int32(7)})
	n := 0
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n++
		for _, a := range page.MetricAlarms {
			names = append(names, aws.ToString(a.AlarmName))
		}
	}
	if n != 9 || len(names) != 60 || names[0] != "page-00" || names[59] != "page-59" {
		t.Errorf("paging by 7: %d pages, %d alarms (%v)", n, len(names), names)
	}
	if _, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{MaxRecords: aws.Int32(101)}); err == nil {
		t.Error("MaxRecords 101 was accepted; AWS takes 1 to 100")
	}
}
