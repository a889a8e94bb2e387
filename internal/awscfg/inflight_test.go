package awscfg

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Each keeps InFlight calls going at once, never more, and keeps each
// result in its own slot.
func TestEachKeepsInFlightCallsGoing(t *testing.T) {
	const n = 40
	var mu sync.Mutex
	running, most := 0, 0
	full := make(chan struct{})
	var fullOnce sync.Once
	out := make([]int, n)
	err := Each(t.Context(), n, func(ctx context.Context, i int) error {
		mu.Lock()
		running++
		most = max(most, running)
		if running == InFlight {
			fullOnce.Do(func() { close(full) })
		}
		mu.Unlock()
		// The first calls wait until InFlight of them run together: if
		// Each ran them one at a time, they would wait for ever.
		select {
		case <-full:
		case <-time.After(time.Minute):
			return errors.New("calls never ran together")
		}
		out[i] = i * i
		mu.Lock()
		running--
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if most != InFlight {
		t.Errorf("at most %d calls at once, want %d", most, InFlight)
	}
	for i, v := range out {
		if v != i*i {
			t.Fatalf("out[%d] = %d, want %d", i, v, i*i)
		}
	}
}

// After a failure, no new call starts, and Each returns that failure.
func TestEachStopsAtTheFirstFailure(t *testing.T) {
	boom := errors.New("boom")
	var started atomic.Int32
	err := Each(t.Context(), 1000, func(ctx context.Context, i int) error {
		started.Add(1)
		if i == 0 {
			return boom
		}
		<-ctx.Done() // the others see the failure as a cancelled context
		return ctx.Err()
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if n := started.Load(); n > InFlight+1 {
		t.Errorf("%d calls started after the first failed, want at most %d", n, InFlight+1)
	}
}

// A cancelled context still gets every slot its call, so that callers fill
// each slot (with "not applied", say) rather than leave it empty.
func TestEachCallsEverySlotWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var calls atomic.Int32
	err := Each(ctx, 50, func(ctx context.Context, i int) error {
		calls.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 50 {
		t.Errorf("%d calls, want 50", n)
	}
}
