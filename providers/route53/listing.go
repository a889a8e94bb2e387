package route53

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/specs"
)

// PublicZoneNames returns the names (fully qualified) of every public hosted
// zone of the account, for `mailform import`, which must find the zone of a
// domain no spec names yet. A name held by several public zones is listed
// once. Calls: ceil(Z/100) ListHostedZonesByName, the read plan already
// makes (and that its permissions allow), from the first zone on.
func (p *Provider) PublicZoneNames(ctx context.Context) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	in := &route53.ListHostedZonesByNameInput{MaxItems: aws.Int32(zonesPageSize)}
	for {
		page, err := p.api.ListHostedZonesByName(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing Route 53 hosted zones: %w", awscfg.Explain(err))
		}
		for _, hz := range page.HostedZones {
			if hz.Config != nil && hz.Config.PrivateZone {
				continue
			}
			if name := specs.Fqdn(aws.ToString(hz.Name)); !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
		if !page.IsTruncated || page.NextDNSName == nil {
			return names, nil
		}
		in = &route53.ListHostedZonesByNameInput{MaxItems: aws.Int32(zonesPageSize), DNSName: page.NextDNSName, HostedZoneId: page.NextHostedZoneId}
	}
}

// RecordSet is a record set as a zone's listing has it.
type RecordSet struct {
	Name   string   // lower case, fully qualified
	Type   string   // "A", "TXT", ...
	TTL    int64    // 0 for an alias
	Values []string // in Route 53's form (TXT quoted), sorted
	// Simple: no alias and no routing policy, a set mailform can manage.
	Simple bool
}

// ZoneRecordSets returns the record sets of the named public hosted zones
// (fully qualified), for `mailform import`, which names an Elastic IP
// without reverse DNS after the A record that points at it and finds the
// DKIM keys of the user's own signers. Calls: the zones' resolution and one
// paginated ListResourceRecordSets per zone, which a read of the same zones
// then reuses.
func (p *Provider) ZoneRecordSets(ctx context.Context, zoneNames []string) ([]RecordSet, error) {
	refs := make([]ZoneRef, len(zoneNames))
	for i, n := range zoneNames {
		refs[i] = ZoneRef{Name: n}
	}
	zones, err := p.resolveZones(ctx, refs)
	if err != nil {
		return nil, err
	}
	var out []RecordSet
	for _, z := range zones {
		st, err := p.state(ctx, z)
		if err != nil {
			return nil, err
		}
		for k, s := range st.sets {
			out = append(out, RecordSet{Name: k.Name, Type: k.Type, TTL: s.ttl(), Values: s.values(), Simple: s.simple()})
		}
	}
	slices.SortFunc(out, func(a, b RecordSet) int { return strings.Compare(a.Name+" "+a.Type, b.Name+" "+b.Type) })
	return out, nil
}
