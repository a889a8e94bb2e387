package ses

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/mailform/mailform/specs"
)

// IdentityNames returns the name of every SES identity of the region, as SES
// spells them, for `mailform import`, which must find what no spec names
// yet. Calls: ceil(N/1000) ListEmailIdentities, paced like every SES call.
func (p *Provider) IdentityNames(ctx context.Context) ([]string, error) {
	return p.listIdentities(ctx)
}

// IdentityOwners returns, by lower-case identity name, the stack whose
// mark (tag mailform:stack) each marked identity of the region carries, as
// the Resource Groups Tagging API shows them: ceil(M/100) GetResources for M
// marked identities, and no SES call. It is a hint: the index may lag behind
// a tag added or removed moments ago. Without a Tagging API client it
// returns nothing.
func (p *Provider) IdentityOwners(ctx context.Context) (map[string]string, error) {
	owners := map[string]string{}
	if p.opts.Tags == nil {
		return owners, nil
	}
	marked, err := p.taggedIdentities(ctx, taggingtypes.TagFilter{Key: aws.String(specs.TagStack)})
	if err != nil {
		return nil, fmt.Errorf("finding the SES identities other stacks mark with the Resource Groups Tagging API (tag:GetResources) in %s: %w", p.region, err)
	}
	for name, m := range marked {
		if stack := m.Tags[specs.TagStack]; stack != "" {
			owners[name] = stack
		}
	}
	return owners, nil
}

// ConfigurationSetNames returns the name of every SES configuration set of
// the region, for the configuration sets' read and `mailform import`.
// Calls: one ListConfigurationSets per page.
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
