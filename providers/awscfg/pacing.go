package awscfg

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"
)

// Pacing is the request rate mailform allows itself per service and account.
// A rate of zero or less means unlimited.
type Pacing struct {
	Route53PerSecond float64 // the whole account, every zone
	SESPerSecond     float64 // per region, SES v1 and v2 together, sending calls excepted
}

// DefaultPacing is AWS's documented account-wide limits.
var DefaultPacing = Pacing{Route53PerSecond: 5, SESPerSecond: 1}

// Headroom is the share of each limit that mailform leaves unused. AWS
// meters requests as they arrive, and a request paced exactly one interval
// after the previous one can arrive a little early (the previous one spent
// longer in signing, on the network or in a busy scheduler): at a limit of
// one request per second with no burst, half of the requests of an exact
// pace are throttled. Pacing 5% below the limit absorbs that jitter; the
// local double's benchmark measures it (docs/performance.md).
const Headroom = 0.05

// WithHeadroom lowers every rate by the share h of it (0 <= h < 1).
func (p Pacing) WithHeadroom(h float64) Pacing {
	if h <= 0 || h >= 1 {
		return p
	}
	return Pacing{Route53PerSecond: p.Route53PerSecond * (1 - h), SESPerSecond: p.SESPerSecond * (1 - h)}
}

// Scaled multiplies every rate by factor: the local double can run its rate
// limits faster than AWS's for benchmarks, and mailform's pacing follows.
func (p Pacing) Scaled(factor float64) Pacing {
	return Pacing{Route53PerSecond: p.Route53PerSecond * factor, SESPerSecond: p.SESPerSecond * factor}
}

// sesSendOperations are the SES operations outside the control-plane limit:
// they count against the account's sending rate instead.
var sesSendOperations = map[string]bool{
	"SendEmail":                   true,
	"SendRawEmail":                true,
	"SendTemplatedEmail":          true,
	"SendBulkEmail":               true,
	"SendBulkTemplatedEmail":      true,
	"SendCustomVerificationEmail": true,
}

// pacingID names the pacing middleware in the SDK's stack.
const pacingID = "mailform.Pacing"

// Pace returns a copy of cfg whose clients wait for their turn before every
// request attempt, so that all clients built from it (and from its copies)
// together stay within p. One limiter serves Route 53 (a global service); SES
// v1 and v2 share one limiter per region. Other services are not paced.
// Waiting honours the call's context. Pace on a paced config replaces its
// pacing.
func Pace(cfg aws.Config, p Pacing) aws.Config {
	return withPacer(cfg, newPacer(p, realClock{}))
}

func withPacer(cfg aws.Config, pc *pacer) aws.Config {
	out := cfg.Copy()
	out.APIOptions = append(append([]func(*middleware.Stack) error{}, cfg.APIOptions...), pc.install)
	return out
}

// clock lets tests pace without sleeping.
type clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pacer holds the limiters shared by every client of one paced config.
type pacer struct {
	pacing Pacing
	clock  clock

	mu       sync.Mutex
	limiters map[string]*rate.Limiter // "route53" or "ses/<region>"
}

func newPacer(p Pacing, c clock) *pacer {
	return &pacer{pacing: p, clock: c, limiters: map[string]*rate.Limiter{}}
}

// limiter returns the limiter for one call, or nil when the call is not paced.
func (p *pacer) limiter(serviceID, region, operation string) *rate.Limiter {
	var key string
	var perSecond float64
	switch serviceID {
	case "Route 53":
		key, perSecond = "route53", p.pacing.Route53PerSecond
	case "SES", "SESv2":
		if sesSendOperations[operation] {
			return nil
		}
		key, perSecond = "ses/"+region, p.pacing.SESPerSecond
	default:
		return nil
	}
	if perSecond <= 0 || math.IsInf(perSecond, 1) || math.IsNaN(perSecond) {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.limiters[key]
	if l == nil {
		// A burst of one spaces requests evenly: AWS's own buckets are not
		// documented, and an even pace never trips them.
		l = rate.NewLimiter(rate.Limit(perSecond), 1)
		p.limiters[key] = l
	}
	return l
}

// wait takes one token from l, sleeping until it is available.
func (p *pacer) wait(ctx context.Context, l *rate.Limiter) error {
	now := p.clock.Now()
	r := l.ReserveN(now, 1)
	if !r.OK() {
		return fmt.Errorf("rate limiter refused a request")
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return nil
	}
	if err := p.clock.Sleep(ctx, d); err != nil {
		r.CancelAt(p.clock.Now())
		return err
	}
	return nil
}

func (p *pacer) install(stack *middleware.Stack) error {
	m := pacingMiddleware{p}
	if _, ok := stack.Finalize.Get(pacingID); ok {
		_, err := stack.Finalize.Swap(pacingID, m)
		return err
	}
	// Before signing and inside the retry loop: every attempt is paced, and
	// the signature is made after the wait.
	if _, ok := stack.Finalize.Get("Signing"); ok {
		return stack.Finalize.Insert(m, "Signing", middleware.Before)
	}
	return stack.Finalize.Add(m, middleware.After)
}

type pacingMiddleware struct{ p *pacer }

func (pacingMiddleware) ID() string { return pacingID }

func (m pacingMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	service := awsmiddleware.GetServiceID(ctx)
	if l := m.p.limiter(service, awsmiddleware.GetRegion(ctx), awsmiddleware.GetOperationName(ctx)); l != nil {
		if err := m.p.wait(ctx, l); err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("waiting for the %s rate limit: %w", service, err)
		}
	}
	return next.HandleFinalize(ctx, in)
}
