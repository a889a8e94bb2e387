package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers/ses"
	"github.com/mailform/mailform/specs"
)

func TestIdentitiesToVerify(t *testing.T) {
	observed := []plan.Observed{
		{Kind: specs.KindSESIdentity, Owner: "prod", Attrs: map[string]any{"identity": "acme.example"}},
		{Kind: specs.KindSESIdentity, Owner: "other", Attrs: map[string]any{"identity": "other.example"}},
		{Kind: specs.KindSESIdentity, Attrs: map[string]any{"identity": "unowned.example"}},
		{Kind: specs.KindSNSTopic, Owner: "prod", Attrs: map[string]any{"identity": "not-an-identity"}},
		{Kind: specs.KindSESIdentity, Owner: "prod", Attrs: map[string]any{"identity": "ops@acme.example"}},
	}
	got := IdentitiesToVerify("prod", observed)
	if want := []string{"acme.example", "ops@acme.example"}; !slices.Equal(got, want) {
		t.Errorf("IdentitiesToVerify = %q, want %q", got, want)
	}
}

// stubWaiter answers Wait with a fixed result, after one progress message.
type stubWaiter struct {
	results []ses.WaitResult
	err     error
}

func (w stubWaiter) Wait(_ context.Context, _ []string, _ time.Duration, progress func(identity, message string)) ([]ses.WaitResult, error) {
	progress("acme.example", "DKIM: PENDING")
	return w.results, w.err
}

func TestWaitForVerification(t *testing.T) {
	pending := []ses.WaitResult{{Identity: "acme.example", Pending: []ses.PendingCheck{{Check: ses.CheckDKIM, Status: "PENDING"}}}}
	notFound := []ses.WaitResult{{Identity: "acme.example", Pending: []ses.PendingCheck{{Check: ses.CheckExists, Status: "NOT_FOUND"}}}}
	timeout := fmt.Errorf("acme.example: %w", ses.ErrWaitTimeout)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name                 string
		ctx                  context.Context
		waiter               stubWaiter
		wantErr, wantPending bool
		wantGaveUp           bool
	}{
		{name: "verified", waiter: stubWaiter{results: []ses.WaitResult{{Identity: "acme.example", Verified: true}}}},
		{name: "time ran out while SES looks", waiter: stubWaiter{results: pending, err: timeout}, wantErr: true, wantPending: true},
		{name: "time ran out on a missing identity", waiter: stubWaiter{results: notFound, err: timeout}, wantErr: true, wantGaveUp: true},
		{name: "SES gave up", waiter: stubWaiter{results: pending, err: fmt.Errorf("acme.example: %w", ses.ErrVerificationFailed)}, wantErr: true, wantGaveUp: true},
		{name: "interrupted", ctx: cancelled, waiter: stubWaiter{results: pending, err: timeout}, wantErr: true},
		{name: "the wait broke", waiter: stubWaiter{err: errors.New("throttled")}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			var messages []string
			v := WaitForVerification(ctx, tt.waiter, []string{"acme.example"}, time.Minute, "", func(identity, message string, _ time.Duration) {
				messages = append(messages, identity+": "+message)
			})
			if (v.Err != nil) != tt.wantErr || v.Pending != tt.wantPending || v.GaveUp != tt.wantGaveUp {
				t.Errorf("Err %v, Pending %v, GaveUp %v; want error %v, Pending %v, GaveUp %v", v.Err, v.Pending, v.GaveUp, tt.wantErr, tt.wantPending, tt.wantGaveUp)
			}
			if !slices.Equal(messages, []string{"acme.example: DKIM: PENDING"}) {
				t.Errorf("progress = %q", messages)
			}
			if len(v.Results) != len(tt.waiter.results) {
				t.Errorf("Results = %v, want %v", v.Results, tt.waiter.results)
			}
		})
	}
}
