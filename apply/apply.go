// Package apply carries out a plan: changes run in dependency order, in
// parallel across providers where independent, and values that only AWS can
// tell (DKIM tokens, ARNs, addresses) are filled in as the resources that
// hold them are created. It reports progress as events and never decides what
// should change: the plan did that.
package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// Phase is the stage of one change that an Event reports.
type Phase string

const (
	Started  Phase = "started"
	Progress Phase = "progress"
	Done     Phase = "done"
	Failed   Phase = "failed"
	Skipped  Phase = "skipped" // not attempted because something it needs failed
	// Interrupted: not attempted, or stopped before it finished, because the
	// run was interrupted (Ctrl-C, SIGTERM). Not a failure: run apply again.
	Interrupted Phase = "interrupted"
)

// Event is one step of an apply, for progress output.
type Event struct {
	Addr    string        `json:"address"`
	Kind    specs.Kind    `json:"kind"`
	Action  plan.Action   `json:"action"`
	Phase   Phase         `json:"phase"`
	Message string        `json:"message,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns,omitempty"`
}

// Options configure a run.
type Options struct {
	Stack     string
	Region    string
	Providers []providers.Provider
	// Events receives progress; it is called from one goroutine at a time.
	Events func(Event)
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// ResourceError is a change that failed, with where it was declared. As
// fs.PathError adds the path, it adds the address to what went wrong: a
// provider's error (providers.Result.Err) names the resource's AWS names, never
// its address, so that the address is said once.
type ResourceError struct {
	Addr      string
	DeclRange hcl.Range
	Err       error
}

func (e *ResourceError) Error() string { return e.Addr + ": " + e.Err.Error() }
func (e *ResourceError) Unwrap() error { return e.Err }

// Outcome is what a run did.
type Outcome struct {
	Applied []string        // addresses changed successfully, in the order they finished
	Failed  []ResourceError // changes AWS refused or that could not be completed
	Skipped []string        // changes not attempted because a dependency failed
	// Interrupted lists the changes not attempted, or stopped before they
	// finished, because the run was interrupted; they are not failures.
	Interrupted []string
	Messages    []string // notes for the user from providers ("SES mailed a verification link ...")
	// Observed is the live state after the run: what the plan started from,
	// updated with every result.
	Observed []plan.Observed
}

// Err summarises the failures, or is nil when no change failed or was
// skipped for a failure. Interrupted changes are not failures: Run's own
// error says the run was interrupted.
func (o *Outcome) Err() error {
	if len(o.Failed) == 0 && len(o.Skipped) == 0 {
		return nil
	}
	var errs []error
	for i := range o.Failed {
		errs = append(errs, &o.Failed[i])
	}
	if len(o.Skipped) > 0 {
		errs = append(errs, fmt.Errorf("%d changes not attempted because something they need failed: %s", len(o.Skipped), strings.Join(o.Skipped, ", ")))
	}
	return errors.Join(errs...)
}

type result struct {
	provider providers.Provider
	results  []providers.Result
	changes  []plan.Change
}

// Run carries out the changes of p. observed is the live state the plan was
// made from (or read just now); it is used to fill placeholders. Run returns
// when every change has been applied, has failed, or has been skipped, or when
// ctx is done (changes under way are then allowed to finish).
func Run(ctx context.Context, p *plan.Plan, observed []plan.Observed, opts Options) (*Outcome, error) {
	s, err := newScheduler(ctx, p, observed, opts)
	if err != nil {
		return nil, err
	}
	return s.run()
}

// scheduler is one run of a plan: which changes wait, which run, which are
// done or failed, and the live state gathered so far. Only the goroutine of
// run touches it; provider calls report back through results and progress.
type scheduler struct {
	ctx    context.Context
	opts   Options
	now    func() time.Time
	emit   func(Event)
	route  *providers.Set
	manual []string // addresses of the plan's manual records, sorted

	changeAt map[string]plan.Change // every change of the plan
	pending  map[string]plan.Change // changes not yet started
	// inPlan holds the changes this run carries out: a dependency that is
	// not one of them is already in place.
	inPlan   map[string]bool
	done     map[string]bool
	failed   map[string]bool // failed, or skipped because a dependency failed
	started  map[string]time.Time
	busy     map[providers.Provider]bool
	inFlight int
	live     map[string]plan.Observed

	results chan result
	// progress events come from provider goroutines; they are forwarded
	// through this channel so that emit is only ever called by run.
	progress chan Event

	out *Outcome
}

func newScheduler(ctx context.Context, p *plan.Plan, observed []plan.Observed, opts Options) (*scheduler, error) {
	s := &scheduler{
		ctx: ctx, opts: opts, now: opts.Now, emit: opts.Events,
		route:    providers.NewSet(opts.Providers...),
		changeAt: make(map[string]plan.Change, len(p.Changes)),
		pending:  map[string]plan.Change{},
		inPlan:   map[string]bool{},
		done:     map[string]bool{},
		failed:   map[string]bool{},
		started:  map[string]time.Time{},
		busy:     map[providers.Provider]bool{},
		live:     map[string]plan.Observed{},
		results:  make(chan result),
		progress: make(chan Event, 64),
		out:      &Outcome{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.emit == nil {
		s.emit = func(Event) {}
	}
	for _, ch := range p.Changes {
		s.changeAt[ch.Addr] = ch
		if ch.Action == plan.NoOp || ch.Action == plan.Manual {
			continue
		}
		if s.route.For(ch.Kind) == nil {
			return nil, fmt.Errorf("%s: no provider manages resources of kind %s", ch.Addr, ch.Kind)
		}
		s.pending[ch.Addr] = ch
		s.inPlan[ch.Addr] = true
	}
	for _, o := range observed {
		s.live[o.Addr] = o
	}
	for _, ch := range p.Manual {
		s.manual = append(s.manual, ch.Addr)
	}
	sort.Strings(s.manual)
	return s, nil
}

// run starts what is ready, waits for a result or a progress event, and
// starts again, until nothing is pending or running.
func (s *scheduler) run() (*Outcome, error) {
	// Only a result can make a change ready or blocked: progress events
	// leave the schedule alone, so that thousands of them do not sort the
	// pending changes thousands of times.
	reschedule := true
	for len(s.pending) > 0 || s.inFlight > 0 {
		if reschedule {
			reschedule = false
			s.skipBlocked()
			s.startReady()
			if s.inFlight == 0 {
				s.abandonPending()
				break
			}
		}
		select {
		case ev := <-s.progress:
			s.onProgress(ev)
		case r := <-s.results:
			s.onResult(r)
			reschedule = true
		}
	}
	return s.finish()
}

// readiness says whether ch can start now, or can never start because
// something it depends on failed.
func (s *scheduler) readiness(ch plan.Change) (ok, blocked bool) {
	for _, dep := range ch.DependsOn {
		if s.failed[dep] {
			return false, true
		}
		if s.inPlan[dep] && !s.done[dep] {
			return false, false
		}
	}
	return true, false
}

// skipBlocked skips the pending changes that can no longer run, and those
// that wait for them, in turn.
func (s *scheduler) skipBlocked() {
	for changed := true; changed; {
		changed = false
		for _, addr := range slices.Sorted(maps.Keys(s.pending)) {
			ch := s.pending[addr]
			if _, blocked := s.readiness(ch); blocked {
				delete(s.pending, addr)
				s.failed[addr] = true
				s.out.Skipped = append(s.out.Skipped, addr)
				s.emit(Event{Addr: addr, Kind: ch.Kind, Action: ch.Action, Phase: Skipped, Message: "not attempted: something it needs failed"})
				changed = true
			}
		}
	}
}

// startReady hands every idle provider the ready changes of its kinds, in
// one call each. Nothing starts once ctx is done.
func (s *scheduler) startReady() {
	if s.ctx.Err() != nil {
		return
	}
	groups := map[providers.Provider][]plan.Change{}
	for _, addr := range slices.Sorted(maps.Keys(s.pending)) {
		ch := s.pending[addr]
		prov := s.route.For(ch.Kind)
		if s.busy[prov] {
			continue
		}
		if ok, _ := s.readiness(ch); !ok {
			continue
		}
		groups[prov] = append(groups[prov], ch)
	}
	if len(groups) == 0 {
		return
	}
	liveNow := liveState(s.live)
	applied := slices.Sorted(maps.Keys(s.done))
	for prov, chs := range groups {
		resolveChanges(chs, liveNow)
		s.start(prov, chs, applied)
	}
}

// start marks chs as running and calls prov.Apply with them in a goroutine
// that sends its results back to run.
func (s *scheduler) start(prov providers.Provider, chs []plan.Change, applied []string) {
	for i := range chs {
		delete(s.pending, chs[i].Addr)
		s.started[chs[i].Addr] = s.now()
		s.emit(Event{Addr: chs[i].Addr, Kind: chs[i].Kind, Action: chs[i].Action, Phase: Started})
	}
	s.busy[prov] = true
	s.inFlight++
	req := providers.ApplyRequest{
		Stack:   s.opts.Stack,
		Region:  s.opts.Region,
		Changes: chs,
		Manual:  s.manual,
		Applied: applied,
		Progress: func(addr, msg string) {
			select {
			case s.progress <- Event{Addr: addr, Phase: Progress, Message: msg}:
			case <-s.ctx.Done():
			}
		},
	}
	go func() {
		s.results <- result{provider: prov, results: prov.Apply(s.ctx, req), changes: chs}
	}()
}

// abandonPending settles the changes still pending when nothing runs and
// nothing can start: interrupted when ctx is done, otherwise failed, for they
// wait in a dependency cycle or for a change that is not in the plan.
func (s *scheduler) abandonPending() {
	interrupted := s.ctx.Err() != nil
	for _, addr := range slices.Sorted(maps.Keys(s.pending)) {
		ch := s.pending[addr]
		if interrupted {
			s.interrupt(addr, ch, "not attempted (interrupted)")
		} else {
			s.out.Failed = append(s.out.Failed, ResourceError{Addr: addr, DeclRange: ch.DeclRange,
				Err: fmt.Errorf("cannot be ordered: it waits for %s", strings.Join(ch.DependsOn, ", "))})
		}
		delete(s.pending, addr)
	}
}

// onProgress passes on a provider's progress event with what the provider
// does not know: the change's kind and action, and the time since it started.
func (s *scheduler) onProgress(ev Event) {
	if t, ok := s.started[ev.Addr]; ok {
		ev.Elapsed = s.now().Sub(t)
	}
	if ch, ok := s.changeAt[ev.Addr]; ok {
		ev.Kind, ev.Action = ch.Kind, ch.Action
	}
	s.emit(ev)
}

// onResult records what one provider call did: a result per change, and a
// failure for each change it reported nothing for.
func (s *scheduler) onResult(r result) {
	s.inFlight--
	s.busy[r.provider] = false
	seen := map[string]bool{}
	for _, res := range r.results {
		seen[res.Addr] = true
		s.record(res)
	}
	for _, ch := range r.changes {
		if seen[ch.Addr] {
			continue
		}
		if s.ctx.Err() != nil {
			s.interrupt(ch.Addr, ch, "interrupted before it finished")
			continue
		}
		s.failed[ch.Addr] = true
		err := errors.New("the provider reported no result for this change")
		s.out.Failed = append(s.out.Failed, ResourceError{Addr: ch.Addr, DeclRange: ch.DeclRange, Err: err})
		s.emit(Event{Addr: ch.Addr, Kind: ch.Kind, Action: ch.Action, Phase: Failed, Message: err.Error()})
	}
}

// record takes one change's result: interrupted, failed, or done with the
// resource's new live state.
func (s *scheduler) record(res providers.Result) {
	ch := s.changeAt[res.Addr]
	elapsed := s.now().Sub(s.started[res.Addr])
	if res.Err != nil && s.ctx.Err() != nil && errors.Is(res.Err, s.ctx.Err()) {
		s.interrupt(res.Addr, ch, "interrupted before it finished")
		return
	}
	if res.Err != nil {
		s.failed[res.Addr] = true
		s.out.Failed = append(s.out.Failed, ResourceError{Addr: res.Addr, DeclRange: ch.DeclRange, Err: res.Err})
		s.emit(Event{Addr: res.Addr, Kind: ch.Kind, Action: ch.Action, Phase: Failed, Message: res.Err.Error(), Elapsed: elapsed})
		return
	}
	if res.Observed != nil {
		s.live[res.Addr] = *res.Observed
	} else if ch.Action == plan.Delete {
		delete(s.live, res.Addr)
	}
	s.done[res.Addr] = true
	s.out.Applied = append(s.out.Applied, res.Addr)
	if res.Message != "" {
		s.out.Messages = append(s.out.Messages, res.Addr+": "+res.Message)
	}
	s.emit(Event{Addr: res.Addr, Kind: ch.Kind, Action: ch.Action, Phase: Done, Message: res.Message, Elapsed: elapsed})
}

// interrupt records a change that did not run, or did not finish, because
// the run was interrupted.
func (s *scheduler) interrupt(addr string, ch plan.Change, msg string) {
	s.out.Interrupted = append(s.out.Interrupted, addr)
	s.emit(Event{Addr: addr, Kind: ch.Kind, Action: ch.Action, Phase: Interrupted, Message: msg})
}

// finish lists the live state after the run and says whether it was
// interrupted.
func (s *scheduler) finish() (*Outcome, error) {
	for _, addr := range slices.Sorted(maps.Keys(s.live)) {
		s.out.Observed = append(s.out.Observed, s.live[addr])
	}
	if s.ctx.Err() != nil {
		return s.out, fmt.Errorf("apply interrupted: %w", s.ctx.Err())
	}
	return s.out, nil
}

// liveState lists the live state gathered so far.
func liveState(live map[string]plan.Observed) []plan.Observed {
	out := make([]plan.Observed, 0, len(live))
	for _, o := range live {
		out = append(out, o)
	}
	return out
}

// resolveChanges fills, in place, the placeholders of the changes' desired
// attributes from the live state gathered so far. One call resolves a whole
// round of changes: resolving them one by one would index the live state
// once per change, which grows with the square of the spec's size.
func resolveChanges(chs []plan.Change, live []plan.Observed) {
	var desired []specs.Resource
	var at []int
	for i, ch := range chs {
		if ch.After == nil {
			continue
		}
		desired = append(desired, specs.Resource{Addr: ch.Addr, Kind: ch.Kind, Attrs: ch.After, DependsOn: ch.DependsOn, DeclRange: ch.DeclRange})
		at = append(at, i)
	}
	if len(desired) == 0 {
		return
	}
	for j, r := range plan.Resolve(desired, live) {
		chs[at[j]].After = r.Attrs
	}
}
