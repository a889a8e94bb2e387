package kinds

import "github.com/mailform/mailform/specs"

// SESIdentity is a domain or email-address identity of SES (providers/ses).
var SESIdentity = declare(&Schema{
	Kind: specs.KindSESIdentity,
	Attrs: []Attr{
		{Name: "identity", Type: String, Form: Domain, Replaces: true},
		{Name: "type", Type: String, Replaces: true},
		{Name: "dkim_mode", Type: String},
		{Name: "dkim_key_length", Type: Int},
		{Name: "dkim_selector", Type: String},
		{Name: "dkim_private_key", Type: String, Location: true}, // BYODKIM: the key the identity signs with
		{Name: "configuration_set", Type: String},
		{Name: "mail_from_domain", Type: String, Form: Domain},
		{Name: "mail_from_on_mx_failure", Type: String},
		{Name: "bounce_topic", Type: String},
		{Name: "complaint_topic", Type: String},
		{Name: "delivery_topic", Type: String},
		{Name: "feedback_forwarding", Type: Bool},
		{Name: "notification_headers", Type: Bool, Observed: true}, // no block sets it yet; the provider converges it when named
		{Name: "arn", Type: String, Observed: true},
		{Name: "dkim_tokens", Type: StringList, Observed: true},
		{Name: "verification_status", Type: String, Observed: true},
		{Name: "dkim_status", Type: String, Observed: true},
		{Name: "mail_from_status", Type: String, Observed: true},
	},
	Identity: []string{"identity"},
	Actions: map[Access][]string{
		Read: {
			"ses:GetEmailIdentity", "ses:GetIdentityNotificationAttributes",
			"ses:GetIdentityVerificationAttributes", // declared identities the index does not show yet, by name; the batch read
			"ses:GetIdentityDkimAttributes",         // the batch reads of a plain plan (providers/ses identity_batch.go)
			"ses:GetIdentityMailFromDomainAttributes",
			"tag:GetResources", // the stack's identities by their mark (providers/ses identity_read.go)
		},
		Create: {
			"ses:CreateEmailIdentity", "ses:PutEmailIdentityConfigurationSetAttributes",
			"ses:PutEmailIdentityDkimAttributes", "ses:PutEmailIdentityDkimSigningAttributes",
			"ses:PutEmailIdentityFeedbackAttributes", "ses:PutEmailIdentityMailFromAttributes",
			"ses:SetIdentityHeadersInNotificationsEnabled", "ses:SetIdentityNotificationTopic", "ses:TagResource",
		},
		Update: {
			"ses:PutEmailIdentityConfigurationSetAttributes", "ses:PutEmailIdentityDkimAttributes",
			"ses:PutEmailIdentityDkimSigningAttributes", "ses:PutEmailIdentityFeedbackAttributes",
			"ses:PutEmailIdentityMailFromAttributes", "ses:SetIdentityHeadersInNotificationsEnabled",
			"ses:SetIdentityNotificationTopic", "ses:TagResource", "ses:UntagResource",
		},
		Delete: {"ses:DeleteEmailIdentity"},
	},
})
