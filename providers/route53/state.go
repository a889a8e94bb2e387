package route53

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/dnsvalue"
)

// setKey identifies a record set of a zone: its normalised name and type.
type setKey struct {
	Name string // lower case, fully qualified, wildcards as "*"
	Type string
}

func (k setKey) String() string { return k.Name + " " + k.Type }

// rrset is one record set as Route 53 has it.
type rrset struct {
	raw types.ResourceRecordSet // exactly as listed, for exact DELETEs
}

func (s *rrset) key() setKey {
	return setKey{Name: dnsvalue.Name(aws.ToString(s.raw.Name)), Type: string(s.raw.Type)}
}

func (s *rrset) ttl() int64 { return aws.ToInt64(s.raw.TTL) }

// values are the set's values in Route 53's form, sorted.
func (s *rrset) values() []string {
	out := make([]string, 0, len(s.raw.ResourceRecords))
	for _, r := range s.raw.ResourceRecords {
		out = append(out, aws.ToString(r.Value))
	}
	sort.Strings(out)
	return out
}

// simple reports whether the set is a plain record set mailform can manage:
// no alias and no routing policy.
func (s *rrset) simple() bool {
	r := s.raw
	return r.AliasTarget == nil && r.SetIdentifier == nil && r.TrafficPolicyInstanceId == nil && r.HealthCheckId == nil
}

// newSet builds a simple record set.
func newSet(name, rtype string, ttl int64, values []string) *rrset {
	vs := append([]string(nil), values...)
	sort.Strings(vs)
	recs := make([]types.ResourceRecord, len(vs))
	for i, v := range vs {
		recs[i] = types.ResourceRecord{Value: aws.String(v)}
	}
	return &rrset{raw: types.ResourceRecordSet{
		Name:            aws.String(name),
		Type:            types.RRType(rtype),
		TTL:             aws.Int64(ttl),
		ResourceRecords: recs,
	}}
}

// sameSet reports whether two record sets are the same to Route 53 (values in
// any order). A nil set is only the same as nil.
func sameSet(a, b *rrset) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if a.key() != b.key() || a.ttl() != b.ttl() || a.simple() != b.simple() {
		return false
	}
	return slices.Equal(a.values(), b.values())
}

// zoneState is what mailform knows of a zone's record sets: as listed, then
// as changed by the batches mailform applied since.
type zoneState struct {
	zone zone
	sets map[setKey]*rrset
}

// state returns the zone's record sets, listing them (one paginated
// ListResourceRecordSets, 300 sets a page) unless they are known already.
func (p *Provider) state(ctx context.Context, z zone) (*zoneState, error) {
	p.mu.Lock()
	st := p.states[z.ID]
	p.mu.Unlock()
	if st != nil {
		return st, nil
	}
	return p.list(ctx, z)
}

// list reads every record set of z.
func (p *Provider) list(ctx context.Context, z zone) (*zoneState, error) {
	st := &zoneState{zone: z, sets: map[setKey]*rrset{}}
	pages := route53.NewListResourceRecordSetsPaginator(p.api, &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(z.ID),
		MaxItems:     aws.Int32(listPageSize),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the record sets of zone %s (%s): %w", z.Name, z.ID, awscfg.Explain(err))
		}
		for _, raw := range page.ResourceRecordSets {
			s := &rrset{raw: raw}
			k := s.key()
			if prev, dup := st.sets[k]; dup {
				// Routing policies allow several sets per name and type;
				// mailform manages none of them. Keep one, marked unmanaged.
				if prev.simple() {
					prev.raw.SetIdentifier = aws.String("(several record sets)")
				}
				continue
			}
			st.sets[k] = s
		}
	}
	p.mu.Lock()
	p.states[z.ID] = st
	p.mu.Unlock()
	return st, nil
}

// forget drops what mailform knows of a zone, so that the next use lists it.
func (p *Provider) forget(zoneID string) {
	p.mu.Lock()
	delete(p.states, zoneID)
	p.mu.Unlock()
}

// markers returns the ownership markers of the zone by the record set they
// claim, each with the raw value it came from.
func (st *zoneState) markers() map[setKey][]Marker {
	out := map[setKey][]Marker{}
	for k, s := range st.sets {
		if k.Type != "TXT" {
			continue
		}
		name, ok := isMarkerName(k.Name)
		if !ok {
			continue
		}
		for _, v := range s.values() {
			if m, ok := ParseMarker(v); ok {
				claimed := setKey{Name: name, Type: m.Type}
				out[claimed] = append(out[claimed], m)
			}
		}
	}
	return out
}
