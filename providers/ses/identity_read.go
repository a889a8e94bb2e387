package ses

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// listPageSize is the largest page ListEmailIdentities documents ("no more
// than 1000"). ListConfigurationSets documents no maximum, so its pages are
// left at the size AWS chooses.
const listPageSize = 1000

// v1BatchSize is how many identities one v1 GetIdentity*Attributes call takes.
const v1BatchSize = 100

// readIdentities reads the identities that desired declares and those that
// carry stack's mark, and nothing else of the region.
//
// Which identities carry the mark comes from the Resource Groups Tagging API
// (Options.Tags): GetResources filtered on the tag mailform:stack=<stack>,
// 100 per page, not paced with SES, which returns every tag of each. It is
// only a hint: an identity the index shows is read only if SES still holds
// it, and every change or delete describes the identity again with
// GetEmailIdentity and acts only when that answer carries the mark
// (identity_apply.go). An identity the index does not show yet is, when
// declared, found by name and described; when not declared, left alone by
// this run and found by the next. Identities of other stacks or of no stack
// are never read unless declared.
//
// planIdentityReads decides which identities are described one at a time;
// the others are read in batches (identity_batch.go). Calls, with T
// identities of the stack, D of them described, and U declared identities
// the index does not show: ceil(T/100) GetResources + ceil(U/100) v1
// GetIdentityVerificationAttributes + 3*ceil((T-D)/100) v1 verification,
// DKIM and MAIL FROM batch reads + one GetEmailIdentity per described
// identity (the D, and those of the U that exist; awscfg.InFlight at a time,
// so that the pace, not the round trip, sets the time) + ceil(K/100) v1
// GetIdentityNotificationAttributes (K identities kept: v2 has no
// notification topics) + at most one STS GetCallerIdentity per Provider.
// With RefreshFull every identity is described (D = T). Without
// Options.Tags every identity of the region is listed and described.
func (p *Provider) readIdentities(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	want := map[string]specs.Resource{}
	for _, r := range desired {
		if name := attrs(r.Attrs).str("identity"); name != "" {
			want[lowerName(name)] = r
		}
	}

	type kept struct {
		state identityState
		addr  string
	}
	var keep []kept
	var names []string // to describe
	if p.opts.Tags == nil || stack == "" {
		all, err := p.listIdentities(ctx)
		if err != nil {
			return nil, err
		}
		names = all
	} else {
		marked, err := p.markedIdentities(ctx, stack)
		if err != nil {
			return nil, err
		}
		reads := planIdentityReads(want, marked, p.fullRefresh())
		// Declared but not in the index: new to SES, or created moments
		// ago and not yet indexed (a plan right after apply). SES v1 reads
		// identities by name, 100 a call, and answers only for those that
		// exist.
		found, err := p.existingOf(ctx, reads.Lookup)
		if err != nil {
			return nil, err
		}
		names = append(reads.Describe, found...)
		states, err := p.batchStates(ctx, reads.Batch)
		if err != nil {
			return nil, err
		}
		for _, s := range states {
			if r, isDesired := want[lowerName(s.Name)]; isDesired {
				keep = append(keep, kept{s, r.Addr})
			} else {
				keep = append(keep, kept{s, identityAddr(s)})
			}
		}
	}

	described := make([]*sesv2.GetEmailIdentityOutput, len(names))
	p.described.Store(0)
	p.toDescribe.Store(int64(len(names)))
	defer p.toDescribe.Store(0)
	err := awscfg.Each(ctx, len(names), func(ctx context.Context, i int) error {
		out, err := p.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(names[i])})
		p.described.Add(1)
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
			Notes: settingsNotes(k.state),
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

// listIdentities returns the names of every identity of the region, as SES
// spells them. Calls: ceil(N/1000) ListEmailIdentities.
func (p *Provider) listIdentities(ctx context.Context) ([]string, error) {
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
	return names, nil
}

// taggingPageSize is the largest page GetResources documents.
const taggingPageSize = 100

// markedIdentities returns the identities of the region that the Tagging
// API's index shows with the tag mailform:stack=stack, by lower-case name.
// The index is a hint: readIdentities reads each name from SES, and apply
// describes an identity again before changing it.
func (p *Provider) markedIdentities(ctx context.Context, stack string) (map[string]markedIdentity, error) {
	marked, err := p.taggedIdentities(ctx, taggingtypes.TagFilter{Key: aws.String(specs.TagStack), Values: []string{stack}})
	if err != nil {
		return nil, fmt.Errorf("finding the SES identities of stack %s with the Resource Groups Tagging API (tag:GetResources) in %s: %w", stack, p.region, err)
	}
	return marked, nil
}

// taggedIdentities returns the identities of the region that the Resource
// Groups Tagging API shows with a tag matching filter, with their tags, by
// lower-case name: 100 a GetResources page, not paced with SES.
func (p *Provider) taggedIdentities(ctx context.Context, filter taggingtypes.TagFilter) (map[string]markedIdentity, error) {
	marked := map[string]markedIdentity{}
	pager := resourcegroupstaggingapi.NewGetResourcesPaginator(p.opts.Tags, &resourcegroupstaggingapi.GetResourcesInput{
		ResourceTypeFilters: []string{"ses:identity"},
		TagFilters:          []taggingtypes.TagFilter{filter},
		ResourcesPerPage:    aws.Int32(taggingPageSize),
	})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, m := range page.ResourceTagMappingList {
			if name, ok := identityNameOfARN(aws.ToString(m.ResourceARN), p.region); ok {
				tags := make(map[string]string, len(m.Tags))
				for _, t := range m.Tags {
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				marked[lowerName(name)] = markedIdentity{Name: name, Tags: tags}
			}
		}
	}
	return marked, nil
}

// identityNameOfARN returns the identity an SES identity ARN of region names
// (arn:<partition>:ses:<region>:<account>:identity/<name>).
func identityNameOfARN(arn, region string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ses" || parts[3] != region {
		return "", false
	}
	name, ok := strings.CutPrefix(parts[5], "identity/")
	if !ok || name == "" {
		return "", false
	}
	return name, true
}

// existingOf returns those of names that SES holds, asking SES v1's
// GetIdentityVerificationAttributes by name (v1BatchSize a call), which
// answers for existing identities only and, unlike the lists, does not lag
// behind a new one.
func (p *Provider) existingOf(ctx context.Context, names []string) ([]string, error) {
	batches := (len(names) + v1BatchSize - 1) / v1BatchSize
	found := make([][]string, batches)
	err := awscfg.Each(ctx, batches, func(ctx context.Context, b int) error {
		batch := names[b*v1BatchSize : min((b+1)*v1BatchSize, len(names))]
		out, err := p.v1.GetIdentityVerificationAttributes(ctx, &sesv1.GetIdentityVerificationAttributesInput{Identities: batch})
		if err != nil {
			return fmt.Errorf("looking up %d SES identities by name: %w", len(batch), err)
		}
		// SES answers in its own spelling of each name.
		for n := range out.VerificationAttributes {
			if slices.ContainsFunc(batch, func(asked string) bool { return lowerName(asked) == lowerName(n) }) {
				found[b] = append(found[b], n)
			}
		}
		slices.Sort(found[b])
		return nil
	})
	return slices.Concat(found...), err
}
