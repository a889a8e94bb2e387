package specs

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/internal/dnsvalue"
)

// Kind names the kind of thing a Resource is. Each kind is read and changed by
// exactly one provider package; docs/resources.md lists every kind with its
// attributes, and specs/kinds declares each kind's schema (a new kind needs
// one: its tests fail without it).
type Kind string

// The kinds mailform manages.
const (
	KindSESIdentity     Kind = "ses.identity"          // domain or email-address identity
	KindSESConfigSet    Kind = "ses.configuration_set" // with its event destinations
	KindSESAccount      Kind = "ses.account"           // account-level settings
	KindSNSTopic        Kind = "sns.topic"
	KindSQSQueue        Kind = "sqs.queue" // queue, its policy, and the subscription to its topic
	KindSMTPUser        Kind = "iam.smtp_user"
	KindEIP             Kind = "ec2.eip"
	KindReverseDNS      Kind = "ec2.reverse_dns" // the PTR of an Elastic IP, set once its A record is in place
	KindDKIMKey         Kind = "secret.dkim_key" // RSA key pair kept in a secret store
	KindRoute53Record   Kind = "route53.record"
	KindManualDNSRecord Kind = "dns.manual_record" // a record of a domain whose DNS is not in a declared zone
	KindAlarm           Kind = "cloudwatch.alarm"  // a CloudWatch alarm on an SES reputation metric
)

// Resource is one thing the spec says should exist. Specs expand blocks into
// Resources; plan diffs them against what providers observe.
//
// Attrs hold only JSON-like values: string, bool, int64, []any, map[string]any,
// and the two placeholders below (Deferred, Sensitive). Lists whose order has no
// meaning are sorted by the expansion so that diffs are stable.
type Resource struct {
	Addr      string         // e.g. "domain.acme.example" or "domain.acme.example/dmarc"
	Kind      Kind           //
	Attrs     map[string]any //
	DependsOn []string       // addresses this resource needs to exist first, sorted
	DeclRange hcl.Range      // the block (or attribute) the resource comes from
}

// Deferred is a string value that is only known once other resources exist in
// AWS. It is literal text with placeholders "${ADDR#ATTR}" or "${ADDR#ATTR[I]}",
// each standing for the attribute ATTR (element I of a list attribute) of the
// resource at ADDR as AWS reports it. Plan fills placeholders from observed
// state where it can; what stays unresolved renders as "(known after apply)".
//
// A TXT record value that is Deferred holds the unquoted text; it is split and
// quoted (QuoteTXT) once resolved.
type Deferred string

// Ref builds the placeholder for attribute attr of the resource at addr.
func Ref(addr, attr string) string { return "${" + addr + "#" + attr + "}" }

// RefIndex builds the placeholder for element i of list attribute attr.
func RefIndex(addr, attr string, i int) string {
	return fmt.Sprintf("${%s#%s[%d]}", addr, attr, i)
}

var placeholder = regexp.MustCompile(`\$\{([^#}]+)#([a-z0-9_]+)(?:\[(\d+)\])?\}`)

// Placeholder is one "${ADDR#ATTR[I]}" reference inside a Deferred value.
type Placeholder struct {
	Addr  string
	Attr  string
	Index int // -1 when the whole attribute is meant
}

// Placeholders lists the references in d, in order of appearance.
func (d Deferred) Placeholders() []Placeholder {
	var out []Placeholder
	for _, m := range placeholder.FindAllStringSubmatch(string(d), -1) {
		p := Placeholder{Addr: m[1], Attr: m[2], Index: -1}
		if m[3] != "" {
			fmt.Sscanf(m[3], "%d", &p.Index)
		}
		out = append(out, p)
	}
	return out
}

// Resolve replaces every placeholder using lookup. It reports false, leaving d
// unchanged, when lookup cannot supply every one of them.
func (d Deferred) Resolve(lookup func(Placeholder) (string, bool)) (string, bool) {
	ok := true
	s := placeholder.ReplaceAllStringFunc(string(d), func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		p := Placeholder{Addr: sub[1], Attr: sub[2], Index: -1}
		if sub[3] != "" {
			fmt.Sscanf(sub[3], "%d", &p.Index)
		}
		v, found := lookup(p)
		if !found {
			ok = false
			return m
		}
		return v
	})
	if !ok {
		return string(d), false
	}
	return s, true
}

// KnownAfterApply is how an unresolved Deferred value is shown to people and in JSON.
const KnownAfterApply = "(known after apply)"

// MarshalJSON renders a Deferred value the way users see it.
func (d Deferred) MarshalJSON() ([]byte, error) { return json.Marshal(KnownAfterApply) }

// Sensitive stands in for a secret value (an SMTP password, a private key). The
// secret itself never enters a Resource, a plan or any output; Sensitive says
// only that mailform manages one, and Digest (a salted hash computed by the
// provider, or empty in desired state) lets plan see that it changed.
type Sensitive struct {
	Digest string `json:"-"`
}

// SensitiveText is how a Sensitive value is shown to people and in JSON.
const SensitiveText = "(sensitive)"

// MarshalJSON never reveals anything about the secret.
func (Sensitive) MarshalJSON() ([]byte, error) { return json.Marshal(SensitiveText) }

// Ownership tags. Every AWS resource mailform creates carries TagStack; TagAddr
// lets a later run match it to the block that made it.
const (
	TagStack = "mailform:stack"
	TagAddr  = "mailform:addr"
)

// QuoteTXT turns the text of one TXT record value into Route 53's form
// (dnsvalue.TXT: the canonical form).
func QuoteTXT(text string) string { return dnsvalue.TXT(text) }

// UnquoteTXT returns the text of a TXT value in Route 53's form
// (dnsvalue.TXTText).
func UnquoteTXT(value string) string { return dnsvalue.TXTText(value) }

// Fqdn is a DNS name in canonical form: lower case, fully qualified
// (dnsvalue.Name).
func Fqdn(name string) string { return dnsvalue.Name(name) }

// SortedKeys returns the keys of m in order, for deterministic output.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
