package route53

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/specs"
)

// zone is a resolved public hosted zone.
type zone struct {
	ID   string // bare: "Z0123..."
	Name string // fully qualified
}

func bareZoneID(id string) string { return strings.TrimPrefix(strings.TrimSpace(id), "/hostedzone/") }

func (r ZoneRef) normal() ZoneRef {
	out := ZoneRef{ID: bareZoneID(r.ID)}
	if r.Name != "" {
		out.Name = specs.Fqdn(r.Name)
	}
	return out
}

func (r ZoneRef) String() string {
	switch {
	case r.Name != "" && r.ID != "":
		return fmt.Sprintf("zone %s (%s)", r.Name, r.ID)
	case r.ID != "":
		return "zone " + r.ID
	}
	return "zone " + r.Name
}

// zoneOrderKey orders names as ListHostedZonesByName does: labels reversed.
func zoneOrderKey(name string) string {
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	return strings.Join(labels, ".")
}

// resolveZones finds the public hosted zone of every reference, with as few
// calls as it can:
//
//   - a pinned zone_id costs one GetHostedZone;
//   - names are resolved with ListHostedZonesByName in name order: one page
//     (100 zones) starting at the first unresolved name resolves every other
//     name it happens to contain, so zones that sit close together in the
//     account's zone list share a call; a name the page cannot vouch for gets
//     its own call. At most one call per name, often fewer.
//
// Private zones are ignored. A name with no public zone, or with two, is an
// error naming it.
// MissingZonesError names every zone the spec needs that has no public
// hosted zone in the account, all of them at once.
type MissingZonesError struct {
	Names []string // fully qualified, sorted
}

func (e *MissingZonesError) Error() string {
	if len(e.Names) == 1 {
		return fmt.Sprintf("zone %s: no public hosted zone with this name in the account", e.Names[0])
	}
	return fmt.Sprintf("zones %s: no public hosted zone with these names in the account", strings.Join(e.Names, ", "))
}

func (p *Provider) resolveZones(ctx context.Context, refs []ZoneRef) (map[ZoneRef]zone, error) {
	out := map[ZoneRef]zone{}
	var byName []string
	pendingName := map[string]bool{}
	p.mu.Lock()
	for _, r := range refs {
		r = r.normal()
		if z, ok := p.zones[r]; ok {
			out[r] = z
			continue
		}
		if r.ID == "" && r.Name != "" && !pendingName[r.Name] {
			pendingName[r.Name] = true
			byName = append(byName, r.Name)
		}
	}
	p.mu.Unlock()

	// Pinned zones.
	pinned := map[string]ZoneRef{}
	for _, r := range refs {
		r = r.normal()
		if _, done := out[r]; !done && r.ID != "" {
			pinned[r.ID+"|"+r.Name] = r
		}
	}
	for _, k := range specs.SortedKeys(pinned) {
		r := pinned[k]
		got, err := p.api.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(r.ID)})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r, awscfg.Explain(err))
		}
		hz := got.HostedZone
		if hz == nil {
			return nil, fmt.Errorf("%s: Route 53 returned no hosted zone", r)
		}
		if hz.Config != nil && hz.Config.PrivateZone {
			return nil, fmt.Errorf("%s is a private hosted zone; mailform publishes only to public zones", r)
		}
		z := zone{ID: bareZoneID(aws.ToString(hz.Id)), Name: specs.Fqdn(aws.ToString(hz.Name))}
		if r.Name != "" && z.Name != r.Name {
			return nil, fmt.Errorf("%s: the hosted zone with this ID is named %s", r, z.Name)
		}
		out[r] = z
	}

	// Zones found by name.
	sort.Slice(byName, func(i, j int) bool { return zoneOrderKey(byName[i]) < zoneOrderKey(byName[j]) })
	resolved := map[string]zone{}
	var missing []string
	for len(byName) > 0 {
		first := byName[0]
		page, err := p.api.ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{
			DNSName:  aws.String(first),
			MaxItems: aws.Int32(zonesPageSize),
		})
		if err != nil {
			return nil, fmt.Errorf("zone %s: %w", first, awscfg.Explain(err))
		}
		public := map[string][]types.HostedZone{}
		private := map[string]bool{}
		for _, hz := range page.HostedZones {
			name := specs.Fqdn(aws.ToString(hz.Name))
			if hz.Config != nil && hz.Config.PrivateZone {
				private[name] = true
				continue
			}
			public[name] = append(public[name], hz)
		}
		// A name that ends a truncated page may have more zones on the next.
		var last string
		if page.IsTruncated && len(page.HostedZones) > 0 {
			last = specs.Fqdn(aws.ToString(page.HostedZones[len(page.HostedZones)-1].Name))
		}
		var rest []string
		for _, name := range byName {
			zs := public[name]
			switch {
			case len(zs) > 1:
				ids := make([]string, len(zs))
				for i, hz := range zs {
					ids[i] = bareZoneID(aws.ToString(hz.Id))
				}
				return nil, fmt.Errorf("zone %s: the account has %d public hosted zones with this name (%s): set zone_id to choose one", name, len(zs), strings.Join(ids, ", "))
			case len(zs) == 1 && name != last:
				resolved[name] = zone{ID: bareZoneID(aws.ToString(zs[0].Id)), Name: name}
			case name == first && name != last:
				if private[name] {
					return nil, fmt.Errorf("zone %s: the account has only a private hosted zone with this name; mailform publishes only to public zones", name)
				}
				missing = append(missing, name)
			default:
				rest = append(rest, name)
			}
		}
		if len(rest) > 0 && rest[0] == first {
			// The page ended on this very name: ask again from here with the
			// whole page for it.
			return nil, fmt.Errorf("zone %s: more than %d hosted zones with this name", first, zonesPageSize-1)
		}
		byName = rest
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, &MissingZonesError{Names: missing}
	}
	for _, r := range refs {
		r = r.normal()
		if z, ok := resolved[r.Name]; ok && r.ID == "" {
			out[r] = z
		}
	}
	p.mu.Lock()
	for r, z := range out {
		p.zones[r] = z
	}
	p.mu.Unlock()
	return out, nil
}
