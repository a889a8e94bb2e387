package kinds

import "github.com/mailform/mailform/specs"

// SESAccount is the account-level settings of SES (providers/ses): a
// singleton, always updated in place.
var SESAccount = declare(&Schema{
	Kind: specs.KindSESAccount,
	Attrs: []Attr{
		{Name: "suppression", Type: StringList},
	},
	Actions: map[Access][]string{
		Read:   {"ses:GetAccount"},
		Create: {"ses:PutAccountSuppressionAttributes"},
		Update: {"ses:PutAccountSuppressionAttributes"},
		Delete: {"ses:PutAccountSuppressionAttributes"},
	},
})
