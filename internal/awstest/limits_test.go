package awstest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

func TestRateLimits(t *testing.T) {
	type burst struct {
		calls         int
		advance       time.Duration // before the burst
		wantThrottled int
	}
	cases := []struct {
		name      string
		timeScale float64
		call      func(t *testing.T, s *Server) error
		service   string
		operation string
		wantCode  string
		bursts    []burst
	}{
		{
			name: "Route 53: 5 requests/s, burst 5", timeScale: 1,
			call: func(t *testing.T, s *Server) error {
				_, err := route53Client(s).ListHostedZones(t.Context(), &route53.ListHostedZonesInput{})
				return err
			},
			service: "route53", operation: "ListHostedZones", wantCode: "Throttling",
			bursts: []burst{{calls: 12, wantThrottled: 7}, {advance: 400 * time.Millisecond, calls: 3, wantThrottled: 1}, {advance: 10 * time.Second, calls: 6, wantThrottled: 1}},
		},
		{
			name: "Route 53 at time scale 100", timeScale: 100,
			call: func(t *testing.T, s *Server) error {
				_, err := route53Client(s).ListHostedZones(t.Context(), &route53.ListHostedZonesInput{})
				return err
			},
			service: "route53", operation: "ListHostedZones", wantCode: "Throttling",
			bursts: []burst{{calls: 8, wantThrottled: 3}, {advance: 10 * time.Millisecond, calls: 8, wantThrottled: 3}},
		},
		{
			name: "SES v2 control plane: 1 request/s", timeScale: 1,
			call: func(t *testing.T, s *Server) error {
				_, err := sesv2.NewFromConfig(s.Config("us-west-2"), func(o *sesv2.Options) { o.RetryMaxAttempts = 1 }).
					GetEmailIdentity(t.Context(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("nobody.example")})
				if errorCode(err) == "NotFoundException" {
					return nil // answered (by moto), not throttled
				}
				return err
			},
			service: "ses", operation: "GetEmailIdentity", wantCode: "TooManyRequestsException",
			bursts: []burst{{calls: 4, wantThrottled: 3}, {advance: time.Second, calls: 2, wantThrottled: 1}},
		},
		{
			name: "SES v1 control plane: 1 request/s", timeScale: 1,
			call: func(t *testing.T, s *Server) error {
				_, err := ses.NewFromConfig(s.Config("us-west-2"), func(o *ses.Options) { o.RetryMaxAttempts = 1 }).
					ListIdentities(t.Context(), &ses.ListIdentitiesInput{})
				return err
			},
			service: "ses", operation: "ListIdentities", wantCode: "Throttling",
			bursts: []burst{{calls: 3, wantThrottled: 2}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Shared(t)
			clock := freezeClock(t, s)
			configure(t, s, func(o *Options) { o.RateLimits = "aws"; o.TimeScale = tc.timeScale })
			total, calls := 0, 0
			for i, b := range tc.bursts {
				calls += b.calls
				clock.Advance(b.advance)
				throttled := 0
				for range b.calls {
					err := tc.call(t, s)
					if err == nil {
						continue
					}
					if code := errorCode(err); code != tc.wantCode {
						t.Fatalf("burst %d: err = %v, want %s or success", i, err, tc.wantCode)
					}
					throttled++
				}
				if throttled != b.wantThrottled {
					t.Errorf("burst %d: %d of %d calls throttled, want %d", i, throttled, b.calls, b.wantThrottled)
				}
				total += throttled
			}
			if got := s.Count(tc.service, tc.operation); got != calls {
				t.Errorf("Count(%s, %s) = %d, want all %d calls, throttled or not", tc.service, tc.operation, got, calls)
			}
			if got := s.Throttles()[tc.service][tc.operation]; got != total {
				t.Errorf("Throttles()[%s][%s] = %d, want %d", tc.service, tc.operation, got, total)
			}
			resp, err := http.Get(s.URL() + "/_awstest/throttles")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var viaHTTP map[string]map[string]int
			if err := json.NewDecoder(resp.Body).Decode(&viaHTTP); err != nil {
				t.Fatal(err)
			}
			if viaHTTP[tc.service][tc.operation] != total {
				t.Errorf("/_awstest/throttles = %v, want %d for %s:%s", viaHTTP, total, tc.service, tc.operation)
			}
		})
	}
}

func TestRateLimitsOffByDefault(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	for i := range 20 {
		if _, err := c.ListHostedZones(t.Context(), &route53.ListHostedZonesInput{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n := len(s.Throttles()); n != 0 {
		t.Errorf("throttles with limits off: %v", s.Throttles())
	}
}

func TestSESSendsAreNotControlPlaneLimited(t *testing.T) {
	s := Shared(t)
	freezeClock(t, s)
	configure(t, s, func(o *Options) { o.RateLimits = "aws" })
	c := sesv2.NewFromConfig(s.Config("us-west-2"), func(o *sesv2.Options) { o.RetryMaxAttempts = 1 })
	for i := range 3 {
		_, err := c.SendEmail(t.Context(), &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("a@acme.example"),
			Destination:      &sesv2types.Destination{ToAddresses: []string{"success@simulator.amazonses.com"}},
			Content: &sesv2types.EmailContent{Simple: &sesv2types.Message{
				Subject: &sesv2types.Content{Data: aws.String("s")}, Body: &sesv2types.Body{Text: &sesv2types.Content{Data: aws.String("b")}},
			}},
		})
		if code := errorCode(err); code == "TooManyRequestsException" {
			t.Fatalf("send %d throttled by the control-plane limit", i)
		}
	}
	if got := s.Throttles()["ses"]["SendEmail"]; got != 0 {
		t.Errorf("%d sends throttled", got)
	}
}

func TestLatencyIsAddedAndScaled(t *testing.T) {
	s := Shared(t)
	call := func(timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(t.Context(), timeout)
		defer cancel()
		_, err := route53Client(s).ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		return err
	}
	configure(t, s, func(o *Options) { o.Latency = time.Hour })
	if err := call(200 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with an hour of latency: err = %v, want the caller's deadline", err)
	}
	// An hour at time scale 3.6 million is a millisecond.
	if err := s.Configure(func(o *Options) { o.TimeScale = 3.6e6 }); err != nil {
		t.Fatal(err)
	}
	if err := call(30 * time.Second); err != nil {
		t.Errorf("with the latency scaled down: %v", err)
	}
}
