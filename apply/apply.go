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

// ResourceError is a change that failed, with where it was declared.
type ResourceError struct {
	Addr      string
	DeclRange hcl.Range
	Err       error
}

func (e *ResourceError) Error() string {
	msg := e.Err.Error()
	if strings.HasPrefix(msg, e.Addr+":") || strings.HasPrefix(msg, e.Addr+" ") {
		return msg // providers often name the address themselves
	}
	return e.Addr + ": " + msg
}
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
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	emit := opts.Events
	if emit == nil {
		emit = func(Event) {}
	}
	byKind := map[specs.Kind]providers.Provider{}
	for _, prov := range opts.Providers {
		for _, k := range prov.Kinds() {
			byKind[k] = prov
		}
	}

	pending := map[string]plan.Change{}
	for _, ch := range p.Changes {
		if ch.Action == plan.NoOp || ch.Action == plan.Manual {
			continue
		}
		if byKind[ch.Kind] == nil {
			return nil, fmt.Errorf("%s: no provider manages resources of kind %s", ch.Addr, ch.Kind)
		}
		pending[ch.Addr] = ch
	}
	live := map[string]plan.Observed{}
	for _, o := range observed {
		live[o.Addr] = o
	}
	out := &Outcome{}
	failed := map[string]bool{}
	started := map[string]time.Time{}
	busy := map[providers.Provider]bool{}
	results := make(chan result)
	inFlight := 0

	// progress events come from provider goroutines; they are forwarded
	// through this channel so that emit is only ever called here.
	progress := make(chan Event, 64)

	var manual []string
	for _, ch := range p.Manual {
		manual = append(manual, ch.Addr)
	}
	sort.Strings(manual)

	// A dependency that is not a change of this plan is already in place.
	inPlan := map[string]bool{}
	for addr := range pending {
		inPlan[addr] = true
	}
	done := map[string]bool{}
	interrupt := func(addr string, ch plan.Change, msg string) {
		out.Interrupted = append(out.Interrupted, addr)
		emit(Event{Addr: addr, Kind: ch.Kind, Action: ch.Action, Phase: Interrupted, Message: msg})
	}
	ready := func(ch plan.Change) (ok, blocked bool) {
		for _, dep := range ch.DependsOn {
			if failed[dep] {
				return false, true
			}
			if inPlan[dep] && !done[dep] {
				return false, false
			}
		}
		return true, false
	}

	changeAt := make(map[string]plan.Change, len(p.Changes))
	for _, ch := range p.Changes {
		changeAt[ch.Addr] = ch
	}
	// Only a result can make a change ready or blocked: progress events
	// leave the schedule alone, so that thousands of them do not sort the
	// pending changes thousands of times.
	reschedule := true
	for len(pending) > 0 || inFlight > 0 {
		if reschedule {
			reschedule = false
			// Skip what can no longer run, then start what can.
			for changed := true; changed; {
				changed = false
				for _, addr := range sortedKeys(pending) {
					ch := pending[addr]
					if _, blocked := ready(ch); blocked {
						delete(pending, addr)
						failed[addr] = true
						out.Skipped = append(out.Skipped, addr)
						emit(Event{Addr: addr, Kind: ch.Kind, Action: ch.Action, Phase: Skipped, Message: "not attempted: something it needs failed"})
						changed = true
					}
				}
			}
			groups := map[providers.Provider][]plan.Change{}
			if ctx.Err() == nil {
				for _, addr := range sortedKeys(pending) {
					ch := pending[addr]
					prov := byKind[ch.Kind]
					if busy[prov] {
						continue
					}
					if ok, _ := ready(ch); !ok {
						continue
					}
					groups[prov] = append(groups[prov], ch)
				}
			}
			var liveNow []plan.Observed
			var applied []string
			if len(groups) > 0 {
				liveNow = liveState(live)
				applied = sortedKeys(done)
			}
			for prov, chs := range groups {
				resolveChanges(chs, liveNow)
				for i := range chs {
					delete(pending, chs[i].Addr)
					started[chs[i].Addr] = now()
					emit(Event{Addr: chs[i].Addr, Kind: chs[i].Kind, Action: chs[i].Action, Phase: Started})
				}
				busy[prov] = true
				inFlight++
				go func(prov providers.Provider, chs []plan.Change) {
					req := providers.ApplyRequest{
						Stack:   opts.Stack,
						Region:  opts.Region,
						Changes: chs,
						Manual:  manual,
						Applied: applied,
						Progress: func(addr, msg string) {
							select {
							case progress <- Event{Addr: addr, Phase: Progress, Message: msg}:
							case <-ctx.Done():
							}
						},
					}
					results <- result{provider: prov, results: prov.Apply(ctx, req), changes: chs}
				}(prov, chs)
			}
			if inFlight == 0 {
				if len(pending) > 0 && ctx.Err() == nil {
					// Nothing runs and nothing can start: a dependency cycle
					// or a dependency on a change that is not in the plan.
					for _, addr := range sortedKeys(pending) {
						ch := pending[addr]
						out.Failed = append(out.Failed, ResourceError{Addr: addr, DeclRange: ch.DeclRange,
							Err: fmt.Errorf("cannot be ordered: it waits for %s", strings.Join(ch.DependsOn, ", "))})
						delete(pending, addr)
					}
				}
				if ctx.Err() != nil {
					for _, addr := range sortedKeys(pending) {
						interrupt(addr, pending[addr], "not attempted (interrupted)")
						delete(pending, addr)
					}
				}
				break
			}
		}
		select {
		case ev := <-progress:
			if t, ok := started[ev.Addr]; ok {
				ev.Elapsed = now().Sub(t)
			}
			if ch, ok := changeAt[ev.Addr]; ok {
				ev.Kind, ev.Action = ch.Kind, ch.Action
			}
			emit(ev)
		case r := <-results:
			inFlight--
			busy[r.provider] = false
			reschedule = true
			seen := map[string]bool{}
			for _, res := range r.results {
				seen[res.Addr] = true
				ch := changeAt[res.Addr]
				elapsed := now().Sub(started[res.Addr])
				if res.Err != nil && ctx.Err() != nil && errors.Is(res.Err, ctx.Err()) {
					interrupt(res.Addr, ch, "interrupted before it finished")
					continue
				}
				if res.Err != nil {
					failed[res.Addr] = true
					out.Failed = append(out.Failed, ResourceError{Addr: res.Addr, DeclRange: ch.DeclRange, Err: res.Err})
					emit(Event{Addr: res.Addr, Kind: ch.Kind, Action: ch.Action, Phase: Failed, Message: res.Err.Error(), Elapsed: elapsed})
					continue
				}
				if res.Observed != nil {
					live[res.Addr] = *res.Observed
				} else if ch.Action == plan.Delete {
					delete(live, res.Addr)
				}
				done[res.Addr] = true
				out.Applied = append(out.Applied, res.Addr)
				if res.Message != "" {
					out.Messages = append(out.Messages, res.Addr+": "+res.Message)
				}
				emit(Event{Addr: res.Addr, Kind: ch.Kind, Action: ch.Action, Phase: Done, Message: res.Message, Elapsed: elapsed})
			}
			for _, ch := range r.changes {
				if !seen[ch.Addr] {
					if ctx.Err() != nil {
						interrupt(ch.Addr, ch, "interrupted before it finished")
						continue
					}
					failed[ch.Addr] = true
					err := errors.New("the provider reported no result for this change")
					out.Failed = append(out.Failed, ResourceError{Addr: ch.Addr, DeclRange: ch.DeclRange, Err: err})
					emit(Event{Addr: ch.Addr, Kind: ch.Kind, Action: ch.Action, Phase: Failed, Message: err.Error()})
				}
			}
		}
	}
	for _, addr := range sortedKeys(live) {
		out.Observed = append(out.Observed, live[addr])
	}
	if ctx.Err() != nil {
		return out, fmt.Errorf("apply interrupted: %w", ctx.Err())
	}
	return out, nil
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
