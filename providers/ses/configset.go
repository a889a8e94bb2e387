package ses

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// configSetState is one configuration set as SES reports it, or as the spec
// wants it.
type configSetState struct {
	Name              string
	Tags              map[string]string
	SuppressionSet    bool     // SuppressionOptions present: the set overrides the account list
	Suppression       []string // the reasons of that override; none means it suppresses nothing
	Reputation        bool
	TLSPolicy         string
	Delivery          *types.DeliveryOptions // kept whole, so a TLS change preserves the rest
	DestinationsKnown bool
	Destinations      map[string]destination
}

// destination is one event destination.
type destination struct {
	Types    []string // sorted
	TopicARN string   // "" for a destination that is not SNS
	Enabled  bool
}

func (d destination) equal(o destination) bool {
	return d.TopicARN == o.TopicARN && d.Enabled == o.Enabled && slices.Equal(d.Types, o.Types)
}

func (d destination) definition() *types.EventDestinationDefinition {
	def := &types.EventDestinationDefinition{Enabled: d.Enabled, SnsDestination: &types.SnsDestination{TopicArn: aws.String(d.TopicARN)}}
	for _, t := range d.Types {
		def.MatchingEventTypes = append(def.MatchingEventTypes, types.EventType(t))
	}
	return def
}

func (s configSetState) attrs() map[string]any {
	a := map[string]any{
		"name":               s.Name,
		"reputation_metrics": s.Reputation,
		"tls_policy":         s.TLSPolicy,
	}
	// "suppression_override" tells a set with its own empty list (which
	// suppresses nothing) from one that follows the account's list.
	a["suppression_override"] = s.SuppressionSet
	if s.SuppressionSet {
		a["suppression"] = sortedList(s.Suppression)
	}
	if s.DestinationsKnown {
		m := map[string]any{}
		for name, d := range s.Destinations {
			e := map[string]any{"types": sortedList(d.Types), "enabled": d.Enabled}
			if d.TopicARN != "" {
				e["topic_arn"] = d.TopicARN
			}
			m[name] = e
		}
		a["event_destinations"] = m
	}
	return a
}

func configSetFromSES(out *sesv2.GetConfigurationSetOutput) configSetState {
	s := configSetState{
		Name:      aws.ToString(out.ConfigurationSetName),
		Tags:      tagMap(out.Tags),
		TLSPolicy: string(types.TlsPolicyOptional),
		Delivery:  out.DeliveryOptions,
	}
	if out.SuppressionOptions != nil {
		s.SuppressionSet = true
		for _, r := range out.SuppressionOptions.SuppressedReasons {
			s.Suppression = append(s.Suppression, string(r))
		}
		sort.Strings(s.Suppression)
	}
	if out.ReputationOptions != nil {
		s.Reputation = out.ReputationOptions.ReputationMetricsEnabled
	}
	if out.DeliveryOptions != nil && out.DeliveryOptions.TlsPolicy != "" {
		s.TLSPolicy = string(out.DeliveryOptions.TlsPolicy)
	}
	return s
}

func destinationsFromSES(out *sesv2.GetConfigurationSetEventDestinationsOutput) map[string]destination {
	m := map[string]destination{}
	for _, ed := range out.EventDestinations {
		d := destination{Enabled: ed.Enabled}
		for _, t := range ed.MatchingEventTypes {
			d.Types = append(d.Types, string(t))
		}
		sort.Strings(d.Types)
		if ed.SnsDestination != nil {
			d.TopicARN = aws.ToString(ed.SnsDestination.TopicArn)
		}
		m[aws.ToString(ed.Name)] = d
	}
	return m
}

// desiredConfigSet is what a change's After asks of a configuration set.
type desiredConfigSet struct {
	configSetState
	named map[string]bool
}

func parseDesiredConfigSet(addr string, after map[string]any) (desiredConfigSet, error) {
	a := attrs(after)
	if u := a.unresolved(); len(u) > 0 {
		return desiredConfigSet{}, fmt.Errorf("not applied: %s still unknown (what it refers to does not exist yet)", strings.Join(u, ", "))
	}
	d := desiredConfigSet{named: map[string]bool{}}
	for k := range after {
		d.named[k] = true
	}
	d.Name = a.str("name")
	if d.Name == "" {
		return d, fmt.Errorf("the configuration set name is empty")
	}
	d.Suppression = a.strings("suppression")
	sort.Strings(d.Suppression)
	if override, ok := a.boolean("suppression_override"); ok {
		d.SuppressionSet = override
	} else {
		// A plan saved before suppression_override existed: a list asks
		// for an override, an empty one for none.
		d.SuppressionSet = len(d.Suppression) > 0
	}
	d.named["suppression"] = true
	d.Reputation, _ = a.boolean("reputation_metrics")
	d.TLSPolicy = strings.ToUpper(a.str("tls_policy"))
	if d.TLSPolicy == "" {
		d.TLSPolicy = string(types.TlsPolicyOptional)
	}
	if d.named["event_destinations"] {
		d.DestinationsKnown = true
		d.Destinations = map[string]destination{}
		m, _ := after["event_destinations"].(map[string]any)
		for name, v := range m {
			e := attrs{}
			if em, ok := v.(map[string]any); ok {
				e = attrs(em)
			}
			dst := destination{Types: e.strings("types"), TopicARN: e.str("topic_arn"), Enabled: true}
			if en, ok := e.boolean("enabled"); ok {
				dst.Enabled = en
			}
			sort.Strings(dst.Types)
			if dst.TopicARN == "" {
				return d, fmt.Errorf("event destination %q has no topic", name)
			}
			d.Destinations[name] = dst
		}
	}
	return d, nil
}

// readConfigSets lists the configuration sets and describes those that are
// desired or could be the stack's.
//
// Calls: ceil(S/1000) ListConfigurationSets + one GetConfigurationSet per set
// that is desired or named "<stack>-..." (mailform names every set it creates
// so; a set without that prefix that is not desired is never the stack's to
// delete, so its tags need not be read) + one
// GetConfigurationSetEventDestinations per set kept.
func (p *Provider) readConfigSets(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	want := map[string]specs.Resource{}
	for _, r := range desired {
		if n := attrs(r.Attrs).str("name"); n != "" {
			want[n] = r
		}
	}
	names, err := p.ConfigurationSetNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []plan.Observed
	for _, name := range names {
		r, isDesired := want[name]
		if !isDesired && (stack == "" || !strings.HasPrefix(name, stack+"-")) {
			continue
		}
		s, found, err := p.describeConfigSet(ctx, name, false)
		if err != nil {
			return nil, fmt.Errorf("reading SES configuration set %s: %w", name, err)
		}
		if !found {
			continue
		}
		addr := r.Addr
		if !isDesired {
			if s.Tags[specs.TagStack] != stack {
				continue
			}
			addr = configSetAddr(stack, s)
		}
		dests, err := p.v2.GetConfigurationSetEventDestinations(ctx, &sesv2.GetConfigurationSetEventDestinationsInput{ConfigurationSetName: aws.String(name)})
		if err != nil {
			return nil, fmt.Errorf("reading the event destinations of SES configuration set %s: %w", name, err)
		}
		s.DestinationsKnown, s.Destinations = true, destinationsFromSES(dests)
		out = append(out, plan.Observed{
			Addr:  addr,
			Kind:  specs.KindSESConfigSet,
			ID:    name,
			Owner: s.Tags[specs.TagStack],
			Attrs: s.attrs(),
		})
	}
	return out, nil
}

func configSetAddr(stack string, s configSetState) string {
	if a := s.Tags[specs.TagAddr]; a != "" {
		return a
	}
	return "configuration_set." + strings.TrimPrefix(s.Name, stack+"-")
}

// describeConfigSet reads one configuration set afresh, with its event
// destinations when withDestinations.
func (p *Provider) describeConfigSet(ctx context.Context, name string, withDestinations bool) (configSetState, bool, error) {
	out, err := p.v2.GetConfigurationSet(ctx, &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String(name)})
	if isNotFound(err) {
		return configSetState{}, false, nil
	}
	if err != nil {
		return configSetState{}, false, err
	}
	s := configSetFromSES(out)
	if s.Name == "" {
		s.Name = name
	}
	if withDestinations {
		d, err := p.v2.GetConfigurationSetEventDestinations(ctx, &sesv2.GetConfigurationSetEventDestinationsInput{ConfigurationSetName: aws.String(name)})
		if err != nil {
			return s, true, err
		}
		s.DestinationsKnown, s.Destinations = true, destinationsFromSES(d)
	}
	return s, true, nil
}

func (p *Provider) applyConfigSet(ctx context.Context, req providers.ApplyRequest, c plan.Change) providers.Result {
	switch c.Action {
	case plan.Create:
		return p.createConfigSet(ctx, req, c)
	case plan.Update:
		return p.updateConfigSet(ctx, req, c)
	case plan.Replace:
		old := c.ID
		if old == "" {
			old = attrs(c.Before).str("name")
		}
		if old != "" {
			if _, err := p.deleteConfigSet(ctx, req.Stack, c.Addr, old); err != nil {
				return providers.Result{Addr: c.Addr, Err: err}
			}
		}
		return p.createConfigSet(ctx, req, c)
	case plan.Delete:
		name := c.ID
		if name == "" {
			name = attrs(c.Before).str("name")
		}
		msg, err := p.deleteConfigSet(ctx, req.Stack, c.Addr, name)
		return providers.Result{Addr: c.Addr, Err: err, Message: msg}
	}
	return providers.Result{Addr: c.Addr, Err: fmt.Errorf("the SES provider cannot %s a configuration set", c.Action)}
}

// createConfigSet creates the set with its tags and options in one call, then
// its event destinations. A set that exists already is taken on only when it
// carries this stack's mark.
func (p *Provider) createConfigSet(ctx context.Context, req providers.ApplyRequest, c plan.Change) providers.Result {
	want, err := parseDesiredConfigSet(c.Addr, c.After)
	if err != nil {
		return providers.Result{Addr: c.Addr, Err: err}
	}
	in := &sesv2.CreateConfigurationSetInput{
		ConfigurationSetName: aws.String(want.Name),
		Tags:                 ownershipTags(req.Stack, c.Addr),
	}
	if want.SuppressionSet {
		// Without SuppressionOptions the set follows the account's list;
		// with them, even with no reason, it overrides that list.
		in.SuppressionOptions = &types.SuppressionOptions{SuppressedReasons: suppressionReasons(want.Suppression)}
	}
	if want.named["reputation_metrics"] {
		in.ReputationOptions = &types.ReputationOptions{ReputationMetricsEnabled: want.Reputation}
	}
	if want.named["tls_policy"] {
		in.DeliveryOptions = &types.DeliveryOptions{TlsPolicy: types.TlsPolicy(want.TLSPolicy)}
	}
	req.Report(c.Addr, "creating SES configuration set "+want.Name)
	var cur configSetState
	var msg string
	_, err = p.v2.CreateConfigurationSet(ctx, in)
	switch {
	case isAlreadyExists(err):
		existing, found, derr := p.describeConfigSet(ctx, want.Name, true)
		if derr != nil {
			return providers.Result{Addr: c.Addr, Err: awsError("reading the existing SES configuration set "+want.Name, derr)}
		}
		if !found {
			return providers.Result{Addr: c.Addr, Err: awsError("creating SES configuration set "+want.Name, err)}
		}
		if owner := existing.Tags[specs.TagStack]; owner != req.Stack || req.Stack == "" {
			return providers.Result{Addr: c.Addr, Err: notOwnedError(c.Addr, "configuration set "+want.Name, req.Stack, owner)}
		}
		cur, msg = existing, "took on the configuration set an earlier run created"
	case err != nil:
		return providers.Result{Addr: c.Addr, Err: awsError("creating SES configuration set "+want.Name, err)}
	default:
		cur = configSetState{
			Name:              want.Name,
			Tags:              tagMap(in.Tags),
			SuppressionSet:    want.SuppressionSet,
			Suppression:       want.Suppression,
			Reputation:        want.named["reputation_metrics"] && want.Reputation,
			TLSPolicy:         string(types.TlsPolicyOptional),
			Delivery:          in.DeliveryOptions,
			DestinationsKnown: true,
			Destinations:      map[string]destination{},
		}
		if want.named["tls_policy"] {
			cur.TLSPolicy = want.TLSPolicy
		}
	}
	err = p.convergeConfigSet(ctx, c.Addr, &cur, want)
	return providers.Result{Addr: c.Addr, Err: err, Observed: configSetObserved(c.Addr, cur), Message: msg}
}

func (p *Provider) updateConfigSet(ctx context.Context, req providers.ApplyRequest, c plan.Change) providers.Result {
	want, err := parseDesiredConfigSet(c.Addr, c.After)
	if err != nil {
		return providers.Result{Addr: c.Addr, Err: err}
	}
	name := c.ID
	if name == "" {
		name = want.Name
	}
	cur, found, err := p.describeConfigSet(ctx, name, want.named["event_destinations"])
	if err != nil {
		return providers.Result{Addr: c.Addr, Err: awsError("reading SES configuration set "+name, err)}
	}
	if !found {
		return providers.Result{Addr: c.Addr, Err: fmt.Errorf("SES configuration set %s no longer exists; run mailform plan again", name)}
	}
	var msg string
	owner := cur.Tags[specs.TagStack]
	if owner != req.Stack || req.Stack == "" {
		if !c.Adopt || owner != "" || req.Stack == "" {
			return providers.Result{Addr: c.Addr, Err: notOwnedError(c.Addr, "configuration set "+name, req.Stack, owner)}
		}
		if err := p.ensureAccountID(ctx); err != nil {
			return providers.Result{Addr: c.Addr, Err: err}
		}
		arn := p.resourceARN("configuration-set/" + name)
		if _, err := p.v2.TagResource(ctx, &sesv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: ownershipTags(req.Stack, c.Addr)}); err != nil {
			return providers.Result{Addr: c.Addr, Err: awsError("adding the ownership tags to SES configuration set "+name, err)}
		}
		for k, v := range tagMap(ownershipTags(req.Stack, c.Addr)) {
			cur.Tags[k] = v
		}
		msg = "adopted: tagged " + specs.TagStack + "=" + req.Stack
	}
	err = p.convergeConfigSet(ctx, c.Addr, &cur, want)
	return providers.Result{Addr: c.Addr, Err: err, Observed: configSetObserved(c.Addr, cur), Message: msg}
}

func configSetObserved(addr string, s configSetState) *plan.Observed {
	return &plan.Observed{Addr: addr, Kind: specs.KindSESConfigSet, ID: s.Name, Owner: s.Tags[specs.TagStack], Attrs: s.attrs()}
}

// convergeConfigSet makes the calls that turn cur into want for the
// attributes the spec names. Event destinations are matched by name: changed
// ones are updated, extra ones deleted (freeing places: SES allows 10 per
// set), missing ones created.
func (p *Provider) convergeConfigSet(ctx context.Context, addr string, cur *configSetState, want desiredConfigSet) error {
	name := aws.String(cur.Name)
	switch {
	case !want.SuppressionSet && cur.SuppressionSet:
		// SES documents no call that returns a set to the account's list:
		// PutConfigurationSetSuppressionOptions takes a list, and an empty
		// one suppresses nothing. The plan replaces the set instead.
		return fmt.Errorf("%s: SES configuration set %s has its own suppression list (%s), and SES has no call that makes a set follow the account's list again; "+
			"re-create the set with 'mailform apply -replace %s', or keep an override with suppression = [...] (suppression = [] suppresses nothing)",
			addr, cur.Name, suppressionText(cur.Suppression), addr)
	case want.SuppressionSet && (!cur.SuppressionSet || !slices.Equal(cur.Suppression, want.Suppression)):
		if _, err := p.v2.PutConfigurationSetSuppressionOptions(ctx, &sesv2.PutConfigurationSetSuppressionOptionsInput{
			ConfigurationSetName: name,
			SuppressedReasons:    suppressionReasons(want.Suppression),
		}); err != nil {
			return awsError("setting the suppression reasons of "+cur.Name, err)
		}
		cur.SuppressionSet, cur.Suppression = true, want.Suppression
	}
	if want.named["reputation_metrics"] && cur.Reputation != want.Reputation {
		if _, err := p.v2.PutConfigurationSetReputationOptions(ctx, &sesv2.PutConfigurationSetReputationOptionsInput{
			ConfigurationSetName:     name,
			ReputationMetricsEnabled: want.Reputation,
		}); err != nil {
			return awsError("setting reputation metrics of "+cur.Name, err)
		}
		cur.Reputation = want.Reputation
	}
	if want.named["tls_policy"] && cur.TLSPolicy != want.TLSPolicy {
		in := &sesv2.PutConfigurationSetDeliveryOptionsInput{ConfigurationSetName: name, TlsPolicy: types.TlsPolicy(want.TLSPolicy)}
		if d := cur.Delivery; d != nil {
			in.SendingPoolName, in.MaxDeliverySeconds = d.SendingPoolName, d.MaxDeliverySeconds
		}
		if _, err := p.v2.PutConfigurationSetDeliveryOptions(ctx, in); err != nil {
			return awsError("setting the TLS policy of "+cur.Name, err)
		}
		cur.TLSPolicy = want.TLSPolicy
	}
	if !want.DestinationsKnown {
		return nil
	}
	if cur.Destinations == nil {
		cur.Destinations = map[string]destination{}
	}
	for _, dn := range specs.SortedKeys(want.Destinations) {
		have, ok := cur.Destinations[dn]
		if !ok || have.equal(want.Destinations[dn]) {
			continue
		}
		if _, err := p.v2.UpdateConfigurationSetEventDestination(ctx, &sesv2.UpdateConfigurationSetEventDestinationInput{
			ConfigurationSetName: name,
			EventDestinationName: aws.String(dn),
			EventDestination:     want.Destinations[dn].definition(),
		}); err != nil {
			return awsError("updating event destination "+dn+" of "+cur.Name, err)
		}
		cur.Destinations[dn] = want.Destinations[dn]
	}
	for _, dn := range specs.SortedKeys(cur.Destinations) {
		if _, ok := want.Destinations[dn]; ok {
			continue
		}
		if _, err := p.v2.DeleteConfigurationSetEventDestination(ctx, &sesv2.DeleteConfigurationSetEventDestinationInput{
			ConfigurationSetName: name,
			EventDestinationName: aws.String(dn),
		}); err != nil && !isNotFound(err) {
			return awsError("deleting event destination "+dn+" of "+cur.Name, err)
		}
		delete(cur.Destinations, dn)
	}
	for _, dn := range specs.SortedKeys(want.Destinations) {
		if _, ok := cur.Destinations[dn]; ok {
			continue
		}
		if _, err := p.v2.CreateConfigurationSetEventDestination(ctx, &sesv2.CreateConfigurationSetEventDestinationInput{
			ConfigurationSetName: name,
			EventDestinationName: aws.String(dn),
			EventDestination:     want.Destinations[dn].definition(),
		}); err != nil {
			return awsError("creating event destination "+dn+" of "+cur.Name, err)
		}
		cur.Destinations[dn] = want.Destinations[dn]
	}
	return nil
}

// deleteConfigSet deletes a set that carries stack's mark; one already gone
// is a success.
func (p *Provider) deleteConfigSet(ctx context.Context, stack, addr, name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("no configuration set name to delete")
	}
	cur, found, err := p.describeConfigSet(ctx, name, false)
	if err != nil {
		return "", awsError("reading SES configuration set "+name+" before deleting it", err)
	}
	if !found {
		return "SES configuration set " + name + " was already gone", nil
	}
	if owner := cur.Tags[specs.TagStack]; owner != stack || stack == "" {
		return "", notOwnedError(addr, "configuration set "+name, stack, owner)
	}
	if _, err := p.v2.DeleteConfigurationSet(ctx, &sesv2.DeleteConfigurationSetInput{ConfigurationSetName: aws.String(name)}); err != nil && !isNotFound(err) {
		return "", awsError("deleting SES configuration set "+name, err)
	}
	return "", nil
}

func suppressionReasons(in []string) []types.SuppressionListReason {
	out := make([]types.SuppressionListReason, 0, len(in))
	for _, r := range in {
		out = append(out, types.SuppressionListReason(strings.ToUpper(r)))
	}
	return out
}

// resourceARN is the ARN of an SES resource once ensureAccountID has run.
func (p *Provider) resourceARN(resource string) string {
	p.accountMu.Lock()
	defer p.accountMu.Unlock()
	return p.arnLocked(resource)
}

// suppressionText shows a set's own suppression reasons.
func suppressionText(reasons []string) string {
	if len(reasons) == 0 {
		return "none: it suppresses nothing"
	}
	return strings.Join(reasons, ", ")
}
