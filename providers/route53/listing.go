package route53

import (
	"context"
	"fmt"

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
