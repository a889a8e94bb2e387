package ec2

import (
	"context"
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

var everyCall = flag.Bool("every-call", false, "TestRunKilledAfterAnyCall: interrupt the run after every EC2 call, not only after those that change AWS")

// mtaResources is what `mta "mta1" { hostname, instance_id, reverse_dns = true }`
// expands into, less the A record, which the test writes itself.
func mtaResources(instanceID string) []specs.Resource {
	return []specs.Resource{
		{Addr: "mta.mta1", Kind: specs.KindEIP, Attrs: map[string]any{"hostname": "mta1.acme.example.", "instance_id": instanceID}},
		{Addr: "mta.mta1/ptr", Kind: KindReverseDNS, DependsOn: []string{"mta.mta1/a"}, Attrs: map[string]any{
			"allocation_id": specs.Deferred(specs.Ref("mta.mta1", "allocation_id")),
			"ptr_name":      "mta1.acme.example.",
		}},
	}
}

// run is one `mailform apply` of desired as far as this provider goes: read,
// plan, apply the Elastic IP, point the A record at it (the Route 53
// provider's part), then read, plan and apply the PTR. It returns the first
// error, and whether the last plan had changes.
func (e *env) run(t *testing.T, zoneID string, desired []specs.Resource) (changed bool, err error) {
	t.Helper()
	step := func(kind specs.Kind) (bool, error) {
		obs, err := e.p.Read(t.Context(), testStack, desired)
		if err != nil {
			return false, err
		}
		p, diags := plan.Make(desired, obs, plan.Options{Stack: testStack, Region: testRegion})
		if diags.HasErrors() {
			t.Fatalf("plan: %v", diags)
		}
		var changes []plan.Change
		for _, c := range p.Changes {
			if c.Kind == kind {
				changes = append(changes, c)
			}
		}
		if len(changes) == 0 {
			return false, nil
		}
		for _, r := range e.p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Region: testRegion, Changes: changes}) {
			if r.Err != nil {
				return true, r.Err
			}
		}
		return true, nil
	}
	eipChanged, err := step(specs.KindEIP)
	if err != nil {
		return eipChanged, err
	}
	obs, err := e.p.Read(t.Context(), testStack, desired)
	if err != nil {
		return eipChanged, err
	}
	if o, ok := find(obs, "mta.mta1"); ok {
		e.writeA(t, zoneID, "mta1.acme.example.", o.Attrs["public_ip"].(string))
	}
	ptrChanged, err := step(KindReverseDNS)
	return eipChanged || ptrChanged, err
}

// checkConverged checks that AWS holds exactly one Elastic IP, tagged,
// associated with instanceID, with its PTR, and that a new plan is empty.
func (e *env) checkConverged(t *testing.T, zoneID, instanceID string) {
	t.Helper()
	if changed, err := e.run(t, zoneID, mtaResources(instanceID)); changed || err != nil {
		t.Errorf("a run after convergence changed something (%v) or failed: %v", changed, err)
	}
	addrs := e.addresses(t)
	if len(addrs) != 1 {
		t.Fatalf("%d Elastic IPs, want 1", len(addrs))
	}
	a := addrs[0]
	tags := tagMap(a.Tags)
	if tags[specs.TagStack] != testStack || tags[specs.TagAddr] != "mta.mta1" || tags[TagHostname] != "mta1.acme.example." {
		t.Errorf("tags %v", tags)
	}
	if got := aws.ToString(a.InstanceId); got != instanceID {
		t.Errorf("associated with %q, want %s", got, instanceID)
	}
	if record, pending := e.ptrOf(t, aws.ToString(a.AllocationId)); record != "mta1.acme.example." || pending {
		t.Errorf("PTR %q (pending %v)", record, pending)
	}
}

func TestRunConverges(t *testing.T) {
	e := newEnv(t)
	zoneID := e.zone(t)
	instance := e.runInstance(t)
	desired := mtaResources(instance)
	if changed, err := e.run(t, zoneID, desired); !changed || err != nil {
		t.Fatalf("first run: changed %v, error %v", changed, err)
	}
	e.checkConverged(t, zoneID, instance)
}

// TestRunKilledAfterAnyCall stops a run right after its Nth EC2 call (the
// call is carried out, its answer lost, every later call fails), then runs
// again without faults: the second run must converge without leaking an
// address, whatever N is.
func TestRunKilledAfterAnyCall(t *testing.T) {
	e := newEnv(t)
	zoneID := e.zone(t)
	instance := e.runInstance(t)
	before := e.s.Counts()["ec2"]
	if _, err := e.run(t, zoneID, mtaResources(instance)); err != nil {
		t.Fatal(err)
	}
	calls := 0
	made := map[string]int{}
	for op, n := range e.s.Counts()["ec2"] {
		if n > before[op] {
			made[op] = n - before[op]
			calls += n - before[op]
		}
	}
	want := map[string]int{"DescribeAddresses": 6, "DescribeAddressesAttribute": 4, "AllocateAddress": 1, "AssociateAddress": 1, "ModifyAddressAttribute": 1}
	if diff := cmp.Diff(want, made); diff != "" {
		t.Fatalf("EC2 calls of a clean run (-want +got):\n%s", diff)
	}

	for n := 1; n <= calls; n++ {
		// A clean run calls, in order: DescribeAddresses (read), DescribeAddresses
		// (apply), AllocateAddress, DescribeAddresses (until the new address is
		// listed), AssociateAddress, two reads of two calls,
		// DescribeAddresses and DescribeAddressesAttribute (PTR apply),
		// ModifyAddressAttribute, DescribeAddressesAttribute (poll). Unless
		// -every-call is given, only the calls that change AWS are cut.
		if !*everyCall && n != 3 && n != 5 && n != 12 {
			continue
		}
		t.Run(fmt.Sprintf("after call %d", n), func(t *testing.T) {
			e := newEnv(t)
			e.p.sleep = func(ctx context.Context, d time.Duration) error { return nil }
			zoneID := e.zone(t)
			instance := e.runInstance(t)
			if err := e.s.SetFaults(fmt.Sprintf("ec2:*=cut#%d,ec2:*=fail>%d", n, n)); err != nil {
				t.Fatal(err)
			}
			if _, err := e.run(t, zoneID, mtaResources(instance)); err == nil && n < calls {
				t.Errorf("the run did not notice it was cut off after call %d", n)
			}
			if err := e.s.SetFaults(""); err != nil {
				t.Fatal(err)
			}
			if _, err := e.run(t, zoneID, mtaResources(instance)); err != nil {
				t.Fatalf("the run after the interrupted one: %v", err)
			}
			e.checkConverged(t, zoneID, instance)
			if got := e.s.Count("ec2", "AllocateAddress"); got > 2 {
				t.Errorf("AllocateAddress called %d times", got)
			}
		})
	}
}

// TestDuplicatesWithPTRs releases an extra address whose PTR was set too:
// AWS locks it until the PTR is removed.
func TestDuplicatesWithPTRs(t *testing.T) {
	e := newEnv(t)
	zoneID := e.zone(t)
	var ids, ips []string
	for range 2 {
		id, ip := e.allocateTaggedIP(t, testStack, "mta.mta1", "mta1.acme.example.")
		ids, ips = append(ids, id), append(ips, ip)
	}
	e.writeA(t, zoneID, "mta1.acme.example.", ips[0])
	for _, id := range ids {
		// The A record holds one IP at a time; AWS checks it when the PTR is set.
		ip := ips[0]
		if id == ids[1] {
			ip = ips[1]
		}
		e.writeA(t, zoneID, "mta1.acme.example.", ip)
		if _, err := e.ec2.ModifyAddressAttribute(t.Context(), &ec2.ModifyAddressAttributeInput{AllocationId: aws.String(id), DomainName: aws.String("mta1.acme.example")}); err != nil {
			t.Fatal(err)
		}
	}
	obs := e.read(t)
	eip, _ := find(obs, "mta.mta1")
	keptID := eip.ID
	res := e.applyOK(t, changeFrom(eip, plan.Update, map[string]any{"hostname": "mta1.acme.example."}))
	if len(res) != 1 {
		t.Fatal(res)
	}
	left := e.addresses(t)
	if len(left) != 1 || aws.ToString(left[0].AllocationId) != keptID {
		t.Errorf("left %+v, want only %s", left, keptID)
	}
	if record, _ := e.ptrOf(t, keptID); record != "mta1.acme.example." {
		t.Errorf("the kept address lost its PTR: %q", record)
	}
	if got := e.s.Count("ec2", "ResetAddressAttribute"); got != 1 {
		t.Errorf("ResetAddressAttribute called %d times, want 1", got)
	}
}
