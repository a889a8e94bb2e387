package ec2

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const (
	testStack  = "acme-prod"
	testRegion = "us-west-2"
)

// env is one test's view of the double: the provider under test and the SDK
// clients the test checks AWS with.
type env struct {
	s   *awstest.Server
	p   *Provider
	ec2 *ec2.Client
	r53 *route53.Client
	// applied are the changes the run carried out before those applied.
	applied []string

	mu       sync.Mutex
	progress []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s := awstest.Shared(t)
	cfg := s.Config(testRegion)
	return &env{
		s:   s,
		p:   New(cfg, Options{PollInterval: 20 * time.Millisecond, PTRTimeout: 5 * time.Second, ForwardRecordWait: 150 * time.Millisecond}),
		ec2: ec2.NewFromConfig(cfg),
		r53: route53.NewFromConfig(cfg),
	}
}

func (e *env) apply(t *testing.T, changes ...plan.Change) []providers.Result {
	t.Helper()
	res := e.p.Apply(t.Context(), providers.ApplyRequest{
		Stack:   testStack,
		Region:  testRegion,
		Changes: changes,
		Applied: e.applied,
		Progress: func(addr, msg string) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.progress = append(e.progress, addr+": "+msg)
		},
	})
	if len(res) != len(changes) {
		t.Fatalf("Apply returned %d results for %d changes", len(res), len(changes))
	}
	return res
}

// applyOK applies changes and fails the test on any error.
func (e *env) applyOK(t *testing.T, changes ...plan.Change) []providers.Result {
	t.Helper()
	res := e.apply(t, changes...)
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("Apply %s: %v", r.Addr, r.Err)
		}
	}
	return res
}

func (e *env) read(t *testing.T) []plan.Observed {
	t.Helper()
	obs, err := e.p.Read(t.Context(), testStack, nil)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return obs
}

// addresses reads every Elastic IP of the region with the SDK.
func (e *env) addresses(t *testing.T) []types.Address {
	t.Helper()
	out, err := e.ec2.DescribeAddresses(t.Context(), &ec2.DescribeAddressesInput{})
	if err != nil {
		t.Fatalf("DescribeAddresses: %v", err)
	}
	sort.Slice(out.Addresses, func(i, j int) bool {
		return aws.ToString(out.Addresses[i].AllocationId) < aws.ToString(out.Addresses[j].AllocationId)
	})
	return out.Addresses
}

// allocateTagged allocates an address the way an interrupted run of mailform
// leaves it: tagged, nothing else done.
func (e *env) allocateTagged(t *testing.T, stack, addr, hostname string) string {
	t.Helper()
	id, _ := e.allocateTaggedIP(t, stack, addr, hostname)
	return id
}

// allocateTaggedIP is allocateTagged that also returns the public IP.
func (e *env) allocateTaggedIP(t *testing.T, stack, addr, hostname string) (allocationID, publicIP string) {
	t.Helper()
	out, err := e.ec2.AllocateAddress(t.Context(), &ec2.AllocateAddressInput{
		Domain: types.DomainTypeVpc,
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeElasticIp, Tags: []types.Tag{
			{Key: aws.String(specs.TagStack), Value: aws.String(stack)},
			{Key: aws.String(specs.TagAddr), Value: aws.String(addr)},
			{Key: aws.String(TagHostname), Value: aws.String(hostname)},
		}}},
	})
	if err != nil {
		t.Fatalf("AllocateAddress: %v", err)
	}
	return aws.ToString(out.AllocationId), aws.ToString(out.PublicIp)
}

func (e *env) runInstance(t *testing.T) string {
	t.Helper()
	out, err := e.ec2.RunInstances(t.Context(), &ec2.RunInstancesInput{
		ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: types.InstanceTypeT3Micro,
	})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	return aws.ToString(out.Instances[0].InstanceId)
}

// zone creates the public hosted zone acme.example.
func (e *env) zone(t *testing.T) string {
	t.Helper()
	out, err := e.r53.CreateHostedZone(t.Context(), &route53.CreateHostedZoneInput{
		Name: aws.String("acme.example"), CallerReference: aws.String(t.Name()),
	})
	if err != nil {
		t.Fatalf("CreateHostedZone: %v", err)
	}
	return aws.ToString(out.HostedZone.Id)
}

func (e *env) writeA(t *testing.T, zoneID, name, ip string) {
	t.Helper()
	_, err := e.r53.ChangeResourceRecordSets(t.Context(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action: r53types.ChangeActionUpsert,
			ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: aws.String(name), Type: r53types.RRTypeA, TTL: aws.Int64(300),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(ip)}},
			},
		}}},
	})
	if err != nil {
		t.Fatalf("ChangeResourceRecordSets: %v", err)
	}
}

// ptrOf reads the domain-name attribute of one address with the SDK.
func (e *env) ptrOf(t *testing.T, allocationID string) (record string, pending bool) {
	t.Helper()
	out, err := e.ec2.DescribeAddressesAttribute(t.Context(), &ec2.DescribeAddressesAttributeInput{
		AllocationIds: []string{allocationID}, Attribute: types.AddressAttributeNameDomainName,
	})
	if err != nil {
		t.Fatalf("DescribeAddressesAttribute: %v", err)
	}
	for _, a := range out.Addresses {
		if aws.ToString(a.AllocationId) == allocationID {
			return aws.ToString(a.PtrRecord), a.PtrRecordUpdate != nil
		}
	}
	return "", false
}

func eipCreate(addr, hostname, instanceID string) plan.Change {
	after := map[string]any{"hostname": hostname}
	if instanceID != "" {
		after["instance_id"] = instanceID
	}
	return plan.Change{Addr: addr, Kind: specs.KindEIP, Action: plan.Create, After: after}
}

// changeFrom builds an update or delete of an observed resource.
func changeFrom(o plan.Observed, action plan.Action, after map[string]any) plan.Change {
	return plan.Change{Addr: o.Addr, Kind: o.Kind, Action: action, ID: o.ID, Before: o.Attrs, After: after}
}

func ptrCreate(eipAddr, allocationID, name string) plan.Change {
	return plan.Change{Addr: eipAddr + "/ptr", Kind: KindReverseDNS, Action: plan.Create,
		After: map[string]any{"allocation_id": allocationID, "ptr_name": name}}
}

func find(obs []plan.Observed, addr string) (plan.Observed, bool) {
	for _, o := range obs {
		if o.Addr == addr {
			return o, true
		}
	}
	return plan.Observed{}, false
}

func tagMap(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func TestCreateTagsAtAllocation(t *testing.T) {
	e := newEnv(t)
	res := e.applyOK(t, eipCreate("mta.mta1", "mta1.acme.example.", ""))

	addrs := e.addresses(t)
	if len(addrs) != 1 {
		t.Fatalf("got %d addresses, want 1", len(addrs))
	}
	a := addrs[0]
	want := map[string]string{
		specs.TagStack: testStack, specs.TagAddr: "mta.mta1",
		TagHostname: "mta1.acme.example.", TagName: "mta1.acme.example",
	}
	if diff := cmp.Diff(want, tagMap(a.Tags)); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if got := e.s.Count("ec2", "CreateTags"); got != 0 {
		t.Errorf("CreateTags called %d times; the tags belong in AllocateAddress", got)
	}

	wantObs := plan.Observed{Addr: "mta.mta1", Kind: specs.KindEIP, ID: aws.ToString(a.AllocationId), Owner: testStack, Attrs: map[string]any{
		"hostname": "mta1.acme.example.", "allocation_id": aws.ToString(a.AllocationId), "public_ip": aws.ToString(a.PublicIp),
	}}
	if diff := cmp.Diff(&wantObs, res[0].Observed); diff != "" {
		t.Errorf("Apply observed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]plan.Observed{wantObs}, e.read(t)); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
}

func TestCreateAdoptsWhatAnInterruptedRunLeft(t *testing.T) {
	e := newEnv(t)
	id := e.allocateTagged(t, testStack, "mta.mta1", "mta1.acme.example.")
	other := e.allocateTagged(t, "other-stack", "mta.mta1", "mta1.acme.example.")

	res := e.applyOK(t, eipCreate("mta.mta1", "mta1.acme.example.", ""))

	if got := e.s.Count("ec2", "AllocateAddress"); got != 2 {
		t.Errorf("AllocateAddress called %d times in all, want 2 (both by the test)", got)
	}
	if got := len(e.addresses(t)); got != 2 {
		t.Errorf("%d addresses, want 2", got)
	}
	if res[0].Observed == nil || res[0].Observed.ID != id {
		t.Errorf("Apply adopted %+v, want %s", res[0].Observed, id)
	}
	if !strings.Contains(res[0].Message, "adopted") {
		t.Errorf("message %q does not say the address was adopted", res[0].Message)
	}
	for _, a := range e.addresses(t) {
		if aws.ToString(a.AllocationId) == other && tagMap(a.Tags)[TagName] != "" {
			t.Errorf("the address of another stack was tagged: %v", tagMap(a.Tags))
		}
	}
}

func TestAllocationWithoutAClearAnswer(t *testing.T) {
	tests := []struct {
		name          string
		faults        string
		wantAllocates int
		wantMessage   string
	}{
		// The address is allocated, then the connection drops before the
		// answer: the SDK must not retry, and mailform adopts it.
		{"connection cut after allocating", "ec2:AllocateAddress=cut#1", 1, "adopted"},
		// A server error without allocating: nothing carries the tags, so
		// mailform allocates again.
		{"server error", "ec2:AllocateAddress=5xx#1", 2, "allocated"},
		{"throttled", "ec2:AllocateAddress=throttle#1", 2, "allocated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.p.sleep = func(ctx context.Context, d time.Duration) error { return nil }
			if err := e.s.SetFaults(tt.faults); err != nil {
				t.Fatal(err)
			}
			res := e.applyOK(t, eipCreate("mta.mta1", "mta1.acme.example.", ""))
			if got := e.s.Count("ec2", "AllocateAddress"); got != tt.wantAllocates {
				t.Errorf("AllocateAddress called %d times, want %d", got, tt.wantAllocates)
			}
			if got := len(e.addresses(t)); got != 1 {
				t.Errorf("%d addresses after the run, want 1", got)
			}
			if !strings.Contains(res[0].Message, tt.wantMessage) {
				t.Errorf("message %q, want it to contain %q", res[0].Message, tt.wantMessage)
			}
		})
	}
}

func TestAllocationRefusedIsNotRetried(t *testing.T) {
	e := newEnv(t)
	if err := e.s.SetFaults("ec2:AllocateAddress=fail:AddressLimitExceeded"); err != nil {
		t.Fatal(err)
	}
	res := e.apply(t, eipCreate("mta.mta1", "mta1.acme.example.", ""))
	if res[0].Err == nil {
		t.Fatal("Apply succeeded although AWS refused the allocation")
	}
	for _, want := range []string{"AddressLimitExceeded"} {
		if !strings.Contains(res[0].Err.Error(), want) {
			t.Errorf("error %q does not name %q", res[0].Err, want)
		}
	}
	if got := e.s.Count("ec2", "AllocateAddress"); got != 1 {
		t.Errorf("AllocateAddress called %d times, want 1", got)
	}
}

func TestDuplicatesFromACrashAreReleased(t *testing.T) {
	e := newEnv(t)
	ids := []string{
		e.allocateTagged(t, testStack, "mta.mta1", "mta1.acme.example."),
		e.allocateTagged(t, testStack, "mta.mta1", "mta1.acme.example."),
		e.allocateTagged(t, testStack, "mta.mta1", "mta1.acme.example."),
	}
	sort.Strings(ids)
	// The highest allocation ID is the one in use: it is the one to keep.
	instance := e.runInstance(t)
	if _, err := e.ec2.AssociateAddress(t.Context(), &ec2.AssociateAddressInput{AllocationId: aws.String(ids[2]), InstanceId: aws.String(instance)}); err != nil {
		t.Fatal(err)
	}

	obs := e.read(t)
	if len(obs) != 1 {
		t.Fatalf("Read returned %d resources, want 1: %+v", len(obs), obs)
	}
	if obs[0].ID != ids[2] {
		t.Errorf("Read kept %s, want the associated %s", obs[0].ID, ids[2])
	}
	if diff := cmp.Diff([]any{ids[0], ids[1]}, obs[0].Attrs["extra_allocation_ids"]); diff != "" {
		t.Errorf("extra_allocation_ids (-want +got):\n%s", diff)
	}

	res := e.applyOK(t, changeFrom(obs[0], plan.Update, map[string]any{"hostname": "mta1.acme.example.", "instance_id": instance}))
	left := e.addresses(t)
	if len(left) != 1 || aws.ToString(left[0].AllocationId) != ids[2] || aws.ToString(left[0].InstanceId) != instance {
		t.Errorf("after Apply: %+v, want only %s on %s", left, ids[2], instance)
	}
	if !strings.Contains(res[0].Message, "released 2 extra") {
		t.Errorf("message %q does not report the released extras", res[0].Message)
	}
	if _, ok := e.read(t)[0].Attrs["extra_allocation_ids"]; ok {
		t.Error("Read still reports extras after Apply released them")
	}
}

func TestAssociateWithInstance(t *testing.T) {
	e := newEnv(t)
	first, second := e.runInstance(t), e.runInstance(t)

	res := e.applyOK(t, eipCreate("mta.mta1", "mta1.acme.example.", first))
	a := e.addresses(t)[0]
	if aws.ToString(a.InstanceId) != first {
		t.Fatalf("address associated with %q, want %s", aws.ToString(a.InstanceId), first)
	}
	if got := res[0].Observed.Attrs["association_id"]; got != aws.ToString(a.AssociationId) || got == "" {
		t.Errorf("observed association_id %v, AWS has %s", got, aws.ToString(a.AssociationId))
	}

	t.Run("move to another instance", func(t *testing.T) {
		o, _ := find(e.read(t), "mta.mta1")
		res := e.applyOK(t, changeFrom(o, plan.Update, map[string]any{"hostname": "mta1.acme.example.", "instance_id": second}))
		a := e.addresses(t)[0]
		if aws.ToString(a.InstanceId) != second {
			t.Errorf("address on %q, want %s", aws.ToString(a.InstanceId), second)
		}
		if res[0].Observed.Attrs["instance_id"] != second {
			t.Errorf("observed instance_id %v, want %s", res[0].Observed.Attrs["instance_id"], second)
		}
	})

	t.Run("retag a new hostname", func(t *testing.T) {
		o, _ := find(e.read(t), "mta.mta1")
		e.applyOK(t, changeFrom(o, plan.Update, map[string]any{"hostname": "smtp.acme.example.", "instance_id": second}))
		o, _ = find(e.read(t), "mta.mta1")
		if o.Attrs["hostname"] != "smtp.acme.example." || o.Attrs["instance_id"] != second {
			t.Errorf("after retagging: %v", o.Attrs)
		}
		if got := tagMap(e.addresses(t)[0].Tags)[TagName]; got != "smtp.acme.example" {
			t.Errorf("Name tag %q", got)
		}
	})

	t.Run("release an associated address", func(t *testing.T) {
		o, _ := find(e.read(t), "mta.mta1")
		e.applyOK(t, changeFrom(o, plan.Delete, nil))
		if got := e.addresses(t); len(got) != 0 {
			t.Errorf("addresses left: %+v", got)
		}
		if got := e.s.Count("ec2", "DisassociateAddress"); got != 1 {
			t.Errorf("DisassociateAddress called %d times, want 1", got)
		}
	})
}

func TestUpdateOfAVanishedAddressFails(t *testing.T) {
	e := newEnv(t)
	e.applyOK(t, eipCreate("mta.mta1", "mta1.acme.example.", ""))
	o, _ := find(e.read(t), "mta.mta1")
	if _, err := e.ec2.ReleaseAddress(t.Context(), &ec2.ReleaseAddressInput{AllocationId: aws.String(o.ID)}); err != nil {
		t.Fatal(err)
	}
	res := e.apply(t, changeFrom(o, plan.Update, map[string]any{"hostname": "smtp.acme.example."}))
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "no longer exists") {
		t.Errorf("error %v, want one saying the address no longer exists", res[0].Err)
	}
	if got := e.s.Count("ec2", "AllocateAddress"); got != 1 {
		t.Errorf("AllocateAddress called %d times; an update must not allocate", got)
	}
}

func TestPTRAfterTheARecord(t *testing.T) {
	e := newEnv(t)
	zoneID := e.zone(t)
	res := e.applyOK(t, eipCreate("mta.mta1", "mta1.acme.example.", ""))
	id, ip := res[0].Observed.ID, res[0].Observed.Attrs["public_ip"].(string)
	e.writeA(t, zoneID, "mta1.acme.example.", ip)

	res = e.applyOK(t, ptrCreate("mta.mta1", id, "MTA1.acme.example"))
	want := &plan.Observed{Addr: "mta.mta1/ptr", Kind: KindReverseDNS, ID: id, Owner: testStack,
		Attrs: map[string]any{"allocation_id": id, "ptr_name": "mta1.acme.example.", "ptr_status": PTRStatusSet}}
	if diff := cmp.Diff(want, res[0].Observed); diff != "" {
		t.Errorf("Apply observed (-want +got):\n%s", diff)
	}
	if record, pending := e.ptrOf(t, id); record != "mta1.acme.example." || pending {
		t.Errorf("AWS has PTR %q (pending %v), want mta1.acme.example.", record, pending)
	}
	got, ok := find(e.read(t), "mta.mta1/ptr")
	if !ok {
		t.Fatal("Read does not report the PTR")
	}
	if diff := cmp.Diff(*want, got); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}

	t.Run("already set: nothing to ask", func(t *testing.T) {
		before := e.s.Count("ec2", "ModifyAddressAttribute")
		e.applyOK(t, ptrCreate("mta.mta1", id, "mta1.acme.example."))
		if got := e.s.Count("ec2", "ModifyAddressAttribute"); got != before {
			t.Errorf("ModifyAddressAttribute called again for a PTR already in effect")
		}
	})

	t.Run("release refused while the PTR exists", func(t *testing.T) {
		o, _ := find(e.read(t), "mta.mta1")
		res := e.apply(t, changeFrom(o, plan.Delete, nil))
		if res[0].Err == nil {
			t.Fatal("the address was released with its PTR set")
		}
		for _, want := range []string{"mta.mta1/ptr", "mta1.acme.example.", ip} {
			if !strings.Contains(res[0].Err.Error(), want) {
				t.Errorf("error %q does not mention %q", res[0].Err, want)
			}
		}
		if got := e.s.Count("ec2", "ReleaseAddress"); got != 0 {
			t.Errorf("ReleaseAddress called %d times", got)
		}
	})

	t.Run("reset then release", func(t *testing.T) {
		obs := e.read(t)
		eip, _ := find(obs, "mta.mta1")
		ptr, _ := find(obs, "mta.mta1/ptr")
		// Both in one call: the PTR goes first.
		res := e.applyOK(t, changeFrom(eip, plan.Delete, nil), changeFrom(ptr, plan.Delete, nil))
		for _, r := range res {
			if r.Observed != nil {
				t.Errorf("%s: a delete reported observed state %+v", r.Addr, r.Observed)
			}
		}
		if got := e.addresses(t); len(got) != 0 {
			t.Errorf("addresses left: %+v", got)
		}
		if got := e.read(t); len(got) != 0 {
			t.Errorf("Read after the delete: %+v", got)
		}
	})
}

// TestPTRRefusedWithoutTheARecord: an A record that was not written by this
// run and does not resolve fails the PTR at once, naming the record AWS needs;
// the double's refusal, like AWS's, says nothing of it.
func TestPTRRefusedWithoutTheARecord(t *testing.T) {
	e := newEnv(t)
	e.zone(t)
	res := e.applyOK(t, eipCreate("mta.mta1", "mta1.acme.example.", ""))
	id, ip := res[0].Observed.ID, res[0].Observed.Attrs["public_ip"].(string)

	res = e.apply(t, ptrCreate("mta.mta1", id, "mta1.acme.example."))
	if res[0].Err == nil {
		t.Fatal("the PTR was set without an A record")
	}
	for _, want := range []string{"A record mta1.acme.example. -> " + ip, "mta.mta1/a", "AWS said"} {
		if !strings.Contains(res[0].Err.Error(), want) {
			t.Errorf("error %q does not mention %q", res[0].Err, want)
		}
	}
	if got := e.s.Count("ec2", "ModifyAddressAttribute"); got != 1 {
		t.Errorf("ModifyAddressAttribute called %d times; an A record older than the run is not waited for", got)
	}
	if record, pending := e.ptrOf(t, id); record != "" || pending {
		t.Errorf("AWS has PTR %q (pending %v)", record, pending)
	}
	if _, ok := find(e.read(t), "mta.mta1/ptr"); ok {
		t.Error("Read reports a PTR that AWS refused")
	}
}

// TestPTRWaitsForTheARecordThisRunWrote: right after the run wrote the A
// record, AWS may not see it yet; the refusal is tried again, whatever its
// words, until the record is seen.
func TestPTRWaitsForTheARecordThisRunWrote(t *testing.T) {
	e := newEnv(t)
	e.p = New(e.s.Config(testRegion), Options{PollInterval: 20 * time.Millisecond, PTRTimeout: 10 * time.Second, ForwardRecordWait: 10 * time.Second})
	zoneID := e.zone(t)
	res := e.applyOK(t, eipCreate("mta.mta1", "mta1.acme.example.", ""))
	id, ip := res[0].Observed.ID, res[0].Observed.Attrs["public_ip"].(string)

	// The record becomes visible only after AWS refused the PTR once.
	seen := make(chan error, 1)
	go func() {
		for e.s.Count("ec2", "ModifyAddressAttribute") == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		_, err := e.r53.ChangeResourceRecordSets(context.WithoutCancel(t.Context()), &route53.ChangeResourceRecordSetsInput{
			HostedZoneId: aws.String(zoneID),
			ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
				Action: r53types.ChangeActionUpsert,
				ResourceRecordSet: &r53types.ResourceRecordSet{
					Name: aws.String("mta1.acme.example."), Type: r53types.RRTypeA, TTL: aws.Int64(300),
					ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(ip)}},
				},
			}}},
		})
		seen <- err
	}()
	e.applied = []string{"mta.mta1", "mta.mta1/a"}
	res = e.apply(t, ptrCreate("mta.mta1", id, "mta1.acme.example."))
	if err := <-seen; err != nil {
		t.Fatalf("writing the A record: %v", err)
	}
	if res[0].Err != nil {
		t.Fatalf("the PTR failed although the A record appeared: %v", res[0].Err)
	}
	if got := e.s.Count("ec2", "ModifyAddressAttribute"); got < 2 {
		t.Errorf("ModifyAddressAttribute called %d times; the refusal is tried again", got)
	}
	if len(e.progress) == 0 || !strings.Contains(e.progress[0], "waiting for AWS to see the A record mta1.acme.example. -> "+ip) {
		t.Errorf("progress %q", e.progress)
	}
}

func TestPTRNotChangedOnAnotherStacksAddress(t *testing.T) {
	e := newEnv(t)
	id := e.allocateTagged(t, "other-stack", "mta.mta1", "mta1.acme.example.")
	res := e.apply(t, ptrCreate("mta.mta1", id, "mta1.acme.example."))
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "does not carry the mark of stack "+testStack) {
		t.Errorf("error %v, want a refusal naming the mark", res[0].Err)
	}
	if got := e.s.Count("ec2", "ModifyAddressAttribute"); got != 0 {
		t.Errorf("ModifyAddressAttribute called %d times", got)
	}
}

func TestReadCallCounts(t *testing.T) {
	for _, n := range []int{0, 1, 40} {
		t.Run(fmt.Sprintf("%d MTAs", n), func(t *testing.T) {
			e := newEnv(t)
			var zoneID string
			if n > 0 {
				zoneID = e.zone(t)
			}
			for i := range n {
				id, ip := e.allocateTaggedIP(t, testStack, fmt.Sprintf("mta.m%02d", i), fmt.Sprintf("m%02d.acme.example.", i))
				if i%4 == 0 {
					// Every fourth has a PTR.
					e.writeA(t, zoneID, fmt.Sprintf("m%02d.acme.example.", i), ip)
					if _, err := e.ec2.ModifyAddressAttribute(t.Context(), &ec2.ModifyAddressAttributeInput{
						AllocationId: aws.String(id), DomainName: aws.String(fmt.Sprintf("m%02d.acme.example", i)),
					}); err != nil {
						t.Fatal(err)
					}
				}
			}
			e.allocateTagged(t, "other-stack", "mta.m00", "m00.acme.example.")
			before := e.s.Counts()["ec2"]

			obs := e.read(t)

			after := e.s.Counts()["ec2"]
			calls := map[string]int{}
			for op, c := range after {
				if d := c - before[op]; d > 0 {
					calls[op] = d
				}
			}
			want := map[string]int{"DescribeAddresses": 1, "DescribeAddressesAttribute": 1}
			if n == 0 {
				want = map[string]int{"DescribeAddresses": 1}
			}
			if diff := cmp.Diff(want, calls); diff != "" {
				t.Errorf("calls of Read (-want +got):\n%s", diff)
			}
			var eips, ptrs int
			for _, o := range obs {
				switch o.Kind {
				case specs.KindEIP:
					eips++
				case KindReverseDNS:
					ptrs++
				}
			}
			if eips != n || ptrs != (n+3)/4 {
				t.Errorf("Read returned %d Elastic IPs and %d PTRs, want %d and %d", eips, ptrs, n, (n+3)/4)
			}
		})
	}
}

// TestManyChangesInOneApply looks the stack's addresses up once for all the
// changes of an apply (and each new address once more, until the search by
// tags lists it), and their PTRs once for all the deletes.
func TestManyChangesInOneApply(t *testing.T) {
	const n = 12
	e := newEnv(t)
	var creates []plan.Change
	for i := range n {
		creates = append(creates, eipCreate(fmt.Sprintf("mta.m%02d", i), fmt.Sprintf("m%02d.acme.example.", i), ""))
	}
	e.applyOK(t, creates...)
	want := map[string]int{"DescribeAddresses": 1 + n, "AllocateAddress": n}
	if diff := cmp.Diff(want, e.s.Counts()["ec2"]); diff != "" {
		t.Errorf("calls of the creates (-want +got):\n%s", diff)
	}
	seen := map[string]string{}
	for _, a := range e.addresses(t) {
		tags := tagMap(a.Tags)
		if prev, dup := seen[tags[specs.TagAddr]]; dup {
			t.Errorf("%s has two addresses: %s and %s", tags[specs.TagAddr], prev, aws.ToString(a.AllocationId))
		}
		seen[tags[specs.TagAddr]] = aws.ToString(a.AllocationId)
		if want := strings.TrimPrefix(tags[specs.TagAddr], "mta.") + ".acme.example."; tags[TagHostname] != want {
			t.Errorf("%s: hostname tag %q, want %q", tags[specs.TagAddr], tags[TagHostname], want)
		}
	}
	if len(seen) != n {
		t.Errorf("%d addresses, want %d", len(seen), n)
	}

	obs := e.read(t)
	var deletes []plan.Change
	for _, o := range obs {
		deletes = append(deletes, changeFrom(o, plan.Delete, nil))
	}
	before := e.s.Counts()["ec2"]
	e.applyOK(t, deletes...)
	got := map[string]int{}
	for op, c := range e.s.Counts()["ec2"] {
		if d := c - before[op]; d > 0 {
			got[op] = d
		}
	}
	want = map[string]int{"DescribeAddresses": 1, "DescribeAddressesAttribute": 1, "ReleaseAddress": n}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls of the deletes (-want +got):\n%s", diff)
	}
	if left := e.addresses(t); len(left) != 0 {
		t.Errorf("%d addresses left", len(left))
	}
}

// TestPTRPendingInTheDouble lets the double keep PTR updates PENDING for a
// while, as AWS does: Apply waits with progress lines, Read reports the
// pending PTR, and a release is refused while it is pending.
func TestPTRPendingInTheDouble(t *testing.T) {
	e := newEnv(t)
	if err := e.s.Configure(func(o *awstest.Options) { o.PTRDelay = time.Second }); err != nil {
		t.Fatal(err)
	}
	zoneID := e.zone(t)
	res := e.applyOK(t, eipCreate("mta.mta1", "mta1.acme.example.", ""), eipCreate("mta.mta2", "mta2.acme.example.", ""))
	ids, ips := map[string]string{}, map[string]string{}
	for _, r := range res {
		ids[r.Addr], ips[r.Addr] = r.Observed.ID, r.Observed.Attrs["public_ip"].(string)
	}
	e.writeA(t, zoneID, "mta1.acme.example.", ips["mta.mta1"])
	e.writeA(t, zoneID, "mta2.acme.example.", ips["mta.mta2"])

	t.Run("apply waits for both", func(t *testing.T) {
		before := e.s.Count("ec2", "DescribeAddressesAttribute")
		e.applyOK(t, ptrCreate("mta.mta1", ids["mta.mta1"], "mta1.acme.example."), ptrCreate("mta.mta2", ids["mta.mta2"], "mta2.acme.example."))
		for _, addr := range []string{"mta.mta1", "mta.mta2"} {
			if record, pending := e.ptrOf(t, ids[addr]); record != strings.TrimPrefix(addr, "mta.")+".acme.example." || pending {
				t.Errorf("%s: PTR %q, pending %v", addr, record, pending)
			}
		}
		wantLine := "mta.mta1/ptr: waiting for AWS to set the PTR of " + ips["mta.mta1"] + " to mta1.acme.example. (PENDING, "
		if len(e.progress) == 0 || !strings.HasPrefix(e.progress[0], wantLine) {
			t.Errorf("progress %q, want lines starting %q", e.progress, wantLine)
		}
		// Both are polled together. Each poll but the last reports a line per
		// PTR still pending, and both are pending at the first: one call per
		// poll makes no more calls than lines, one call per PTR and poll at
		// least two more.
		polls := e.s.Count("ec2", "DescribeAddressesAttribute") - before - 1
		if lines := len(e.progress); polls > lines {
			t.Errorf("%d polls for %d progress lines of two PTRs; each poll should read both", polls, lines)
		}
	})

	t.Run("read and release while pending", func(t *testing.T) {
		if _, err := e.ec2.ModifyAddressAttribute(t.Context(), &ec2.ModifyAddressAttributeInput{
			AllocationId: aws.String(ids["mta.mta1"]), DomainName: aws.String("MTA1.acme.example"),
		}); err != nil {
			t.Fatal(err)
		}
		obs := e.read(t)
		ptr, _ := find(obs, "mta.mta1/ptr")
		if ptr.Attrs["ptr_status"] != PTRStatusPending || ptr.Attrs["ptr_name"] != "mta1.acme.example." {
			t.Errorf("observed %v, want the pending mta1.acme.example.", ptr.Attrs)
		}
		eip, _ := find(obs, "mta.mta1")
		res := e.apply(t, changeFrom(eip, plan.Delete, nil))
		if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "(PENDING)") {
			t.Errorf("error %v, want a refusal naming the pending PTR", res[0].Err)
		}
	})

	t.Run("remove both, then release both", func(t *testing.T) {
		e.progress = nil
		obs := e.read(t)
		var changes []plan.Change
		for _, o := range obs {
			changes = append(changes, changeFrom(o, plan.Delete, nil))
		}
		if len(changes) != 4 {
			t.Fatalf("observed %+v", obs)
		}
		e.applyOK(t, changes...)
		if left := e.addresses(t); len(left) != 0 {
			t.Errorf("addresses left: %+v", left)
		}
		if len(e.progress) == 0 || !strings.Contains(e.progress[0], "waiting for AWS to remove the PTR of") {
			t.Errorf("progress %q", e.progress)
		}
	})
}

// TestAssociateWithSeveralNetworkInterfaces: AWS refuses to associate an
// Elastic IP by instance when the instance has several network interfaces.
// By instance_id the apply fails saying to use network_interface_id; with
// it the address is associated with that interface, and a re-read agrees.
func TestAssociateWithSeveralNetworkInterfaces(t *testing.T) {
	e := newEnv(t)
	instanceID := e.runInstance(t)
	inst, err := e.ec2.DescribeInstances(t.Context(), &ec2.DescribeInstancesInput{InstanceIds: []string{instanceID}})
	if err != nil {
		t.Fatal(err)
	}
	eni, err := e.ec2.CreateNetworkInterface(t.Context(), &ec2.CreateNetworkInterfaceInput{SubnetId: inst.Reservations[0].Instances[0].SubnetId})
	if err != nil {
		t.Fatal(err)
	}
	eniID := aws.ToString(eni.NetworkInterface.NetworkInterfaceId)
	if _, err := e.ec2.AttachNetworkInterface(t.Context(), &ec2.AttachNetworkInterfaceInput{
		DeviceIndex: aws.Int32(1), InstanceId: aws.String(instanceID), NetworkInterfaceId: aws.String(eniID),
	}); err != nil {
		t.Fatal(err)
	}

	res := e.apply(t, eipCreate("mta.mta1", "mta1.acme.example.", instanceID))
	if res[0].Err == nil {
		t.Fatal("associated by instance although the instance has two network interfaces")
	}
	for _, want := range []string{"InvalidInstanceID", `network_interface_id = "eni-...`, `mta "mta1"`} {
		if !strings.Contains(res[0].Err.Error(), want) {
			t.Errorf("error %q does not say %q", res[0].Err, want)
		}
	}

	byInterface := plan.Change{Addr: "mta.mta1", Kind: specs.KindEIP, Action: plan.Create,
		After: map[string]any{"hostname": "mta1.acme.example.", "network_interface_id": eniID}}
	res = e.applyOK(t, byInterface)
	if got := res[0].Observed.Attrs["network_interface_id"]; got != eniID {
		t.Errorf("observed network_interface_id %v, want %s", got, eniID)
	}
	o, ok := find(e.read(t), "mta.mta1")
	if !ok || o.Attrs["network_interface_id"] != eniID {
		t.Errorf("read after the association: %+v", o)
	}
}
