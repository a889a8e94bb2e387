// Package cloudwatch is mailform's provider for the CloudWatch alarms that
// watch the SES account's reputation (kind cloudwatch.alarm): one metric
// alarm per metric (Reputation.BounceRate, Reputation.ComplaintRate in
// AWS/SES), tagged with the stack's mark at creation, notifying SNS topics.
//
// It never decides what should change (plan does) and never changes or
// deletes an alarm that does not carry the stack's mark: PutMetricAlarm
// overwrites an alarm of the same name whoever made it, so the provider
// looks an alarm up before it writes it.
package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// API is the part of the CloudWatch client the provider uses.
type API interface {
	DescribeAlarms(ctx context.Context, in *cw.DescribeAlarmsInput, optFns ...func(*cw.Options)) (*cw.DescribeAlarmsOutput, error)
	PutMetricAlarm(ctx context.Context, in *cw.PutMetricAlarmInput, optFns ...func(*cw.Options)) (*cw.PutMetricAlarmOutput, error)
	DeleteAlarms(ctx context.Context, in *cw.DeleteAlarmsInput, optFns ...func(*cw.Options)) (*cw.DeleteAlarmsOutput, error)
	ListTagsForResource(ctx context.Context, in *cw.ListTagsForResourceInput, optFns ...func(*cw.Options)) (*cw.ListTagsForResourceOutput, error)
	TagResource(ctx context.Context, in *cw.TagResourceInput, optFns ...func(*cw.Options)) (*cw.TagResourceOutput, error)
}

// Provider reads and changes reputation alarms.
type Provider struct {
	api API
}

// New builds the provider on the real CloudWatch client.
func New(cfg aws.Config) *Provider { return NewWithAPI(cw.NewFromConfig(cfg)) }

// NewWithAPI builds the provider on any implementation of API.
func NewWithAPI(api API) *Provider { return &Provider{api: api} }

var _ providers.Provider = (*Provider)(nil)

// Kinds implements providers.Provider.
func (p *Provider) Kinds() []specs.Kind { return []specs.Kind{specs.KindAlarm} }

// Read implements providers.Provider. Alarm names start with "<stack>-"
// (docs/resources.md), so DescribeAlarms with that prefix, page by page,
// finds every candidate; each costs one ListTagsForResource. An alarm that
// is neither the stack's nor named by a desired resource is left out.
func (p *Provider) Read(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	want := map[string]specs.Resource{}
	for _, r := range desired {
		if r.Kind == specs.KindAlarm {
			want[str(r.Attrs, "name")] = r
		}
	}
	alarms, err := p.describe(ctx, &cw.DescribeAlarmsInput{AlarmNamePrefix: aws.String(stack + "-")})
	if err != nil {
		return nil, err
	}
	var out []plan.Observed
	for _, a := range alarms {
		name := aws.ToString(a.AlarmName)
		tags, err := p.tags(ctx, aws.ToString(a.AlarmArn))
		if err != nil {
			return nil, err
		}
		r, wanted := want[name]
		owner := tags[specs.TagStack]
		if owner != stack && !wanted {
			continue
		}
		addr := r.Addr
		if owner == stack && tags[specs.TagAddr] != "" {
			addr = tags[specs.TagAddr]
		}
		out = append(out, observed(addr, owner, a))
	}
	return out, nil
}

// AlarmState is what status shows of an alarm.
type AlarmState struct {
	Name      string
	State     string // OK, ALARM or INSUFFICIENT_DATA
	Threshold float64
	Metric    string
}

// States returns the state of the named alarms that exist, in name order.
func (p *Provider) States(ctx context.Context, names []string) ([]AlarmState, error) {
	if len(names) == 0 {
		return nil, nil
	}
	alarms, err := p.describe(ctx, &cw.DescribeAlarmsInput{AlarmNames: names})
	if err != nil {
		return nil, err
	}
	var out []AlarmState
	for _, a := range alarms {
		out = append(out, AlarmState{
			Name: aws.ToString(a.AlarmName), State: string(a.StateValue),
			Threshold: aws.ToFloat64(a.Threshold), Metric: aws.ToString(a.MetricName),
		})
	}
	return out, nil
}

// AccountWatched reports the names of the metric alarms, whoever made them,
// that watch the account-wide reputation metrics of SES (no dimensions).
func (p *Provider) AccountWatched(ctx context.Context) ([]string, error) {
	alarms, err := p.describe(ctx, &cw.DescribeAlarmsInput{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range alarms {
		if aws.ToString(a.Namespace) != "AWS/SES" || len(a.Dimensions) > 0 {
			continue
		}
		if slices.ContainsFunc(specs.ReputationAlarms, func(m specs.ReputationAlarm) bool { return m.Metric == aws.ToString(a.MetricName) }) {
			out = append(out, aws.ToString(a.AlarmName))
		}
	}
	return out, nil
}

// describe returns the metric alarms DescribeAlarms lists for in, every
// page of them, sorted by name.
func (p *Provider) describe(ctx context.Context, in *cw.DescribeAlarmsInput) ([]cwtypes.MetricAlarm, error) {
	in.AlarmTypes = []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm}
	var out []cwtypes.MetricAlarm
	pages := cw.NewDescribeAlarmsPaginator(p.api, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing CloudWatch alarms: %w", err)
		}
		out = append(out, page.MetricAlarms...)
	}
	sort.Slice(out, func(i, j int) bool { return aws.ToString(out[i].AlarmName) < aws.ToString(out[j].AlarmName) })
	return out, nil
}

// observed turns an alarm into its observed state, with the attributes the
// spec declares (specs.alarmResources).
func observed(addr, owner string, a cwtypes.MetricAlarm) plan.Observed {
	actions := make([]any, 0, len(a.AlarmActions))
	for _, s := range slices.Sorted(slices.Values(a.AlarmActions)) {
		actions = append(actions, s)
	}
	return plan.Observed{
		Addr: addr, Kind: specs.KindAlarm, ID: aws.ToString(a.AlarmArn), Owner: owner,
		Attrs: map[string]any{
			"name":               aws.ToString(a.AlarmName),
			"arn":                aws.ToString(a.AlarmArn),
			"description":        aws.ToString(a.AlarmDescription),
			"namespace":          aws.ToString(a.Namespace),
			"metric":             aws.ToString(a.MetricName),
			"statistic":          string(a.Statistic),
			"comparison":         string(a.ComparisonOperator),
			"threshold":          specs.FormatThreshold(aws.ToFloat64(a.Threshold)),
			"period":             int64(aws.ToInt32(a.Period)),
			"evaluation_periods": int64(aws.ToInt32(a.EvaluationPeriods)),
			"treat_missing_data": aws.ToString(a.TreatMissingData),
			"alarm_actions":      actions,
			"state":              string(a.StateValue),
		},
	}
}

func (p *Provider) tags(ctx context.Context, arn string) (map[string]string, error) {
	out, err := p.api.ListTagsForResource(ctx, &cw.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("reading the tags of CloudWatch alarm %s: %w", arn, err)
	}
	tags := make(map[string]string, len(out.Tags))
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// Apply implements providers.Provider.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) []providers.Result {
	out := make([]providers.Result, 0, len(req.Changes))
	for _, c := range req.Changes {
		res := providers.Result{Addr: c.Addr}
		var err error
		switch c.Action {
		case plan.Create, plan.Update:
			res.Observed, res.Message, err = p.put(ctx, req.Stack, c)
		case plan.Replace:
			if old := str(c.Before, "name"); old != "" && old != str(c.After, "name") {
				res.Message, err = p.delete(ctx, req.Stack, old)
			}
			if err == nil {
				var msg string
				res.Observed, msg, err = p.put(ctx, req.Stack, c)
				if msg != "" && res.Message != "" {
					msg = res.Message + "; " + msg
				}
				if msg != "" {
					res.Message = msg
				}
			}
		case plan.Delete:
			res.Message, err = p.delete(ctx, req.Stack, str(c.Before, "name"))
		case plan.NoOp:
		default:
			err = fmt.Errorf("action %q is not one an alarm takes", c.Action)
		}
		if err != nil {
			res.Observed = nil
			res.Err = err
		}
		out = append(out, res)
	}
	return out
}

// find returns the alarm called name, or nil.
func (p *Provider) find(ctx context.Context, name string) (*cwtypes.MetricAlarm, error) {
	alarms, err := p.describe(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		return nil, err
	}
	for _, a := range alarms {
		if aws.ToString(a.AlarmName) == name {
			return &a, nil
		}
	}
	return nil, nil
}

// put creates or updates the alarm. An existing alarm of that name must
// carry the stack's mark (or be adopted): PutMetricAlarm would otherwise
// overwrite someone else's alarm.
func (p *Provider) put(ctx context.Context, stack string, c plan.Change) (*plan.Observed, string, error) {
	name := str(c.After, "name")
	if name == "" {
		return nil, "", fmt.Errorf("the change lacks the alarm name")
	}
	in, err := putInput(c.After)
	if err != nil {
		return nil, "", err
	}
	existing, err := p.find(ctx, name)
	if err != nil {
		return nil, "", err
	}
	msg := "created CloudWatch alarm " + name
	adopt := false
	if existing != nil {
		tags, err := p.tags(ctx, aws.ToString(existing.AlarmArn))
		if err != nil {
			return nil, "", err
		}
		adopt = c.Adopt && tags[specs.TagStack] == ""
		if !adopt {
			if err := checkOwner(name, tags, stack); err != nil {
				return nil, "", err
			}
		}
		msg = "updated CloudWatch alarm " + name
		if adopt {
			msg = "adopted CloudWatch alarm " + name + ": tagged " + specs.TagStack + "=" + stack
		}
	} else {
		// Tags are taken only when PutMetricAlarm creates the alarm.
		in.Tags = ownTags(stack, c.Addr)
	}
	if _, err := p.api.PutMetricAlarm(ctx, in); err != nil {
		return nil, "", fmt.Errorf("writing CloudWatch alarm %s: %w", name, err)
	}
	now, err := p.find(ctx, name)
	if err != nil {
		return nil, "", err
	}
	if now == nil {
		return nil, "", fmt.Errorf("CloudWatch does not list alarm %s after writing it", name)
	}
	if adopt || existing != nil {
		tags, err := p.tags(ctx, aws.ToString(now.AlarmArn))
		if err != nil {
			return nil, "", err
		}
		if adopt || tags[specs.TagAddr] != c.Addr {
			if _, err := p.api.TagResource(ctx, &cw.TagResourceInput{ResourceARN: now.AlarmArn, Tags: ownTags(stack, c.Addr)}); err != nil {
				return nil, "", fmt.Errorf("tagging CloudWatch alarm %s: %w", name, err)
			}
		}
	}
	o := observed(c.Addr, stack, *now)
	return &o, msg, nil
}

// putInput is the PutMetricAlarm call that gives an alarm the attributes of
// a planned change.
func putInput(attrs map[string]any) (*cw.PutMetricAlarmInput, error) {
	var threshold float64
	if _, err := fmt.Sscan(str(attrs, "threshold"), &threshold); err != nil {
		return nil, fmt.Errorf("the alarm threshold %q is not a number", str(attrs, "threshold"))
	}
	var actions []string
	list, _ := attrs["alarm_actions"].([]any)
	for _, a := range list {
		s, ok := a.(string)
		if !ok {
			return nil, fmt.Errorf("a topic the alarm notifies is not known yet (%v)", a)
		}
		actions = append(actions, s)
	}
	return &cw.PutMetricAlarmInput{
		AlarmName:          aws.String(str(attrs, "name")),
		AlarmDescription:   aws.String(str(attrs, "description")),
		Namespace:          aws.String(str(attrs, "namespace")),
		MetricName:         aws.String(str(attrs, "metric")),
		Statistic:          cwtypes.Statistic(str(attrs, "statistic")),
		ComparisonOperator: cwtypes.ComparisonOperator(str(attrs, "comparison")),
		Threshold:          aws.Float64(threshold),
		Period:             aws.Int32(int32(num(attrs, "period"))),
		EvaluationPeriods:  aws.Int32(int32(num(attrs, "evaluation_periods"))),
		TreatMissingData:   aws.String(str(attrs, "treat_missing_data")),
		ActionsEnabled:     aws.Bool(true),
		AlarmActions:       actions,
	}, nil
}

// delete removes an alarm that carries the stack's mark. An alarm that is
// already gone is not an error.
func (p *Provider) delete(ctx context.Context, stack, name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("the change does not name the alarm to delete")
	}
	a, err := p.find(ctx, name)
	if err != nil {
		return "", err
	}
	if a == nil {
		return "CloudWatch alarm " + name + " was already gone", nil
	}
	tags, err := p.tags(ctx, aws.ToString(a.AlarmArn))
	if err != nil {
		return "", err
	}
	if err := checkOwner(name, tags, stack); err != nil {
		return "", err
	}
	if _, err := p.api.DeleteAlarms(ctx, &cw.DeleteAlarmsInput{AlarmNames: []string{name}}); err != nil && !isNotFound(err) {
		return "", fmt.Errorf("deleting CloudWatch alarm %s: %w", name, err)
	}
	return "deleted CloudWatch alarm " + name, nil
}

func ownTags(stack, addr string) []cwtypes.Tag {
	return []cwtypes.Tag{
		{Key: aws.String(specs.TagAddr), Value: aws.String(addr)},
		{Key: aws.String(specs.TagStack), Value: aws.String(stack)},
	}
}

func checkOwner(name string, tags map[string]string, stack string) error {
	switch owner := tags[specs.TagStack]; {
	case owner == stack:
		return nil
	case owner == "":
		return fmt.Errorf("CloudWatch alarm %s exists and is not mailform's (no %s tag): adopt it or choose another stack name", name, specs.TagStack)
	default:
		return fmt.Errorf("CloudWatch alarm %s belongs to mailform stack %q, not %q", name, owner, stack)
	}
}

func str(attrs map[string]any, key string) string {
	s, _ := attrs[key].(string)
	return s
}

func num(attrs map[string]any, key string) int64 {
	switch n := attrs[key].(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

func isNotFound(err error) bool {
	var nf *cwtypes.ResourceNotFound
	var nfe *cwtypes.ResourceNotFoundException
	return errors.As(err, &nf) || errors.As(err, &nfe)
}
