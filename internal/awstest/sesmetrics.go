package awstest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
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

// handleSESReputation registers the admin hook
//
//	POST /_awstest/ses-reputation  form fields region (required), bounce_rate,
//	                               complaint_rate (fractions; either may be
//	                               absent) and at (RFC 3339, default now):
//	                               PublishSESReputation
func (s *Server) handleSESReputation() {
	s.HandleAdmin("ses-reputation", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		// No default: the rates of a region other than the one checked
		// would silently not be seen.
		region := r.FormValue("region")
		if region == "" {
			http.Error(w, "want region: the region whose SES account sends at these rates, such as us-west-2", http.StatusBadRequest)
			return
		}
		rate := func(field string) (float64, error) {
			v := r.FormValue(field)
			if v == "" {
				return -1, nil
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || !(f >= 0 && f <= 1) { // NaN fails both
				return 0, fmt.Errorf("%s=%q: want a fraction from 0 to 1 (0.001 is 0.1%%)", field, v)
			}
			return f, nil
		}
		bounce, err := rate("bounce_rate")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		complaint, err := rate("complaint_rate")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if bounce < 0 && complaint < 0 {
			http.Error(w, "want bounce_rate or complaint_rate (and region)", http.StatusBadRequest)
			return
		}
		at := s.clock()
		if v := r.FormValue("at"); v != "" {
			if at, err = time.Parse(time.RFC3339, v); err != nil {
				http.Error(w, "at: want an RFC 3339 time: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		if err := s.PublishSESReputation(r.Context(), region, bounce, complaint, at); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
}
