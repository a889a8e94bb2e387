package specs

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Kind names the kind of thing a Resource is. Each kind is read and changed by
// exactly one provider package; docs/resources.md lists every kind with its
// attributes.
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

// QuoteTXT turns the text of one TXT record value into Route 53's form: split
// into strings of at most 255 bytes, each quoted, with '"' and '\' escaped and
// bytes outside printable ASCII written as \NNN octal. A split never falls
// inside an escape.
func QuoteTXT(text string) string {
	var parts []string
	var cur strings.Builder
	n := 0
	flush := func() {
		parts = append(parts, `"`+cur.String()+`"`)
		cur.Reset()
		n = 0
	}
	for i := 0; i < len(text); i++ {
		if n == 255 {
			flush()
		}
		c := text[i]
		switch {
		case c == '"' || c == '\\':
			cur.WriteByte('\\')
			cur.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&cur, "\\%03o", c)
		default:
			cur.WriteByte(c)
		}
		n++
	}
	if cur.Len() > 0 || len(parts) == 0 {
		flush()
	}
	return strings.Join(parts, " ")
}

// UnquoteTXT is the inverse of QuoteTXT: it joins the quoted strings of one
// Route 53 TXT value into the text they carry. Unquoted input is returned as is.
func UnquoteTXT(value string) string {
	var out strings.Builder
	in := false
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case c == '"':
			in = !in
		case !in:
			// white space between strings
		case c == '\\' && i+3 < len(value) && isOctal(value[i+1]) && isOctal(value[i+2]) && isOctal(value[i+3]):
			out.WriteByte((value[i+1]-'0')<<6 | (value[i+2]-'0')<<3 | (value[i+3] - '0'))
			i += 3
		case c == '\\' && i+1 < len(value):
			out.WriteByte(value[i+1])
			i++
		default:
			out.WriteByte(c)
		}
	}
	if !strings.Contains(value, `"`) {
		return value
	}
	return out.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// Fqdn lower-cases a DNS name and gives it the trailing dot.
func Fqdn(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// SortedKeys returns the keys of m in order, for deterministic output.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
