package awstest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// faultKind names what an injected fault does to a call.
type faultKind string

const (
	faultNone     faultKind = ""
	faultThrottle faultKind = "throttle" // the service's throttling error
	fault5xx      faultKind = "5xx"      // 500 InternalError or 503 ServiceUnavailable
	faultCut      faultKind = "cut"      // carried out, then the connection is dropped before the answer
	faultDrop     faultKind = "drop"     // mutating calls only: the connection is dropped, nothing is done
	faultFail     faultKind = "fail"     // a permanent error: AccessDenied or the given code
	faultLatency  faultKind = "latency"  // the call is delayed
)

// FaultRule is one rule of a fault spec:
//
//	SERVICE:OPERATION=KIND[TRIGGER]
//
// SERVICE is a SigV4 signing name (route53, ec2, ses, iam...) or *;
// OPERATION an operation name, a prefix ending in * (Describe*), or *.
type FaultRule struct {
	Service   string
	Operation string
	Kind      string        // throttle, 5xx, cut, drop, fail, latency
	Code      string        // for fail: the error code ("" = the service's access-denied)
	Latency   time.Duration // for latency
	// The trigger: at most one of these is set; none means every matching call.
	Probability float64 // @P: each matching call with probability P
	Nth         int     // #N: the Nth matching call only
	After       int     // >N: every matching call after the Nth
	trigger     byte    // '@', '#' or '>'
	text        string
}

// String is the rule as written.
func (r FaultRule) String() string { return r.text }

// FaultSpec is a parsed fault spec: rules, tried in order, and the seed of
// the random source the @P triggers draw from.
type FaultSpec struct {
	Seed  uint64
	Rules []FaultRule
}

// String gives the spec back in its written form.
func (f FaultSpec) String() string {
	if len(f.Rules) == 0 {
		return ""
	}
	parts := []string{"seed=" + strconv.FormatUint(f.Seed, 10)}
	for _, r := range f.Rules {
		parts = append(parts, r.text)
	}
	return strings.Join(parts, ",")
}

// ParseFaultSpec parses a comma-separated fault spec such as
//
//	seed=7,route53:ChangeResourceRecordSets=throttle@0.3,*:*=5xx@0.05,
//	ec2:AllocateAddress=cut#1,iam:*=latency:200ms@0.5,*:*=drop>5
//
// (docs/sandbox.md has the grammar). "" is the empty spec.
func ParseFaultSpec(spec string) (FaultSpec, error) {
	var out FaultSpec
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if v, ok := strings.CutPrefix(item, "seed="); ok {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return FaultSpec{}, fmt.Errorf("fault spec: %q: the seed must be a non-negative integer", item)
			}
			out.Seed = n
			continue
		}
		r, err := parseFaultRule(item)
		if err != nil {
			return FaultSpec{}, fmt.Errorf("fault spec: %q: %w", item, err)
		}
		out.Rules = append(out.Rules, r)
	}
	return out, nil
}

func parseFaultRule(item string) (FaultRule, error) {
	target, action, ok := strings.Cut(item, "=")
	if !ok {
		return FaultRule{}, fmt.Errorf("want SERVICE:OPERATION=KIND[@P|#N|>N]")
	}
	service, op, ok := strings.Cut(target, ":")
	if !ok || service == "" || op == "" {
		return FaultRule{}, fmt.Errorf("want SERVICE:OPERATION before '=' (use * for any)")
	}
	r := FaultRule{Service: service, Operation: op, text: item}
	kind := action
	if i := strings.IndexAny(action, "@#>"); i >= 0 {
		kind = action[:i]
		trig, val := action[i], action[i+1:]
		r.trigger = trig
		switch trig {
		case '@':
			p, err := strconv.ParseFloat(val, 64)
			if err != nil || p < 0 || p > 1 {
				return FaultRule{}, fmt.Errorf("@%s: the probability must be a number from 0 to 1", val)
			}
			r.Probability = p
		case '#':
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return FaultRule{}, fmt.Errorf("#%s: want the number (1 or more) of the one call to fail", val)
			}
			r.Nth = n
		case '>':
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return FaultRule{}, fmt.Errorf(">%s: want the number (0 or more) of calls to let through first", val)
			}
			r.After = n
		}
		if strings.ContainsAny(val, "@#>") {
			return FaultRule{}, fmt.Errorf("at most one trigger (@P, #N or >N) per rule")
		}
	} else {
		r.Probability, r.trigger = 1, '@'
	}
	name, arg, hasArg := strings.Cut(kind, ":")
	switch faultKind(name) {
	case faultThrottle, fault5xx, faultCut, faultDrop:
		if hasArg {
			return FaultRule{}, fmt.Errorf("%s takes no argument", name)
		}
	case faultFail:
		if hasArg && arg == "" {
			return FaultRule{}, fmt.Errorf("fail: want an error code after ':' (fail:AccessDenied) or nothing")
		}
		r.Code = arg
	case faultLatency:
		d, err := time.ParseDuration(arg)
		if !hasArg || err != nil || d <= 0 {
			return FaultRule{}, fmt.Errorf("latency: want a positive duration, as in latency:200ms")
		}
		r.Latency = d
	default:
		return FaultRule{}, fmt.Errorf("unknown fault %q: want throttle, 5xx, cut, drop, fail[:CODE] or latency:DURATION", name)
	}
	r.Kind = name
	return r, nil
}

// matches tells whether the rule applies to c. drop applies to mutating
// calls only.
func (r FaultRule) matches(c call) bool {
	if r.Service != "*" && r.Service != c.service {
		return false
	}
	switch {
	case r.Operation == "*":
	case strings.HasSuffix(r.Operation, "*"):
		if !strings.HasPrefix(c.operation, strings.TrimSuffix(r.Operation, "*")) {
			return false
		}
	case r.Operation != c.operation:
		return false
	}
	if faultKind(r.Kind) == faultDrop && !c.mutating {
		return false
	}
	return true
}

// faultSet is an active spec with its random source and counters.
type faultSet struct {
	mu       sync.Mutex
	spec     FaultSpec
	rng      *rand.Rand
	seen     []int // matching calls per rule
	injected []int // faults injected per rule
}

func newFaultSet(spec FaultSpec) *faultSet {
	return &faultSet{
		spec:     spec,
		rng:      rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15)),
		seen:     make([]int, len(spec.Rules)),
		injected: make([]int, len(spec.Rules)),
	}
}

// fault is what to do to one call.
type fault struct {
	kind        faultKind
	code        string        // for fail
	unavailable bool          // for 5xx: 503 rather than 500
	latency     time.Duration // added before anything else
}

// decide applies the rules to c in order: every matching rule counts the
// call and draws its chance; latencies that fire add up; the first other
// fault that fires is the one injected.
func (f *faultSet) decide(c call) fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out fault
	for i, r := range f.spec.Rules {
		if !r.matches(c) {
			continue
		}
		f.seen[i]++
		fires := false
		switch r.trigger {
		case '#':
			fires = f.seen[i] == r.Nth
		case '>':
			fires = f.seen[i] > r.After
		default:
			fires = f.rng.Float64() < r.Probability
		}
		if !fires {
			continue
		}
		kind := faultKind(r.Kind)
		if kind == faultLatency {
			out.latency += r.Latency
			f.injected[i]++
			continue
		}
		if out.kind != faultNone {
			continue
		}
		out.kind = kind
		out.code = r.Code
		if kind == fault5xx {
			out.unavailable = f.rng.IntN(2) == 1
		}
		f.injected[i]++
	}
	return out
}

// injectedCounts returns faults injected per rule (as written).
func (f *faultSet) injectedCounts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for i, r := range f.spec.Rules {
		out[r.text] += f.injected[i]
	}
	return out
}

// SetFaults replaces the active fault spec (until the next Reset, which
// restores Options.Faults) and zeroes its counters; "" clears all faults.
func (s *Server) SetFaults(spec string) error {
	parsed, err := ParseFaultSpec(spec)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.Faults = spec
	s.faults = newFaultSet(parsed)
	return nil
}

// InjectedFaults returns the faults injected since the spec was set, per
// rule as written in the spec.
func (s *Server) InjectedFaults() map[string]int {
	s.mu.Lock()
	f := s.faults
	s.mu.Unlock()
	return f.injectedCounts()
}

// sortedKeys lists a map's keys in order.
