package ec2

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// ptrJob is one PTR record to set or remove, and how far it got.
type ptrJob struct {
	result       int    // index of the change's result
	primary      bool   // its outcome is the change's observed state
	addr         string // address of the change, for messages
	allocationID string
	publicIP     string
	name         string // the PTR wanted, fully qualified; "" to remove it
	manualA      bool   // the A record is the user's to publish (DNS elsewhere)
	aWritten     bool   // this run wrote the A record: AWS may not see it yet

	submitted    bool      // AWS accepted the Modify or Reset call
	refusedSince time.Time // when AWS first refused it for want of the A record
	status       string    // the last status AWS reported
	done         bool
	err          error
}

func (j *ptrJob) finished() bool { return j.done || j.err != nil }

// aRecordAddr is the address of the A record the PTR of j depends on.
func (j *ptrJob) aRecordAddr() string { return strings.TrimSuffix(j.addr, ptrSuffix) + "/a" }

// observe updates j from the domain-name attribute AWS reports for its address.
func (j *ptrJob) observe(attr types.AddressAttribute) {
	record := fqdnOrEmpty(aws.ToString(attr.PtrRecord))
	u := attr.PtrRecordUpdate
	if u == nil {
		if record == j.name {
			j.done = true
			return
		}
		j.status = "not started"
		return
	}
	j.status = aws.ToString(u.Status)
	if j.status == "" || j.status == PTRStatusPending {
		j.status = PTRStatusPending
		return
	}
	if record == j.name {
		j.done = true
		return
	}
	what := "set the PTR of " + j.publicIP + " to " + j.name
	if j.name == "" {
		what = "remove the PTR of " + j.publicIP
	}
	j.err = fmt.Errorf("AWS could not %s: status %s: %s", what, j.status, aws.ToString(u.Reason))
}

// applyPTRs sets and removes PTR records: it asks AWS for every change, then
// waits for them all together, one DescribeAddressesAttribute per poll.
func (p *Provider) applyPTRs(ctx context.Context, req providers.ApplyRequest, changes []plan.Change) []providers.Result {
	if len(changes) == 0 {
		return nil
	}
	results := make([]providers.Result, len(changes))
	manual := map[string]bool{}
	for _, addr := range req.Manual {
		manual[addr] = true
	}
	applied := map[string]bool{}
	for _, addr := range req.Applied {
		applied[addr] = true
	}
	var jobs []*ptrJob
	for i, c := range changes {
		results[i].Addr = c.Addr
		before, _ := c.Before["allocation_id"].(string)
		if before == "" && c.Action == plan.Delete {
			before = c.ID
		}
		switch c.Action {
		case plan.Create, plan.Update:
			after, _ := c.After["allocation_id"].(string)
			if after == "" || strings.Contains(after, "${") {
				results[i].Err = fmt.Errorf("the allocation ID of its Elastic IP is not known yet; the Elastic IP must exist first")
				continue
			}
			name, _ := c.After["ptr_name"].(string)
			if strings.TrimSpace(name) == "" {
				results[i].Err = fmt.Errorf("a PTR record needs a name (ptr_name)")
				continue
			}
			j := &ptrJob{result: i, primary: true, addr: c.Addr, allocationID: after, name: specs.Fqdn(name)}
			j.manualA = manual[j.aRecordAddr()]
			j.aWritten = applied[j.aRecordAddr()]
			jobs = append(jobs, j)
			if before != "" && before != after {
				// The PTR moves to another address: remove it from the old one.
				jobs = append(jobs, &ptrJob{result: i, addr: c.Addr, allocationID: before})
			}
		case plan.Delete:
			if before == "" {
				results[i].Err = fmt.Errorf("the allocation ID of the Elastic IP whose PTR is to be removed is not known")
				continue
			}
			jobs = append(jobs, &ptrJob{result: i, primary: true, addr: c.Addr, allocationID: before})
		default:
			results[i].Err = fmt.Errorf("the EC2 provider cannot %s a PTR record: it changes in place", c.Action)
		}
	}

	if err := p.preparePTRJobs(ctx, req.Stack, jobs); err != nil {
		for _, j := range jobs {
			if j.err == nil {
				j.err = err
			}
		}
	}
	p.runPTRJobs(ctx, req, jobs)

	for _, j := range jobs {
		r := &results[j.result]
		if j.err != nil {
			if r.Err == nil {
				r.Err = j.err
			}
			continue
		}
		if !j.primary {
			continue
		}
		if j.name == "" {
			r.Message = "removed the PTR record of " + j.publicIP
			if j.publicIP == "" {
				r.Message = "the Elastic IP and its PTR record were already gone"
			}
			continue
		}
		r.Message = "the PTR record of " + j.publicIP + " is " + j.name
		r.Observed = &plan.Observed{
			Addr:  j.addr,
			Kind:  KindReverseDNS,
			ID:    j.allocationID,
			Owner: req.Stack,
			Attrs: map[string]any{"allocation_id": j.allocationID, "ptr_name": j.name, "ptr_status": PTRStatusSet},
		}
	}
	for i := range results {
		if results[i].Err != nil {
			results[i].Observed, results[i].Message = nil, ""
		}
	}
	return results
}

// preparePTRJobs checks that every job's address exists and carries the
// stack's mark, notes its public IP, and marks done the jobs AWS already
// agrees with: two calls for any number of jobs up to 200.
func (p *Provider) preparePTRJobs(ctx context.Context, stack string, jobs []*ptrJob) error {
	var ids []string
	for _, j := range jobs {
		if !j.finished() {
			ids = append(ids, j.allocationID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	addrs := map[string]types.Address{}
	for _, chunk := range chunks(sortedUnique(ids), maxFilterValues) {
		out, err := p.api.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []types.Filter{
			{Name: aws.String("allocation-id"), Values: chunk},
		}})
		if err != nil {
			return fmt.Errorf("looking up the Elastic IPs: %w", err)
		}
		for _, a := range out.Addresses {
			addrs[aws.ToString(a.AllocationId)] = a
		}
	}
	var present []string
	for _, j := range jobs {
		if j.finished() {
			continue
		}
		a, ok := addrs[j.allocationID]
		switch {
		case !ok && j.name == "":
			j.done = true // the address is gone, and its PTR record with it
		case !ok:
			j.err = fmt.Errorf("Elastic IP %s does not exist", j.allocationID)
		case tag(a.Tags, specs.TagStack) != stack:
			j.err = fmt.Errorf("Elastic IP %s (%s) does not carry the mark of stack %s (tag %s), so mailform leaves its PTR record alone",
				aws.ToString(a.PublicIp), j.allocationID, stack, specs.TagStack)
		default:
			j.publicIP = aws.ToString(a.PublicIp)
			present = append(present, j.allocationID)
		}
	}
	ptrs, err := p.describePTRs(ctx, present)
	if err != nil {
		return fmt.Errorf("reading the reverse DNS of the Elastic IPs: %w", err)
	}
	for _, j := range jobs {
		if j.finished() || j.publicIP == "" {
			continue
		}
		attr, has := ptrs[j.allocationID]
		switch {
		case j.name == "" && !has:
			j.done = true
		case j.name != "" && has && updatePending(attr.PtrRecordUpdate) && fqdnOrEmpty(aws.ToString(attr.PtrRecordUpdate.Value)) == j.name:
			j.submitted = true // an earlier run asked for it; wait for it
			j.observe(attr)
		case j.name != "" && has && !updatePending(attr.PtrRecordUpdate) && fqdnOrEmpty(aws.ToString(attr.PtrRecord)) == j.name:
			j.submitted, j.done = true, true
		}
		// Otherwise, including after an update AWS gave up on, the PTR is
		// asked for (again).
	}
	return nil
}

// resetPTRAndWait removes the PTR record of an address and waits until AWS
// has removed it.
func (p *Provider) resetPTRAndWait(ctx context.Context, req providers.ApplyRequest, addr string, a types.Address) error {
	j := &ptrJob{addr: addr, allocationID: aws.ToString(a.AllocationId), publicIP: aws.ToString(a.PublicIp)}
	p.runPTRJobs(ctx, req, []*ptrJob{j})
	return j.err
}

// runPTRJobs asks AWS for every job not yet asked for, then polls the status
// of all of them together until each is done, failed, or out of time.
func (p *Provider) runPTRJobs(ctx context.Context, req providers.ApplyRequest, jobs []*ptrJob) {
	start := p.now()
	for {
		for _, j := range jobs {
			if !j.finished() && !j.submitted {
				p.submitPTR(ctx, j)
			}
		}
		var waiting []*ptrJob
		for _, j := range jobs {
			if !j.finished() && j.submitted {
				waiting = append(waiting, j)
			}
		}
		if len(waiting) > 0 {
			ids := make([]string, len(waiting))
			for i, j := range waiting {
				ids[i] = j.allocationID
			}
			attrs, err := p.describePTRs(ctx, ids)
			for _, j := range waiting {
				switch {
				case err != nil && outcomeUnknown(err):
					// A passing failure: the next poll reads again.
					j.status = "status unknown: " + awsMessage(err)
				case err != nil:
					j.err = fmt.Errorf("reading the status of the PTR record of %s: %w", j.publicIP, err)
				default:
					attr, ok := attrs[j.allocationID]
					if !ok {
						attr = types.AddressAttribute{AllocationId: aws.String(j.allocationID)}
					}
					j.observe(attr)
				}
			}
		}

		var open []*ptrJob
		for _, j := range jobs {
			if !j.finished() {
				open = append(open, j)
			}
		}
		if len(open) == 0 {
			return
		}
		elapsed := p.now().Sub(start)
		if elapsed >= p.opts.PTRTimeout {
			for _, j := range open {
				j.err = fmt.Errorf("AWS did not %s within %s (%s); it may still finish: run mailform plan later to see", j.goal(), round(elapsed), j.state())
			}
			return
		}
		for _, j := range open {
			req.Report(j.addr, j.progress(elapsed))
		}
		if err := p.sleep(ctx, p.opts.PollInterval); err != nil {
			for _, j := range open {
				j.err = fmt.Errorf("stopped waiting for AWS to %s (%s): %w", j.goal(), j.state(), err)
			}
			return
		}
	}
}

// submitPTR asks AWS to set or remove the PTR of one job. A PTR refused
// (any 4xx but a denial or a missing address) right after this run wrote its
// A record is asked for again at the next poll, until ForwardRecordWait has
// passed since the first refusal: AWS documents that it needs the A record
// first, but not the words of its refusal, so none are read.
func (p *Provider) submitPTR(ctx context.Context, j *ptrJob) {
	if j.name == "" {
		_, err := p.api.ResetAddressAttribute(ctx, &ec2.ResetAddressAttributeInput{
			AllocationId: aws.String(j.allocationID),
			Attribute:    types.AddressAttributeNameDomainName,
		})
		switch {
		case err == nil:
			j.submitted = true
		case isNotFound(err):
			j.done = true
		default:
			j.err = fmt.Errorf("removing the PTR record of %s (%s): %w", j.publicIP, j.allocationID, err)
		}
		return
	}
	out, err := p.api.ModifyAddressAttribute(ctx, &ec2.ModifyAddressAttributeInput{
		AllocationId: aws.String(j.allocationID),
		DomainName:   aws.String(strings.TrimSuffix(j.name, ".")),
	})
	if err == nil {
		j.submitted = true
		if out.Address != nil {
			j.observe(*out.Address)
		}
		return
	}
	switch {
	case !isRequestRefusal(err):
		j.err = fmt.Errorf("setting the PTR record of %s to %s: %w", j.publicIP, j.name, err)
		return
	case j.manualA:
		// Nothing mailform does will make the record appear: waiting
		// would only delay the answer the user needs.
		j.err = fmt.Errorf("AWS sets the PTR record of %s to %s only once the A record %s -> %s resolves, and it refused the PTR. "+
			"That record is yours to publish at your DNS provider (%s is in no zone block; mailform plan lists it): publish it, then run mailform apply again. AWS said: %s",
			j.publicIP, j.name, j.name, j.publicIP, strings.TrimSuffix(j.name, "."), awsMessage(err))
		return
	case !j.aWritten:
		// The A record was in place before this run: AWS has had time to
		// see it, so the refusal is not one that waiting cures.
		j.err = fmt.Errorf("AWS refused to set the PTR record of %s to %s; it sets one only once the A record %s -> %s (%s) resolves. "+
			"Check that it does and that the zone's delegation points at Route 53's name servers (mailform check), then run mailform apply again. AWS said: %s",
			j.publicIP, j.name, j.name, j.publicIP, j.aRecordAddr(), awsMessage(err))
		return
	}
	// This run wrote the A record seconds ago: AWS's refusal, whatever its
	// words, is most likely that it does not see the record yet.
	now := p.now()
	if j.refusedSince.IsZero() {
		j.refusedSince = now
	}
	j.status = "refused: no A record yet"
	if waited := now.Sub(j.refusedSince); waited >= p.opts.ForwardRecordWait {
		j.err = fmt.Errorf("AWS refused to set the PTR record of %s to %s, even after %s of waiting for it to see the A record %s -> %s (%s) this run wrote. "+
			"Check that the record resolves and that the zone's delegation points at Route 53's name servers (mailform check). AWS said: %s",
			j.publicIP, j.name, round(waited), j.name, j.publicIP, j.aRecordAddr(), awsMessage(err))
	}
}

// goal says what the job waits for AWS to do.
func (j *ptrJob) goal() string {
	if j.name == "" {
		return "remove the PTR record of " + j.publicIP
	}
	return "set the PTR record of " + j.publicIP + " to " + j.name
}

// state says where the job stands.
func (j *ptrJob) state() string {
	if j.status == "" {
		return "not started"
	}
	return j.status
}

// progress is the line shown while the job waits.
func (j *ptrJob) progress(elapsed time.Duration) string {
	switch {
	case !j.submitted && !j.refusedSince.IsZero():
		return fmt.Sprintf("waiting for AWS to see the A record %s -> %s before it sets the PTR (%s, %s)", j.name, j.publicIP, j.state(), round(elapsed))
	case j.name == "":
		return fmt.Sprintf("waiting for AWS to remove the PTR of %s (%s, %s)", j.publicIP, j.state(), round(elapsed))
	default:
		return fmt.Sprintf("waiting for AWS to set the PTR of %s to %s (%s, %s)", j.publicIP, j.name, j.state(), round(elapsed))
	}
}

func round(d time.Duration) time.Duration { return d.Round(time.Second) }
