package awscfg

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

func TestWithHeadroom(t *testing.T) {
	cases := []struct {
		name     string
		headroom float64
		want     Pacing
	}{
		{"five percent", 0.05, Pacing{Route53PerSecond: 4.75, SESPerSecond: 0.95}},
		{"none", 0, DefaultPacing},
		{"out of range is ignored", 1, DefaultPacing},
		{"negative is ignored", -0.5, DefaultPacing},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := DefaultPacing.WithHeadroom(tc.headroom)
			if diff := got.Route53PerSecond - tc.want.Route53PerSecond; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("Route 53 %g/s, want %g/s", got.Route53PerSecond, tc.want.Route53PerSecond)
			}
			if diff := got.SESPerSecond - tc.want.SESPerSecond; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("SES %g/s, want %g/s", got.SESPerSecond, tc.want.SESPerSecond)
			}
		})
	}
}

// TestHeadroomPacesBelowTheLimit: ten SES calls in a row take longer than
// AWS's limit requires, by the headroom.
func TestHeadroomPacesBelowTheLimit(t *testing.T) {
	clock := newFakeClock()
	p := newPacer(DefaultPacing.WithHeadroom(Headroom), clock)
	l := p.limiter("SES", "us-west-2", "GetAccount")
	for range 10 {
		if err := p.wait(t.Context(), l); err != nil {
			t.Fatal(err)
		}
	}
	perCall := 1 / 0.95
	want := time.Duration(9 * perCall * float64(time.Second))
	if got := clock.Slept(); got < want-time.Millisecond || got > want+time.Millisecond {
		t.Errorf("slept %s, want %s", got, want)
	}
}

type fixedBackoff time.Duration

func (b fixedBackoff) BackoffDelay(int, error) (time.Duration, error) { return time.Duration(b), nil }

func TestScaledBackoff(t *testing.T) {
	cases := []struct {
		inner  time.Duration
		factor float64
		want   time.Duration
	}{
		{time.Second, 20, 50 * time.Millisecond},
		{20 * time.Second, 1, 20 * time.Second},
		{3 * time.Second, 100, 30 * time.Millisecond},
	}
	for _, tc := range cases {
		got, err := scaledBackoff{inner: fixedBackoff(tc.inner), factor: tc.factor}.BackoffDelay(1, errors.New("throttled"))
		if err != nil || got != tc.want {
			t.Errorf("%s / %g = %s, %v; want %s", tc.inner, tc.factor, got, err, tc.want)
		}
	}
}

// TestScaleTimeRetryerBacksOffScaled: the retryer of a time-scaled config
// never waits longer than the scaled maximum backoff.
func TestScaleTimeRetryerBacksOffScaled(t *testing.T) {
	cfg := ScaleTime(testConfig("http://127.0.0.1:1", "us-west-2"), 100)
	r := cfg.Retryer()
	if got := r.MaxAttempts(); got != MaxAttempts {
		t.Errorf("%d attempts, want %d", got, MaxAttempts)
	}
	throttle := &retry.MaxAttemptsError{}
	for attempt := 1; attempt <= MaxAttempts; attempt++ {
		d, err := r.RetryDelay(attempt, throttle)
		if err != nil {
			t.Fatal(err)
		}
		if d > 200*time.Millisecond { // 20 s maximum backoff / 100
			t.Errorf("attempt %d waits %s, more than 20s/100", attempt, d)
		}
	}
	if same := ScaleTime(cfg, 0); same.Retryer == nil {
		t.Error("ScaleTime with factor 0 dropped the retryer")
	}
}

// lateClock oversleeps by late on its first sleep, as timers do on a busy
// machine.
type lateClock struct {
	*fakeClock
	late time.Duration
}

func (c *lateClock) Sleep(ctx context.Context, d time.Duration) error {
	late := c.late
	c.late = 0
	return c.fakeClock.Sleep(ctx, d+late)
}

// TestGateSpacesFromTheRealDeparture: after a sleep that overran, the next
// request still leaves a whole interval after the previous one really left.
func TestGateSpacesFromTheRealDeparture(t *testing.T) {
	for _, late := range []time.Duration{0, 30 * time.Millisecond, 700 * time.Millisecond} {
		t.Run(late.String(), func(t *testing.T) {
			clock := &lateClock{newFakeClock(), late}
			p := newPacer(Pacing{SESPerSecond: 1}, clock)
			g := p.limiter("SESv2", "eu-central-1", "GetEmailIdentity")
			var left []time.Time
			for range 5 {
				if err := p.wait(t.Context(), g); err != nil {
					t.Fatal(err)
				}
				left = append(left, clock.Now())
			}
			for i := 1; i < len(left); i++ {
				if gap := left[i].Sub(left[i-1]); gap < time.Second {
					t.Errorf("request %d left %s after the previous one, want at least 1s", i, gap)
				}
			}
		})
	}
}
