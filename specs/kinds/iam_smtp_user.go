package kinds

import "github.com/mailform/mailform/specs"

// IAMSMTPUser is an IAM user with SMTP credentials, its inline policy and
// the secret the credentials are stored in (providers/iam).
var IAMSMTPUser = declare(&Schema{
	Kind: specs.KindSMTPUser,
	Attrs: []Attr{
		{Name: "user_name", Type: String, Replaces: true},
		{Name: "path", Type: String, Replaces: true},
		{Name: "allowed_from", Type: StringList},
		{Name: "policy", Type: String, Form: JSON},
		{Name: "credentials", Type: String, Location: true},
		{Name: "region", Type: String},
		{Name: "password", Type: Secret},
		{Name: "arn", Type: String, Observed: true},
		{Name: "access_key_id", Type: String, Observed: true},
		{Name: "extra_access_key_ids", Type: StringList, Observed: true},
		{Name: SecretUntagged, Type: String, Observed: true},
		// An adopted user's access key whose password mailform cannot
		// know, kept until -replace (providers/iam TagKeptKey).
		{Name: "kept_access_key_id", Type: String, Observed: true},
		// The name of an unmarked user's sending policy that adopting
		// renames to mailform's.
		{Name: "policy_name", Type: String, Observed: true},
	},
	Identity: []string{"user_name"},
	Actions: map[Access][]string{
		Read: {"iam:GetAccountAuthorizationDetails", "iam:GetUser", "iam:GetUserPolicy", "iam:ListAccessKeys", "iam:ListUserPolicies"},
		Create: {
			"iam:CreateAccessKey", "iam:CreateUser", "iam:DeleteAccessKey", "iam:PutUserPolicy", "iam:TagUser",
		},
		Update: {
			"iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:DeleteUserPolicy", "iam:PutUserPolicy",
			"iam:TagUser", "iam:UpdateUser",
		},
		Delete: {"iam:DeleteAccessKey", "iam:DeleteUser", "iam:DeleteUserPolicy"},
	},
})
