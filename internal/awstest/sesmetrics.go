package awstest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// putMetricData refuses the namespaces of AWS's services, as CloudWatch
// does, and hands the others to moto.
func (s *Server) putMetricData(w http.ResponseWriter, r *http.Request, form url.Values) {
	if ns := form.Get("Namespace"); strings.HasPrefix(ns, "AWS/") {
		writeAWSError(w, http.StatusBadRequest, "InvalidParameterValue", fmt.Sprintf("The value %s for parameter Namespace is invalid.", ns))
		return
	}
	s.proxy.ServeHTTP(w, r)
}

// PublishSESReputation publishes, as SES does for an account that sends,
// the account-wide reputation metrics of region at time at: the namespace
// AWS/SES, Reputation.BounceRate and Reputation.ComplaintRate, no
// dimension, as fractions (0.05 is 5%). A negative rate is not published.
func (s *Server) PublishSESReputation(ctx context.Context, region string, bounceRate, complaintRate float64, at time.Time) error {
	var data []cwtypes.MetricDatum
	for _, m := range []struct {
		name string
		rate float64
	}{{"Reputation.BounceRate", bounceRate}, {"Reputation.ComplaintRate", complaintRate}} {
		if m.rate < 0 {
			continue
		}
		data = append(data, cwtypes.MetricDatum{MetricName: aws.String(m.name), Value: aws.Float64(m.rate), Timestamp: aws.Time(at)})
	}
	if len(data) == 0 {
		return nil
	}
	moto := cloudwatch.NewFromConfig(s.motoConfig(region))
	if _, err := moto.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/SES"), MetricData: data}); err != nil {
		return fmt.Errorf("publishing SES's reputation metrics: %w", err)
	}
	return nil
}
