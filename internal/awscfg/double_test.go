package awscfg

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/mailform/mailform/internal/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// TestPacingKeepsUnderTheDoublesLimits runs real clients against the local
// double enforcing AWS's rate limits (sped up), without SDK retries: paced,
// nothing is throttled; unpaced, the same calls are.
func TestPacingKeepsUnderTheDoublesLimits(t *testing.T) {
	const scale = 2 // Route 53 10 requests/s, SES 2 requests/s
	const calls = 30
	tests := []struct {
		name          string
		paced         bool
		wantThrottled bool
	}{
		{name: "paced", paced: true},
		{name: "unpaced", wantThrottled: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := awstest.Shared(t)
			if err := s.Configure(func(o *awstest.Options) { o.RateLimits = "aws"; o.TimeScale = scale }); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Reset(context.WithoutCancel(t.Context())) })
			cfg := s.Config("us-west-2")
			cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
			if tt.paced {
				// What mailform runs with against a time-scaled double
				// (ScaleTime): the scaled limits less Headroom.
				cfg = Pace(cfg, DefaultPacing.Scaled(scale).WithHeadroom(Headroom))
			}
			r53a, r53b := route53.NewFromConfig(cfg), route53.NewFromConfig(cfg)
			ses := sesv2.NewFromConfig(cfg)
			for i := 0; i < calls; i++ {
				c := r53a
				if i%2 == 1 {
					c = r53b
				}
				_, _ = c.GetHostedZoneCount(t.Context(), &route53.GetHostedZoneCountInput{})
				if i%5 == 0 {
					_, _ = ses.ListEmailIdentities(t.Context(), &sesv2.ListEmailIdentitiesInput{})
				}
			}
			throttled := 0
			for _, ops := range s.Throttles() {
				for _, n := range ops {
					throttled += n
				}
			}
			if tt.wantThrottled != (throttled > 0) {
				t.Errorf("%d calls throttled (%v); want throttling: %v", throttled, s.Throttles(), tt.wantThrottled)
			}
		})
	}
}
