package ec2

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// stubEC2 answers each EC2 call with the function the test gave for it, and
// fails any call the test did not expect.
type stubEC2 struct {
	t  *testing.T
	mu sync.Mutex
	// log lists the calls in order, as "Operation" or "Operation id".
	log []string

	describeAddresses    func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error)
	describeAttribute    func(*ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error)
	allocateAddress      func(*ec2.AllocateAddressInput) (*ec2.AllocateAddressOutput, error)
	modifyAttribute      func(*ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error)
	resetAttribute       func(*ec2.ResetAddressAttributeInput) (*ec2.ResetAddressAttributeOutput, error)
	releaseAddress       func(*ec2.ReleaseAddressInput) (*ec2.ReleaseAddressOutput, error)
	disassociateAddress  func(*ec2.DisassociateAddressInput) (*ec2.DisassociateAddressOutput, error)
	associateAddress     func(*ec2.AssociateAddressInput) (*ec2.AssociateAddressOutput, error)
	createTags           func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error)
	allocateOptionsCheck func(*ec2.Options)
}

func (s *stubEC2) record(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = append(s.log, op)
}

func (s *stubEC2) count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, l := range s.log {
		if l == op || strings.HasPrefix(l, op+" ") {
			n++
		}
	}
	return n
}

func unexpected(t *testing.T, op string) error {
	t.Errorf("unexpected call of %s", op)
	return errors.New("unexpected call of " + op)
}

func (s *stubEC2) DescribeAddresses(_ context.Context, in *ec2.DescribeAddressesInput, _ ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error) {
	s.record("DescribeAddresses")
	if s.describeAddresses == nil {
		return nil, unexpected(s.t, "DescribeAddresses")
	}
	return s.describeAddresses(in)
}

func (s *stubEC2) DescribeAddressesAttribute(_ context.Context, in *ec2.DescribeAddressesAttributeInput, _ ...func(*ec2.Options)) (*ec2.DescribeAddressesAttributeOutput, error) {
	s.record("DescribeAddressesAttribute")
	if s.describeAttribute == nil {
		return nil, unexpected(s.t, "DescribeAddressesAttribute")
	}
	return s.describeAttribute(in)
}

func (s *stubEC2) AllocateAddress(_ context.Context, in *ec2.AllocateAddressInput, opts ...func(*ec2.Options)) (*ec2.AllocateAddressOutput, error) {
	s.record("AllocateAddress")
	if s.allocateOptionsCheck != nil {
		o := ec2.Options{RetryMaxAttempts: 5, Retryer: retry.NewStandard()}
		for _, f := range opts {
			f(&o)
		}
		s.allocateOptionsCheck(&o)
	}
	if s.allocateAddress == nil {
		return nil, unexpected(s.t, "AllocateAddress")
	}
	return s.allocateAddress(in)
}

func (s *stubEC2) AssociateAddress(_ context.Context, in *ec2.AssociateAddressInput, _ ...func(*ec2.Options)) (*ec2.AssociateAddressOutput, error) {
	s.record("AssociateAddress " + aws.ToString(in.AllocationId))
	if s.associateAddress == nil {
		return nil, unexpected(s.t, "AssociateAddress")
	}
	return s.associateAddress(in)
}

func (s *stubEC2) DisassociateAddress(_ context.Context, in *ec2.DisassociateAddressInput, _ ...func(*ec2.Options)) (*ec2.DisassociateAddressOutput, error) {
	s.record("DisassociateAddress " + aws.ToString(in.AssociationId))
	if s.disassociateAddress == nil {
		return nil, unexpected(s.t, "DisassociateAddress")
	}
	return s.disassociateAddress(in)
}

func (s *stubEC2) ReleaseAddress(_ context.Context, in *ec2.ReleaseAddressInput, _ ...func(*ec2.Options)) (*ec2.ReleaseAddressOutput, error) {
	s.record("ReleaseAddress " + aws.ToString(in.AllocationId))
	if s.releaseAddress == nil {
		return nil, unexpected(s.t, "ReleaseAddress")
	}
	return s.releaseAddress(in)
}

func (s *stubEC2) CreateTags(_ context.Context, in *ec2.CreateTagsInput, _ ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	s.record("CreateTags " + strings.Join(in.Resources, ","))
	if s.createTags == nil {
		return nil, unexpected(s.t, "CreateTags")
	}
	return s.createTags(in)
}

func (s *stubEC2) ModifyAddressAttribute(_ context.Context, in *ec2.ModifyAddressAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifyAddressAttributeOutput, error) {
	s.record("ModifyAddressAttribute " + aws.ToString(in.AllocationId))
	if s.modifyAttribute == nil {
		return nil, unexpected(s.t, "ModifyAddressAttribute")
	}
	return s.modifyAttribute(in)
}

func (s *stubEC2) ResetAddressAttribute(_ context.Context, in *ec2.ResetAddressAttributeInput, _ ...func(*ec2.Options)) (*ec2.ResetAddressAttributeOutput, error) {
	s.record("ResetAddressAttribute " + aws.ToString(in.AllocationId))
	if s.resetAttribute == nil {
		return nil, unexpected(s.t, "ResetAddressAttribute")
	}
	return s.resetAttribute(in)
}

// fakeClock is a clock that moves only when the provider sleeps.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return nil
}

// stubProvider returns a provider over stub with a fake clock.
func stubProvider(stub *stubEC2, opts Options) (*Provider, *fakeClock) {
	p := NewWithAPI(stub, opts)
	clock := &fakeClock{now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	p.now, p.sleep = clock.Now, clock.Sleep
	return p, clock
}

func apiError(status int, code, message string) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: message},
	}}
}

func ownedAddress(i int, addr string) types.Address {
	return types.Address{
		AllocationId: aws.String(fmt.Sprintf("eipalloc-%04d", i)),
		PublicIp:     aws.String(fmt.Sprintf("198.51.%d.%d", i/250, i%250+1)),
		Tags: []types.Tag{
			{Key: aws.String(specs.TagStack), Value: aws.String(testStack)},
			{Key: aws.String(specs.TagAddr), Value: aws.String(addr)},
			{Key: aws.String(TagHostname), Value: aws.String("m.acme.example.")},
		},
	}
}

func TestReadIsTwoCallsUpToAThousandAddresses(t *testing.T) {
	tests := []struct {
		n            int
		wantIDsCalls []int // allocation IDs per DescribeAddressesAttribute call
	}{
		{0, nil},
		{1, []int{1}},
		{1000, []int{1000}},
		{1001, []int{1000, 1}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			var addrs []types.Address
			for i := range tt.n {
				addrs = append(addrs, ownedAddress(i, fmt.Sprintf("mta.m%04d", i)))
			}
			var idsPerCall []int
			stub := &stubEC2{t: t,
				describeAddresses: func(in *ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
					want := []types.Filter{{Name: aws.String("tag:mailform:stack"), Values: []string{testStack}}}
					if diff := cmp.Diff(want, in.Filters, cmp.AllowUnexported(types.Filter{})); diff != "" {
						t.Errorf("filters (-want +got):\n%s", diff)
					}
					return &ec2.DescribeAddressesOutput{Addresses: addrs}, nil
				},
				describeAttribute: func(in *ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
					if in.Attribute != types.AddressAttributeNameDomainName {
						t.Errorf("attribute %q", in.Attribute)
					}
					idsPerCall = append(idsPerCall, len(in.AllocationIds))
					var out []types.AddressAttribute
					for _, id := range in.AllocationIds {
						out = append(out, types.AddressAttribute{AllocationId: aws.String(id), PtrRecord: aws.String("m.acme.example.")})
					}
					return &ec2.DescribeAddressesAttributeOutput{Addresses: out}, nil
				},
			}
			p, _ := stubProvider(stub, Options{})
			obs, err := p.Read(t.Context(), testStack, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := stub.count("DescribeAddresses"); got != 1 {
				t.Errorf("DescribeAddresses called %d times", got)
			}
			if diff := cmp.Diff(tt.wantIDsCalls, idsPerCall); diff != "" {
				t.Errorf("allocation IDs per DescribeAddressesAttribute call (-want +got):\n%s", diff)
			}
			if len(obs) != 2*tt.n {
				t.Errorf("Read returned %d resources, want %d", len(obs), 2*tt.n)
			}
		})
	}
}

func TestReadFollowsAttributePages(t *testing.T) {
	addrs := []types.Address{ownedAddress(1, "mta.a"), ownedAddress(2, "mta.b")}
	stub := &stubEC2{t: t,
		describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
			return &ec2.DescribeAddressesOutput{Addresses: addrs}, nil
		},
		describeAttribute: func(in *ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
			if in.NextToken == nil {
				return &ec2.DescribeAddressesAttributeOutput{NextToken: aws.String("page2"), Addresses: []types.AddressAttribute{
					{AllocationId: addrs[0].AllocationId, PtrRecord: aws.String("a.acme.example.")},
				}}, nil
			}
			return &ec2.DescribeAddressesAttributeOutput{Addresses: []types.AddressAttribute{
				{AllocationId: addrs[1].AllocationId, PtrRecordUpdate: &types.PtrUpdateStatus{Value: aws.String("B.acme.example."), Status: aws.String("PENDING")}},
			}}, nil
		},
	}
	p, _ := stubProvider(stub, Options{})
	obs, err := p.Read(t.Context(), testStack, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []plan.Observed{
		{Addr: "mta.a", Kind: specs.KindEIP, ID: "eipalloc-0001", Owner: testStack, Attrs: map[string]any{"allocation_id": "eipalloc-0001", "public_ip": "198.51.0.2", "hostname": "m.acme.example."}},
		{Addr: "mta.a/ptr", Kind: KindReverseDNS, ID: "eipalloc-0001", Owner: testStack, Attrs: map[string]any{"allocation_id": "eipalloc-0001", "ptr_name": "a.acme.example.", "ptr_status": "SET"}},
		{Addr: "mta.b", Kind: specs.KindEIP, ID: "eipalloc-0002", Owner: testStack, Attrs: map[string]any{"allocation_id": "eipalloc-0002", "public_ip": "198.51.0.3", "hostname": "m.acme.example."}},
		{Addr: "mta.b/ptr", Kind: KindReverseDNS, ID: "eipalloc-0002", Owner: testStack, Attrs: map[string]any{"allocation_id": "eipalloc-0002", "ptr_name": "b.acme.example.", "ptr_status": "PENDING"}},
	}
	if diff := cmp.Diff(want, obs); diff != "" {
		t.Errorf("Read (-want +got):\n%s", diff)
	}
	if got := stub.count("DescribeAddressesAttribute"); got != 2 {
		t.Errorf("DescribeAddressesAttribute called %d times, want 2 (two pages)", got)
	}
}

func TestKeep(t *testing.T) {
	plain := func(id string) types.Address { return types.Address{AllocationId: aws.String(id)} }
	associated := func(id string) types.Address {
		return types.Address{AllocationId: aws.String(id), AssociationId: aws.String("eipassoc-" + id)}
	}
	withPTR := map[string]types.AddressAttribute{"eipalloc-c": {PtrRecord: aws.String("x.")}}
	tests := []struct {
		name       string
		addrs      []types.Address
		prefer     string
		ptrs       map[string]types.AddressAttribute
		want       string
		wantExtras []string
	}{
		{"one", []types.Address{plain("eipalloc-a")}, "", nil, "eipalloc-a", nil},
		{"lowest allocation ID", []types.Address{plain("eipalloc-c"), plain("eipalloc-a"), plain("eipalloc-b")}, "", nil, "eipalloc-a", []string{"eipalloc-b", "eipalloc-c"}},
		{"associated", []types.Address{plain("eipalloc-a"), associated("eipalloc-b")}, "", nil, "eipalloc-b", []string{"eipalloc-a"}},
		{"PTR before association", []types.Address{associated("eipalloc-a"), plain("eipalloc-c")}, "", withPTR, "eipalloc-c", []string{"eipalloc-a"}},
		{"the plan's choice first", []types.Address{associated("eipalloc-a"), plain("eipalloc-c"), plain("eipalloc-d")}, "eipalloc-d", withPTR, "eipalloc-d", []string{"eipalloc-a", "eipalloc-c"}},
		{"preferred one gone", []types.Address{plain("eipalloc-b"), plain("eipalloc-a")}, "eipalloc-z", nil, "eipalloc-a", []string{"eipalloc-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kept, extras := keep(tt.addrs, tt.prefer, tt.ptrs)
			if got := aws.ToString(kept.AllocationId); got != tt.want {
				t.Errorf("kept %s, want %s", got, tt.want)
			}
			var got []string
			for _, e := range extras {
				got = append(got, aws.ToString(e.AllocationId))
			}
			if diff := cmp.Diff(tt.wantExtras, got); diff != "" {
				t.Errorf("extras (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOutcomeUnknown(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection dropped", &smithyhttp.RequestSendError{Err: errors.New("EOF")}, true},
		{"no status", &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{}}, Err: errors.New("EOF")}}, true},
		{"internal error", apiError(500, "InternalError", "We encountered an internal error"), true},
		{"unavailable", apiError(503, "Unavailable", "try again"), true},
		{"throttled", apiError(503, "RequestLimitExceeded", "Request limit exceeded."), true},
		{"throttled with 400", apiError(400, "RequestLimitExceeded", "Request limit exceeded."), true},
		{"limit", apiError(400, "AddressLimitExceeded", "The maximum number of addresses has been reached."), false},
		{"denied", apiError(403, "UnauthorizedOperation", "You are not authorized"), false},
		{"caller gave up", fmt.Errorf("operation error: %w", context.Canceled), false},
		{"deadline", fmt.Errorf("operation error: %w", context.DeadlineExceeded), false},
		{"unknown error", errors.New("something broke"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := outcomeUnknown(tt.err); got != tt.want {
				t.Errorf("outcomeUnknown = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsRequestRefusal(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		// AWS documents neither the code nor the words of the refusal of a
		// PTR whose A record it does not see yet: none is read.
		{"neutral words", apiError(400, "InvalidParameterValue", "Value (mta1.acme.example) for parameter domainName is invalid."), true},
		{"another code", apiError(400, "InvalidDomainName", "Invalid value"), true},
		{"no words", apiError(400, "Unknown", ""), true},
		{"denied", apiError(403, "UnauthorizedOperation", "You are not authorized"), false},
		{"denied with 400", apiError(400, "AuthFailure", "not authorized"), false},
		{"throttled", apiError(400, "RequestLimitExceeded", "Request limit exceeded."), false},
		{"address gone", apiError(400, "InvalidAllocationID.NotFound", "The allocation ID 'eipalloc-1' does not exist"), false},
		{"server error", apiError(500, "InternalError", "An internal error has occurred"), false},
		{"no answer", errors.New("connection reset"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isRequestRefusal(tt.err); got != tt.want {
				t.Errorf("isRequestRefusal = %v, want %v", got, tt.want)
			}
		})
	}
}

// ptrStub is an address eipalloc-0007 (203.0.113.7) of the test stack whose
// PTR becomes mta1.acme.example. after pendingPolls polls.
func ptrStub(t *testing.T, pendingPolls int) *stubEC2 {
	polls := 0
	return &stubEC2{t: t,
		describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
			a := ownedAddress(7, "mta.mta1")
			a.PublicIp = aws.String("203.0.113.7")
			return &ec2.DescribeAddressesOutput{Addresses: []types.Address{a}}, nil
		},
		modifyAttribute: func(in *ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error) {
			if got := aws.ToString(in.DomainName); got != "mta1.acme.example" {
				t.Errorf("DomainName %q", got)
			}
			return &ec2.ModifyAddressAttributeOutput{Address: &types.AddressAttribute{AllocationId: in.AllocationId,
				PtrRecordUpdate: &types.PtrUpdateStatus{Value: aws.String("mta1.acme.example."), Status: aws.String("PENDING")}}}, nil
		},
		describeAttribute: func(in *ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
			if len(in.AllocationIds) != 1 || in.AllocationIds[0] != "eipalloc-0007" {
				t.Errorf("AllocationIds %v", in.AllocationIds)
			}
			polls++
			if polls == 1 {
				return &ec2.DescribeAddressesAttributeOutput{}, nil // before Modify: no PTR yet
			}
			if polls-1 <= pendingPolls {
				return &ec2.DescribeAddressesAttributeOutput{Addresses: []types.AddressAttribute{{AllocationId: aws.String("eipalloc-0007"),
					PtrRecordUpdate: &types.PtrUpdateStatus{Value: aws.String("mta1.acme.example."), Status: aws.String("PENDING")}}}}, nil
			}
			return &ec2.DescribeAddressesAttributeOutput{Addresses: []types.AddressAttribute{{AllocationId: aws.String("eipalloc-0007"), PtrRecord: aws.String("mta1.acme.example.")}}}, nil
		},
	}
}

func applyWithProgress(t *testing.T, p *Provider, changes ...plan.Change) ([]providers.Result, []string) {
	var progress []string
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Region: testRegion, Changes: changes,
		Progress: func(addr, msg string) { progress = append(progress, addr+": "+msg) }})
	return res, progress
}

func TestPTRWaitReportsProgress(t *testing.T) {
	stub := ptrStub(t, 3)
	p, _ := stubProvider(stub, Options{PollInterval: 20 * time.Second})
	res, progress := applyWithProgress(t, p, ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example."))
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	want := []string{
		"mta.mta1/ptr: waiting for AWS to set the PTR of 203.0.113.7 to mta1.acme.example. (PENDING, 0s)",
		"mta.mta1/ptr: waiting for AWS to set the PTR of 203.0.113.7 to mta1.acme.example. (PENDING, 20s)",
		"mta.mta1/ptr: waiting for AWS to set the PTR of 203.0.113.7 to mta1.acme.example. (PENDING, 40s)",
	}
	if diff := cmp.Diff(want, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if res[0].Message != "the PTR record of 203.0.113.7 is mta1.acme.example." {
		t.Errorf("message %q", res[0].Message)
	}
	if got := stub.count("ModifyAddressAttribute"); got != 1 {
		t.Errorf("ModifyAddressAttribute called %d times", got)
	}
}

func TestPTRWaitEnds(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func(context.Context) context.Context
		opts    Options
		wantErr string
	}{
		{"timeout", func(c context.Context) context.Context { return c }, Options{PollInterval: 20 * time.Second, PTRTimeout: time.Minute},
			"AWS did not set the PTR record of 203.0.113.7 to mta1.acme.example. within 1m0s (PENDING); it may still finish"},
		{"cancelled", func(c context.Context) context.Context {
			c, cancel := context.WithCancel(c)
			cancel()
			return c
		}, Options{}, "stopped waiting for AWS to set the PTR record of 203.0.113.7 to mta1.acme.example. (PENDING): context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := ptrStub(t, 1000)
			p, _ := stubProvider(stub, tt.opts)
			res := p.Apply(tt.ctx(t.Context()), providers.ApplyRequest{Stack: testStack, Changes: []plan.Change{ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example.")}})
			if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", res[0].Err, tt.wantErr)
			}
			if res[0].Observed != nil || res[0].Message != "" {
				t.Errorf("a failed change reported %+v", res[0])
			}
		})
	}
}

// TestPTRRefusedUntilTheARecordResolves: right after the run wrote the A
// record, a refusal is tried again whatever its words.
func TestPTRRefusedUntilTheARecordResolves(t *testing.T) {
	stub := ptrStub(t, 0)
	refusals := 2
	modify := stub.modifyAttribute
	stub.modifyAttribute = func(in *ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error) {
		if refusals > 0 {
			refusals--
			return nil, apiError(400, "InvalidParameterValue", "Value (mta1.acme.example) for parameter domainName is invalid.")
		}
		return modify(in)
	}
	p, _ := stubProvider(stub, Options{PollInterval: 10 * time.Second, ForwardRecordWait: time.Minute})
	var progress []string
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Region: testRegion,
		Changes:  []plan.Change{ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example.")},
		Applied:  []string{"mta.mta1", "mta.mta1/a"},
		Progress: func(addr, msg string) { progress = append(progress, addr+": "+msg) }})
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	want := []string{
		"mta.mta1/ptr: waiting for AWS to see the A record mta1.acme.example. -> 203.0.113.7 before it sets the PTR (refused: no A record yet, 0s)",
		"mta.mta1/ptr: waiting for AWS to see the A record mta1.acme.example. -> 203.0.113.7 before it sets the PTR (refused: no A record yet, 10s)",
	}
	if diff := cmp.Diff(want, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if got := stub.count("ModifyAddressAttribute"); got != 3 {
		t.Errorf("ModifyAddressAttribute called %d times, want 3", got)
	}
}

// TestPTRRefusedWithAnOlderARecord: when the A record was in place before
// the run, AWS has had time to see it, and its refusal fails the PTR at
// once, naming the record AWS needs.
func TestPTRRefusedWithAnOlderARecord(t *testing.T) {
	stub := ptrStub(t, 0)
	stub.modifyAttribute = func(in *ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error) {
		return nil, apiError(400, "InvalidParameterValue", "Value (mta1.acme.example) for parameter domainName is invalid.")
	}
	p, _ := stubProvider(stub, Options{PollInterval: 10 * time.Second, ForwardRecordWait: time.Minute})
	res, _ := applyWithProgress(t, p, ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example."))
	if res[0].Err == nil {
		t.Fatal("a refused PTR succeeded")
	}
	for _, want := range []string{"A record mta1.acme.example. -> 203.0.113.7 (mta.mta1/a)", "AWS said: InvalidParameterValue: Value (mta1.acme.example) for parameter domainName is invalid."} {
		if !strings.Contains(res[0].Err.Error(), want) {
			t.Errorf("error %q does not say %q", res[0].Err, want)
		}
	}
	if got := stub.count("ModifyAddressAttribute"); got != 1 {
		t.Errorf("ModifyAddressAttribute called %d times, want 1", got)
	}
}

func TestPTRFailures(t *testing.T) {
	tests := []struct {
		name    string
		modify  func(*ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error)
		poll    *types.AddressAttribute
		wantErr string
	}{
		{
			name: "other refusal is not retried",
			modify: func(*ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error) {
				return nil, apiError(403, "UnauthorizedOperation", "You are not authorized to perform this operation.")
			},
			wantErr: "setting the PTR record of 203.0.113.7 to mta1.acme.example.: ",
		},
		{
			name: "AWS reports a failed update",
			modify: func(in *ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error) {
				return &ec2.ModifyAddressAttributeOutput{}, nil
			},
			poll:    &types.AddressAttribute{AllocationId: aws.String("eipalloc-0007"), PtrRecordUpdate: &types.PtrUpdateStatus{Value: aws.String("mta1.acme.example."), Status: aws.String("FAILED"), Reason: aws.String("forward record mismatch")}},
			wantErr: "AWS could not set the PTR of 203.0.113.7 to mta1.acme.example.: status FAILED: forward record mismatch",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := ptrStub(t, 0)
			stub.modifyAttribute = tt.modify
			if tt.poll != nil {
				stub.describeAttribute = func(*ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
					if stub.count("ModifyAddressAttribute") == 0 {
						return &ec2.DescribeAddressesAttributeOutput{}, nil
					}
					return &ec2.DescribeAddressesAttributeOutput{Addresses: []types.AddressAttribute{*tt.poll}}, nil
				}
			}
			p, _ := stubProvider(stub, Options{})
			res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Changes: []plan.Change{ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example.")}})
			if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), tt.wantErr) {
				t.Errorf("error %v, want %q", res[0].Err, tt.wantErr)
			}
			if got := stub.count("ModifyAddressAttribute"); got != 1 {
				t.Errorf("ModifyAddressAttribute called %d times, want 1", got)
			}
		})
	}
}

func TestPTRMovesToAnotherAddress(t *testing.T) {
	old, next := ownedAddress(1, "mta.mta1"), ownedAddress(2, "mta.mta1")
	// The old address has the PTR until it is reset; the new one gets it
	// when it is asked for.
	var reset, modified bool
	stub := &stubEC2{t: t,
		describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
			return &ec2.DescribeAddressesOutput{Addresses: []types.Address{old, next}}, nil
		},
		describeAttribute: func(in *ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
			out := &ec2.DescribeAddressesAttributeOutput{}
			for _, id := range in.AllocationIds {
				if (id == aws.ToString(old.AllocationId) && !reset) || (id == aws.ToString(next.AllocationId) && modified) {
					out.Addresses = append(out.Addresses, types.AddressAttribute{AllocationId: aws.String(id), PtrRecord: aws.String("mta1.acme.example.")})
				}
			}
			return out, nil
		},
		resetAttribute: func(*ec2.ResetAddressAttributeInput) (*ec2.ResetAddressAttributeOutput, error) {
			reset = true
			return &ec2.ResetAddressAttributeOutput{}, nil
		},
		modifyAttribute: func(*ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error) {
			modified = true
			return &ec2.ModifyAddressAttributeOutput{}, nil
		},
	}
	p, _ := stubProvider(stub, Options{})
	c := plan.Change{Addr: "mta.mta1/ptr", Kind: KindReverseDNS, Action: plan.Update, ID: "eipalloc-0001",
		Before: map[string]any{"allocation_id": "eipalloc-0001", "ptr_name": "mta1.acme.example."},
		After:  map[string]any{"allocation_id": "eipalloc-0002", "ptr_name": "mta1.acme.example."}}
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Changes: []plan.Change{c}})
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	if res[0].Observed == nil || res[0].Observed.ID != "eipalloc-0002" {
		t.Errorf("observed %+v, want the PTR of eipalloc-0002", res[0].Observed)
	}
	for _, want := range []string{"ModifyAddressAttribute eipalloc-0002", "ResetAddressAttribute eipalloc-0001"} {
		if stub.count(want) != 1 {
			t.Errorf("%s called %d times, want 1; calls: %v", want, stub.count(want), stub.log)
		}
	}
}

func TestPTRDeleteOfAGoneAddress(t *testing.T) {
	stub := &stubEC2{t: t,
		describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
			return &ec2.DescribeAddressesOutput{}, nil
		},
	}
	p, _ := stubProvider(stub, Options{})
	c := plan.Change{Addr: "mta.mta1/ptr", Kind: KindReverseDNS, Action: plan.Delete, ID: "eipalloc-0001",
		Before: map[string]any{"allocation_id": "eipalloc-0001", "ptr_name": "mta1.acme.example."}}
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Changes: []plan.Change{c}})
	if res[0].Err != nil || res[0].Observed != nil {
		t.Errorf("result %+v, want success with no observed state", res[0])
	}
}

func TestAllocateWithoutSDKRetries(t *testing.T) {
	stub := &stubEC2{t: t,
		describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
			return &ec2.DescribeAddressesOutput{}, nil
		},
		allocateAddress: func(*ec2.AllocateAddressInput) (*ec2.AllocateAddressOutput, error) {
			return nil, &smithyhttp.RequestSendError{Err: errors.New("connection reset by peer")}
		},
		allocateOptionsCheck: func(o *ec2.Options) {
			if o.Retryer == nil || o.Retryer.MaxAttempts() != 1 {
				t.Errorf("AllocateAddress may be tried %d times by the SDK", o.Retryer.MaxAttempts())
			}
			if o.RetryMaxAttempts > 1 {
				t.Errorf("RetryMaxAttempts %d", o.RetryMaxAttempts)
			}
		},
	}
	p, _ := stubProvider(stub, Options{AllocateAttempts: 3})
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Changes: []plan.Change{eipCreate("mta.mta1", "mta1.acme.example.", "")}})
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "allocating an Elastic IP failed 3 times, and no address carries its tags") {
		t.Errorf("error %v", res[0].Err)
	}
	// One look before the first attempt; after each failed attempt, looks
	// through the settle window (a search may miss a new address), at most
	// settleLooks of them.
	want := []string{"DescribeAddresses"}
	for range 3 {
		want = append(want, "AllocateAddress")
		for range settleLooks {
			want = append(want, "DescribeAddresses")
		}
	}
	if got := stub.log; !cmp.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
}

func TestDeleteResetsTheExtrasPTRBeforeReleasing(t *testing.T) {
	kept, extra := ownedAddress(1, "mta.mta1"), ownedAddress(2, "mta.mta1")
	extra.AssociationId = aws.String("eipassoc-2")
	reset := false
	stub := &stubEC2{t: t,
		describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
			return &ec2.DescribeAddressesOutput{Addresses: []types.Address{kept, extra}}, nil
		},
		describeAttribute: func(*ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
			if reset {
				return &ec2.DescribeAddressesAttributeOutput{}, nil
			}
			return &ec2.DescribeAddressesAttributeOutput{Addresses: []types.AddressAttribute{{AllocationId: extra.AllocationId, PtrRecord: aws.String("old.acme.example.")}}}, nil
		},
		resetAttribute: func(*ec2.ResetAddressAttributeInput) (*ec2.ResetAddressAttributeOutput, error) {
			reset = true
			return &ec2.ResetAddressAttributeOutput{}, nil
		},
		disassociateAddress: func(*ec2.DisassociateAddressInput) (*ec2.DisassociateAddressOutput, error) {
			return &ec2.DisassociateAddressOutput{}, nil
		},
		releaseAddress: func(in *ec2.ReleaseAddressInput) (*ec2.ReleaseAddressOutput, error) {
			if aws.ToString(in.AllocationId) == "eipalloc-0001" {
				return nil, apiError(400, "InvalidAllocationID.NotFound", "The allocation ID 'eipalloc-0001' does not exist")
			}
			return &ec2.ReleaseAddressOutput{}, nil
		},
	}
	p, _ := stubProvider(stub, Options{})
	c := plan.Change{Addr: "mta.mta1", Kind: specs.KindEIP, Action: plan.Delete, ID: "eipalloc-0001"}
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Changes: []plan.Change{c}})
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	want := []string{
		"DescribeAddresses", "DescribeAddressesAttribute",
		"ResetAddressAttribute eipalloc-0002", "DescribeAddressesAttribute",
		"DisassociateAddress eipassoc-2", "ReleaseAddress eipalloc-0002",
		"ReleaseAddress eipalloc-0001",
	}
	if diff := cmp.Diff(want, stub.log); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestApplyRefusesWhatItCannotDo(t *testing.T) {
	tests := []struct {
		name    string
		change  plan.Change
		wantErr string
	}{
		{"other kind", plan.Change{Addr: "topic.feedback", Kind: specs.KindSNSTopic, Action: plan.Create}, "does not manage resources of kind sns.topic"},
		{"replace an address", plan.Change{Addr: "mta.mta1", Kind: specs.KindEIP, Action: plan.Replace, After: map[string]any{"hostname": "a."}}, "cannot replace an Elastic IP"},
		{"no hostname", plan.Change{Addr: "mta.mta1", Kind: specs.KindEIP, Action: plan.Create, After: map[string]any{}}, "needs a hostname"},
		{"allocation unknown", ptrCreate("mta.mta1", "${mta.mta1#allocation_id}", "a."), "allocation ID of its Elastic IP is not known yet"},
		{"no PTR name", ptrCreate("mta.mta1", "eipalloc-1", ""), "needs a name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := &stubEC2{t: t, describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
				return &ec2.DescribeAddressesOutput{}, nil
			}}
			p, _ := stubProvider(stub, Options{})
			res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Changes: []plan.Change{tt.change}})
			if len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), tt.wantErr) {
				t.Fatalf("results %+v, want an error containing %q", res, tt.wantErr)
			}
			if strings.HasPrefix(res[0].Err.Error(), tt.change.Addr) {
				t.Errorf("error %q names the address: apply adds it (apply.ResourceError)", res[0].Err)
			}
			for _, op := range stub.log {
				if !strings.HasPrefix(op, "Describe") {
					t.Errorf("changed AWS: %s", op)
				}
			}
		})
	}
}

func TestReadAgainWhenAnAddressVanishesBetweenCalls(t *testing.T) {
	tests := []struct {
		name      string
		notFounds int
		wantErr   bool
		wantCalls int // of each operation
	}{
		{"once", 1, false, 2},
		{"twice", 2, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			left := tt.notFounds
			stub := &stubEC2{t: t,
				describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
					return &ec2.DescribeAddressesOutput{Addresses: []types.Address{ownedAddress(1, "mta.a")}}, nil
				},
				describeAttribute: func(*ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
					if left > 0 {
						left--
						return nil, apiError(400, "InvalidAllocationID.NotFound", "The allocation ID 'eipalloc-0001' does not exist")
					}
					return &ec2.DescribeAddressesAttributeOutput{}, nil
				},
			}
			p, _ := stubProvider(stub, Options{})
			obs, err := p.Read(t.Context(), testStack, nil)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "stack "+testStack) {
				t.Errorf("error %q does not name the stack", err)
			}
			if err == nil && len(obs) != 1 {
				t.Errorf("observed %+v", obs)
			}
			for _, op := range []string{"DescribeAddresses", "DescribeAddressesAttribute"} {
				if got := stub.count(op); got != tt.wantCalls {
					t.Errorf("%s called %d times, want %d", op, got, tt.wantCalls)
				}
			}
		})
	}
}

func TestPTRWaitOutlastsAPassingReadFailure(t *testing.T) {
	stub := ptrStub(t, 0)
	describe := stub.describeAttribute
	failed := false
	stub.describeAttribute = func(in *ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
		if stub.count("ModifyAddressAttribute") > 0 && !failed {
			failed = true
			return nil, apiError(503, "Unavailable", "The service is unavailable. Please try again shortly.")
		}
		return describe(in)
	}
	p, _ := stubProvider(stub, Options{PollInterval: 5 * time.Second})
	res, progress := applyWithProgress(t, p, ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example."))
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	want := []string{"mta.mta1/ptr: waiting for AWS to set the PTR of 203.0.113.7 to mta1.acme.example. (status unknown: Unavailable: The service is unavailable. Please try again shortly., 0s)"}
	if diff := cmp.Diff(want, progress); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}

func TestNoStackNoCalls(t *testing.T) {
	stub := &stubEC2{t: t}
	p, _ := stubProvider(stub, Options{})
	if _, err := p.Read(t.Context(), "", nil); err == nil {
		t.Error("Read without a stack name succeeded")
	}
	res := p.Apply(t.Context(), providers.ApplyRequest{Changes: []plan.Change{eipCreate("mta.mta1", "mta1.acme.example.", "")}})
	if len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "no stack name") {
		t.Errorf("Apply without a stack name: %+v", res)
	}
	if len(stub.log) != 0 {
		t.Errorf("calls without a stack name: %v", stub.log)
	}
}
