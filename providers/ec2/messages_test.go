package ec2

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/mailform/mailform/internal/golden"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// TestMessages records what users read (progress lines, result messages and
// errors) in scripted situations, in testdata/messages.golden.
func TestMessages(t *testing.T) {
	type scenario struct {
		name   string
		stub   func(t *testing.T) *stubEC2
		opts   Options
		change plan.Change
		// applied are the changes the run carried out before this one.
		applied []string
	}
	pending := func(t *testing.T) *stubEC2 { return ptrStub(t, 2) }
	refusedForever := func(t *testing.T) *stubEC2 {
		s := ptrStub(t, 0)
		s.modifyAttribute = func(*ec2.ModifyAddressAttributeInput) (*ec2.ModifyAddressAttributeOutput, error) {
			return nil, apiError(400, "InvalidParameterValue", "Value (mta1.acme.example) for parameter domainName is invalid.")
		}
		return s
	}
	removal := func(t *testing.T) *stubEC2 {
		s := ptrStub(t, 0)
		polls := 0
		s.describeAttribute = func(*ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
			polls++
			if polls > 2 {
				return &ec2.DescribeAddressesAttributeOutput{}, nil
			}
			u := &types.PtrUpdateStatus{Value: aws.String(""), Status: aws.String("PENDING")}
			if polls == 1 {
				u = nil
			}
			return &ec2.DescribeAddressesAttributeOutput{Addresses: []types.AddressAttribute{{AllocationId: aws.String("eipalloc-0007"), PtrRecord: aws.String("mta1.acme.example."), PtrRecordUpdate: u}}}, nil
		}
		s.resetAttribute = func(*ec2.ResetAddressAttributeInput) (*ec2.ResetAddressAttributeOutput, error) {
			return &ec2.ResetAddressAttributeOutput{}, nil
		}
		return s
	}
	lockedRelease := func(t *testing.T) *stubEC2 {
		s := ptrStub(t, 0)
		s.describeAttribute = func(*ec2.DescribeAddressesAttributeInput) (*ec2.DescribeAddressesAttributeOutput, error) {
			return &ec2.DescribeAddressesAttributeOutput{Addresses: []types.AddressAttribute{{AllocationId: aws.String("eipalloc-0007"), PtrRecord: aws.String("mta1.acme.example.")}}}, nil
		}
		return s
	}
	cutAllocation := func(t *testing.T) *stubEC2 {
		looks := 0
		return &stubEC2{t: t,
			describeAddresses: func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
				looks++
				if looks == 1 {
					return &ec2.DescribeAddressesOutput{}, nil
				}
				a := ownedAddress(7, "mta.mta1")
				a.PublicIp = aws.String("203.0.113.7")
				return &ec2.DescribeAddressesOutput{Addresses: []types.Address{a}}, nil
			},
			allocateAddress: func(*ec2.AllocateAddressInput) (*ec2.AllocateAddressOutput, error) {
				return nil, &smithyhttp.RequestSendError{Err: errors.New(`Post "https://ec2.us-west-2.amazonaws.com/": read: connection reset by peer`)}
			},
			createTags: func(*ec2.CreateTagsInput) (*ec2.CreateTagsOutput, error) { return &ec2.CreateTagsOutput{}, nil },
			associateAddress: func(*ec2.AssociateAddressInput) (*ec2.AssociateAddressOutput, error) {
				return &ec2.AssociateAddressOutput{AssociationId: aws.String("eipassoc-0007")}, nil
			},
		}
	}
	eipDelete := plan.Change{Addr: "mta.mta1", Kind: specs.KindEIP, Action: plan.Delete, ID: "eipalloc-0007"}
	ptrDelete := plan.Change{Addr: "mta.mta1/ptr", Kind: KindReverseDNS, Action: plan.Delete, ID: "eipalloc-0007",
		Before: map[string]any{"allocation_id": "eipalloc-0007", "ptr_name": "mta1.acme.example."}}

	scenarios := []scenario{
		{"PTR pending, then set", pending, Options{PollInterval: 20 * time.Second}, ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example."), nil},
		{"PTR pending past the timeout", func(t *testing.T) *stubEC2 { return ptrStub(t, 1000) }, Options{PollInterval: time.Minute, PTRTimeout: 3 * time.Minute}, ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example."), nil},
		{"PTR refused: A record written by this run", refusedForever, Options{PollInterval: 30 * time.Second, ForwardRecordWait: time.Minute}, ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example."), []string{"mta.mta1", "mta.mta1/a"}},
		{"PTR refused: A record older than the run", refusedForever, Options{PollInterval: 30 * time.Second, ForwardRecordWait: time.Minute}, ptrCreate("mta.mta1", "eipalloc-0007", "mta1.acme.example."), nil},
		{"PTR removed", removal, Options{PollInterval: 10 * time.Second}, ptrDelete, nil},
		{"release refused while the PTR is set", lockedRelease, Options{}, eipDelete, nil},
		{"allocation cut off, address adopted", cutAllocation, Options{}, eipCreate("mta.mta1", "mta1.acme.example.", "i-0abc1234def567890"), nil},
	}

	var out strings.Builder
	for _, sc := range scenarios {
		stub := sc.stub(t)
		p, _ := stubProvider(stub, sc.opts)
		var progress []string
		res := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Region: testRegion,
			Changes: []plan.Change{sc.change}, Applied: sc.applied,
			Progress: func(addr, msg string) { progress = append(progress, addr+": "+msg) }})
		fmt.Fprintf(&out, "## %s\n", sc.name)
		for _, l := range progress {
			fmt.Fprintf(&out, "progress: %s\n", l)
		}
		for _, r := range res {
			if r.Err != nil {
				// as apply reports it: the address, once, then the error
				fmt.Fprintf(&out, "error: %s: %v\n", r.Addr, r.Err)
			} else {
				fmt.Fprintf(&out, "done: %s: %s\n", r.Addr, r.Message)
			}
		}
		out.WriteString("\n")
	}

	golden.Check(t, filepath.Join("testdata", "messages.golden"), []byte(out.String()))
}
