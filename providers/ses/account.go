package ses

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// readAccount reads the account-level suppression reasons: one GetAccount.
func (p *Provider) readAccount(ctx context.Context, addr string) (plan.Observed, error) {
	reasons, err := p.accountSuppression(ctx)
	if err != nil {
		return plan.Observed{}, fmt.Errorf("reading the SES account settings in %s: %w", p.region, err)
	}
	return accountObserved(addr, p.region, reasons), nil
}

func (p *Provider) accountSuppression(ctx context.Context) ([]string, error) {
	out, err := p.v2.GetAccount(ctx, &sesv2.GetAccountInput{})
	if err != nil {
		return nil, err
	}
	return accountStatus(p.region, out).SuppressedReasons, nil
}

// accountObserved is the account settings resource. It carries no ownership
// mark: account settings exist in every account (plan treats them as a
// singleton that is managed when declared and never deleted).
func accountObserved(addr, region string, reasons []string) plan.Observed {
	return plan.Observed{
		Addr:  addr,
		Kind:  specs.KindSESAccount,
		ID:    "ses-account/" + region,
		Attrs: map[string]any{"suppression": sortedList(reasons)},
	}
}

// applyAccount sets the account's suppression reasons. A delete leaves the
// account as it is: the settings cannot be removed, and mailform does not
// guess what they were before.
func (p *Provider) applyAccount(ctx context.Context, c plan.Change) providers.Result {
	switch c.Action {
	case plan.Delete:
		return providers.Result{Addr: c.Addr, Message: "the SES account settings stay as they are"}
	case plan.Create, plan.Update, plan.Replace:
	default:
		return providers.Result{Addr: c.Addr, Err: fmt.Errorf("the SES provider cannot %s the account settings", c.Action)}
	}
	a := attrs(c.After)
	if u := a.unresolved(); len(u) > 0 {
		return providers.Result{Addr: c.Addr, Err: fmt.Errorf("not applied: %s still unknown", strings.Join(u, ", "))}
	}
	if !a.has("suppression") {
		return providers.Result{Addr: c.Addr, Message: "no account setting to change"}
	}
	want := a.strings("suppression")
	sort.Strings(want)
	have := toStrings(c.Before["suppression"])
	sort.Strings(have)
	if c.Before != nil && c.Before["suppression"] != nil && slices.Equal(have, want) {
		return providers.Result{Addr: c.Addr, Observed: ptr(accountObserved(c.Addr, p.region, want))}
	}
	if _, err := p.v2.PutAccountSuppressionAttributes(ctx, &sesv2.PutAccountSuppressionAttributesInput{
		SuppressedReasons: suppressionReasons(want),
	}); err != nil {
		return providers.Result{Addr: c.Addr, Err: awsError("setting the account suppression reasons", err)}
	}
	return providers.Result{Addr: c.Addr, Observed: ptr(accountObserved(c.Addr, p.region, want))}
}

func ptr[T any](v T) *T { return &v }
