package iam

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/smithy-go"
)

// probeAt is a KeyProbe that AWS refuses until accept (from the start of the
// bubble) and records when it was called.
type probeAt struct {
	start  time.Time
	accept time.Duration
	calls  []time.Duration
}

func (p *probeAt) probe(_ context.Context, _, _ string) error {
	at := time.Since(p.start)
	p.calls = append(p.calls, at)
	if at >= p.accept {
		return nil
	}
	return &smithy.GenericAPIError{Code: "InvalidClientTokenId", Message: "The security token included in the request is invalid."}
}

// TestProveKeyBacksOff: the pause between probes doubles from Poll up to
// eight times Poll, and the first accepted probe ends the wait.
func TestProveKeyBacksOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr := &probeAt{start: time.Now(), accept: 30 * time.Second}
		p := (&Provider{}).WithKeyProof(KeyProof{Probe: pr.probe, Wait: 3 * time.Minute, Poll: time.Second})
		var progress []string
		proven, why, err := p.proveKey(t.Context(), func(m string) { progress = append(progress, m) }, "AKIANEW", "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY")
		if err != nil || !proven || why != "" {
			t.Fatalf("proveKey = %v, %q, %v; want proven", proven, why, err)
		}
		want := []time.Duration{0, 1 * time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second, 23 * time.Second, 31 * time.Second}
		if !slices.Equal(pr.calls, want) {
			t.Errorf("probes at %v, want %v", pr.calls, want)
		}
		if len(progress) != len(want)-1 || !strings.Contains(progress[1], "waiting for AWS to accept new access key AKIANEW before deleting the old one (1s so far, up to 3m0s): InvalidClientTokenId") {
			t.Errorf("progress %q", progress)
		}
		for _, m := range progress {
			if strings.Contains(m, "SECRETKEY") {
				t.Errorf("progress names the secret: %q", m)
			}
		}
	})
}

// TestProveKeyGivesUpWithinTheWait: a key AWS keeps refusing is not proven,
// the last answer says why, and no probe comes after the wait.
func TestProveKeyGivesUpWithinTheWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr := &probeAt{start: time.Now(), accept: time.Hour}
		p := (&Provider{}).WithKeyProof(KeyProof{Probe: pr.probe, Wait: 20 * time.Second, Poll: time.Second})
		proven, why, err := p.proveKey(t.Context(), func(string) {}, "AKIANEW", "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY")
		if err != nil || proven || why != "InvalidClientTokenId" {
			t.Fatalf("proveKey = %v, %q, %v; want not proven, because of InvalidClientTokenId", proven, why, err)
		}
		// The next pause (8s) would pass the 20s wait at 15s: it stops there.
		if want := []time.Duration{0, 1 * time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second}; !slices.Equal(pr.calls, want) {
			t.Errorf("probes at %v, want %v", pr.calls, want)
		}
		if took := time.Since(pr.start); took != 15*time.Second {
			t.Errorf("gave up after %s, want 15s", took)
		}
	})
}

// TestProveKeyStopsWhenCancelled: a cancelled run ends the wait with the
// context's error.
func TestProveKeyStopsWhenCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pr := &probeAt{start: time.Now(), accept: time.Hour}
		p := (&Provider{}).WithKeyProof(KeyProof{Probe: pr.probe, Wait: 3 * time.Minute, Poll: time.Second})
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		_, _, err := p.proveKey(ctx, func(string) {}, "AKIANEW", "wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("proveKey = %v, want the context's error", err)
		}
		if took := time.Since(pr.start); took != 5*time.Second {
			t.Errorf("returned after %s, want 5s", took)
		}
	})
}
