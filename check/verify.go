package check

import (
	"context"
	"errors"
	"time"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers/ses"
	"github.com/mailform/mailform/specs"
)

// IdentitiesToVerify are the SES identities of observed that stack owns,
// in order: those whose verification apply -wait waits for.
func IdentitiesToVerify(stack string, observed []plan.Observed) []string {
	var identities []string
	for _, o := range observed {
		if o.Kind != specs.KindSESIdentity || !o.Owned(stack) {
			continue
		}
		if id, ok := o.Attrs["identity"].(string); ok {
			identities = append(identities, id)
		}
	}
	return identities
}

// VerificationWaiter waits for SES to verify identities (providers/ses).
type VerificationWaiter interface {
	Wait(ctx context.Context, identities []string, timeout time.Duration, progress func(identity, message string)) ([]ses.WaitResult, error)
}

// Verification is how a wait for SES verification ended.
type Verification struct {
	Results []ses.WaitResult
	// Waited is how long the wait took, without the DNS questions after it.
	Waited time.Duration
	// Err is nil when every identity is verified. With Pending, the time
	// ran out while SES still looks (it searches DNS for up to 72 hours):
	// not a failure, and Served says what DNS answers for the records SES
	// looks for. Otherwise SES gave up on some identity (GaveUp) or the
	// wait itself broke.
	Err     error
	Pending bool
	GaveUp  bool
	Served  []PendingRecord
}

// WaitForVerification waits up to timeout for SES to verify identities,
// passing each progress message with the time since the wait began, and
// on a timeout asks dnsServer (or the authoritative servers, when "") what
// it serves for the records still pending (PendingRecords).
func WaitForVerification(ctx context.Context, w VerificationWaiter, identities []string, timeout time.Duration, dnsServer string, progress func(identity, message string, elapsed time.Duration)) Verification {
	start := time.Now()
	results, err := w.Wait(ctx, identities, timeout, func(identity, message string) {
		progress(identity, message, time.Since(start))
	})
	v := Verification{Results: results, Waited: time.Since(start), Err: err}
	if err == nil {
		return v
	}
	v.GaveUp = errors.Is(err, ses.ErrVerificationFailed) || anyGaveUp(results)
	if errors.Is(err, ses.ErrWaitTimeout) && ctx.Err() == nil && !anyGaveUp(results) {
		v.Pending = true
		v.Served = PendingRecords(ctx, results, dnsServer)
	}
	return v
}

// anyGaveUp reports whether SES stopped looking for some identity (FAILED)
// or the identity does not exist: waiting longer would not help.
func anyGaveUp(results []ses.WaitResult) bool {
	for _, r := range results {
		for _, pc := range r.Pending {
			if pc.Status == "FAILED" || pc.Status == "NOT_FOUND" {
				return true
			}
		}
	}
	return false
}
