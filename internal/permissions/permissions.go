// Package permissions knows which AWS operations mailform calls, per
// resource kind and per kind of access (read, create, update, delete: read
// from the kinds' schemas, specs/kinds), per secret store, for the stack
// lock and for each command, and derives from a spec the least IAM policy
// that lets one command (plan, apply, check, status, test-send, requests,
// unlock, import) or all of them do their work, with ARNs in the caller's
// partition and account.
//
// The table is kept honest by an acceptance test that runs every command
// of the examples as an IAM user holding exactly the policy For prints,
// against the local AWS double enforcing IAM, and removes each statement in
// turn to see the command refused. It must not call AWS, print, or decide
// anything about a plan.
package permissions

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mailform/mailform/specs"
	"github.com/mailform/mailform/specs/kinds"
)

// Access is what mailform does to a resource: the accesses of the kinds'
// schemas (specs/kinds), and ReadValue for secrets.
type Access = kinds.Access

// The kinds of access.
const (
	Read             = kinds.Read   // plan: read live state (of a secret: its tags and metadata)
	ReadValue Access = "read-value" // apply: read a stored secret's value
	Create           = kinds.Create // apply: make it
	Update           = kinds.Update // apply: change it in place (or replace it)
	Delete           = kinds.Delete // apply: remove it
)

// Accesses lists every Access, in order.
var Accesses = []Access{Read, Create, Update, Delete}

// byKind lists the IAM actions each provider calls for each kind: those of
// the kind's schema (specs/kinds, one file per kind). Every provider reads
// on every plan, whatever the spec holds, because it looks for resources of
// removed blocks (the stack's ownership mark) to delete.
var byKind = actionsByKind()

func actionsByKind() map[specs.Kind]map[Access][]string {
	out := map[specs.Kind]map[Access][]string{}
	for _, s := range kinds.All() {
		out[s.Kind] = s.Actions
	}
	return out
}

// secretStore lists the IAM actions of each secret store on one secret (the
// reads that find the stack's secrets of removed blocks are in discovery).
//
// Read is what plan needs: the secret's tags and metadata, never its value
// (a role that plans cannot decrypt a secret); ReadValue is what apply
// needs to keep or rotate what is stored.
var secretStore = map[string]map[Access][]string{
	"ssm": {
		Read:      {"ssm:ListTagsForResource"},
		ReadValue: {"ssm:GetParameter"},
		Create:    {"ssm:AddTagsToResource", "ssm:PutParameter"},
		Update:    {"ssm:AddTagsToResource", "ssm:PutParameter"},
		Delete:    {"ssm:DeleteParameter"},
	},
	"secretsmanager": {
		Read:      {"secretsmanager:DescribeSecret"},
		ReadValue: {"secretsmanager:GetSecretValue"},
		Create:    {"secretsmanager:CreateSecret", "secretsmanager:PutSecretValue", "secretsmanager:RestoreSecret", "secretsmanager:TagResource"},
		Update:    {"secretsmanager:PutSecretValue", "secretsmanager:TagResource"},
		Delete:    {"secretsmanager:DeleteSecret"},
	},
	"file": {}, // a file beside the spec: no AWS call
}

// discovery are the reads every plan makes of the secret stores, whatever
// locations the spec names: they find the stack's secrets of removed blocks
// by their tags and read those tags. None reads a secret value; they are
// granted on every resource because the secrets of removed blocks are at
// locations the spec no longer names.
var discovery = []string{"secretsmanager:DescribeSecret", "secretsmanager:ListSecrets", "ssm:DescribeParameters", "ssm:ListTagsForResource"}

// waitReads are the reads of 'apply -wait' and 'check' while they wait for
// SES to verify identities: SES v1's batch reads (100 identities a call)
// once they cost fewer calls than one GetEmailIdentity per identity.
var waitReads = []string{
	"ses:GetEmailIdentity", "ses:GetIdentityDkimAttributes",
	"ses:GetIdentityMailFromDomainAttributes", "ses:GetIdentityVerificationAttributes",
}

// commandReads are the calls of the commands that only read (and of
// test-send, which also sends and drains its queue), beyond the providers'
// reads for those that make a plan of live state.
var commandReads = map[Command][]string{
	Status: {"ses:GetAccount", "ses:GetSendStatistics", "cloudwatch:DescribeAlarms"},
	TestSend: {
		"ses:GetAccount", "ses:GetConfigurationSetEventDestinations", "ses:GetEmailIdentity",
		"ses:GetIdentityNotificationAttributes", "sns:ListSubscriptionsByTopic", "sns:ListTopics",
		"sqs:GetQueueAttributes", "sqs:GetQueueUrl",
	},
	Requests: {"ses:GetSendStatistics", "sns:ListSubscriptionsByTopic"},
	// check -bulk-sender reads SES's reputation metrics.
	Check: {"cloudwatch:GetMetricStatistics"},
	// import lists every SES identity of the region (a plan reads only
	// those the spec declares or the stack marks), and what else an account
	// set up by hand holds: SMTP users, Elastic IPs and alarms, to report.
	Import: {"ses:ListEmailIdentities"},
}

// commandChanges are what test-send and 'requests -submit' change: the test
// messages it sends and the notifications it takes off the queue, and the
// production-access request.
var commandChanges = map[Command][]string{
	TestSend: {"ses:SendEmail", "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"},
	Requests: {"ses:PutAccountDetails"},
}

// LockActions are the calls of the stack lock (an SSM parameter) that every
// apply takes and releases, and 'mailform unlock' reads and deletes.
var LockActions = []string{"ssm:DeleteParameter", "ssm:GetParameter", "ssm:PutParameter"}

// unlockActions are the calls of 'mailform unlock' on the lock.
var unlockActions = []string{"ssm:DeleteParameter", "ssm:GetParameter"}

// Conditional names the actions of the table that a plain create, change or
// destroy of the examples does not call, with the reason they are listed:
// the acceptance test that requires every listed action to be called by
// some command of some example (no action granted for nothing) lets these
// be. (sts:GetCallerIdentity, for the account and partition, needs no
// permission: AWS allows it to everyone.)
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

// Command is a mailform command a policy is for.
type Command string

// The commands 'mailform permissions -for' knows.
const (
	Plan     Command = "plan"
	Apply    Command = "apply"
	Check    Command = "check"
	Status   Command = "status"
	TestSend Command = "test-send"
	Requests Command = "requests"
	Unlock   Command = "unlock"
	Import   Command = "import"
	// All is the union of every command's policy.
	All Command = "all"
)

// Commands lists the commands with a policy of their own, in order.
var Commands = []Command{Plan, Apply, Check, Status, TestSend, Requests, Unlock, Import}

// ParseCommand reads a command name given to 'permissions -for'.
func ParseCommand(s string) (Command, error) {
	c := Command(s)
	if c == All || slices.Contains(Commands, c) {
		return c, nil
	}
	names := make([]string, 0, len(Commands)+1)
	for _, c := range Commands {
		names = append(names, string(c))
	}
	return "", fmt.Errorf("no policy for %q: want one of %s, or all", s, strings.Join(names, ", "))
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
	// Command is the command the policy is for; "" means Apply.
	Command Command
	// Partition is the AWS partition of the ARNs ("aws", "aws-us-gov",
	// "aws-cn"), from STS; "" means "aws".
	Partition string
	// Account is the account ID of the ARNs, from STS; "" means any ("*").
	Account string
}

// The statements of a policy, by Sid, in the order they are printed.
const (
	sidReads            = "MailformReads"          // every read on "*": none reads a secret value
	sidChanges          = "MailformChanges"        // creates, updates, deletes that cannot be scoped by name
	sidStackNamed       = "MailformStackResources" // topics, queues and configuration sets named after the stack
	sidSMTPUsers        = "MailformSMTPUsers"      // IAM changes, on the spec's SMTP users only
	sidSSMSecrets       = "MailformSecretsInSSM"   // the spec's secret parameters
	sidSMSecrets        = "MailformSecretsInSecretsManager"
	sidStackLock        = "MailformStackLock"
	sidTestSend         = "MailformTestSend"
	sidProductionAccess = "MailformProductionAccess"
)

var sidOrder = []string{sidReads, sidChanges, sidStackNamed, sidSMTPUsers, sidSSMSecrets, sidSMSecrets, sidStackLock, sidTestSend, sidProductionAccess}

// grants collects actions and resources by statement.
type grants map[string]*grant

type grant struct {
	actions, resources map[string]bool
}

func (g grants) add(sid string, resources []string, actions ...string) {
	if len(actions) == 0 || len(resources) == 0 {
		return
	}
	st := g[sid]
	if st == nil {
		st = &grant{actions: map[string]bool{}, resources: map[string]bool{}}
		g[sid] = st
	}
	for _, a := range actions {
		st.actions[a] = true
	}
	for _, r := range resources {
		st.resources[r] = true
	}
}

// For returns the least policy that lets mailform run opts.Command on spec:
//
//   - plan: the reads of every provider (each looks for what removed blocks
//     left behind) and of the secret stores' tags, all on "*"; no secret
//     value;
//   - apply: plan's reads, the waits of -wait, the create, update and delete
//     actions of the kinds the spec holds (on topics, queues and
//     configuration sets named after the stack), IAM changes on the spec's
//     SMTP users, the values of the secret locations it names, and the
//     stack's lock parameter, each scoped to its ARN;
//   - check: plan's reads and the waits; status: the account's state;
//   - test-send: the reads, sends and queue calls of a round trip, and the
//     SMTP credentials' values for -smtp; requests: plan's reads, the
//     sending statistics and, for -submit, PutAccountDetails; unlock: the
//     lock parameter; import: plan's reads.
func For(spec *specs.Spec, opts Options) Policy {
	if opts.Command == "" {
		opts.Command = Apply
	}
	b := builder{spec: spec, g: grants{}, partition: opts.Partition, account: opts.Account, region: spec.Region}
	if b.partition == "" {
		b.partition = "aws"
	}
	if b.account == "" {
		b.account = "*"
	}
	if b.region == "" {
		b.region = "*"
	}
	if opts.Command == All {
		for _, c := range Commands {
			b.command(c)
		}
	} else {
		b.command(opts.Command)
	}
	p := Policy{Version: "2012-10-17"}
	for _, sid := range sidOrder {
		st := b.g[sid]
		if st == nil {
			continue
		}
		p.Statement = append(p.Statement, Statement{Sid: sid, Effect: "Allow", Action: keys(st.actions), Resource: keys(st.resources)})
	}
	return p
}

// builder adds the grants of commands for one spec.
type builder struct {
	spec                       *specs.Spec
	g                          grants
	partition, account, region string
}

var everything = []string{"*"}

func (b *builder) command(c Command) {
	switch c {
	case Plan:
		b.planReads()
	case Apply:
		b.planReads()
		b.g.add(sidReads, everything, waitReads...)
		b.changes()
		b.secrets(func(specs.Resource, string) bool { return true }, ReadValue, Create, Update, Delete)
		b.g.add(sidStackLock, []string{b.lockARN()}, LockActions...)
	case Check:
		b.planReads()
		b.g.add(sidReads, everything, waitReads...)
		b.g.add(sidReads, everything, commandReads[Check]...)
	case Status:
		b.g.add(sidReads, everything, commandReads[Status]...)
	case TestSend:
		b.g.add(sidReads, everything, commandReads[TestSend]...)
		b.g.add(sidTestSend, everything, commandChanges[TestSend]...)
		// -smtp signs in with the stored SMTP credentials.
		b.secrets(func(r specs.Resource, attr string) bool { return r.Kind == specs.KindSMTPUser }, ReadValue)
	case Requests:
		b.planReads()
		b.g.add(sidReads, everything, commandReads[Requests]...)
		b.g.add(sidProductionAccess, everything, commandChanges[Requests]...)
	case Unlock:
		b.g.add(sidStackLock, []string{b.lockARN()}, unlockActions...)
	case Import:
		// import lists what no spec names yet with the same reads (SES
		// identities and configuration sets, hosted zones by name), then
		// reads and plans what it found as plan does. It changes nothing.
		b.planReads()
		b.g.add(sidReads, everything, commandReads[Import]...)
	}
}

// planReads are the reads of a plan of live state: every provider's, and
// the secret stores' discovery.
func (b *builder) planReads() {
	for _, kind := range Kinds() {
		b.g.add(sidReads, everything, byKind[kind][Read]...)
	}
	b.g.add(sidReads, everything, discovery...)
}

// changes are the create, update and delete actions of the kinds the spec
// holds; those on IAM users are scoped to the spec's SMTP users.
func (b *builder) changes() {
	kinds := map[specs.Kind]bool{}
	var users []string
	for _, r := range b.spec.Resources() {
		kinds[r.Kind] = true
		if r.Kind == specs.KindSMTPUser {
			name, _ := r.Attrs["user_name"].(string)
			path, _ := r.Attrs["path"].(string)
			if path == "" {
				path = "/"
			}
			users = append(users, "arn:"+b.partition+":iam::"+b.account+":user"+path+name)
		}
	}
	for _, kind := range Kinds() {
		if !kinds[kind] {
			continue
		}
		for _, access := range []Access{Create, Update, Delete} {
			for _, a := range byKind[kind][access] {
				switch {
				case kind == specs.KindSMTPUser && strings.HasPrefix(a, "iam:"):
					b.g.add(sidSMTPUsers, users, a)
				case stackNamed[a] != "":
					b.g.add(sidStackNamed, []string{b.stackNamedARN(stackNamed[a])}, a)
				default:
					b.g.add(sidChanges, everything, a)
				}
			}
		}
	}
}

// stackNamed are the change actions on resources whose names start with
// the stack's name (docs/resources.md: topics and configuration sets
// "<stack>-<label>", queues "<stack>-<label>-feedback"), by the service
// whose ARN pattern they are scoped to. Those of removed blocks have the
// same prefix, so scoping by it keeps their deletion allowed. Calls on
// subscriptions (Unsubscribe, SetSubscriptionAttributes) and tag calls that
// also reach identities stay on "*".
var stackNamed = map[string]string{
	"sns:CreateTopic": "sns", "sns:SetTopicAttributes": "sns", "sns:TagResource": "sns",
	"sns:DeleteTopic": "sns", "sns:Subscribe": "sns",
	"sqs:CreateQueue": "sqs", "sqs:SetQueueAttributes": "sqs", "sqs:TagQueue": "sqs", "sqs:DeleteQueue": "sqs",
	"ses:CreateConfigurationSet": "ses", "ses:DeleteConfigurationSet": "ses",
	"ses:CreateConfigurationSetEventDestination": "ses", "ses:UpdateConfigurationSetEventDestination": "ses",
	"ses:DeleteConfigurationSetEventDestination": "ses", "ses:PutConfigurationSetDeliveryOptions": "ses",
	"ses:PutConfigurationSetReputationOptions": "ses", "ses:PutConfigurationSetSuppressionOptions": "ses",
}

// stackNamedARN is the ARN pattern of a service's resources named after
// the stack.
func (b *builder) stackNamedARN(service string) string {
	resource := b.spec.Stack + "-*"
	if service == "ses" {
		resource = "configuration-set/" + resource
	}
	return "arn:" + b.partition + ":" + service + ":" + b.region + ":" + b.account + ":" + resource
}

// secrets grants accesses to the secret locations of the resources want
// keeps, each scoped to its ARN.
func (b *builder) secrets(want func(r specs.Resource, attr string) bool, accesses ...Access) {
	for _, r := range b.spec.Resources() {
		for _, attr := range kinds.Locations(r.Kind) {
			loc, _ := r.Attrs[attr].(string)
			if loc == "" || !want(r, attr) {
				continue
			}
			arn := b.secretARN(loc)
			if arn == "" {
				continue
			}
			sid := sidSSMSecrets
			if strings.HasPrefix(loc, "secretsmanager:") {
				sid = sidSMSecrets
			}
			for _, access := range accesses {
				b.g.add(sid, []string{arn}, SecretActions(loc, access)...)
			}
		}
	}
}

// secretARN is the ARN pattern of a secret location, or "" for a location
// that is not in AWS (file:).
func (b *builder) secretARN(location string) string {
	store, name, _ := strings.Cut(location, ":")
	switch store {
	case "ssm":
		return "arn:" + b.partition + ":ssm:" + b.region + ":" + b.account + ":parameter/" + strings.TrimPrefix(name, "/")
	case "secretsmanager":
		// Secrets Manager appends six random characters to a secret's ARN.
		return "arn:" + b.partition + ":secretsmanager:" + b.region + ":" + b.account + ":secret:" + name + "-??????"
	}
	return ""
}

// lockARN is the ARN of the stack's lock parameter.
func (b *builder) lockARN() string {
	return "arn:" + b.partition + ":ssm:" + b.region + ":" + b.account + ":parameter/mailform/locks/" + b.spec.Stack
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
