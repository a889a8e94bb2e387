package kinds

import "github.com/mailform/mailform/specs"

// EC2ReverseDNS is the PTR record of an Elastic IP (providers/ec2).
var EC2ReverseDNS = declare(&Schema{
	Kind: specs.KindReverseDNS,
	Attrs: []Attr{
		{Name: "allocation_id", Type: String},
		{Name: "ptr_name", Type: String, Form: DNSName},
		{Name: "ptr_status", Type: String, Observed: true},
	},
	Actions: map[Access][]string{
		Read:   {"ec2:DescribeAddressesAttribute"},
		Create: {"ec2:ModifyAddressAttribute"},
		Update: {"ec2:ModifyAddressAttribute"},
		Delete: {"ec2:ResetAddressAttribute"},
	},
})
