package plan

import (
	"sort"
	"strconv"
	"strings"

	"github.com/mailform/mailform/specs"
)

// Resolve returns a copy of desired in which every specs.Deferred value whose
// placeholders can all be filled from observed state is replaced by its text.
// A placeholder "${ADDR#ATTR}" takes the observed resource at ADDR's attribute
// ATTR (a string); "${ADDR#ATTR[I]}" takes element I of a list attribute. A
// record's TXT value that becomes known is split and quoted (specs.QuoteTXT),
// and a record's values stay sorted. What cannot be filled stays Deferred.
//
// Apply calls Resolve again after each resource it creates, with the new
// resource added to observed. desired itself is never modified.
func Resolve(desired []specs.Resource, observed []Observed) []specs.Resource {
	// When several live resources share an address, the one with the lowest
	// ID (then owner) fills placeholders, whatever the order of observed.
	// Make passes one resource per address: the one it compares with.
	byAddr := make(map[string]Observed, len(observed))
	for _, o := range observed {
		if seen, ok := byAddr[o.Addr]; !ok || o.ID < seen.ID || (o.ID == seen.ID && o.Owner < seen.Owner) {
			byAddr[o.Addr] = o
		}
	}
	lookup := func(p specs.Placeholder) (string, bool) {
		o, ok := byAddr[p.Addr]
		if !ok {
			return "", false
		}
		return attrText(o.Attrs[p.Attr], p.Index)
	}

	out := make([]specs.Resource, len(desired))
	for i, r := range desired {
		c := r
		c.DependsOn = append([]string(nil), r.DependsOn...)
		c.Attrs = make(map[string]any, len(r.Attrs))
		isTXT := isRecordKind(r.Kind) && strings.EqualFold(recordTypeOf(r.Attrs), "TXT")
		for k, v := range r.Attrs {
			c.Attrs[k] = resolveValue(JSONLike(v), lookup, isTXT && k == "values")
		}
		if vals, ok := c.Attrs["values"].([]any); ok && isRecordKind(r.Kind) {
			sortValues(vals)
		}
		out[i] = c
	}
	return out
}

// attrText returns an observed attribute (or element index of it) as text.
// A number is written in decimal; an empty string, a list or a map is not text.
func attrText(v any, index int) (string, bool) {
	if index < 0 {
		switch x := JSONLike(v).(type) {
		case string:
			return x, x != ""
		case int64:
			return strconv.FormatInt(x, 10), true
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), true
		}
		return "", false
	}
	var elem any
	switch x := v.(type) {
	case []any:
		if index >= len(x) {
			return "", false
		}
		elem = x[index]
	case []string:
		if index >= len(x) {
			return "", false
		}
		elem = x[index]
	default:
		return "", false
	}
	s, ok := elem.(string)
	return s, ok && s != ""
}

func resolveValue(v any, lookup func(specs.Placeholder) (string, bool), txtValues bool) any {
	switch x := v.(type) {
	case specs.Deferred:
		s, ok := x.Resolve(lookup)
		if !ok {
			return x
		}
		if txtValues {
			return specs.QuoteTXT(s)
		}
		return s
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolveValue(e, lookup, txtValues)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = resolveValue(e, lookup, false)
		}
		return out
	}
	return v
}

// sortValues sorts a record's values by their text, a value still to be
// known by its template: the order the spec loader gives them.
func sortValues(vals []any) {
	text := func(v any) string {
		switch x := v.(type) {
		case string:
			return x
		case specs.Deferred:
			return string(x)
		}
		return sortKey(v)
	}
	sort.SliceStable(vals, func(i, j int) bool { return text(vals[i]) < text(vals[j]) })
}

// Resolved returns a copy of c whose After and attribute diffs have every
// value filled that observed state now provides, the way Resolve fills a
// resource. Apply uses it on the changes of a saved plan after creating the
// resources they depend on (a DKIM record once its identity has tokens).
func (c Change) Resolved(observed []Observed) Change {
	if c.After == nil {
		return c
	}
	r := Resolve([]specs.Resource{{Addr: c.Addr, Kind: c.Kind, Attrs: c.After}}, observed)[0]
	out := c
	out.After = r.Attrs
	out.DependsOn = append([]string(nil), c.DependsOn...)
	out.Diffs = make([]AttrDiff, len(c.Diffs))
	for i, d := range c.Diffs {
		if v, ok := out.After[d.Name]; ok && d.Unknown {
			d.After = v
			d.Unknown = hasDeferred(v)
		}
		out.Diffs[i] = d
	}
	if len(c.Diffs) == 0 {
		out.Diffs = c.Diffs
	}
	return out
}

// HasUnknowns reports whether some value of the change is known only after
// apply has created what it depends on.
func (c Change) HasUnknowns() bool { return hasDeferred(JSONLike(c.After)) }
