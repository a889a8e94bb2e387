package specs

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// Spec is a loaded, validated spec: the typed content of every block, in the
// order of the files (sorted by name) and of the blocks inside them.
//
// DNS names are lower case without the trailing dot, as users write them;
// Resources gives them in their fully qualified form. References to other
// blocks (topic.feedback, mta.mta1, configuration_set.default) are kept as the
// referenced block's label.
type Spec struct {
	Stack         string
	Region        string
	Profile       string
	SettingsRange hcl.Range // the mailform block

	Variables         []Variable
	Zones             []Zone
	Domains           []Domain
	Emails            []Email
	Topics            []Topic
	ConfigurationSets []ConfigurationSet
	SMTPUsers         []SMTPUser
	MTAs              []MTA
	DKIMKeys          []DKIMKey
	Records           []Record
	Account           *Account  // nil without an account block
	Requests          *Requests // nil without a requests block

	// Dir is the folder of the spec: PATH itself, or the folder of the one
	// file PATH names. file() paths and JSON file names are relative to it.
	Dir string

	files     map[string]*hcl.File
	resources []Resource
	zoneIndex map[string]int // zone name -> index in Zones
}

// Files returns every parsed file (spec files, -var-file files and -var
// values) by the name used in diagnostic ranges, for rendering diagnostics
// with source snippets.
func (s *Spec) Files() map[string]*hcl.File { return s.files }

// Resources returns what the spec expands into, sorted by address.
func (s *Spec) Resources() []Resource {
	out := make([]Resource, len(s.resources))
	copy(out, s.resources)
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	return out
}

// Variable is a declared input variable. The value itself is not kept here,
// so that a sensitive value cannot leak through the Spec.
type Variable struct {
	Name        string
	Description string
	Sensitive   bool
	Range       hcl.Range
}

// Zone points mailform at an existing Route 53 public hosted zone.
type Zone struct {
	Name   string // e.g. "acme.example"
	ZoneID string // "" to find the zone by name
	Range  hcl.Range
}

// Domain is an SES domain identity and the DNS records it needs.
type Domain struct {
	Name string
	// SESIdentity is false for a domain that only publishes SPF and DMARC
	// (mail sent by the organisation's own MTAs): no SES identity is made.
	SESIdentity      bool
	ConfigurationSet string // label of a configuration_set block, or ""
	DKIM             DKIM
	MailFrom         *MailFrom      // nil: SES's default MAIL FROM
	SPF              *SPF           // nil: no apex SPF value
	DMARC            *DMARC         // nil: no DMARC record
	Notifications    *Notifications // nil: SES defaults (feedback by email)
	Range            hcl.Range
}

// DKIM modes.
const (
	DKIMEasy = "easy"
	DKIMBYO  = "byo"
	DKIMOff  = "off"
)

// DKIM is how mail from a domain identity is signed.
type DKIM struct {
	Mode       string // DKIMEasy, DKIMBYO or DKIMOff
	KeyLength  int    // 1024 or 2048
	Selector   string // byo only
	PrivateKey string // byo only: secret location of the private key
	Range      hcl.Range
}

// MailFrom is a domain's custom MAIL FROM domain.
type MailFrom struct {
	Subdomain   string // as written
	Domain      string // the full MAIL FROM domain, e.g. "bounce.acme.example"
	OnMXFailure string // "use_default" or "reject"
	Range       hcl.Range

	subdomainRange hcl.Range
}

// SPF is the apex SPF value of a domain. Terms are written in this order:
// a, mx, ip4, ip6, the MTAs' addresses, include, all.
type SPF struct {
	A       bool
	MX      bool
	IP4     []string
	IP6     []string
	MTAs    []string // labels of mta blocks
	Include []string // domains, without "include:"
	All     string   // "fail", "softfail" or "neutral"
	Range   hcl.Range
}

// DMARC is the policy published at _dmarc.<domain>.
type DMARC struct {
	Policy          string   // "none", "quarantine" or "reject"
	SubdomainPolicy string   // "" or a policy
	Percent         int      // 0-100; 100 is not written
	RUA             []string // mailto: URIs
	RUF             []string // mailto: URIs
	ADKIM           string   // "", "relaxed" or "strict"
	ASPF            string   // "", "relaxed" or "strict"
	Range           hcl.Range
}

// Notifications are a domain's SES identity feedback topics.
type Notifications struct {
	Bounce     string // topic label or ""
	Complaint  string
	Delivery   string
	Forwarding bool
	Range      hcl.Range
}

// Email is an SES email-address identity.
type Email struct {
	Address          string
	ConfigurationSet string
	Range            hcl.Range
}

// Topic is an SNS topic SES may publish to.
type Topic struct {
	Label string
	Queue *Queue // nil without a queue block
	Range hcl.Range
}

// Queue is an SQS queue subscribed to its topic.
type Queue struct {
	RetentionDays int
	Range         hcl.Range
}

// ConfigurationSet is an SES configuration set.
type ConfigurationSet struct {
	Label             string
	Suppression       []string
	ReputationMetrics bool
	TLSPolicy         string // "require" or "optional"
	EventDestinations []EventDestination
	Range             hcl.Range

	// SuppressionOverride is true when the spec sets suppression, even to
	// []: the set then overrides the account's suppression list with its
	// own reasons. Without it the set follows the account's list.
	SuppressionOverride bool
}

// EventDestination sends a configuration set's events to a topic.
type EventDestination struct {
	Name    string
	Types   []string
	Topic   string // topic label
	Enabled bool
	Range   hcl.Range
}

// SMTPUser is an IAM user whose access key becomes SMTP credentials.
type SMTPUser struct {
	Label       string
	UserName    string // defaults to "<stack>-smtp-<label>"
	Path        string // defaults to "/"
	AllowedFrom []string
	Credentials string // secret location
	Range       hcl.Range
}

// MTA is a self-run mail server's Elastic IP, A record and reverse DNS.
type MTA struct {
	Label      string
	Hostname   string
	InstanceID string
	ReverseDNS bool
	Range      hcl.Range

	// NetworkInterfaceID associates the address with one network interface
	// instead of an instance: AWS needs it for an instance with several.
	NetworkInterfaceID string

	// AllocationID names an existing Elastic IP for `-adopt mta.<label>` to
	// take over instead of allocating one (docs/ec2.md); "" when mailform
	// allocates the address.
	AllocationID string

	// TTL is the TTL of the A record hostname -> address; 0 is DefaultTTL.
	TTL int
}

// DKIMKey is a self-managed DKIM key pair and its public TXT record.
type DKIMKey struct {
	Label      string
	Domain     string
	Selector   string
	KeyLength  int
	PrivateKey string // secret location
	Range      hcl.Range
}

// Record is one record set managed whole.
type Record struct {
	Name   string
	Type   string
	TTL    int
	Values []string // as written (TXT values are the text, unquoted)
	Range  hcl.Range
}

// Account holds account-level SES settings.
type Account struct {
	Suppression []string
	// SuppressionSet is true when the block sets suppression (even to []).
	// An account block with alarms and no suppression leaves the account's
	// suppression list alone.
	SuppressionSet   bool
	ProductionAccess *ProductionAccess
	Alarms           *Alarms // nil without an alarms block
	Range            hcl.Range
}

// Default reputation alarm thresholds, in percent: below the rates at which
// AWS reviews an account (5% bounces, 0.1% complaints), so that someone is
// told before the review starts.
const (
	DefaultBounceAlarmPercent    = "4"
	DefaultComplaintAlarmPercent = "0.08"
)

// Alarms are the CloudWatch alarms on the account's SES reputation metrics
// (Reputation.BounceRate and Reputation.ComplaintRate in AWS/SES).
type Alarms struct {
	// BouncePercent and ComplaintPercent are the thresholds as written, in
	// percent, as decimal text ("4", "0.08"): the alarm fires at or above.
	BouncePercent    string
	ComplaintPercent string
	// PeriodMinutes is the length of one evaluation period; the alarm fires
	// when EvaluationPeriods consecutive periods are at or above threshold.
	PeriodMinutes     int
	EvaluationPeriods int
	// Notify lists what the alarms notify: topic labels (Topics) and SNS
	// topic ARNs outside the spec (TopicARNs), each in the order written.
	Topics    []string
	TopicARNs []string
	Range     hcl.Range
}

// ProductionAccess is the request to leave the SES sandbox.
type ProductionAccess struct {
	MailType           string // "TRANSACTIONAL" or "MARKETING"
	WebsiteURL         string
	ContactLanguage    string // "EN" or "JA"
	UseCase            string
	AdditionalContacts []string
	Range              hcl.Range
}

// Requests holds the inputs of the generated EC2 request texts.
type Requests struct {
	ContactEmail string
	UseCase      string
	Range        hcl.Range
}
