package ec2

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/mailform/mailform/specs"
)

// Address is an Elastic IP of the region as `mailform import` reports it.
type Address struct {
	PublicIP, AllocationID string
	PTR                    string // the reverse-DNS name, fully qualified, or ""
	Owner                  string // the stack of its mailform:stack tag, or ""
	// InstanceID and NetworkInterfaceID say what the address is associated
	// with; both "" when it is not.
	InstanceID, NetworkInterfaceID string
}

// Addresses lists every Elastic IP of the region with its reverse DNS, for
// `mailform import`. Calls: one DescribeAddresses and one
// DescribeAddressesAttribute per 1000 addresses, the reads plan makes.
func (p *Provider) Addresses(ctx context.Context) ([]Address, error) {
	out, err := p.api.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	if err != nil {
		return nil, fmt.Errorf("listing the Elastic IPs: %w", err)
	}
	ptrs, err := p.describePTRs(ctx, allocationIDs(out.Addresses))
	if err != nil {
		return nil, fmt.Errorf("reading the reverse DNS of the Elastic IPs: %w", err)
	}
	var list []Address
	for _, a := range out.Addresses {
		id := aws.ToString(a.AllocationId)
		if id == "" {
			continue // an EC2-Classic address: no allocation, no reverse DNS through the API
		}
		ptr := aws.ToString(ptrs[id].PtrRecord)
		if ptr != "" {
			ptr = strings.ToLower(specs.Fqdn(ptr))
		}
		list = append(list, Address{
			PublicIP: aws.ToString(a.PublicIp), AllocationID: id, PTR: ptr, Owner: tag(a.Tags, specs.TagStack),
			InstanceID: aws.ToString(a.InstanceId), NetworkInterfaceID: aws.ToString(a.NetworkInterfaceId),
		})
	}
	return list, nil
}
