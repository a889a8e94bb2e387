package lock

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/mailform/mailform/internal/awstest"
)

func TestMain(m *testing.M) { awstest.Main(m) }

func TestOneHolderAtATime(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	client := ssm.NewFromConfig(s.Config("us-west-2"))
	first := New(client)
	taken := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	first.now = func() time.Time { return taken }

	release, err := first.Acquire(ctx, "acme-prod", "apply")
	if err != nil {
		t.Fatal(err)
	}

	second := New(client)
	second.now = func() time.Time { return taken.Add(90 * time.Second) }
	_, err = second.Acquire(ctx, "acme-prod", "apply")
	var held *HeldError
	if !errors.As(err, &held) {
		t.Fatalf("second Acquire err = %v, want *HeldError", err)
	}
	if held.Age != 90*time.Second || held.Holder.Operation != "apply" || held.Holder.Who == "" {
		t.Errorf("held = %+v", held)
	}

	// Another stack is independent.
	otherRelease, err := second.Acquire(ctx, "acme-staging", "apply")
	if err != nil {
		t.Fatalf("other stack: %v", err)
	}
	if err := otherRelease(ctx); err != nil {
		t.Fatal(err)
	}

	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	release2, err := second.Acquire(ctx, "acme-prod", "apply")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	if err := release2(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestBreakingALeftoverLock(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	l := New(ssm.NewFromConfig(s.Config("us-west-2")))
	staleRelease, err := l.Acquire(ctx, "acme-prod", "apply")
	if err != nil {
		t.Fatal(err)
	}
	// The run that took it dies; someone breaks the lock and takes it.
	if err := l.Release(ctx, "acme-prod"); err != nil {
		t.Fatal(err)
	}
	h, err := l.Holder(ctx, "acme-prod")
	if err != nil || h != nil {
		t.Fatalf("after Release holder = %v, %v", h, err)
	}
	l.now = func() time.Time { return time.Now().Add(time.Hour) }
	newRelease, err := l.Acquire(ctx, "acme-prod", "apply -destroy")
	if err != nil {
		t.Fatal(err)
	}
	// The old run's release must not free the new holder's lock.
	if err := staleRelease(ctx); err != nil {
		t.Fatal(err)
	}
	h, err = l.Holder(ctx, "acme-prod")
	if err != nil || h == nil || h.Operation != "apply -destroy" {
		t.Fatalf("new holder lost its lock: %v, %v", h, err)
	}
	if err := newRelease(ctx); err != nil {
		t.Fatal(err)
	}
	// Releasing a free lock is fine.
	if err := l.Release(ctx, "acme-prod"); err != nil {
		t.Fatal(err)
	}
}

// TestLockWhoseAnswerWasLost: the call that creates the lock is carried out
// but its answer is lost; the SDK's retry finds the parameter. The lock is
// this run's own, so Acquire succeeds instead of reporting itself as the
// holder, and the release frees it.
func TestLockWhoseAnswerWasLost(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	if err := s.SetFaults("ssm:PutParameter=cut#1"); err != nil {
		t.Fatal(err)
	}
	l := New(ssm.NewFromConfig(s.Config("us-west-2")))
	release, err := l.Acquire(ctx, "acme-prod", "apply")
	if err != nil {
		t.Fatalf("Acquire after a lost answer: %v", err)
	}
	if n := s.InjectedFaults()["ssm:PutParameter=cut#1"]; n != 1 {
		t.Fatalf("the fault was not injected (%d)", n)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	if h, err := l.Holder(ctx, "acme-prod"); err != nil || h != nil {
		t.Fatalf("after release holder = %v, %v", h, err)
	}
}

// TestSameProcessSameSecond: two runs of one process that try to lock in
// the same second are told apart: the second is refused.
func TestSameProcessSameSecond(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	first, second := New(ssm.NewFromConfig(s.Config("us-west-2"))), New(ssm.NewFromConfig(s.Config("us-west-2")))
	first.now = func() time.Time { return at }
	second.now = func() time.Time { return at }
	release, err := first.Acquire(ctx, "acme-prod", "apply")
	if err != nil {
		t.Fatal(err)
	}
	var held *HeldError
	if _, err := second.Acquire(ctx, "acme-prod", "apply"); !errors.As(err, &held) {
		t.Fatalf("second Acquire in the same second: %v, want *HeldError", err)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
}
