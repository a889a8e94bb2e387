package awstest

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"
)

func ec2Client(s *Server) *ec2.Client {
	return ec2.NewFromConfig(s.Config("us-west-2"), func(o *ec2.Options) { o.RetryMaxAttempts = 1 })
}

// ptrView is what DescribeAddressesAttribute says about one address.
type ptrView struct {
	PtrRecord    string
	UpdateValue  string
	UpdateStatus string
}

func describePTR(t *testing.T, c *ec2.Client, allocationID string) []ptrView {
	t.Helper()
	out, err := c.DescribeAddressesAttribute(t.Context(), &ec2.DescribeAddressesAttributeInput{
		AllocationIds: []string{allocationID},
		Attribute:     ec2types.AddressAttributeNameDomainName,
	})
	if err != nil {
		t.Fatalf("DescribeAddressesAttribute: %v", err)
	}
	var views []ptrView
	for _, a := range out.Addresses {
		if aws.ToString(a.AllocationId) != allocationID {
			t.Errorf("answer for %s, asked %s", aws.ToString(a.AllocationId), allocationID)
		}
		v := ptrView{PtrRecord: aws.ToString(a.PtrRecord)}
		if a.PtrRecordUpdate != nil {
			v.UpdateValue = aws.ToString(a.PtrRecordUpdate.Value)
			v.UpdateStatus = aws.ToString(a.PtrRecordUpdate.Status)
		}
		views = append(views, v)
	}
	return views
}

func TestReverseDNS(t *testing.T) {
	s := Shared(t)
	clock := freezeClock(t, s)
	configure(t, s, func(o *Options) { o.PTRDelay = 20 * time.Minute })
	ctx := t.Context()
	c := ec2Client(s)
	r53 := route53Client(s)

	eip, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	id, ip := aws.ToString(eip.AllocationId), aws.ToString(eip.PublicIp)
	zoneID := createZone(t, r53, "acme.example")

	// No forward record yet: refused.
	_, err = c.ModifyAddressAttribute(ctx, &ec2.ModifyAddressAttributeInput{AllocationId: aws.String(id), DomainName: aws.String("mta1.acme.example")})
	if got := errorCode(err); got != "InvalidParameterValue" {
		t.Fatalf("without an A record: err = %v, want InvalidParameterValue", err)
	}
	// AWS documents neither the code nor the words of this refusal: the
	// double's message names no record, so that no client relies on words.
	if msg := err.Error(); !strings.Contains(msg, "Value (mta1.acme.example) for parameter domainName is invalid.") {
		t.Errorf("refusal %q, want EC2's generic invalid-value message", msg)
	}
	for _, word := range []string{"forward", "A record", "resolve", "DNS"} {
		if strings.Contains(err.Error(), word) {
			t.Errorf("refusal %q speaks of %q", err, word)
		}
	}
	// An A record to another address: still refused.
	mustChange(t, r53, zoneID, change(r53types.ChangeActionCreate, rrset("mta1.acme.example", r53types.RRTypeA, 300, "192.0.2.99")))
	_, err = c.ModifyAddressAttribute(ctx, &ec2.ModifyAddressAttributeInput{AllocationId: aws.String(id), DomainName: aws.String("mta1.acme.example")})
	if got := errorCode(err); got != "InvalidParameterValue" {
		t.Fatalf("with an A record to another address: err = %v, want InvalidParameterValue", err)
	}
	mustChange(t, r53, zoneID, change(r53types.ChangeActionUpsert, rrset("mta1.acme.example", r53types.RRTypeA, 300, ip)))

	out, err := c.ModifyAddressAttribute(ctx, &ec2.ModifyAddressAttributeInput{AllocationId: aws.String(id), DomainName: aws.String("mta1.acme.example")})
	if err != nil {
		t.Fatalf("with the A record: %v", err)
	}
	if got := aws.ToString(out.Address.PtrRecordUpdate.Status); got != "PENDING" || aws.ToString(out.Address.PublicIp) != ip {
		t.Errorf("ModifyAddressAttribute answered %+v, want PENDING for %s", out.Address, ip)
	}

	steps := []struct {
		name    string
		advance time.Duration
		do      func()
		want    []ptrView
	}{
		{"just set", 0, nil, []ptrView{{UpdateValue: "mta1.acme.example.", UpdateStatus: "PENDING"}}},
		{"before PTRDelay", 19 * time.Minute, nil, []ptrView{{UpdateValue: "mta1.acme.example.", UpdateStatus: "PENDING"}}},
		{"after PTRDelay", time.Minute, nil, []ptrView{{PtrRecord: "mta1.acme.example."}}},
		{"release refused while set", 0, func() {
			_, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(id)})
			if got := errorCode(err); got != "InvalidAddress.PtrSet" {
				t.Errorf("ReleaseAddress with a PTR: err = %v, want InvalidAddress.PtrSet", err)
			}
		}, []ptrView{{PtrRecord: "mta1.acme.example."}}},
		{"reset", 0, func() {
			if _, err := c.ResetAddressAttribute(ctx, &ec2.ResetAddressAttributeInput{AllocationId: aws.String(id), Attribute: ec2types.AddressAttributeNameDomainName}); err != nil {
				t.Fatal(err)
			}
		}, []ptrView{{PtrRecord: "mta1.acme.example.", UpdateStatus: "PENDING"}}},
		{"release refused while the reset is pending", 0, func() {
			_, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(id)})
			if got := errorCode(err); got != "InvalidAddress.PtrSet" {
				t.Errorf("ReleaseAddress with a pending reset: err = %v, want InvalidAddress.PtrSet", err)
			}
		}, []ptrView{{PtrRecord: "mta1.acme.example.", UpdateStatus: "PENDING"}}},
		{"reset done", 20 * time.Minute, nil, nil},
		{"release", 0, func() {
			if _, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: aws.String(id)}); err != nil {
				t.Errorf("ReleaseAddress after the reset: %v", err)
			}
		}, nil},
	}
	for _, st := range steps {
		clock.Advance(st.advance)
		if st.do != nil {
			st.do()
		}
		if st.name == "release" {
			// The address is gone: Describe names it as not found.
			_, err := c.DescribeAddressesAttribute(ctx, &ec2.DescribeAddressesAttributeInput{AllocationIds: []string{id}, Attribute: ec2types.AddressAttributeNameDomainName})
			if got := errorCode(err); got != "InvalidAllocationID.NotFound" {
				t.Errorf("after release: err = %v, want InvalidAllocationID.NotFound", err)
			}
			continue
		}
		if diff := cmp.Diff(st.want, describePTR(t, c, id)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", st.name, diff)
		}
	}
}

func TestReverseDNSErrors(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	c := ec2Client(s)
	_, err := c.ModifyAddressAttribute(ctx, &ec2.ModifyAddressAttributeInput{AllocationId: aws.String("eipalloc-00000000000000000"), DomainName: aws.String("x.acme.example")})
	if got := errorCode(err); got != "InvalidAllocationID.NotFound" {
		t.Errorf("unknown allocation: err = %v, want InvalidAllocationID.NotFound", err)
	}
	// Other EC2 calls still reach moto, and releasing an address without a PTR works.
	eip, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: eip.AllocationId}); err != nil {
		t.Errorf("ReleaseAddress without a PTR: %v", err)
	}
	if _, err := c.ReleaseAddress(ctx, &ec2.ReleaseAddressInput{AllocationId: eip.AllocationId}); errorCode(err) != "InvalidAllocationID.NotFound" {
		t.Errorf("second ReleaseAddress: err = %v, want InvalidAllocationID.NotFound", err)
	}
}

// TestAssociateAddressWithSeveralInterfaces: AWS refuses to associate an
// address by instance when the instance has more than one network
// interface; by network interface it works.
func TestAssociateAddressWithSeveralInterfaces(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	c := ec2Client(s)
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12c6146b"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Micro})
	if err != nil {
		t.Fatal(err)
	}
	inst := run.Instances[0]
	eip, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	// One interface: by instance is fine.
	if _, err := c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: eip.AllocationId, InstanceId: inst.InstanceId}); err != nil {
		t.Fatalf("one interface: %v", err)
	}

	eni, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: inst.SubnetId})
	if err != nil {
		t.Fatal(err)
	}
	eniID := eni.NetworkInterface.NetworkInterfaceId
	if _, err := c.AttachNetworkInterface(ctx, &ec2.AttachNetworkInterfaceInput{DeviceIndex: aws.Int32(1), InstanceId: inst.InstanceId, NetworkInterfaceId: eniID}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: eip.AllocationId, InstanceId: inst.InstanceId, AllowReassociation: aws.Bool(true)})
	if got := errorCode(err); got != "InvalidInstanceID" {
		t.Fatalf("two interfaces, by instance: err = %v, want InvalidInstanceID", err)
	}
	if _, err := c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: eip.AllocationId, NetworkInterfaceId: eniID, AllowReassociation: aws.Bool(true)}); err != nil {
		t.Fatalf("two interfaces, by interface: %v", err)
	}
	out, err := c.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{aws.ToString(eip.AllocationId)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Addresses[0].NetworkInterfaceId); got != aws.ToString(eniID) {
		t.Errorf("the address is on interface %q, want %q", got, aws.ToString(eniID))
	}
}
