// Package ec2 reads and changes what a self-run MTA needs from Amazon EC2:
// the Elastic IP of each mta block (kind ec2.eip) and its reverse DNS, the PTR
// record AWS serves for the address (kind ec2.reverse_dns).
//
// Elastic IPs have no name and AllocateAddress has no client token, so the
// package finds its addresses only by their ownership tags, tags them at
// allocation, looks for them again before and after every allocation, and
// releases the extra copies an interrupted run may have left. It never
// changes or releases an address that does not carry the stack's mark, and it
// does not decide what should change: that is the plan's job.
package ec2

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// KindReverseDNS is the PTR record of an Elastic IP (docs/resources.md,
// `ec2.reverse_dns`), as the specs package names it.
const KindReverseDNS = specs.KindReverseDNS

// errNoStack refuses to read or change anything without the stack whose
// mark says what is mailform's.
var errNoStack = errors.New("no stack name: mailform finds its Elastic IPs by the stack's tag")

// Tags mailform sets on an Elastic IP besides the ownership tags.
const (
	// TagHostname holds the MTA's host name (fully qualified, with the
	// trailing dot): an address has no other place to keep it.
	TagHostname = "mailform:hostname"
	// TagName is the EC2 console's name column.
	TagName = "Name"
)

// ptrSuffix is the part name of the reverse DNS of an mta block.
const ptrSuffix = "/ptr"

// maxAttributeIDs is the most allocation IDs DescribeAddressesAttribute
// takes in one call.
const maxAttributeIDs = 1000

// maxFilterValues keeps one DescribeAddresses filter within EC2's limit on
// the values of a filter.
const maxFilterValues = 200

// API is the part of the EC2 client the provider uses. *ec2.Client satisfies it.
type API interface {
	DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, opts ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
	DescribeAddressesAttribute(ctx context.Context, in *ec2.DescribeAddressesAttributeInput, opts ...func(*ec2.Options)) (*ec2.DescribeAddressesAttributeOutput, error)
	AllocateAddress(ctx context.Context, in *ec2.AllocateAddressInput, opts ...func(*ec2.Options)) (*ec2.AllocateAddressOutput, error)
	AssociateAddress(ctx context.Context, in *ec2.AssociateAddressInput, opts ...func(*ec2.Options)) (*ec2.AssociateAddressOutput, error)
	DisassociateAddress(ctx context.Context, in *ec2.DisassociateAddressInput, opts ...func(*ec2.Options)) (*ec2.DisassociateAddressOutput, error)
	ReleaseAddress(ctx context.Context, in *ec2.ReleaseAddressInput, opts ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error)
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, opts ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	ModifyAddressAttribute(ctx context.Context, in *ec2.ModifyAddressAttributeInput, opts ...func(*ec2.Options)) (*ec2.ModifyAddressAttributeOutput, error)
	ResetAddressAttribute(ctx context.Context, in *ec2.ResetAddressAttributeInput, opts ...func(*ec2.Options)) (*ec2.ResetAddressAttributeOutput, error)
}

// Options tune the waits of the provider. Zero values take the defaults.
type Options struct {
	// PollInterval is the time between two reads of the PTR status, and
	// between two attempts to set a PTR that AWS refused because it did not
	// see the A record yet. Default DefaultPollInterval.
	PollInterval time.Duration
	// PTRTimeout bounds the wait for AWS to set or remove PTR records.
	// Default 15m.
	PTRTimeout time.Duration
	// ForwardRecordWait bounds how long a PTR refused right after the same
	// run wrote its A record is tried again: Route 53 reports a change
	// INSYNC before every resolver AWS asks sees it. Default 3m.
	ForwardRecordWait time.Duration
	// AllocateAttempts is how many times an allocation that failed without
	// a clear answer is tried, each after looking for the address by its
	// tags. Default 3.
	AllocateAttempts int
	// Concurrency is how many Elastic IP changes run at once. Default 4.
	Concurrency int
	// ListSettle bounds how long a search by tags may miss an address
	// allocated moments ago (EC2 is eventually consistent): after an
	// allocation whose answer was lost, the search is repeated this long
	// before mailform allocates again, and after an allocation, apply waits
	// this long at most for the search to show the new address, so that a
	// plan right after apply finds it. Default DefaultListSettle.
	ListSettle time.Duration
}

// DefaultListSettle is Options.ListSettle when it is zero.
const DefaultListSettle = 30 * time.Second

// DefaultPollInterval is the pause between two reads of the PTR status
// when Options.PollInterval is zero.
const DefaultPollInterval = 10 * time.Second

func (o Options) withDefaults() Options {
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.PTRTimeout <= 0 {
		o.PTRTimeout = 15 * time.Minute
	}
	if o.ForwardRecordWait <= 0 {
		o.ForwardRecordWait = 3 * time.Minute
	}
	if o.AllocateAttempts <= 0 {
		o.AllocateAttempts = 3
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.ListSettle <= 0 {
		o.ListSettle = DefaultListSettle
	}
	return o
}

// Provider reads and changes Elastic IPs and their reverse DNS.
type Provider struct {
	api   API
	opts  Options
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

var _ providers.Provider = (*Provider)(nil)

// New returns a Provider over an EC2 client built from cfg, in cfg's region.
func New(cfg aws.Config, opts Options) *Provider {
	return NewWithAPI(ec2.NewFromConfig(cfg), opts)
}

// NewWithAPI returns a Provider over any implementation of API.
func NewWithAPI(api API, opts Options) *Provider {
	return &Provider{api: api, opts: opts.withDefaults(), now: time.Now, sleep: awscfg.Sleep}
}

// Kinds lists ec2.eip and ec2.reverse_dns.
func (p *Provider) Kinds() []specs.Kind { return []specs.Kind{specs.KindEIP, KindReverseDNS} }

// Read returns the stack's Elastic IPs and their PTR records in two calls:
// one DescribeAddresses filtered on the stack's tag, and one
// DescribeAddressesAttribute per 1000 addresses. An Elastic IP has no name
// another resource could collide on, so desired resources add nothing to
// what is read.
//
// When several addresses carry the same mailform:addr (an interrupted run
// allocated twice), Read reports the one Apply keeps (see keep) and lists the
// others in its observed-only attribute extra_allocation_ids.
func (p *Provider) Read(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	if stack == "" {
		return nil, errNoStack
	}
	var addrs []types.Address
	var ptrs map[string]types.AddressAttribute
	for attempt := 1; ; attempt++ {
		var err error
		addrs, err = p.describeOwned(ctx, stack, nil)
		if err != nil {
			return nil, fmt.Errorf("reading the Elastic IPs of stack %s: %w", stack, err)
		}
		ptrs, err = p.describePTRs(ctx, allocationIDs(addrs))
		if err == nil {
			break
		}
		// An address released between the two calls makes the second one
		// fail as a whole: read both again, once.
		if !isNotFound(err) || attempt == 2 {
			return nil, fmt.Errorf("reading the reverse DNS of the Elastic IPs of stack %s: %w", stack, err)
		}
	}
	groups := groupByAddr(addrs)
	var out []plan.Observed
	adoptable, err := p.readAdoptable(ctx, stack, desired, groups)
	if err != nil {
		return nil, err
	}
	out = append(out, adoptable...)
	for _, addr := range specs.SortedKeys(groups) {
		kept, extras := keep(groups[addr], "", ptrs)
		o := observeEIP(addr, stack, kept)
		if len(extras) > 0 {
			list := make([]any, len(extras))
			for i, e := range extras {
				list[i] = aws.ToString(e.AllocationId)
			}
			o.Attrs["extra_allocation_ids"] = list
		}
		out = append(out, o)
		if ptr, ok := observePTR(addr, stack, kept, ptrs[aws.ToString(kept.AllocationId)]); ok {
			out = append(out, ptr)
		}
	}
	return out, nil
}

// readAdoptable reads the addresses the desired mta blocks name by
// allocation_id to adopt, for blocks that have no address of the stack yet:
// one DescribeAddresses (filter allocation-id) and one
// DescribeAddressesAttribute for all of them. Each is observed at its
// block's address with its own owner ("" when untagged), so that plan
// adopts it only with -adopt and never takes another stack's; an address
// named that does not exist is not observed, and apply then refuses to
// allocate in its place.
func (p *Provider) readAdoptable(ctx context.Context, stack string, desired []specs.Resource, owned map[string][]types.Address) ([]plan.Observed, error) {
	byID := map[string]string{}      // allocation ID -> block address
	hostnames := map[string]string{} // block address -> its hostname
	for _, r := range desired {
		id, _ := r.Attrs["allocation_id"].(string)
		if r.Kind != specs.KindEIP || id == "" || len(owned[r.Addr]) > 0 {
			continue
		}
		byID[id] = r.Addr
		hostnames[r.Addr], _ = r.Attrs["hostname"].(string)
	}
	if len(byID) == 0 {
		return nil, nil
	}
	addrs, err := p.describeByID(ctx, specs.SortedKeys(byID))
	if err != nil {
		return nil, fmt.Errorf("reading the Elastic IPs named by allocation_id: %w", err)
	}
	ptrs, err := p.describePTRs(ctx, allocationIDs(addrs))
	if err != nil {
		return nil, fmt.Errorf("reading the reverse DNS of the Elastic IPs named by allocation_id: %w", err)
	}
	var out []plan.Observed
	for _, a := range addrs {
		id := aws.ToString(a.AllocationId)
		addr := byID[id]
		owner := tag(a.Tags, specs.TagStack)
		if owner == stack {
			// The stack's mark under another block's address: that block
			// has it, and this one cannot take it.
			continue
		}
		o := observeEIP(addr, owner, a)
		o.Owner = owner
		attr, hasPTR := ptrs[id]
		if _, tagged := o.Attrs["hostname"]; !tagged && hasPTR {
			// An address mailform has not tagged is known by its reverse
			// DNS name: adopting it keeps that name.
			if name, _ := ptrNameStatus(attr); name != "" {
				o.Attrs["hostname"] = name
			}
		}
		if _, known := o.Attrs["hostname"]; !known && hostnames[addr] != "" {
			// Neither a tag nor reverse DNS names an untagged address
			// without a PTR: nothing in AWS contradicts the block's
			// hostname, which adopting tags it with (its A record is a
			// change of its own, shown as such).
			o.Attrs["hostname"] = specs.Fqdn(hostnames[addr])
		}
		out = append(out, o)
		if ptr, ok := observePTR(addr, owner, a, attr); ok {
			ptr.Owner = owner
			out = append(out, ptr)
		}
	}
	return out, nil
}

// describeByID returns the addresses with the given allocation IDs that
// exist. The allocation-id filter, unlike AllocationIds, answers without
// the ones that do not exist instead of failing.
func (p *Provider) describeByID(ctx context.Context, ids []string) ([]types.Address, error) {
	var all []types.Address
	for _, chunk := range chunks(sortedUnique(ids), maxFilterValues) {
		out, err := p.api.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []types.Filter{
			{Name: aws.String("allocation-id"), Values: chunk},
		}})
		if err != nil {
			return nil, err
		}
		all = append(all, out.Addresses...)
	}
	return all, nil
}

// describeOwned returns the addresses tagged with stack, and, when addrs is
// not nil, with one of those mailform:addr values.
func (p *Provider) describeOwned(ctx context.Context, stack string, addrs []string) ([]types.Address, error) {
	stackFilter := types.Filter{Name: aws.String("tag:" + specs.TagStack), Values: []string{stack}}
	if addrs == nil {
		out, err := p.api.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []types.Filter{stackFilter}})
		if err != nil {
			return nil, err
		}
		return out.Addresses, nil
	}
	var all []types.Address
	for _, chunk := range chunks(sortedUnique(addrs), maxFilterValues) {
		out, err := p.api.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []types.Filter{
			stackFilter,
			{Name: aws.String("tag:" + specs.TagAddr), Values: chunk},
		}})
		if err != nil {
			return nil, err
		}
		all = append(all, out.Addresses...)
	}
	return all, nil
}

// describePTRs returns the domain-name attribute of the given addresses that
// have a PTR record set or being changed, by allocation ID.
func (p *Provider) describePTRs(ctx context.Context, ids []string) (map[string]types.AddressAttribute, error) {
	out := map[string]types.AddressAttribute{}
	for _, chunk := range chunks(sortedUnique(ids), maxAttributeIDs) {
		pages := ec2.NewDescribeAddressesAttributePaginator(p.api, &ec2.DescribeAddressesAttributeInput{
			AllocationIds: chunk,
			Attribute:     types.AddressAttributeNameDomainName,
		})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, a := range page.Addresses {
				if hasPTR(a) {
					out[aws.ToString(a.AllocationId)] = a
				}
			}
		}
	}
	return out, nil
}

// hasPTR reports whether an address has a PTR record or a change of it under way.
func hasPTR(a types.AddressAttribute) bool {
	return aws.ToString(a.PtrRecord) != "" || a.PtrRecordUpdate != nil
}

// tag returns the value of the tag key, or "".
func tag(tags []types.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

// groupByAddr groups addresses by their mailform:addr tag; addresses without
// one cannot be matched to any block and are left out.
func groupByAddr(addrs []types.Address) map[string][]types.Address {
	groups := map[string][]types.Address{}
	for _, a := range addrs {
		if addr := tag(a.Tags, specs.TagAddr); addr != "" {
			groups[addr] = append(groups[addr], a)
		}
	}
	return groups
}

// keep chooses, among addresses carrying the same mailform:addr, the one
// mailform manages: the one with allocation ID prefer when present, else the
// one that has a PTR record, else the one associated with an instance or
// network interface, else the lowest allocation ID. The others are extras,
// sorted by allocation ID. addrs must not be empty.
func keep(addrs []types.Address, prefer string, ptrs map[string]types.AddressAttribute) (types.Address, []types.Address) {
	rank := func(a types.Address) int {
		id := aws.ToString(a.AllocationId)
		r := 0
		if prefer != "" && id == prefer {
			r += 4
		}
		if _, ok := ptrs[id]; ok {
			r += 2
		}
		if aws.ToString(a.AssociationId) != "" {
			r++
		}
		return r
	}
	sorted := append([]types.Address(nil), addrs...)
	sort.SliceStable(sorted, func(i, j int) bool {
		ri, rj := rank(sorted[i]), rank(sorted[j])
		if ri != rj {
			return ri > rj
		}
		return aws.ToString(sorted[i].AllocationId) < aws.ToString(sorted[j].AllocationId)
	})
	extras := sorted[1:]
	sort.Slice(extras, func(i, j int) bool {
		return aws.ToString(extras[i].AllocationId) < aws.ToString(extras[j].AllocationId)
	})
	return sorted[0], extras
}

// observeEIP turns an address into the observed ec2.eip at addr.
func observeEIP(addr, stack string, a types.Address) plan.Observed {
	attrs := map[string]any{
		"allocation_id": aws.ToString(a.AllocationId),
		"public_ip":     aws.ToString(a.PublicIp),
	}
	if h := tag(a.Tags, TagHostname); h != "" {
		attrs["hostname"] = specs.Fqdn(h)
	}
	if id := aws.ToString(a.InstanceId); id != "" {
		attrs["instance_id"] = id
	}
	if id := aws.ToString(a.NetworkInterfaceId); id != "" {
		attrs["network_interface_id"] = id
	}
	if id := aws.ToString(a.AssociationId); id != "" {
		attrs["association_id"] = id
	}
	owner := tag(a.Tags, specs.TagStack)
	if owner == "" {
		owner = stack
	}
	return plan.Observed{Addr: addr, Kind: specs.KindEIP, ID: aws.ToString(a.AllocationId), Owner: owner, Attrs: attrs}
}

// PTR statuses reported in ptr_status.
const (
	PTRStatusSet     = "SET"     // the PTR record is in effect and no change is under way
	PTRStatusPending = "PENDING" // AWS is changing it
)

// observePTR turns the domain-name attribute of the kept address of an mta
// block into its observed ec2.reverse_dns, when it has a PTR record.
func observePTR(eipAddr, stack string, a types.Address, attr types.AddressAttribute) (plan.Observed, bool) {
	if !hasPTR(attr) {
		return plan.Observed{}, false
	}
	name, status := ptrNameStatus(attr)
	owner := tag(a.Tags, specs.TagStack)
	if owner == "" {
		owner = stack
	}
	return plan.Observed{
		Addr:  eipAddr + ptrSuffix,
		Kind:  KindReverseDNS,
		ID:    aws.ToString(a.AllocationId),
		Owner: owner,
		Attrs: map[string]any{
			"allocation_id": aws.ToString(a.AllocationId),
			"ptr_name":      name,
			"ptr_status":    status,
		},
	}, true
}

// ptrNameStatus returns the PTR name an address has or is getting (fully
// qualified, "" while it is being removed) and its status. After an update
// that AWS gave up on, the name is the PTR still in effect and the status
// AWS's own, so that the plan asks for the wanted PTR again.
func ptrNameStatus(attr types.AddressAttribute) (name, status string) {
	if u := attr.PtrRecordUpdate; u != nil {
		if updatePending(u) {
			return fqdnOrEmpty(aws.ToString(u.Value)), PTRStatusPending
		}
		return fqdnOrEmpty(aws.ToString(attr.PtrRecord)), aws.ToString(u.Status)
	}
	return fqdnOrEmpty(aws.ToString(attr.PtrRecord)), PTRStatusSet
}

// updatePending reports whether AWS is still carrying out a PTR update.
func updatePending(u *types.PtrUpdateStatus) bool {
	if u == nil {
		return false
	}
	s := aws.ToString(u.Status)
	return s == "" || s == PTRStatusPending
}

func fqdnOrEmpty(name string) string {
	if strings.TrimSpace(name) == "" {
		return ""
	}
	return specs.Fqdn(name)
}

func sortedUnique(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	j := 0
	for i, s := range out {
		if s == "" || (i > 0 && s == out[i-1]) {
			continue
		}
		out[j] = s
		j++
	}
	return out[:j]
}

func chunks(in []string, n int) [][]string {
	var out [][]string
	for len(in) > n {
		out = append(out, in[:n])
		in = in[n:]
	}
	if len(in) > 0 {
		out = append(out, in)
	}
	return out
}
