package kinds

import "github.com/mailform/mailform/specs"

// EC2EIP is an Elastic IP of an MTA (providers/ec2): always updated in
// place, and named by nothing but its allocation.
var EC2EIP = declare(&Schema{
	Kind: specs.KindEIP,
	Attrs: []Attr{
		{Name: "hostname", Type: String, Form: DNSName},
		{Name: "instance_id", Type: String},
		{Name: "network_interface_id", Type: String},
		// Declared only to adopt an existing address (mta's allocation_id).
		{Name: "allocation_id", Type: String},
		{Name: "public_ip", Type: String, Observed: true},
		{Name: "association_id", Type: String, Observed: true},
		{Name: "extra_allocation_ids", Type: StringList, Observed: true},
	},
	Actions: map[Access][]string{
		Read:   {"ec2:DescribeAddresses"},
		Create: {"ec2:AllocateAddress", "ec2:AssociateAddress", "ec2:CreateTags"},
		Update: {"ec2:AssociateAddress", "ec2:CreateTags", "ec2:DisassociateAddress"},
		Delete: {"ec2:DisassociateAddress", "ec2:ReleaseAddress"},
	},
})
