package awstest

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/mailform/mailform/internal/awstest/sesdouble"
)

// limiter enforces AWS's per-account API rate limits with token buckets.
// Bursts are as small as AWS's (burst = the unscaled rate), so a TimeScale
// speeds the refill up without letting larger bursts through.
type limiter struct {
	mu      sync.Mutex
	mode    string // "aws" or "off"
	scale   float64
	buckets map[string]*rate.Limiter
}

func newLimiter(mode string, scale float64) *limiter {
	l := &limiter{scale: scale}
	l.reset(mode)
	return l
}

// reset empties the buckets and sets the mode.
func (l *limiter) reset(mode string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if mode == "" {
		mode = "off"
	}
	l.mode = mode
	l.buckets = map[string]*rate.Limiter{}
}

// rateFor returns the bucket key and the rate (requests per second) AWS
// applies to c, or "" when AWS does not limit it here.
func rateFor(c call) (key string, perSecond float64) {
	switch c.service {
	case "route53":
		// Route 53: 5 requests per second per account, all operations.
		return "route53", 5
	case "ses":
		// SES: every action except the sends is limited to 1 request per
		// second per region; sends are limited by the account's maximum
		// send rate, which the SES emulation enforces.
		if sesdouble.IsSend(c.operation) {
			return "", 0
		}
		return "ses/" + c.region, 1
	}
	return "", 0
}

// allow takes a token for c at now and reports whether the call may proceed.
func (l *limiter) allow(c call, now time.Time) bool {
	key, perSecond := rateFor(c)
	if key == "" {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.mode != "aws" {
		return true
	}
	b := l.buckets[key]
	if b == nil {
		burst := int(perSecond)
		b = rate.NewLimiter(rate.Limit(perSecond*l.scale), burst)
		// A fresh bucket is full at its first use.
		l.buckets[key] = b
	}
	return b.AllowN(now, 1)
}

// configure sets mode and scale and empties the buckets.
func (l *limiter) configure(mode string, scale float64) {
	l.mu.Lock()
	l.scale = scale
	l.mu.Unlock()
	l.reset(mode)
}
