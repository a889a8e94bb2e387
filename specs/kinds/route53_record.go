package kinds

import "github.com/mailform/mailform/specs"

// recordAttrs are the attributes of a DNS record set, in Route 53 or
// published by the user.
func recordAttrs(replaces bool) []Attr {
	return []Attr{
		{Name: "name", Type: String, Form: DNSName, Replaces: replaces},
		{Name: "type", Type: String, Form: RecordType, Replaces: replaces},
		{Name: "ttl", Type: Int},
		{Name: "values", Type: StringList, Form: RecordValue},
		// true: mailform owns only values inside a set that may hold
		// others (the apex TXT set); other_values are the rest.
		{Name: "shared", Type: Bool},
	}
}

// Route53Record is a record set in a hosted zone the spec declares
// (providers/route53).
var Route53Record = declare(&Schema{
	Kind: specs.KindRoute53Record,
	Attrs: append([]Attr{
		{Name: "zone", Type: String, Form: DNSName, Replaces: true},
		{Name: "zone_id", Type: String},
		{Name: "other_values", Type: StringList, Observed: true},
		{Name: "routing", Type: String, Observed: true}, // set when the set is an alias or has a routing policy
	}, recordAttrs(true)...),
	Identity: []string{"name", "type"},
	Actions: map[Access][]string{
		Read:   {"route53:GetHostedZone", "route53:ListHostedZonesByName", "route53:ListResourceRecordSets"},
		Create: {"route53:ChangeResourceRecordSets", "route53:GetChange"},
		Update: {"route53:ChangeResourceRecordSets", "route53:GetChange"},
		Delete: {"route53:ChangeResourceRecordSets", "route53:GetChange"},
	},
})

// ManualDNSRecord is a record of a domain whose DNS is not in a declared
// zone: plan lists it for the user to publish, apply never writes it, and
// 'mailform check' reads DNS, not AWS (no IAM action).
var ManualDNSRecord = declare(&Schema{
	Kind:    specs.KindManualDNSRecord,
	Attrs:   recordAttrs(false),
	Actions: map[Access][]string{},
})
