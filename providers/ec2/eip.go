package ec2

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// Apply carries out changes of ec2.eip and ec2.reverse_dns. PTR changes go
// first: an address whose PTR is being removed in the same call can then be
// released.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) []providers.Result {
	var eips, ptrs []plan.Change
	var results []providers.Result
	for _, c := range req.Changes {
		if req.Stack == "" {
			results = append(results, providers.Result{Addr: c.Addr, Err: errNoStack})
			continue
		}
		switch c.Kind {
		case specs.KindEIP:
			eips = append(eips, c)
		case KindReverseDNS:
			ptrs = append(ptrs, c)
		default:
			results = append(results, providers.Result{Addr: c.Addr, Err: fmt.Errorf("the EC2 provider does not manage resources of kind %s", c.Kind)})
		}
	}
	results = append(results, p.applyPTRs(ctx, req, ptrs)...)
	results = append(results, p.applyEIPs(ctx, req, eips)...)
	return results
}

// applyEIPs looks up the stack's addresses for all changes in one call, then
// carries the changes out, a few at a time.
func (p *Provider) applyEIPs(ctx context.Context, req providers.ApplyRequest, changes []plan.Change) []providers.Result {
	if len(changes) == 0 {
		return nil
	}
	results := make([]providers.Result, len(changes))
	addrs := make([]string, len(changes))
	for i, c := range changes {
		addrs[i] = c.Addr
	}
	found, err := p.describeOwned(ctx, req.Stack, addrs)
	if err != nil {
		for i, c := range changes {
			results[i] = providers.Result{Addr: c.Addr, Err: fmt.Errorf("looking up the Elastic IPs of stack %s: %w", req.Stack, err)}
		}
		return results
	}
	groups := groupByAddr(found)

	// One read of the PTRs of every address a delete or a duplicate cleanup
	// needs to know about, for all the changes.
	var need []string
	for _, c := range changes {
		if g := groups[c.Addr]; len(g) > 1 || (c.Action == plan.Delete && len(g) > 0) {
			need = append(need, allocationIDs(g)...)
		}
	}
	known := knownPTRs{covered: map[string]bool{}}
	if len(need) > 0 {
		attrs, err := p.describePTRs(ctx, need)
		if err != nil {
			for i, c := range changes {
				results[i] = providers.Result{Addr: c.Addr, Err: fmt.Errorf("reading the reverse DNS of the stack's Elastic IPs: %w", err)}
			}
			return results
		}
		known.attrs = attrs
		for _, id := range need {
			known.covered[id] = true
		}
	}

	sem := make(chan struct{}, p.opts.Concurrency)
	var wg sync.WaitGroup
	for i, c := range changes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = providers.Result{Addr: c.Addr, Err: ctx.Err()}
				return
			}
			defer func() { <-sem }()
			results[i] = p.applyEIP(ctx, req, c, groups[c.Addr], known)
		}()
	}
	wg.Wait()
	return results
}

// applyEIP carries out one ec2.eip change; owned are the addresses that carry
// the stack's mark and the change's address.
func (p *Provider) applyEIP(ctx context.Context, req providers.ApplyRequest, c plan.Change, owned []types.Address, known knownPTRs) providers.Result {
	res := providers.Result{Addr: c.Addr}
	switch c.Action {
	case plan.Create, plan.Update:
		o, msg, err := p.convergeEIP(ctx, req, c, owned, known)
		if err != nil {
			res.Err = err
			return res
		}
		res.Observed, res.Message = &o, msg
	case plan.Delete:
		msg, err := p.deleteEIP(ctx, req, c, owned, known)
		res.Err, res.Message = err, msg
	default:
		res.Err = fmt.Errorf("the EC2 provider cannot %s an Elastic IP: its attributes change in place", c.Action)
	}
	return res
}

// adoptAddress marks the existing address id as the stack's address at
// addr, after checking that it exists and carries no stack's mark (the plan
// read it so, but an address can change hands in between).
func (p *Provider) adoptAddress(ctx context.Context, stack, addr, id string) (types.Address, error) {
	found, err := p.describeByID(ctx, []string{id})
	if err != nil {
		return types.Address{}, fmt.Errorf("looking up Elastic IP %s to adopt: %w", id, err)
	}
	if len(found) == 0 {
		return types.Address{}, fmt.Errorf("Elastic IP %s, which allocation_id names, does not exist (released since the plan?); run mailform plan again", id)
	}
	a := found[0]
	if owner := tag(a.Tags, specs.TagStack); owner != "" && owner != stack {
		return types.Address{}, fmt.Errorf("Elastic IP %s (%s) belongs to mailform stack %q, not %q; mailform never adopts another stack's address", aws.ToString(a.PublicIp), id, owner, stack)
	}
	marks := []types.Tag{
		{Key: aws.String(specs.TagStack), Value: aws.String(stack)},
		{Key: aws.String(specs.TagAddr), Value: aws.String(addr)},
	}
	if _, err := p.api.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: marks}); err != nil {
		return types.Address{}, fmt.Errorf("tagging Elastic IP %s to adopt it: %w", id, err)
	}
	a.Tags = setTags(a.Tags, marks)
	return a, nil
}

// convergeEIP makes the stack's Elastic IP at c.Addr exist once, with the
// hostname tag and association c.After asks for. It allocates only when no
// address carries the mark, and releases the extra copies a crash left.
func (p *Provider) convergeEIP(ctx context.Context, req providers.ApplyRequest, c plan.Change, owned []types.Address, known knownPTRs) (plan.Observed, string, error) {
	hostname, _ := c.After["hostname"].(string)
	if hostname == "" {
		return plan.Observed{}, "", fmt.Errorf("the Elastic IP needs a hostname")
	}
	hostname = specs.Fqdn(hostname)
	instanceID, _ := c.After["instance_id"].(string)
	interfaceID, _ := c.After["network_interface_id"].(string)

	declared, _ := c.After["allocation_id"].(string)

	var origin string // how the address came to be, for a create
	switch {
	case len(owned) == 0 && declared != "":
		// The block names an existing address: adopt that one, never
		// allocate another in its place.
		if !c.Adopt {
			return plan.Observed{}, "", fmt.Errorf("Elastic IP %s, which allocation_id names, does not exist or carries another block's mark; mailform allocates no other address in its place: remove allocation_id to have it allocate one", declared)
		}
		adopted, err := p.adoptAddress(ctx, req.Stack, c.Addr, declared)
		if err != nil {
			return plan.Observed{}, "", err
		}
		owned = []types.Address{adopted}
		origin = "adopted Elastic IP %s (" + declared + "): tagged " + specs.TagStack + "=" + req.Stack
	case len(owned) == 0:
		if c.Action == plan.Update {
			return plan.Observed{}, "", fmt.Errorf("the Elastic IP %s no longer exists in AWS (released outside mailform?); run mailform plan again", c.ID)
		}
		allocated, adopted, err := p.allocate(ctx, req, c.Addr, hostname)
		if err != nil {
			return plan.Observed{}, "", err
		}
		owned = allocated
		origin = "allocated Elastic IP %s"
		if adopted {
			origin = "adopted Elastic IP %s, allocated by an attempt whose answer was lost"
		}
	case c.Action == plan.Create:
		origin = "adopted Elastic IP %s, left by an interrupted run"
	}

	prefer := c.ID
	if declared != "" {
		if !slices.ContainsFunc(owned, func(a types.Address) bool { return aws.ToString(a.AllocationId) == declared }) {
			return plan.Observed{}, "", fmt.Errorf("the stack's Elastic IP of %s is %s, not %s as allocation_id says; an address is adopted only by a block that has none: remove allocation_id, or the block's address first", c.Addr, strings.Join(allocationIDs(owned), ", "), declared)
		}
		prefer = declared
	}
	if prefer == "" {
		prefer, _ = c.Before["allocation_id"].(string)
	}
	var ptrs map[string]types.AddressAttribute
	if len(owned) > 1 {
		var err error
		if ptrs, err = p.ptrsOf(ctx, known, owned); err != nil {
			return plan.Observed{}, "", fmt.Errorf("reading the reverse DNS of its %d Elastic IPs: %w", len(owned), err)
		}
	}
	kept, extras := keep(owned, prefer, ptrs)
	var notes []string
	if origin != "" {
		notes = append(notes, fmt.Sprintf(origin, aws.ToString(kept.PublicIp)))
	}
	if len(extras) > 0 {
		released, err := p.releaseExtras(ctx, req, c.Addr, extras, ptrs)
		if err != nil {
			return plan.Observed{}, "", err
		}
		notes = append(notes, releasedNote(released))
	}
	id := aws.ToString(kept.AllocationId)

	steps := planEIP(kept, hostname, instanceID, interfaceID)
	if steps.tags != nil {
		if _, err := p.api.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: steps.tags}); err != nil {
			return plan.Observed{}, "", fmt.Errorf("tagging Elastic IP %s with its hostname: %w", id, err)
		}
		kept.Tags = setTags(kept.Tags, steps.tags)
		notes = append(notes, "tagged it with hostname "+hostname)
	}

	if a := steps.associate; a != nil {
		note, err := p.associate(ctx, c.Addr, &kept, *a)
		if err != nil {
			return plan.Observed{}, "", err
		}
		notes = append(notes, note)
	}
	return observeEIP(c.Addr, req.Stack, kept), strings.Join(notes, "; "), nil
}

// associate makes association a of the Elastic IP kept, and updates kept
// to match. It returns what it did.
func (p *Provider) associate(ctx context.Context, addr string, kept *types.Address, a eipAssociation) (string, error) {
	out, err := p.api.AssociateAddress(ctx, &ec2.AssociateAddressInput{
		AllocationId:       kept.AllocationId,
		InstanceId:         a.instance(),
		NetworkInterfaceId: a.networkInterface(),
		AllowReassociation: aws.Bool(a.moving),
	})
	if err != nil {
		err = fmt.Errorf("associating Elastic IP %s with %s: %w", aws.ToString(kept.PublicIp), a.target(), err)
		if a.interfaceID == "" && errorCode(err) == "InvalidInstanceID" {
			// AWS associates by instance only an instance with exactly
			// one network interface (AssociateAddress); its refusal of
			// one with several comes as InvalidInstanceID.
			err = fmt.Errorf("%w. If instance %s has several network interfaces, AWS needs the interface: set network_interface_id = \"eni-...\" in mta %q instead of instance_id (aws ec2 describe-instances --instance-ids %s lists them)",
				err, a.instanceID, strings.TrimPrefix(addr, "mta."), a.instanceID)
		}
		return "", err
	}
	note := "associated it with " + a.target()
	if a.moving {
		note = "moved it from " + associatedWith(*kept) + " to " + a.target()
	}
	// With an interface, the instance is the interface's, which
	// AssociateAddress does not say: the next read shows it.
	kept.AssociationId, kept.InstanceId, kept.NetworkInterfaceId = out.AssociationId, a.instance(), a.networkInterface()
	return note, nil
}

// allocate allocates a tagged Elastic IP for addr. AllocateAddress has no
// client token, so the SDK must not retry it: an attempt whose outcome is
// unknown (cut connection, timeout, server error) may have allocated an
// address. After such a failure allocate looks for the address by its tags
// and adopts what it finds; only when nothing is there does it try again.
// It returns every address found, and whether they were found rather than
// allocated by the last call.
func (p *Provider) allocate(ctx context.Context, req providers.ApplyRequest, addr, hostname string) ([]types.Address, bool, error) {
	tags := []types.Tag{
		{Key: aws.String(specs.TagStack), Value: aws.String(req.Stack)},
		{Key: aws.String(specs.TagAddr), Value: aws.String(addr)},
		{Key: aws.String(TagHostname), Value: aws.String(hostname)},
		{Key: aws.String(TagName), Value: aws.String(strings.TrimSuffix(hostname, "."))},
	}
	in := &ec2.AllocateAddressInput{
		Domain:            types.DomainTypeVpc,
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeElasticIp, Tags: tags}},
	}
	for attempt := 1; ; attempt++ {
		out, err := p.api.AllocateAddress(ctx, in, withoutRetries)
		if err == nil {
			p.awaitListed(ctx, req, addr, aws.ToString(out.AllocationId))
			return []types.Address{{
				AllocationId: out.AllocationId,
				PublicIp:     out.PublicIp,
				Domain:       out.Domain,
				Tags:         tags,
			}}, false, nil
		}
		if !outcomeUnknown(err) {
			return nil, false, fmt.Errorf("allocating an Elastic IP: %w", err)
		}
		req.Report(addr, fmt.Sprintf("allocating an Elastic IP failed without a clear answer (%s); looking for it by its tags before trying again", awsMessage(err)))
		found, derr := p.searchSettled(ctx, req, addr)
		if derr != nil {
			return nil, false, fmt.Errorf("allocating an Elastic IP failed (%v), and looking for it by its tags failed too, so an address may have been allocated; run mailform plan to find it: %w", err, derr)
		}
		if len(found) > 0 {
			return found, true, nil
		}
		if attempt >= p.opts.AllocateAttempts {
			return nil, false, fmt.Errorf("allocating an Elastic IP failed %d times, and no address carries its tags: %w", attempt, err)
		}
		if serr := p.sleep(ctx, time.Duration(attempt)*time.Second); serr != nil {
			return nil, false, fmt.Errorf("allocating an Elastic IP: %w", serr)
		}
	}
}

// settleLooks caps the searches of one settle window, whatever the clock.
const settleLooks = 8

// searchSettled looks for the addresses carrying addr's mark until one is
// found or ListSettle has passed: a search by tags may not yet show an
// address allocated moments ago, and allocating again on an empty answer
// would leave two.
func (p *Provider) searchSettled(ctx context.Context, req providers.ApplyRequest, addr string) ([]types.Address, error) {
	start := p.now()
	for look := 1; ; look++ {
		found, err := p.describeOwned(ctx, req.Stack, []string{addr})
		if err != nil || len(found) > 0 {
			return found, err
		}
		if look >= settleLooks || p.now().Sub(start) >= p.opts.ListSettle {
			return nil, nil
		}
		req.Report(addr, fmt.Sprintf("no Elastic IP carries its tags yet; searching again for up to %s, as EC2 may not list an address allocated moments ago", p.opts.ListSettle))
		if err := p.sleep(ctx, p.pause(p.opts.ListSettle)); err != nil {
			return nil, err
		}
	}
}

// awaitListed waits, for up to ListSettle, until a search by tags shows the
// address just allocated, so that a plan right after apply finds it
// instead of planning a second one. A search that fails or never shows it
// only costs the wait: the address is allocated either way.
func (p *Provider) awaitListed(ctx context.Context, req providers.ApplyRequest, addr, allocationID string) {
	start := p.now()
	for look := 1; ; look++ {
		found, err := p.describeOwned(ctx, req.Stack, []string{addr})
		if err != nil {
			return
		}
		for _, a := range found {
			if aws.ToString(a.AllocationId) == allocationID {
				return
			}
		}
		if look >= settleLooks || p.now().Sub(start) >= p.opts.ListSettle {
			req.Report(addr, fmt.Sprintf("EC2 does not list Elastic IP %s by its tags yet; a plan made now may not see it", allocationID))
			return
		}
		if look == 1 {
			req.Report(addr, fmt.Sprintf("waiting for EC2 to list Elastic IP %s by its tags (up to %s)", allocationID, p.opts.ListSettle))
		}
		if p.sleep(ctx, p.pause(p.opts.ListSettle)) != nil {
			return
		}
	}
}

// pause is the wait between two searches of a settle window.
func (p *Provider) pause(window time.Duration) time.Duration {
	return max(window/settleLooks, 10*time.Millisecond)
}

// withoutRetries turns the SDK's retries off for one call.
func withoutRetries(o *ec2.Options) {
	o.Retryer = aws.NopRetryer{}
	o.RetryMaxAttempts = 0
}

// releaseExtras releases addresses that carry the same mark as the kept one.
// An extra with a PTR record is locked by AWS: its PTR is removed first.
func (p *Provider) releaseExtras(ctx context.Context, req providers.ApplyRequest, addr string, extras []types.Address, ptrs map[string]types.AddressAttribute) ([]string, error) {
	var released []string
	for _, e := range extras {
		id := aws.ToString(e.AllocationId)
		if _, ok := ptrs[id]; ok {
			if err := p.resetPTRAndWait(ctx, req, addr, e); err != nil {
				return released, fmt.Errorf("removing the PTR of extra Elastic IP %s before releasing it: %w", id, err)
			}
		}
		if err := p.release(ctx, e); err != nil {
			return released, fmt.Errorf("releasing extra Elastic IP %s (%s): %w", aws.ToString(e.PublicIp), id, err)
		}
		released = append(released, id)
	}
	return released, nil
}

// releasedNote reports the extra addresses released.
func releasedNote(ids []string) string {
	if len(ids) == 1 {
		return "released 1 extra Elastic IP with the same mark (" + ids[0] + ")"
	}
	return fmt.Sprintf("released %d extra Elastic IPs with the same mark (%s)", len(ids), strings.Join(ids, ", "))
}

// release disassociates an address if it is associated, then releases it.
// An address already gone counts as released.
func (p *Provider) release(ctx context.Context, a types.Address) error {
	if assoc := aws.ToString(a.AssociationId); assoc != "" {
		_, err := p.api.DisassociateAddress(ctx, &ec2.DisassociateAddressInput{AssociationId: aws.String(assoc)})
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("disassociating it from %s: %w", associatedWith(a), err)
		}
	}
	_, err := p.api.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: a.AllocationId})
	if err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// deleteEIP releases the stack's Elastic IPs at c.Addr. It refuses while the
// managed one has a PTR record: AWS locks such an address, and the
// ec2.reverse_dns change that removes the PTR is ordered before this one.
func (p *Provider) deleteEIP(ctx context.Context, req providers.ApplyRequest, c plan.Change, owned []types.Address, known knownPTRs) (string, error) {
	if len(owned) == 0 {
		return "the Elastic IP was already released", nil
	}
	ptrs, err := p.ptrsOf(ctx, known, owned)
	if err != nil {
		return "", fmt.Errorf("reading the reverse DNS of its Elastic IP before releasing it: %w", err)
	}
	kept, extras := keep(owned, c.ID, ptrs)
	if attr, ok := ptrs[aws.ToString(kept.AllocationId)]; ok {
		name, status := ptrNameStatus(attr)
		return "", fmt.Errorf("Elastic IP %s (%s) still has the PTR record %q (%s), and AWS refuses to release an address with a PTR record; remove %s%s first (mailform removes it before the address when the mta block loses reverse_dns or is deleted)",
			aws.ToString(kept.PublicIp), aws.ToString(kept.AllocationId), name, status, c.Addr, ptrSuffix)
	}
	var notes []string
	if len(extras) > 0 {
		released, err := p.releaseExtras(ctx, req, c.Addr, extras, ptrs)
		if err != nil {
			return "", err
		}
		notes = append(notes, releasedNote(released))
	}
	if err := p.release(ctx, kept); err != nil {
		return "", fmt.Errorf("releasing Elastic IP %s (%s): %w", aws.ToString(kept.PublicIp), aws.ToString(kept.AllocationId), err)
	}
	notes = append(notes, "released Elastic IP "+aws.ToString(kept.PublicIp))
	return strings.Join(notes, "; "), nil
}

// knownPTRs are the PTRs read once for all the changes of an apply: attrs
// holds those of the covered addresses that have one.
type knownPTRs struct {
	covered map[string]bool
	attrs   map[string]types.AddressAttribute
}

// ptrsOf returns the PTRs of addrs, reading them only when some address was
// not covered by the read for all changes (an address adopted after an
// allocation without a clear answer).
func (p *Provider) ptrsOf(ctx context.Context, known knownPTRs, addrs []types.Address) (map[string]types.AddressAttribute, error) {
	for _, a := range addrs {
		if !known.covered[aws.ToString(a.AllocationId)] {
			return p.describePTRs(ctx, allocationIDs(addrs))
		}
	}
	return known.attrs, nil
}

func allocationIDs(addrs []types.Address) []string {
	ids := make([]string, len(addrs))
	for i, a := range addrs {
		ids[i] = aws.ToString(a.AllocationId)
	}
	return ids
}

// associatedWith names what an address is associated with.
func associatedWith(a types.Address) string {
	if id := aws.ToString(a.InstanceId); id != "" {
		return "instance " + id
	}
	if id := aws.ToString(a.NetworkInterfaceId); id != "" {
		return "network interface " + id
	}
	return "association " + aws.ToString(a.AssociationId)
}

// setTags returns tags with the given ones set (added or replaced).
func setTags(tags []types.Tag, set []types.Tag) []types.Tag {
	out := append([]types.Tag(nil), tags...)
	for _, s := range set {
		replaced := false
		for i := range out {
			if aws.ToString(out[i].Key) == aws.ToString(s.Key) {
				out[i] = s
				replaced = true
			}
		}
		if !replaced {
			out = append(out, s)
		}
	}
	return out
}
