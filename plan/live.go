package plan

import (
	"slices"
	"sort"
	"strings"

	"github.com/mailform/mailform/specs"
)

// Live is the observed state of one stack indexed once for the commands
// that read it (check, requests): the desired resources with the values
// live state makes known (Resolve), each live resource by kind and address,
// the live values of each record set, and the configuration sets by name.
type Live struct {
	// Observed is the observed state as it was read.
	Observed []Observed
	// Resolved are the desired resources, placeholders filled from Observed.
	Resolved []specs.Resource

	byAddr  map[string]Observed       // kind + " " + address -> observed
	desired map[string]specs.Resource // address -> resolved
	records map[string][]string       // "NAME. TYPE" -> every value live (unquoted text for TXT), sorted
	sets    map[string]Observed       // configuration set name -> observed
	zoneIDs map[string]string         // zone name (as observed) -> hosted zone ID
}

// NewLive indexes the observed state of stack against its desired resources.
// Several live resources may share an address (an unowned twin): the stack's
// own one is preferred, then the lowest ID, for a stable answer.
func NewLive(stack string, desired []specs.Resource, observed []Observed) *Live {
	l := &Live{
		Observed: observed,
		Resolved: Resolve(desired, observed),
		byAddr:   map[string]Observed{},
		desired:  map[string]specs.Resource{},
		records:  map[string][]string{},
		sets:     map[string]Observed{},
		zoneIDs:  map[string]string{},
	}
	obs := slices.Clone(observed)
	sort.SliceStable(obs, func(i, j int) bool {
		oi, oj := obs[i].Owned(stack), obs[j].Owned(stack)
		if oi != oj {
			return oi
		}
		return obs[i].ID < obs[j].ID
	})
	for _, o := range obs {
		key := string(o.Kind) + " " + o.Addr
		if _, seen := l.byAddr[key]; !seen {
			l.byAddr[key] = o
		}
		switch o.Kind {
		case specs.KindRoute53Record:
			name, _ := o.Attrs["name"].(string)
			typ, _ := o.Attrs["type"].(string)
			k := specs.Fqdn(name) + " " + strings.ToUpper(typ)
			for _, attr := range []string{"values", "other_values"} {
				for _, v := range TextList(o.Attrs[attr]) {
					if strings.EqualFold(typ, "TXT") {
						v = specs.UnquoteTXT(v)
					}
					if !slices.Contains(l.records[k], v) {
						l.records[k] = append(l.records[k], v)
					}
				}
			}
		case specs.KindSESConfigSet:
			if name, _ := o.Attrs["name"].(string); name != "" {
				if _, seen := l.sets[name]; !seen {
					l.sets[name] = o
				}
			}
		}
	}
	for k := range l.records {
		sort.Strings(l.records[k])
	}
	// A zone's ID as the last record read in it reports it.
	for _, o := range observed {
		if o.Kind == specs.KindRoute53Record {
			z, _ := o.Attrs["zone"].(string)
			id, _ := o.Attrs["zone_id"].(string)
			if z != "" && id != "" {
				l.zoneIDs[z] = id
			}
		}
	}
	for _, r := range l.Resolved {
		l.desired[r.Addr] = r
	}
	return l
}

// Find returns the live resource of kind at addr.
func (l *Live) Find(kind specs.Kind, addr string) (Observed, bool) {
	o, ok := l.byAddr[string(kind)+" "+addr]
	return o, ok
}

// Desired returns the desired resource at addr, placeholders filled from
// live state where it can.
func (l *Live) Desired(addr string) (specs.Resource, bool) {
	r, ok := l.desired[addr]
	return r, ok
}

// RecordValues returns every live value of the record set name/typ, sorted,
// TXT values unquoted; nil when it does not exist or is not read.
func (l *Live) RecordValues(name, typ string) []string {
	return l.records[specs.Fqdn(name)+" "+strings.ToUpper(typ)]
}

// ConfigSet returns the live configuration set called name.
func (l *Live) ConfigSet(name string) (Observed, bool) {
	o, ok := l.sets[name]
	return o, ok
}

// ZoneID returns the hosted zone ID of zone (as records name it), "" when
// no live record tells it.
func (l *Live) ZoneID(zone string) string { return l.zoneIDs[zone] }

// TextList is the text elements of a list attribute ([]any or []string);
// other elements and other values give none.
func TextList(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, x...)
	}
	return out
}
