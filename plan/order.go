package plan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mailform/mailform/specs"
)

// Order groups changes into waves that apply runs one after the other; the
// changes of one wave are independent of each other and may run in parallel.
// A change goes into the first wave after every change named in its DependsOn
// (names of resources that are not changing are ignored). Creates, updates and
// replaces carry what they need to exist first; deletes carry their dependents,
// so that the records go before the identity they are filled from, identities
// before configuration sets and topics, queues before their topic. Each wave is
// sorted by address. A dependency cycle is an error that names its members.
func Order(changes []Change) ([][]Change, error) {
	index := make(map[string]int, len(changes))
	for i, c := range changes {
		if _, dup := index[c.Addr]; dup {
			return nil, fmt.Errorf("order changes: %s appears twice", c.Addr)
		}
		index[c.Addr] = i
	}
	waiting := make([]int, len(changes)) // unfinished dependencies of each change
	dependents := make([][]int, len(changes))
	for i, c := range changes {
		for _, d := range sortedUnique(c.DependsOn) {
			j, ok := index[d]
			if !ok || j == i {
				continue
			}
			waiting[i]++
			dependents[j] = append(dependents[j], i)
		}
	}
	var ready []int
	for i := range changes {
		if waiting[i] == 0 {
			ready = append(ready, i)
		}
	}
	var waves [][]Change
	done := 0
	for len(ready) > 0 {
		sort.Slice(ready, func(a, b int) bool { return changes[ready[a]].Addr < changes[ready[b]].Addr })
		wave := make([]Change, len(ready))
		var next []int
		for k, i := range ready {
			wave[k] = changes[i]
			for _, j := range dependents[i] {
				waiting[j]--
				if waiting[j] == 0 {
					next = append(next, j)
				}
			}
		}
		done += len(ready)
		waves = append(waves, wave)
		ready = next
	}
	if done < len(changes) {
		var cycle []string
		for i, c := range changes {
			if waiting[i] > 0 {
				cycle = append(cycle, c.Addr)
			}
		}
		sort.Strings(cycle)
		return nil, fmt.Errorf("order changes: dependency cycle among %s", strings.Join(cycle, ", "))
	}
	return waves, nil
}

// observedDependencies returns, for each observed resource, the addresses of
// the observed resources it needs as it is now: the block it is part of
// ("domain.x/dkim[0]" needs "domain.x"), the topics and queues whose ARNs it
// holds, the configuration set an identity uses, the Elastic IP a record
// points at.
func observedDependencies(observed []Observed) map[string][]string {
	byARN := map[string]string{}
	byConfigSet := map[string]string{}
	byIP := map[string]string{}
	for _, o := range observed {
		if arn, _ := o.Attrs["arn"].(string); arn != "" {
			byARN[arn] = o.Addr
		}
		switch o.Kind {
		case specs.KindSESConfigSet:
			if n, _ := o.Attrs["name"].(string); n != "" {
				byConfigSet[n] = o.Addr
			}
		case specs.KindEIP:
			if ip, _ := o.Attrs["public_ip"].(string); ip != "" {
				byIP[ip] = o.Addr
			}
		}
	}
	deps := map[string][]string{}
	for _, o := range observed {
		var d []string
		if parent, _, ok := strings.Cut(o.Addr, "/"); ok {
			d = append(d, parent)
		}
		walkStrings(JSONLike(o.Attrs), func(s string) {
			if a, ok := byARN[s]; ok {
				d = append(d, a)
			}
		})
		switch o.Kind {
		case specs.KindSESIdentity:
			if n, _ := o.Attrs["configuration_set"].(string); n != "" {
				if a, ok := byConfigSet[n]; ok {
					d = append(d, a)
				}
			}
		case specs.KindRoute53Record:
			if vals, ok := JSONLike(o.Attrs["values"]).([]any); ok {
				for _, v := range vals {
					if s, _ := v.(string); byIP[s] != "" {
						d = append(d, byIP[s])
					}
				}
			}
		}
		var own []string
		for _, a := range d {
			if a != o.Addr {
				own = append(own, a)
			}
		}
		deps[o.Addr] = sortedUnique(append(deps[o.Addr], own...))
	}
	return deps
}

func walkStrings(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			walkStrings(e, f)
		}
	case map[string]any:
		for _, k := range specs.SortedKeys(x) {
			walkStrings(x[k], f)
		}
	}
}

// addDeleteDependencies makes each delete wait for the changes of the live
// resources that need the deleted one: they are deleted, updated away from it
// or replaced first.
func addDeleteDependencies(changes []Change, changeObserved map[string]Observed, observed []Observed) {
	deps := observedDependencies(observed)
	needs := map[string][]string{} // deleted address -> changes that must go first
	for _, c := range changes {
		if c.Action == Create {
			continue
		}
		if _, ok := changeObserved[c.Addr]; !ok {
			continue
		}
		for _, d := range deps[c.Addr] {
			needs[d] = append(needs[d], c.Addr)
		}
	}
	for i, c := range changes {
		if c.Action == Delete {
			changes[i].DependsOn = sortedUnique(append(c.DependsOn, needs[c.Addr]...))
		}
	}
}

// addCreateAfterDelete makes a create wait for the delete of a resource with
// the same name in AWS (a block renamed in the spec), which would otherwise
// make the create fail.
func addCreateAfterDelete(changes []Change) {
	deleted := map[string]string{}
	for _, c := range changes {
		if c.Action == Delete {
			if k := identityKey(c.Kind, c.Before); k != "" {
				deleted[k] = c.Addr
			}
		}
	}
	if len(deleted) == 0 {
		return
	}
	for i, c := range changes {
		if c.Action != Create {
			continue
		}
		if d, ok := deleted[identityKey(c.Kind, c.After)]; ok {
			changes[i].DependsOn = sortedUnique(append(c.DependsOn, d))
		}
	}
}

// underTarget reports whether addr is target or is under target.
func underTarget(addr, target string) bool {
	return addr == target || strings.HasPrefix(addr, target+"/")
}

func underAnyTarget(addr string, targets []string) bool {
	for _, t := range targets {
		if underTarget(addr, t) {
			return true
		}
	}
	return false
}

// selectTargets keeps the changes under a target and, transitively, the
// changes they depend on.
func selectTargets(changes []Change, targets []string) []Change {
	byAddr := make(map[string]Change, len(changes))
	for _, c := range changes {
		byAddr[c.Addr] = c
	}
	keep := map[string]bool{}
	var queue []string
	for _, c := range changes {
		if underAnyTarget(c.Addr, targets) {
			keep[c.Addr] = true
			queue = append(queue, c.Addr)
		}
	}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		for _, d := range byAddr[a].DependsOn {
			if _, ok := byAddr[d]; ok && !keep[d] {
				keep[d] = true
				queue = append(queue, d)
			}
		}
	}
	var out []Change
	for _, c := range changes {
		if keep[c.Addr] {
			out = append(out, c)
		}
	}
	return out
}

func selectManual(manual []Change, targets []string) []Change {
	var out []Change
	for _, c := range manual {
		if underAnyTarget(c.Addr, targets) {
			out = append(out, c)
		}
	}
	return out
}

// targetScope is every address a targeted plan is about: the targeted
// declared resources and what they need, and the selected changes.
func targetScope(desired []specs.Resource, selected []Change, targets []string) map[string]bool {
	deps := map[string][]string{}
	for _, r := range desired {
		deps[r.Addr] = r.DependsOn
	}
	scope := map[string]bool{}
	var queue []string
	for _, r := range desired {
		if underAnyTarget(r.Addr, targets) {
			scope[r.Addr] = true
			queue = append(queue, r.Addr)
		}
	}
	for _, t := range targets {
		scope[t] = true
	}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		for _, d := range deps[a] {
			if !scope[d] {
				scope[d] = true
				queue = append(queue, d)
			}
		}
	}
	for _, c := range selected {
		scope[c.Addr] = true
	}
	return scope
}

func matchesAny(target string, desired []specs.Resource, observed []Observed) bool {
	for _, r := range desired {
		if underTarget(r.Addr, target) {
			return true
		}
	}
	for _, o := range observed {
		if underTarget(o.Addr, target) {
			return true
		}
	}
	return false
}
