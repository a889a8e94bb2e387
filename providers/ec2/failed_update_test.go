package ec2

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
)

// failedUpdate is the domain-name attribute of an address whose PTR update
// to mta1.acme.example. AWS gave up on, with old.acme.example. in effect.
func failedUpdate(inEffect string) types.AddressAttribute {
	a := types.AddressAttribute{AllocationId: aws.String("eipalloc-0007"), PublicIp: aws.String("203.0.113.7"),
		PtrRecordUpdate: &types.PtrUpdateStatus{Value: aws.String("mta1.acme.example."), Status: aws.String("FAILED"), Reason: aws.String("no forward record")}}
	if inEffect != "" {
		a.PtrRecord = aws.String(inEffect)
	}
	return a
}

// TestReadAfterAFailedPTRUpdate: an update AWS gave up on is not the PTR the
// address has; Read reports the PTR in effect, so that the plan asks for the
// wanted one again instead of seeing nothing to do.
func TestReadAfterAFailedPTRUpdate(t *testing.T) {
	tests := []struct {
		name     string
		inEffect string
		want     map[string]any
	}{
		{"with an older PTR", "old.acme.example.", map[string]any{"allocation_id": "eipalloc-0007", "ptr_name": "old.acme.example.", "ptr_status": "FAILED"}},
		{"with none", "", map[string]any{"allocation_id": "eipalloc-0007", "ptr_name": "", "ptr_status": "FAILED"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := &stubEC2{t: t,
				describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
					return &ec2.DescribeAddressesOutput{Addresses: []types.Address{ownedAddress(7, "mta.mta1")}}, nil
				},
				describeAttribute: func(*ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
					return &ec2.DescribeAddressesAttributeOutput{Addresses: []types.AddressAttribute{failedUpdate(tt.inEffect)}}, nil
				},
			}
			p, _ := stubProvider(stub, Options{})
			obs, err := p.Read(t.Context(), testStack, nil)
			if err != nil {
				t.Fatal(err)
			}
			var ptr *plan.Observed
			for i := range obs {
				if obs[i].Addr == "mta.mta1/ptr" {
					ptr = &obs[i]
				}
			}
			if ptr == nil {
				t.Fatalf("no mta.mta1/ptr in %+v", obs)
			}
			if diff := cmp.Diff(tt.want, ptr.Attrs); diff != "" {
				t.Errorf("observed PTR (-want +got):\n%s", diff)
			}
		})
	}
}

// TestApplyAsksAgainAfterAFailedPTRUpdate: apply does not wait on an update
// AWS gave up on; it asks for the PTR again.
func TestApplyAsksAgainAfterAFailedPTRUpdate(t *testing.T) {
	modified := false
	stub := &stubEC2{t: t,
		describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
			a := ownedAddress(7, "mta.mta1")
			a.PublicIp = aws.String("203.0.113.7")
			return &ec2.DescribeAddressesOutput{Addresses: []types.Address{a}}, nil
		},
		describeAttribute: func(*ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
			if modified {
				return &ec2.DescribeAddressesAttributeOutput{Addresses: []types.AddressAttribute{{AllocationId: aws.String("eipalloc-0007"), PtrRecord: aws.String("mta1.acme.example.")}}}, nil
			}
			return &ec2.DescribeAddressesAttributeOutput{Addresses: []types.AddressAttribute{failedUpdate("")}}, nil
		},
		modifyAttribute: func(in *ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error) {
			modified = true
			return &ec2.ModifyAddressAttributeOutput{}, nil
		},
	}
	p, _ := stubProvider(stub, Options{})
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Changes: []plan.Change{ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example.")}})
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	if got := stub.count("ModifyAddressAttribute"); got != 1 {
		t.Errorf("ModifyAddressAttribute called %d times, want 1", got)
	}
}
