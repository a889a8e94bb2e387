package awscfg

import (
	"context"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// InFlight is how many calls to one paced service mailform keeps in flight
// at once. Pacing spaces the requests' departures; a caller that waited for
// each answer before asking again would add every round trip to the
// interval, so that a service answering in 300 ms could never be used at its
// limit. With a few calls in flight the next one is always waiting at the
// gate, and the limit, not the round trip, sets the pace. More would only
// wait longer at the gate.
const InFlight = 4

// Each calls f(ctx, i) for every i in [0, n), at most InFlight at a time,
// and returns the first error f returned; once one has failed, the calls
// not yet started are not made and the others see ctx cancelled. f must
// write its results to a slot of its own (index i), so that they keep the
// order of the input. Until f fails, every i gets its call, even when ctx
// is done: f decides what a cancelled context means for its slot.
func Each(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	if n == 1 {
		return f(ctx, 0)
	}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(InFlight)
	var failed atomic.Bool
	for i := 0; i < n && !failed.Load(); i++ {
		g.Go(func() error {
			err := f(ctx, i)
			if err != nil {
				failed.Store(true)
			}
			return err
		})
	}
	return g.Wait()
}
