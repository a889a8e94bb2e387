package check

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/mailform/mailform/check/status"
)

// MetricsAPI is the part of the CloudWatch client the rate checks use.
type MetricsAPI interface {
	GetMetricStatistics(ctx context.Context, in *cloudwatch.GetMetricStatisticsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricStatisticsOutput, error)
}

// RateWindow is how far back the rate checks look for SES's latest value.
const RateWindow = 14 * 24 * time.Hour

// latestRate reads the newest hourly average of one of SES's account-wide
// reputation metrics within RateWindow; ok is false when SES published none.
func latestRate(ctx context.Context, api MetricsAPI, metric string, now time.Time) (rate float64, at time.Time, ok bool, err error) {
	out, err := api.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace:  aws.String(status.ReputationNamespace),
		MetricName: aws.String(metric),
		StartTime:  aws.Time(now.Add(-RateWindow)),
		EndTime:    aws.Time(now),
		Period:     aws.Int32(3600),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticAverage},
	})
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("reading %s from CloudWatch: %w", metric, err)
	}
	for _, dp := range out.Datapoints {
		if dp.Timestamp == nil || dp.Average == nil {
			continue
		}
		if !ok || dp.Timestamp.After(at) {
			rate, at, ok = *dp.Average, *dp.Timestamp, true
		}
	}
	return rate, at, ok, nil
}

// RateStatus grades a rate (a fraction) against its warn and fail
// thresholds: at or above fail is FAIL, at or above warn is WARN.
func RateStatus(rate, warn, fail float64) Status {
	switch {
	case rate >= fail:
		return Fail
	case rate >= warn:
		return Warn
	}
	return OK
}

// bulkReputation checks the account's complaint and bounce rates.
func bulkReputation(ctx context.Context, opts BulkOptions) []Result {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	var out []Result
	for _, m := range []struct {
		req        Requirement
		metric     string
		warn, fail float64
		fix        string
	}{
		{ReqComplaints, status.ComplaintRateMetric, ComplaintRateWarn, ComplaintRateFail,
			"send only to people who asked for your mail, make unsubscribing one click, and remove complainers (SES's suppression list with COMPLAINT)"},
		{ReqBounces, status.BounceRateMetric, BounceRateWarn, BounceRateFail,
			"remove addresses that hard-bounce (SES's suppression list with BOUNCE) and confirm new addresses before mailing them"},
	} {
		r := bulkResult("SES account", m.req)
		r.Name = status.ReputationNamespace + " " + m.metric
		thresholds := fmt.Sprintf("warn from %s, fail from %s", percent(m.warn), percent(m.fail))
		if m.req.Check == ReqComplaints.Check {
			r.Details = []string{thresholds + "; SES reviews the account from 0.1% and may pause it from 0.5%",
				"Gmail sends SES no complaints: Gmail's own spam rate is in Google Postmaster Tools"}
		} else {
			r.Details = []string{thresholds + ": SES reviews the account from 5% and may pause it from 10%"}
		}
		if opts.Metrics == nil {
			r.Status, r.Message = Warn, "could not test: CloudWatch was not asked"
			out = append(out, r)
			continue
		}
		rate, at, ok, err := latestRate(ctx, opts.Metrics, m.metric, now())
		switch {
		case err != nil:
			r.Status, r.Message = Warn, "could not test: "+err.Error()
		case !ok:
			r.Status, r.Message = Info, "no value in the last 14 days: SES publishes the rate once the account sends"
		default:
			r.Status = RateStatus(rate, m.warn, m.fail)
			r.Message = fmt.Sprintf("%s (SES, %s)", percent(rate), at.UTC().Format(time.RFC3339))
			if r.Status != OK {
				r.Fix = m.fix
			}
		}
		out = append(out, r)
	}
	return out
}

// percent writes a fraction as a percentage: 0.0012 is "0.12%".
func percent(f float64) string {
	return fmt.Sprintf("%.2f%%", f*100)
}
