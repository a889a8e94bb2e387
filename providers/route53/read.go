package route53

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// Read implements providers.Provider. It resolves the zones of the desired
// records and of Options.Zones, lists each zone once, and returns:
//
//   - every record set (or shared value) carrying stack's marker, with the
//     address recorded in the marker;
//   - every other record set a desired, whole-set record names, with Owner
//     "" or the stack whose marker it carries, so that plan can refuse to take
//     it over. A shared set without the stack's marker is not returned: the
//     stack owns no value in it yet.
//
// A marker whose set is gone is returned as the set with no values and TTL
// 0. Marker sets themselves are never returned.
//
// A desired record at or under an NS delegation inside its zone (a subzone
// the spec does not declare) is a providers.Problems error, returned with
// the complete observed state.
func (p *Provider) Read(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	var wanted []record
	refs := append([]ZoneRef(nil), p.opts.Zones...)
	for _, d := range desired {
		if d.Kind != specs.KindRoute53Record {
			continue
		}
		r, err := parseRecord(d.Addr, d.Attrs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Addr, err)
		}
		wanted = append(wanted, r)
		refs = append(refs, r.Zone)
	}
	zones, err := p.resolveZones(ctx, refs)
	if err != nil {
		return nil, err
	}
	byID := map[string]zone{}
	for _, z := range zones {
		byID[z.ID] = z
	}
	wantedIn := map[string][]record{}
	for _, r := range wanted {
		id := zones[r.Zone].ID
		wantedIn[id] = append(wantedIn[id], r)
	}
	ids := specs.SortedKeys(byID)
	observed := make([][]plan.Observed, len(ids))
	problems := make([]providers.Problems, len(ids))
	err = awscfg.Each(ctx, len(ids), func(ctx context.Context, i int) error {
		// Read lists afresh: what was known from an earlier Read or Apply
		// may have changed since.
		st, err := p.list(ctx, byID[ids[i]])
		if err != nil {
			return err
		}
		observed[i] = observeZone(st, stack, wantedIn[ids[i]])
		problems[i] = delegated(st, wantedIn[ids[i]])
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []plan.Observed
	for _, obs := range observed {
		out = append(out, obs...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Addr != out[j].Addr {
			return out[i].Addr < out[j].Addr
		}
		return out[i].ID < out[j].ID
	})
	if all := slices.Concat(problems...); len(all) > 0 {
		return out, all
	}
	return out, nil
}

// observeZone applies Read's rules to one zone's record sets.
func observeZone(st *zoneState, stack string, wanted []record) []plan.Observed {
	var out []plan.Observed
	markers := st.markers()
	seen := map[string]bool{} // addresses already observed
	ownedKeys := map[setKey]bool{}
	keys := make([]setKey, 0, len(markers))
	for k := range markers {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		s := st.sets[k]
		for _, m := range markers[k] {
			if m.Stack != stack || seen[m.Addr] {
				continue
			}
			seen[m.Addr] = true
			ownedKeys[k] = true
			if s == nil {
				// The set was deleted by hand and its marker left behind:
				// observed with no values, so that the plan recreates it or,
				// if it is no longer declared, removes the marker.
				o := observe(st.zone, newSet(k.Name, k.Type, 0, nil), m.Addr, stack, m.Value != "", m.Value)
				o.Region = m.Region
				out = append(out, o)
				continue
			}
			o := observe(st.zone, s, m.Addr, stack, m.Value != "", m.Value)
			o.Region = m.Region
			out = append(out, o)
		}
	}
	for _, r := range wanted {
		if r.Name == "" || seen[r.Addr] || ownedKeys[r.key()] {
			continue
		}
		s := st.sets[r.key()]
		if s == nil {
			continue
		}
		if r.Shared {
			// A shared set that holds only values of others: reported
			// unowned, every value in other_values, so that the plan sees
			// what mailform's value joins (a foreign SPF value conflicts).
			seen[r.Addr] = true
			out = append(out, observe(st.zone, s, r.Addr, "", true, ""))
			continue
		}
		owner := ""
		for _, m := range markers[r.key()] {
			if m.Value == "" {
				owner = m.Stack
				break
			}
		}
		seen[r.Addr] = true
		out = append(out, observe(st.zone, s, r.Addr, owner, false, ""))
	}
	return out
}
