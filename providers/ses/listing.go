package ses

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// IdentityNames returns the name of every SES identity of the region, as SES
// spells them, for `mailform import`, which must find what no spec names
// yet. Calls: ceil(N/1000) ListEmailIdentities, paced like every SES call.
func (p *Provider) IdentityNames(ctx context.Context) ([]string, error) {
	return p.listIdentities(ctx)
}

// ConfigurationSetNames returns the name of every SES configuration set of
// the region, for `mailform import`. Calls: one ListConfigurationSets per
// page.
func (p *Provider) ConfigurationSetNames(ctx context.Context) ([]string, error) {
	var names []string
	pager := sesv2.NewListConfigurationSetsPaginator(p.v2, &sesv2.ListConfigurationSetsInput{})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing SES configuration sets in %s: %w", p.region, err)
		}
		names = append(names, page.ConfigurationSets...)
	}
	return names, nil
}
