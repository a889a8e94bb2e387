package awstest

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
)

// TestSESReputationMetrics: a caller cannot publish into AWS/SES (CloudWatch
// refuses the AWS/ namespaces), other namespaces work, and the metrics SES
// publishes are read back with GetMetricStatistics as fractions.
func TestSESReputationMetrics(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	// The double reads form bodies only; the SDK gzips PutMetricData unless told not to.
	cw := cloudwatch.NewFromConfig(s.Config("us-west-2"), func(o *cloudwatch.Options) { o.DisableRequestCompression = true })
	datum := []cwtypes.MetricDatum{{MetricName: aws.String("Reputation.ComplaintRate"), Value: aws.Float64(0)}}
	_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/SES"), MetricData: datum})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("PutMetricData into AWS/SES: %v, want InvalidParameterValue", err)
	}
	if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Acme/Mail"), MetricData: datum}); err != nil {
		t.Errorf("PutMetricData into a namespace of the caller's: %v", err)
	}

	at := time.Now().Add(-30 * time.Minute)
	if err := s.PublishSESReputation(ctx, "us-west-2", 0.02, 0.0007, at); err != nil {
		t.Fatal(err)
	}
	// The admin hook publishes the same way, for a sandbox's user.
	resp, err := http.PostForm(s.URL()+"/_awstest/ses-reputation", url.Values{"region": {"eu-west-1"}, "complaint_rate": {"0.004"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("POST /_awstest/ses-reputation: %s", resp.Status)
	}
	// Refused before anything is published: a rate that is not a fraction
	// (NaN is not one: CloudWatch itself refuses it), and no region (the
	// metrics of another region than the one checked would not be seen).
	for _, form := range []url.Values{
		{"region": {"us-west-2"}, "complaint_rate": {"3%"}},
		{"region": {"us-west-2"}, "bounce_rate": {"NaN"}},
		{"bounce_rate": {"0.2"}},
	} {
		bad, err := http.PostForm(s.URL()+"/_awstest/ses-reputation", form)
		if err != nil {
			t.Fatal(err)
		}
		bad.Body.Close()
		if bad.StatusCode != http.StatusBadRequest {
			t.Errorf("POST /_awstest/ses-reputation %s: %s, want 400", form.Encode(), bad.Status)
		}
	}
	for region, rates := range map[string]map[string]float64{
		"us-west-2": {"Reputation.BounceRate": 0.02, "Reputation.ComplaintRate": 0.0007},
		"eu-west-1": {"Reputation.ComplaintRate": 0.004},
	} {
		cw := cloudwatch.NewFromConfig(s.Config(region))
		for metric, want := range rates {
			out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
				Namespace: aws.String("AWS/SES"), MetricName: aws.String(metric),
				StartTime: aws.Time(at.Add(-time.Hour)), EndTime: aws.Time(time.Now().Add(time.Minute)), Period: aws.Int32(3600),
				Statistics: []cwtypes.Statistic{cwtypes.StatisticAverage},
			})
			if err != nil {
				t.Fatalf("GetMetricStatistics %s: %v", metric, err)
			}
			found := false
			for _, dp := range out.Datapoints {
				found = found || aws.ToFloat64(dp.Average) == want
			}
			if !found {
				t.Errorf("%s %s: datapoints %+v, want an average of %v", region, metric, out.Datapoints, want)
			}
		}
	}
}
