package ses

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers/awscfg"
	"github.com/mailform/mailform/specs"
)

// listPageSize is the largest page ListEmailIdentities documents ("no more
// than 1000"). ListConfigurationSets documents no maximum, so its pages are
// left at the size AWS chooses.
const listPageSize = 1000

// v1BatchSize is how many identities one v1 GetIdentity*Attributes call takes.
const v1BatchSize = 100

// readIdentities lists every identity of the region and describes those that
// are desired or carry stack's mark.
//
// Calls: ceil(N/1000) ListEmailIdentities + N GetEmailIdentity (N identities in
// the region: only GetEmailIdentity returns tags, and tags decide ownership;
// awscfg.InFlight at a time, so that the pace, not the round trip, sets the
// time) +
// ceil(K/100) v1 GetIdentityNotificationAttributes (K identities kept: v2 has
// no notification topics) + at most one STS GetCallerIdentity per Provider.
func (p *Provider) readIdentities(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	want := map[string]specs.Resource{}
	for _, r := range desired {
		if name := attrs(r.Attrs).str("identity"); name != "" {
			want[lowerName(name)] = r
		}
	}

	var names []string
	pager := sesv2.NewListEmailIdentitiesPaginator(p.v2, &sesv2.ListEmailIdentitiesInput{PageSize: aws.Int32(listPageSize)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing SES identities in %s: %w", p.region, err)
		}
		for _, info := range page.EmailIdentities {
			if n := aws.ToString(info.IdentityName); n != "" {
				names = append(names, n)
			}
		}
	}

	type kept struct {
		state identityState
		addr  string
	}
	described := make([]*sesv2.GetEmailIdentityOutput, len(names))
	err := awscfg.Each(ctx, len(names), func(ctx context.Context, i int) error {
		out, err := p.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(names[i])})
		if isNotFound(err) {
			return nil // deleted since the list
		}
		if err != nil {
			return fmt.Errorf("reading SES identity %s: %w", names[i], err)
		}
		described[i] = out
		return nil
	})
	if err != nil {
		return nil, err
	}
	var keep []kept
	for i, name := range names {
		if described[i] == nil {
			continue
		}
		s := identityFromSES(name, described[i])
		r, isDesired := want[lowerName(name)]
		switch {
		case isDesired:
			keep = append(keep, kept{s, r.Addr})
		case s.Tags[specs.TagStack] == stack && stack != "":
			keep = append(keep, kept{s, identityAddr(s)})
		}
	}
	if len(keep) == 0 {
		return nil, nil
	}

	batches := (len(keep) + v1BatchSize - 1) / v1BatchSize
	err = awscfg.Each(ctx, batches, func(ctx context.Context, b int) error {
		batch := keep[b*v1BatchSize : min((b+1)*v1BatchSize, len(keep))]
		ids := make([]string, len(batch))
		for i, k := range batch {
			ids[i] = k.state.Name
		}
		out, err := p.v1.GetIdentityNotificationAttributes(ctx, &sesv1.GetIdentityNotificationAttributesInput{Identities: ids})
		if err != nil {
			return fmt.Errorf("reading SES notification topics of %d identities: %w", len(ids), err)
		}
		for i := range batch {
			if n, ok := out.NotificationAttributes[batch[i].state.Name]; ok {
				batch[i].state.setNotifications(n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	if err := p.ensureAccountID(ctx); err != nil {
		return nil, err
	}
	obs := make([]plan.Observed, 0, len(keep))
	for _, k := range keep {
		obs = append(obs, plan.Observed{
			Addr:  k.addr,
			Kind:  specs.KindSESIdentity,
			ID:    k.state.Name,
			Owner: k.state.Tags[specs.TagStack],
			Attrs: k.state.attrs(p.identityARN(k.state.Name)),
		})
	}
	return obs, nil
}

// describeIdentity reads one identity afresh, with its notification settings
// when withNotifications. found is false when SES has no such identity.
func (p *Provider) describeIdentity(ctx context.Context, name string, withNotifications bool) (s identityState, found bool, err error) {
	out, err := p.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(name)})
	if isNotFound(err) {
		return identityState{}, false, nil
	}
	if err != nil {
		return identityState{}, false, err
	}
	s = identityFromSES(name, out)
	if withNotifications {
		n, err := p.v1.GetIdentityNotificationAttributes(ctx, &sesv1.GetIdentityNotificationAttributesInput{Identities: []string{name}})
		if err != nil {
			return s, true, err
		}
		if attrs, ok := n.NotificationAttributes[name]; ok {
			s.setNotifications(attrs)
		}
	}
	return s, true, nil
}
