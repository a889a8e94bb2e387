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

// AddressNames returns the names of the A record sets of the named public
// hosted zones (fully qualified) by the IPv4 address they point at, for
// `mailform import`, which names an Elastic IP without reverse DNS after the
// A record that points at it. Alias, routing-policy and wildcard sets are
// left out. Calls: the zones' resolution and one paginated
// ListResourceRecordSets per zone, which a read of the same zones then
// reuses.
func (p *Provider) AddressNames(ctx context.Context, zoneNames []string) (map[string][]string, error) {
	refs := make([]ZoneRef, len(zoneNames))
	for i, n := range zoneNames {
		refs[i] = ZoneRef{Name: n}
	}
	zones, err := p.resolveZones(ctx, refs)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, z := range zones {
		st, err := p.state(ctx, z)
		if err != nil {
			return nil, err
		}
		for k, s := range st.sets {
			if k.Type != "A" || !s.simple() || strings.HasPrefix(k.Name, "*") {
				continue
			}
			for _, v := range s.values() {
				if !slices.Contains(out[v], k.Name) {
					out[v] = append(out[v], k.Name)
				}
			}
		}
	}
	for _, names := range out {
		slices.Sort(names)
	}
	return out, nil
}
