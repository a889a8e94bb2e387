package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/mailform/mailform/specs"
	"github.com/mailform/mailform/specs/kinds"
)

// volatileAttr reports whether an observed attribute changes on its own, as
// AWS works through a request (verification, DKIM, MAIL FROM and PTR status).
// Such attributes are left out of digests: a plan made while a domain was
// PENDING is still right once it is verified.
func volatileAttr(name string) bool { return strings.HasSuffix(name, "_status") }

// encodeForDigest returns v in a form encoding/json writes deterministically
// and that keeps what tells values apart: Deferred templates are kept, and a
// secret is reduced to the fact that it is present (never its digest).
func encodeForDigest(v any) any {
	switch x := JSONLike(v).(type) {
	case specs.Deferred:
		return map[string]any{"deferred": string(x)}
	case specs.Sensitive:
		return map[string]any{"sensitive": true}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = encodeForDigest(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = encodeForDigest(e)
		}
		return out
	default:
		return x
	}
}

func resourceDigest(o Observed) string {
	attrs := map[string]any{}
	for k, v := range o.Attrs {
		if !volatileAttr(k) && !IsEmpty(JSONLike(v)) {
			attrs[k] = encodeForDigest(v)
		}
	}
	b, _ := json.Marshal(map[string]any{
		"addr":  o.Addr,
		"kind":  string(o.Kind),
		"id":    o.ID,
		"owner": o.Owner,
		"attrs": attrs,
	})
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// resourceKeys returns the key of each observed resource in
// Plan.ResourceDigests: its address; when several live resources share the
// address, followed by " (ID)", or " (ID, owner)" when they share the ID too
// (two stacks' values in one shared record set), or a number when even that is
// shared. Keys do not depend on the order of observed.
func resourceKeys(observed []Observed) []string {
	keys := make([]string, len(observed))
	for i, o := range observed {
		keys[i] = o.Addr
	}
	owner := func(o Observed) string {
		if o.Owner == "" {
			return "unowned"
		}
		return o.Owner
	}
	refine := []func(Observed) string{
		func(o Observed) string { return o.Addr + " (" + o.ID + ")" },
		func(o Observed) string { return o.Addr + " (" + o.ID + ", " + owner(o) + ")" },
	}
	for _, f := range refine {
		for _, group := range sameKey(keys) {
			for _, i := range group {
				keys[i] = f(observed[i])
			}
		}
	}
	for _, group := range sameKey(keys) {
		// Identical marks: number them in the order of their contents.
		sort.Slice(group, func(a, b int) bool {
			return resourceDigest(observed[group[a]]) < resourceDigest(observed[group[b]])
		})
		for n, i := range group {
			keys[i] = fmt.Sprintf("%s #%d", keys[i], n+1)
		}
	}
	return keys
}

// sameKey returns the groups of indexes whose keys collide.
func sameKey(keys []string) [][]int {
	byKey := map[string][]int{}
	for i, k := range keys {
		byKey[k] = append(byKey[k], i)
	}
	var groups [][]int
	for _, k := range specs.SortedKeys(byKey) {
		if len(byKey[k]) > 1 {
			groups = append(groups, byKey[k])
		}
	}
	return groups
}

// ResourceDigests returns the digest of each observed resource, keyed by its
// address (made unique as resourceKeys says when addresses repeat).
func ResourceDigests(observed []Observed) map[string]string {
	out := make(map[string]string, len(observed))
	for i, k := range resourceKeys(observed) {
		out[k] = resourceDigest(observed[i])
	}
	return out
}

// StateDigest is a SHA-256 over a canonical encoding of the observed
// resources: their addresses, kinds, IDs, owners and attributes, in sorted
// order, without secret digests and without status attributes that AWS moves
// on its own. Two reads of an unchanged AWS account give the same digest.
func StateDigest(observed []Observed) string {
	return stateDigestOf(ResourceDigests(observed))
}

// stateDigestOf combines per-resource digests into the state digest.
func stateDigestOf(digests map[string]string) string {
	h := sha256.New()
	for _, k := range specs.SortedKeys(digests) {
		fmt.Fprintf(h, "%s\x00%s\n", k, digests[k])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// StaleResource is one resource that moved between plan and apply.
type StaleResource struct {
	Addr string
	What string // e.g. "ttl changed from 300 to 600"
}

// StaleError says that live state is no longer what a plan was made from, and
// names what changed.
type StaleError struct {
	Resources []StaleResource
}

func (e *StaleError) Error() string {
	var b strings.Builder
	b.WriteString("the plan is stale: AWS changed since it was made; run mailform plan again")
	for _, r := range e.Resources {
		fmt.Fprintf(&b, "\n  %s: %s", r.Addr, r.What)
	}
	return b.String()
}

// CheckStale compares the live state now with the state plan p was made from.
// It returns nil when they are the same, and otherwise a *StaleError naming
// each resource that appeared, disappeared or changed, attribute by attribute
// for the resources the plan changes.
func CheckStale(p *Plan, observedNow []Observed) error {
	if p == nil {
		return fmt.Errorf("check stale plan: no plan")
	}
	// Only what the plan touches matters: the resources it changes and those
	// they need (whose values fill its placeholders).
	touched := touchedAddresses(p)
	relevant := func(key string) bool {
		addr, _, _ := strings.Cut(key, " (")
		return touched[addr]
	}
	now := map[string]string{}
	for k, d := range ResourceDigests(observedNow) {
		if relevant(k) {
			now[k] = d
		}
	}
	then := map[string]string{}
	for k, d := range p.ResourceDigests {
		if relevant(k) {
			then[k] = d
		}
	}
	nowByKey := map[string]Observed{}
	for i, k := range resourceKeys(observedNow) {
		nowByKey[k] = observedNow[i]
	}
	changes := map[string]Change{}
	for _, c := range p.Changes {
		changes[c.Addr] = c
	}
	var stale []StaleResource
	for _, k := range specs.SortedKeys(then) {
		d, ok := now[k]
		switch {
		case !ok:
			stale = append(stale, StaleResource{Addr: k, What: "no longer exists in AWS (or lost its ownership mark)"})
		case d != then[k]:
			stale = append(stale, StaleResource{Addr: k, What: whatChanged(changes[k], nowByKey[k])})
		}
	}
	for _, k := range specs.SortedKeys(now) {
		if _, ok := then[k]; !ok {
			stale = append(stale, StaleResource{Addr: k, What: "appeared in AWS since the plan was made"})
		}
	}
	if len(stale) == 0 {
		return nil
	}
	return &StaleError{Resources: stale}
}

// touchedAddresses lists the addresses a plan changes, and those its changes
// depend on or take values from.
func touchedAddresses(p *Plan) map[string]bool {
	out := map[string]bool{}
	for _, c := range p.Changes {
		if c.Action == NoOp || c.Action == Manual {
			continue
		}
		out[c.Addr] = true
		for _, d := range c.DependsOn {
			out[d] = true
		}
		for _, v := range c.After {
			for _, ph := range placeholdersIn(v) {
				out[ph.Addr] = true
			}
		}
	}
	return out
}

// placeholdersIn lists the references of the Deferred values inside v.
func placeholdersIn(v any) []specs.Placeholder {
	switch v := v.(type) {
	case specs.Deferred:
		return v.Placeholders()
	case []any:
		var out []specs.Placeholder
		for _, e := range v {
			out = append(out, placeholdersIn(e)...)
		}
		return out
	case map[string]any:
		var out []specs.Placeholder
		for _, e := range v {
			out = append(out, placeholdersIn(e)...)
		}
		return out
	}
	return nil
}

// whatChanged describes how a live resource differs from the Before its
// planned change recorded; without a planned change it says only that it
// changed.
func whatChanged(c Change, now Observed) string {
	if c.Before == nil {
		return "changed outside mailform since the plan was made"
	}
	var parts []string
	if c.ID != "" && now.ID != c.ID {
		parts = append(parts, fmt.Sprintf("id changed from %s to %s", c.ID, now.ID))
	}
	after := withoutSecretDigests(now.Attrs, kinds.SecretAttrs(c.Kind))
	names := map[string]bool{}
	for k := range c.Before {
		names[k] = true
	}
	for k := range after {
		names[k] = true
	}
	keys := specs.SortedKeys(names)
	for _, k := range keys {
		if volatileAttr(k) {
			continue
		}
		was, is := c.Before[k], after[k]
		if reflect.DeepEqual(encodeForDigest(nilIfEmpty(was)), encodeForDigest(nilIfEmpty(is))) {
			continue
		}
		if IsSensitive(was) || IsSensitive(is) {
			parts = append(parts, k+" changed")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s changed from %s to %s", k, DisplayText(was), DisplayText(is)))
	}
	if len(parts) == 0 {
		return "ownership mark or identity changed since the plan was made"
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func nilIfEmpty(v any) any {
	v = JSONLike(v)
	if IsEmpty(v) {
		return nil
	}
	return v
}
