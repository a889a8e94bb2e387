package acceptance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/internal/permissions"
	"github.com/mailform/mailform/specs"
)

const alarmsSpec = `mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

topic "alerts" {}

account {
  alarms {
    notify = [topic.alerts]
  }
}
`

// liveAlarms returns every metric alarm of the account by name, as
// CloudWatch lists them page by page.
func (e *env) liveAlarms() map[string]cwtypes.MetricAlarm {
	e.t.Helper()
	out := map[string]cwtypes.MetricAlarm{}
	pages := cloudwatch.NewDescribeAlarmsPaginator(cloudwatch.NewFromConfig(e.cfg()), &cloudwatch.DescribeAlarmsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(e.ctx())
		if err != nil {
			e.t.Fatal(err)
		}
		for _, a := range page.MetricAlarms {
			out[aws.ToString(a.AlarmName)] = a
		}
	}
	return out
}

func (e *env) alarmTags(arn string) map[string]string {
	e.t.Helper()
	out, err := cloudwatch.NewFromConfig(e.cfg()).ListTagsForResource(e.ctx(), &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		e.t.Fatal(err)
	}
	tags := map[string]string{}
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags
}

// putForeignAlarm makes an alarm mailform did not make.
func (e *env) putForeignAlarm(name string, threshold float64) {
	e.t.Helper()
	_, err := cloudwatch.NewFromConfig(e.cfg()).PutMetricAlarm(e.ctx(), &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), Namespace: aws.String("AWS/SES"), MetricName: aws.String("Reputation.BounceRate"),
		Statistic: cwtypes.StatisticAverage, ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		Threshold: aws.Float64(threshold), Period: aws.Int32(300), EvaluationPeriods: aws.Int32(2),
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestReputationAlarms: the alarms block creates one alarm per reputation
// metric, tagged and notifying the stack's topic (whose policy lets
// CloudWatch publish); a re-plan is empty; a threshold change updates the
// alarm in place; removing the block deletes the alarms; alarms mailform
// did not make, even under the stack's name prefix, are never touched.
func TestReputationAlarms(t *testing.T) {
	e := newEnv(t, "")
	e.write("main.hcl", alarmsSpec)
	e.putForeignAlarm("acme-prod-team-bounces", 0.02)
	e.putForeignAlarm("ops-ses-bounces", 0.03)
	// More alarms under the stack's name prefix than one DescribeAlarms
	// page holds, so that mailform must page to find its own.
	for i := range awstest.DescribeAlarmsPageSize + 5 {
		e.putForeignAlarm(fmt.Sprintf("acme-prod-a%02d", i), 0.05)
	}

	// The apply runs as an IAM user holding exactly the printed apply
	// policy, against the double enforcing IAM: any refusal fails.
	enforceIAM(t, e.s)
	roles := e.roles()
	e.runSteps(roles, []step{{permissions.Apply, []string{"apply", e.dir, "-auto-approve"}, 0}})
	live := e.liveAlarms()
	topicARN := "arn:aws:sns:us-west-2:123456789012:acme-prod-alerts"
	for _, w := range []struct {
		name, metric string
		threshold    float64
		addr         string
	}{
		{"acme-prod-reputation-bounce-rate", "Reputation.BounceRate", 0.04, "account/bounce_alarm"},
		{"acme-prod-reputation-complaint-rate", "Reputation.ComplaintRate", 0.0008, "account/complaint_alarm"},
	} {
		a, ok := live[w.name]
		if !ok {
			t.Fatalf("alarm %s missing; live: %v", w.name, keys(live))
		}
		if aws.ToString(a.Namespace) != "AWS/SES" || aws.ToString(a.MetricName) != w.metric || aws.ToFloat64(a.Threshold) != w.threshold ||
			a.ComparisonOperator != cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold || aws.ToInt32(a.Period) != 3600 || aws.ToInt32(a.EvaluationPeriods) != 1 {
			t.Errorf("alarm %s: %s/%s %s %v period %d x %d", w.name, aws.ToString(a.Namespace), aws.ToString(a.MetricName), a.ComparisonOperator, aws.ToFloat64(a.Threshold), aws.ToInt32(a.Period), aws.ToInt32(a.EvaluationPeriods))
		}
		if len(a.AlarmActions) != 1 || a.AlarmActions[0] != topicARN {
			t.Errorf("alarm %s notifies %v, want [%s]", w.name, a.AlarmActions, topicARN)
		}
		tags := e.alarmTags(aws.ToString(a.AlarmArn))
		if tags[specs.TagStack] != "acme-prod" || tags[specs.TagAddr] != w.addr {
			t.Errorf("alarm %s tags: %v", w.name, tags)
		}
	}
	attrs, err := sns.NewFromConfig(e.cfg()).GetTopicAttributes(e.ctx(), &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
	if err != nil {
		t.Fatal(err)
	}
	if p := attrs.Attributes["Policy"]; !strings.Contains(p, "cloudwatch.amazonaws.com") || !strings.Contains(p, "arn:aws:cloudwatch:us-west-2:123456789012:alarm:*") {
		t.Errorf("the topic policy does not let the account's alarms publish:\n%s", p)
	}
	e.must(0, "plan", e.dir, "-detailed-exitcode")

	st := e.must(0, "status", e.dir, "-endpoint-url", e.s.URL())
	for _, want := range []string{
		"alarm acme-prod-reputation-bounce-rate: INSUFFICIENT_DATA (fires at 4.00%)",
		"alarm acme-prod-team-bounces: INSUFFICIENT_DATA (fires at 2.00%)",
		"alarm acme-prod-reputation-complaint-rate: INSUFFICIENT_DATA (fires at 0.080%)",
	} {
		if !strings.Contains(st.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, st.stdout)
		}
	}

	// Without CloudWatch's answer, status still reports the rest.
	if err := e.s.SetFaults("monitoring:DescribeAlarms=fail:AccessDenied"); err != nil {
		t.Fatal(err)
	}
	denied := e.must(0, "status", e.dir, "-endpoint-url", e.s.URL())
	if !strings.Contains(denied.stderr, "warning: the reputation alarms are left out") || !strings.Contains(denied.stdout, "bounce rate:") || strings.Contains(denied.stdout, "alarm acme-prod") {
		t.Errorf("status without DescribeAlarms:\nstdout:\n%s\nstderr:\n%s", denied.stdout, denied.stderr)
	}
	if err := e.s.SetFaults(""); err != nil {
		t.Fatal(err)
	}

	sj := e.must(0, "status", e.dir, "-endpoint-url", e.s.URL(), "-json")
	var doc struct {
		Bounce struct {
			Alarms []struct {
				Name      string
				State     string
				Threshold float64
				Actions   int
			}
		} `json:"bounce_rate"`
	}
	if err := json.Unmarshal([]byte(sj.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, sj.stdout)
	}
	if len(doc.Bounce.Alarms) == 0 || doc.Bounce.Alarms[0].Name != "acme-prod-a00" || !slices.ContainsFunc(doc.Bounce.Alarms, func(a struct {
		Name      string
		State     string
		Threshold float64
		Actions   int
	}) bool {
		return a.Name == "acme-prod-reputation-bounce-rate" && a.State == "INSUFFICIENT_DATA" && a.Threshold == 0.04 && a.Actions == 1
	}) {
		t.Errorf("status -json bounce_rate.alarms: %+v", doc.Bounce.Alarms)
	}

	req := e.requests(0, "production-access")
	for _, want := range []string{
		"[ok]      account: CloudWatch alarms tell someone when the bounce or complaint",
		"bounce rate: acme-prod-reputation-bounce-rate (INSUFFICIENT_DATA, at 4%)",
		"complaint rate: acme-prod-reputation-complaint-rate (INSUFFICIENT_DATA, at 0.08%)",
	} {
		if !strings.Contains(req.stdout, want) {
			t.Errorf("the production-access checklist lacks %q:\n%s", want, req.stdout)
		}
	}
	if strings.Contains(req.stdout, "acme-prod-team-bounces") {
		t.Errorf("the checklist counts an alarm that notifies nobody:\n%s", req.stdout)
	}

	e.edit("main.hcl", "notify = [topic.alerts]", "notify = [topic.alerts]\n    bounce_percent = 2.5")
	p := e.must(2, "plan", e.dir, "-detailed-exitcode")
	if !strings.Contains(p.stdout, "~ account/bounce_alarm") || !strings.Contains(p.stdout, "Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy.") {
		t.Errorf("threshold change plan:\n%s", p.stdout)
	}
	before := live["acme-prod-reputation-bounce-rate"]
	e.must(0, "apply", e.dir, "-auto-approve")
	after := e.liveAlarms()["acme-prod-reputation-bounce-rate"]
	if aws.ToFloat64(after.Threshold) != 0.025 || aws.ToString(after.AlarmArn) != aws.ToString(before.AlarmArn) {
		t.Errorf("after the update: threshold %v, ARN %s (was %s)", aws.ToFloat64(after.Threshold), aws.ToString(after.AlarmArn), aws.ToString(before.AlarmArn))
	}
	e.must(0, "plan", e.dir, "-detailed-exitcode")

	e.write("main.hcl", strings.Replace(alarmsSpec, "account {\n  alarms {\n    notify = [topic.alerts]\n  }\n}\n", "", 1))
	p = e.must(2, "plan", e.dir, "-detailed-exitcode")
	if !strings.Contains(p.stdout, "- account/bounce_alarm") || !strings.Contains(p.stdout, "- account/complaint_alarm") {
		t.Errorf("removal plan:\n%s", p.stdout)
	}
	// Removed blocks are deleted with the policy of the spec that still
	// held them (docs/permissions.md), the apply role made above.
	e.s.ResetCounts()
	e.runSteps(roles, []step{{permissions.Apply, []string{"apply", e.dir, "-auto-approve"}, 0}})
	for _, op := range []string{"DescribeAlarms", "ListTagsForResource", "DeleteAlarms"} {
		if e.s.Counts()["monitoring"][op] == 0 {
			t.Errorf("deleting the alarms made no CloudWatch %s call", op)
		}
	}
	live = e.liveAlarms()
	for _, name := range []string{"acme-prod-reputation-bounce-rate", "acme-prod-reputation-complaint-rate"} {
		if _, ok := live[name]; ok {
			t.Errorf("alarm %s is still there after its block was removed", name)
		}
	}
	for name, threshold := range map[string]float64{"acme-prod-team-bounces": 0.02, "ops-ses-bounces": 0.03} {
		a, ok := live[name]
		if !ok || aws.ToFloat64(a.Threshold) != threshold || len(e.alarmTags(aws.ToString(a.AlarmArn))) != 0 {
			t.Errorf("foreign alarm %s was touched: present %v, threshold %v", name, ok, aws.ToFloat64(a.Threshold))
		}
	}
}

func keys[V any](m map[string]V) []string { return specs.SortedKeys(m) }
