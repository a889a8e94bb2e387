// Package permissions knows which AWS operations mailform calls, per
// resource kind and per kind of access (read, create, update, delete), per
// secret store, and for the stack lock, and derives from a spec the least
// IAM policy that lets 'mailform plan' and 'mailform apply' do their work.
//
// The table is kept honest by an acceptance test that runs mailform against
// the local AWS double and fails if any operation called is missing here. It
// must not call AWS, print, or decide anything about a plan.
package permissions

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/mailform/mailform/specs"
)

// Access is what mailform does to a resource.
type Access string

// The kinds of access.
const (
	Read   Access = "read"   // plan: read live state
	Create Access = "create" // apply: make it
	Update Access = "update" // apply: change it in place (or replace it)
	Delete Access = "delete" // apply: remove it
)

// Accesses lists every Access, in order.
var Accesses = []Access{Read, Create, Update, Delete}

// byKind lists the IAM actions each provider calls for each kind. Every
// provider reads on every plan, whatever the spec holds, because it looks
// for resources of removed blocks (the stack's ownership mark) to delete.
var byKind = map[specs.Kind]map[Access][]string{
	specs.KindRoute53Record: {
		Read:   {"route53:GetHostedZone", "route53:ListHostedZonesByName", "route53:ListResourceRecordSets"},
		Create: {"route53:ChangeResourceRecordSets", "route53:GetChange"},
		Update: {"route53:ChangeResourceRecordSets", "route53:GetChange"},
		Delete: {"route53:ChangeResourceRecordSets", "route53:GetChange"},
	},
	specs.KindManualDNSRecord: {}, // published by the user; 'mailform check' reads DNS, not AWS
	specs.KindSESIdentity: {
		Read: {
			"ses:GetEmailIdentity", "ses:GetIdentityNotificationAttributes", "ses:ListEmailIdentities",
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
	specs.KindSESConfigSet: {
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
	specs.KindSESAccount: {
		Read:   {"ses:GetAccount"},
		Create: {"ses:PutAccountSuppressionAttributes"},
		Update: {"ses:PutAccountSuppressionAttributes"},
		Delete: {"ses:PutAccountSuppressionAttributes"},
	},
	specs.KindSNSTopic: {
		Read:   {"sns:GetTopicAttributes", "sns:ListTagsForResource", "sns:ListTopics"},
		Create: {"sns:CreateTopic", "sns:SetTopicAttributes", "sns:TagResource"},
		Update: {"sns:SetTopicAttributes", "sns:TagResource"},
		Delete: {"sns:DeleteTopic"},
	},
	specs.KindAlarm: {
		Read:   {"cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"},
		Create: {"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"},
		Update: {"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"},
		Delete: {"cloudwatch:DeleteAlarms"},
	},
	specs.KindSQSQueue: {
		Read: {
			"sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic",
			"sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListQueueTags", "sqs:ListQueues",
		},
		Create: {
			"sns:SetSubscriptionAttributes", "sns:Subscribe",
			"sqs:CreateQueue", "sqs:SetQueueAttributes", "sqs:TagQueue",
		},
		Update: {
			"sns:SetSubscriptionAttributes", "sns:Subscribe", "sns:Unsubscribe",
			"sqs:SetQueueAttributes", "sqs:TagQueue",
		},
		Delete: {"sns:Unsubscribe", "sqs:DeleteQueue"},
	},
	specs.KindSMTPUser: {
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
	specs.KindEIP: {
		Read:   {"ec2:DescribeAddresses"},
		Create: {"ec2:AllocateAddress", "ec2:AssociateAddress", "ec2:CreateTags"},
		Update: {"ec2:AssociateAddress", "ec2:CreateTags", "ec2:DisassociateAddress"},
		Delete: {"ec2:DisassociateAddress", "ec2:ReleaseAddress"},
	},
	specs.KindReverseDNS: {
		Read:   {"ec2:DescribeAddressesAttribute"},
		Create: {"ec2:ModifyAddressAttribute"},
		Update: {"ec2:ModifyAddressAttribute"},
		Delete: {"ec2:ResetAddressAttribute"},
	},
	specs.KindDKIMKey: {}, // only the secret store (SecretActions)
}

// secretStore lists the IAM actions of each secret store on one secret (the
// reads that find the stack's secrets of removed blocks are in discovery).
var secretStore = map[string]map[Access][]string{
	"ssm": {
		Read:   {"ssm:GetParameter", "ssm:ListTagsForResource"},
		Create: {"ssm:AddTagsToResource", "ssm:PutParameter"},
		Update: {"ssm:AddTagsToResource", "ssm:PutParameter"},
		Delete: {"ssm:DeleteParameter"},
	},
	"secretsmanager": {
		Read:   {"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"},
		Create: {"secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:RestoreSecret", "secretsmanager:TagResource"},
		Update: {"secretsmanager:PutSecretValue", "secretsmanager:TagResource"},
		Delete: {"secretsmanager:DeleteSecret"},
	},
	"file": {}, // a file beside the spec: no AWS call
}

// discovery are the reads every plan makes of the secret stores, whatever
// locations the spec names: they find the stack's secrets of removed blocks.
// Neither action can be scoped to a resource.
var discovery = []string{"secretsmanager:ListSecrets", "ssm:DescribeParameters"}

// LockActions are the calls of the stack lock (an SSM parameter) that every
// apply takes and releases, and 'mailform unlock' reads and deletes.
var LockActions = []string{"ssm:DeleteParameter", "ssm:GetParameter", "ssm:PutParameter"}

// Free are calls that need no IAM permission: AWS allows them to everyone.
var Free = []string{"sts:GetCallerIdentity"}

// Conditional names the actions of the table that a plain create, change or
// destroy of the examples does not call, with the reason they are listed:
// the test that keeps the table in sync with the calls mailform makes does
// not require them to be called.
var Conditional = map[string]string{
	"cloudwatch:ListTagsForResource":                 "only for an alarm whose name starts with the stack's (<stack>-)",
	"cloudwatch:TagResource":                         "tagging at creation (PutMetricAlarm Tags) needs it; called itself only to mark an adopted alarm",
	"ec2:CreateTags":                                 "tagging at creation (AllocateAddress TagSpecifications) needs it; called itself only to mark an adopted address",
	"iam:TagUser":                                    "tagging at creation (CreateUser Tags) needs it; called itself only to mark an adopted user",
	"sns:TagResource":                                "tagging at creation (CreateTopic Tags) needs it; called itself only to mark an adopted topic",
	"sqs:TagQueue":                                   "tagging at creation (CreateQueue tags) needs it; called itself only to mark an adopted queue",
	"ses:TagResource":                                "tagging at creation (CreateEmailIdentity, CreateConfigurationSet Tags) needs it; called itself only to mark an adopted resource",
	"ses:UntagResource":                              "only when a tag must go",
	"iam:UpdateUser":                                 "only when a user's path changes",
	"iam:GetUserPolicy":                              "only for a declared user that GetAccountAuthorizationDetails does not list yet (created moments ago)",
	"route53:GetHostedZone":                          "only for a zone block that pins zone_id",
	"route53:GetChange":                              "only to wait for a change to be INSYNC (apply -wait, reverse DNS after an A record)",
	"ses:PutAccountSuppressionAttributes":            "only when the account's suppression list differs from the spec",
	"ses:PutEmailIdentityConfigurationSetAttributes": "only when an identity's default configuration set changes",
	"ses:PutEmailIdentityDkimAttributes":             "only when DKIM signing is turned on or off",
	"ses:PutEmailIdentityDkimSigningAttributes":      "only for a DKIM key length other than SES's default, or a change of DKIM mode",
	"ses:SetIdentityHeadersInNotificationsEnabled":   "only when headers in notifications are asked for",
	"sns:SetSubscriptionAttributes":                  "only when a subscription's attributes differ",
}

// Kinds lists the kinds the table covers, sorted.
func Kinds() []specs.Kind {
	out := make([]specs.Kind, 0, len(byKind))
	for k := range byKind {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Actions returns the IAM actions mailform calls for access to resources of
// kind, sorted; none for a kind it does not know.
func Actions(kind specs.Kind, access Access) []string {
	return sorted(byKind[kind][access])
}

// SecretActions returns the IAM actions of access to one secret location
// ("ssm:/name", "secretsmanager:id", "file:path"), sorted.
func SecretActions(location string, access Access) []string {
	store, _, _ := strings.Cut(location, ":")
	return sorted(secretStore[store][access])
}

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Policy.
type Statement struct {
	Sid      string   `json:"Sid"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

// Options shape the policy For derives.
type Options struct {
	// PlanOnly leaves out everything apply needs beyond plan: the changes
	// and the lock. For a role that only plans (a pull-request pipeline).
	PlanOnly bool
}

// For returns the least policy that lets mailform plan (and, unless
// opts.PlanOnly, apply) spec: the reads of every provider; the create,
// update and delete actions of the kinds the spec holds; the stack lock's
// parameter; and the secret locations the spec names, each scoped to its
// ARN.
func For(spec *specs.Spec, opts Options) Policy {
	region := spec.Region
	if region == "" {
		region = "*"
	}
	read := map[string]bool{}
	change := map[string]bool{}
	for _, kind := range Kinds() {
		for _, a := range byKind[kind][Read] {
			read[a] = true
		}
	}
	for _, a := range discovery {
		read[a] = true
	}
	kinds := map[specs.Kind]bool{}
	secretRead := map[string]map[string]bool{}   // ARN -> actions
	secretChange := map[string]map[string]bool{} // ARN -> actions
	for _, r := range spec.Resources() {
		kinds[r.Kind] = true
		for _, loc := range secretLocations(r) {
			arn := secretARN(loc, region)
			if arn == "" {
				continue
			}
			addAll(secretRead, arn, SecretActions(loc, Read))
			for _, access := range []Access{Create, Update, Delete} {
				addAll(secretChange, arn, SecretActions(loc, access))
			}
		}
	}
	for kind := range kinds {
		for _, access := range []Access{Create, Update, Delete} {
			for _, a := range byKind[kind][access] {
				change[a] = true
			}
		}
	}

	p := Policy{Version: "2012-10-17"}
	p.Statement = append(p.Statement, Statement{Sid: "MailformPlanReads", Effect: "Allow", Action: keys(read), Resource: []string{"*"}})
	p.Statement = append(p.Statement, secretStatements("MailformReadSecret", secretRead)...)
	if opts.PlanOnly {
		return p
	}
	if len(change) > 0 {
		p.Statement = append(p.Statement, Statement{Sid: "MailformApplyChanges", Effect: "Allow", Action: keys(change), Resource: []string{"*"}})
	}
	p.Statement = append(p.Statement, secretStatements("MailformWriteSecret", secretChange)...)
	p.Statement = append(p.Statement, Statement{
		Sid: "MailformStackLock", Effect: "Allow", Action: sorted(LockActions),
		Resource: []string{"arn:aws:ssm:" + region + ":*:parameter/mailform/locks/" + spec.Stack},
	})
	return p
}

// Actions returns every action the policy allows, sorted, whatever resource.
func (p Policy) Actions() []string {
	set := map[string]bool{}
	for _, s := range p.Statement {
		for _, a := range s.Action {
			set[a] = true
		}
	}
	return keys(set)
}

// JSON renders the policy as indented JSON, ready for 'aws iam put-role-policy'.
func (p Policy) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// secretLocations lists the secret locations a resource reads or writes.
func secretLocations(r specs.Resource) []string {
	var out []string
	for _, attr := range []string{"credentials", "location", "dkim_private_key"} {
		if s, ok := r.Attrs[attr].(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// secretARN is the ARN pattern of a secret location in region, or "" for a
// location that is not in AWS (file:).
func secretARN(location, region string) string {
	store, name, _ := strings.Cut(location, ":")
	switch store {
	case "ssm":
		return "arn:aws:ssm:" + region + ":*:parameter/" + strings.TrimPrefix(name, "/")
	case "secretsmanager":
		// Secrets Manager appends six random characters to a secret's ARN.
		return "arn:aws:secretsmanager:" + region + ":*:secret:" + name + "-??????"
	}
	return ""
}

// secretStatements groups secret ARNs that need the same actions.
func secretStatements(sid string, byARN map[string]map[string]bool) []Statement {
	groups := map[string][]string{} // joined actions -> ARNs
	for arn, actions := range byARN {
		if len(actions) == 0 {
			continue
		}
		k := strings.Join(keys(actions), " ")
		groups[k] = append(groups[k], arn)
	}
	var out []Statement
	for i, k := range specs.SortedKeys(groups) {
		s := Statement{Sid: sid, Effect: "Allow", Action: strings.Fields(k), Resource: sorted(groups[k])}
		if len(groups) > 1 {
			s.Sid += string(rune('A' + i))
		}
		out = append(out, s)
	}
	return out
}

func addAll(m map[string]map[string]bool, key string, actions []string) {
	if m[key] == nil {
		m[key] = map[string]bool{}
	}
	for _, a := range actions {
		m[key][a] = true
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sorted(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}
