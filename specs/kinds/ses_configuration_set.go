package kinds

import "github.com/mailform/mailform/specs"

// SESConfigurationSet is an SES configuration set with its event
// destinations (providers/ses).
var SESConfigurationSet = declare(&Schema{
	Kind: specs.KindSESConfigSet,
	Attrs: []Attr{
		{Name: "name", Type: String, Replaces: true},
		{Name: "suppression", Type: StringList},
		// SES has PutConfigurationSetSuppressionOptions to set a set's own
		// suppression list (an empty one suppresses nothing), and no call that
		// makes a set follow the account's list again: only a set created
		// without SuppressionOptions does.
		{Name: "suppression_override", Type: Bool, ReplacesFrom: &OneWay{
			From:   true,
			Reason: "SES cannot make a configuration set follow the account's suppression list again: the set is re-created without its own list",
		}},
		{Name: "reputation_metrics", Type: Bool},
		{Name: "tls_policy", Type: String},
		{Name: "event_destinations", Type: Map}, // name -> {types, topic_arn, enabled}
	},
	Identity: []string{"name"},
	Actions: map[Access][]string{
		Read: {"ses:GetConfigurationSet", "ses:GetConfigurationSetEventDestinations", "ses:ListConfigurationSets"},
		Create: {
			"ses:CreateConfigurationSet", "ses:CreateConfigurationSetEventDestination",
		},
		Update: {
			"ses:CreateConfigurationSetEventDestination", "ses:DeleteConfigurationSetEventDestination",
			"ses:PutConfigurationSetDeliveryOptions", "ses:PutConfigurationSetReputationOptions",
			"ses:PutConfigurationSetSuppressionOptions", "ses:TagResource", "ses:UntagResource",
			"ses:UpdateConfigurationSetEventDestination",
		},
		Delete: {"ses:DeleteConfigurationSet"},
	},
})
