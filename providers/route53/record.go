package route53

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mailform/mailform/internal/dnsvalue"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// record is a route53.record resource's attributes (docs/resources.md).
type record struct {
	Addr    string
	Zone    ZoneRef
	Name    string // normalised; "" when still unknown
	Type    string
	TTL     int64
	Values  []string // canonical (dnsvalue.Value), sorted
	Shared  bool
	Unknown string // the first attribute that is still known only after apply
}

func (r record) key() setKey { return setKey{Name: r.Name, Type: r.Type} }

// parseRecord reads the attributes of a desired resource or of a change's
// Before/After.
func parseRecord(addr string, attrs map[string]any) (record, error) {
	r := record{Addr: addr}
	str := func(name string, required bool) (string, error) {
		v, ok := attrs[name]
		if !ok || v == nil {
			if required {
				return "", fmt.Errorf("attribute %q is missing", name)
			}
			return "", nil
		}
		switch v := v.(type) {
		case string:
			return v, nil
		case specs.Deferred:
			if r.Unknown == "" {
				r.Unknown = name
			}
			return "", nil
		}
		return "", fmt.Errorf("attribute %q is a %T, want a string", name, v)
	}
	var err error
	if r.Zone.Name, err = str("zone", false); err != nil {
		return r, err
	}
	if r.Zone.ID, err = str("zone_id", false); err != nil {
		return r, err
	}
	if r.Zone.Name == "" && r.Zone.ID == "" {
		return r, fmt.Errorf("neither zone nor zone_id is set")
	}
	r.Zone = r.Zone.normal()
	if r.Name, err = str("name", true); err != nil {
		return r, err
	}
	if r.Name != "" {
		r.Name = dnsvalue.Name(r.Name)
	}
	if r.Type, err = str("type", true); err != nil {
		return r, err
	}
	r.Type = strings.ToUpper(r.Type)
	switch ttl := attrs["ttl"].(type) {
	case int:
		r.TTL = int64(ttl)
	case int64:
		r.TTL = ttl
	case int32:
		r.TTL = int64(ttl)
	case float64:
		r.TTL = int64(ttl)
	case nil:
		return r, fmt.Errorf("attribute \"ttl\" is missing")
	default:
		return r, fmt.Errorf("attribute \"ttl\" is a %T, want an integer", ttl)
	}
	switch vs := attrs["values"].(type) {
	case []string:
		for _, v := range vs {
			r.Values = append(r.Values, dnsvalue.Value(r.Type, v))
		}
	case []any:
		for i, v := range vs {
			switch v := v.(type) {
			case string:
				r.Values = append(r.Values, dnsvalue.Value(r.Type, v))
			case specs.Deferred:
				if r.Unknown == "" {
					r.Unknown = fmt.Sprintf("values[%d]", i)
				}
			default:
				return r, fmt.Errorf("values[%d] is a %T, want a string", i, v)
			}
		}
	case nil:
	default:
		return r, fmt.Errorf("attribute \"values\" is a %T, want a list of strings", vs)
	}
	sort.Strings(r.Values)
	if b, ok := attrs["shared"].(bool); ok {
		r.Shared = b
	}
	return r, nil
}

// observedID is the Observed.ID of a record set: "<zoneID>/<name>/<type>".
func observedID(zoneID string, k setKey) string { return zoneID + "/" + k.Name + "/" + k.Type }

// parseObservedID splits an Observed.ID.
func parseObservedID(id string) (zoneID string, k setKey, ok bool) {
	first := strings.IndexByte(id, '/')
	last := strings.LastIndexByte(id, '/')
	if first <= 0 || last <= first+1 || last == len(id)-1 {
		return "", setKey{}, false
	}
	return id[:first], setKey{Name: id[first+1 : last], Type: id[last+1:]}, true
}

func anyList(vs []string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// observe describes a record set as plan sees it. For a shared set, owned
// holds the digest of the value the owner claims: values holds that value
// only, and other_values (which plan does not diff) the rest.
func observe(z zone, s *rrset, addr, owner string, shared bool, owned string) plan.Observed {
	k := s.key()
	attrs := map[string]any{
		"zone":    z.Name,
		"zone_id": z.ID,
		"name":    k.Name,
		"type":    k.Type,
		"ttl":     s.ttl(),
		"shared":  shared,
	}
	if !s.simple() {
		attrs["routing"] = "alias or routing policy: not managed by mailform"
	}
	if shared {
		var mine, others []string
		for _, v := range s.values() {
			if owned != "" && ValueDigest(k.Type, v) == owned && len(mine) == 0 {
				mine = append(mine, v)
			} else {
				others = append(others, v)
			}
		}
		attrs["values"] = anyList(mine)
		attrs["other_values"] = anyList(others)
	} else {
		attrs["values"] = anyList(s.values())
	}
	return plan.Observed{
		Addr:  addr,
		Kind:  specs.KindRoute53Record,
		ID:    observedID(z.ID, k),
		Owner: owner,
		Attrs: attrs,
	}
}
