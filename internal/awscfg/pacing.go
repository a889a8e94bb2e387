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

func (realClock) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d) }

// Sleep waits d, or until ctx is done (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pacer holds the gates shared by every client of one paced config.
type pacer struct {
	pacing Pacing
	clock  clock

	mu    sync.Mutex
	gates map[string]*gate // "route53" or "ses/<region>"
}

func newPacer(p Pacing, c clock) *pacer {
	return &pacer{pacing: p, clock: c, gates: map[string]*gate{}}
}

// gate lets requests through one at a time, each at least interval after
// the moment the previous one left it. Measuring from when a request really
// left, rather than from when its turn was due, matters: a request whose
// sleep overran (a busy machine wakes timers late) would otherwise be
// followed by one sent early to make up, and AWS meters arrivals.
type gate struct {
	interval time.Duration
	turn     chan struct{} // held by the one request waiting for its time
	next     time.Time     // when the next request may leave; guarded by turn
}

// limiter returns the gate for one call, or nil when the call is not paced.
func (p *pacer) limiter(serviceID, region, operation string) *gate {
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
	g := p.gates[key]
	if g == nil {
		// No burst: an even pace is what AWS's buckets, whose sizes are not
		// documented, always accept.
		g = &gate{interval: time.Duration(float64(time.Second) / perSecond), turn: make(chan struct{}, 1)}
		p.gates[key] = g
	}
	return g
}

// wait lets one request through g, sleeping until its time. A request
// whose context ends first is not sent and takes no turn.
func (p *pacer) wait(ctx context.Context, g *gate) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case g.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.turn }()
	if d := g.next.Sub(p.clock.Now()); d > 0 {
		if err := p.clock.Sleep(ctx, d); err != nil {
			return err
		}
	}
	g.next = p.clock.Now().Add(g.interval)
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
	if g := m.p.limiter(service, awsmiddleware.GetRegion(ctx), awsmiddleware.GetOperationName(ctx)); g != nil {
		if err := m.p.wait(ctx, g); err != nil {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("waiting for the %s rate limit: %w", service, err)
		}
	}
	return next.HandleFinalize(ctx, in)
}
