// Package dnsvalue is the one canonical form of DNS names and record values
// in mailform. The spec loader, the plan, the Route 53 provider, check and the
// local AWS double all compare and print names and record data in this form,
// so that one record has one spelling everywhere: in a plan, in a check
// report, in what mailform writes to Route 53.
//
// The form is Route 53's stored form where Route 53 has one: names lower
// case and fully qualified, Route 53's octal escapes (\052 for "*") decoded;
// TXT and SPF values as quoted character-strings of at most 255 bytes with
// '"' and '\' escaped and other bytes outside printable ASCII as \NNN octal.
// Other record data is parsed with github.com/miekg/dns and written in its
// presentation form, target names canonical (AAAA "2001:db8::1", MX
// "10 mx.example.").
//
// It knows no AWS API and never decides whether a value is allowed: a value
// it cannot parse is returned trimmed, for the spec's validation or AWS to
// refuse.
package dnsvalue

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// Name returns a DNS name in canonical form: trimmed, Route 53's \NNN octal
// escapes decoded, lower case, with the trailing dot. "" stays "".
func Name(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	if strings.Contains(name, `\`) {
		var b strings.Builder
		for i := 0; i < len(name); i++ {
			c := name[i]
			if c == '\\' && i+3 < len(name) && isOctal(name[i+1]) && isOctal(name[i+2]) && isOctal(name[i+3]) {
				b.WriteByte((name[i+1]-'0')<<6 | (name[i+2]-'0')<<3 | (name[i+3] - '0'))
				i += 3
				continue
			}
			b.WriteByte(c)
		}
		name = b.String()
	}
	return dns.Fqdn(strings.ToLower(name))
}

// Value returns one record value of type rtype in canonical form.
func Value(rtype, v string) string {
	rtype = strings.ToUpper(strings.TrimSpace(rtype))
	v = strings.TrimSpace(v)
	switch rtype {
	case "TXT", "SPF":
		return TXT(TXTText(v))
	case "A", "AAAA":
		if ip, err := netip.ParseAddr(v); err == nil {
			return ip.Unmap().String()
		}
		return v
	case "CNAME", "NS", "PTR", "DNAME":
		if v == "" || strings.ContainsAny(v, " \t") {
			return v
		}
		return Name(v)
	}
	asIs := strings.Join(strings.Fields(v), " ")
	if _, ok := dns.StringToType[rtype]; !ok || v == "" || strings.ContainsAny(v, "\n\r;()") {
		// Zone-file syntax (comments, continued lines) is no record value.
		return asIs
	}
	c, ok := parsed(rtype, v)
	if !ok {
		return asIs
	}
	// Only a form that reads back as itself is canonical.
	if again, ok := parsed(rtype, c); !ok || again != c {
		return asIs
	}
	return c
}

// parsed reads v as the data of a record of type rtype with miekg/dns.
func parsed(rtype, v string) (string, bool) {
	rr, err := dns.NewRR(". 0 IN " + rtype + " " + v)
	if err != nil || rr == nil {
		return "", false
	}
	return rdata(rr), true
}

// Values returns values of type rtype in canonical form, sorted.
func Values(rtype string, values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = Value(rtype, v)
	}
	slices.Sort(out)
	return out
}

// FromRR returns the data of a record served by DNS in canonical form.
func FromRR(rr dns.RR) string {
	if t, ok := rr.(*dns.TXT); ok {
		return TXT(TXTOfRR(t))
	}
	if s, ok := rr.(*dns.SPF); ok {
		return TXT(strings.Join(unescapeAll(s.Txt), ""))
	}
	return Value(dns.TypeToString[rr.Header().Rrtype], rdata(rr))
}

// TXTOfRR returns the text of a served TXT record: its character-strings
// joined, miekg/dns's presentation escapes undone.
func TXTOfRR(t *dns.TXT) string {
	return strings.Join(unescapeAll(t.Txt), "")
}

// rdata writes a record's data in presentation form, target names canonical.
func rdata(rr dns.RR) string {
	switch x := rr.(type) {
	case *dns.MX:
		return fmt.Sprintf("%d %s", x.Preference, Name(x.Mx))
	case *dns.SRV:
		return fmt.Sprintf("%d %d %d %s", x.Priority, x.Weight, x.Port, Name(x.Target))
	case *dns.CNAME:
		return Name(x.Target)
	case *dns.NS:
		return Name(x.Ns)
	case *dns.PTR:
		return Name(x.Ptr)
	case *dns.A:
		return x.A.String()
	case *dns.AAAA:
		return x.AAAA.String()
	case *dns.CAA:
		x.Tag = strings.ToLower(x.Tag) // property tags are case-insensitive (RFC 8659)
	}
	return strings.TrimSpace(strings.TrimPrefix(rr.String(), rr.Header().String()))
}

// TXT turns the text of one TXT record value into canonical form: split into
// strings of at most 255 bytes, each quoted, with '"' and '\' escaped and
// bytes outside printable ASCII written as \NNN octal (Route 53's escapes). A
// split never falls inside an escape.
func TXT(text string) string {
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

// TXTText returns the text of a TXT value: its character-strings joined,
// Route 53's escapes (\" \\ \NNN octal) undone. A value with no quotes is
// its own text.
func TXTText(value string) string {
	if !strings.Contains(value, `"`) {
		return value
	}
	return strings.Join(TXTStrings(value), "")
}

// TXTStrings splits a TXT value in Route 53's form ("a" "b", or bare words)
// into its character-strings, escapes undone.
func TXTStrings(v string) []string {
	var out []string
	i := 0
	for i < len(v) {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if i >= len(v) {
			break
		}
		quoted := v[i] == '"'
		if quoted {
			i++
		}
		var b strings.Builder
		for i < len(v) {
			ch := v[i]
			if quoted && ch == '"' {
				i++
				break
			}
			if !quoted && (ch == ' ' || ch == '\t') {
				break
			}
			if ch == '\\' && i+1 < len(v) {
				if i+3 < len(v) && isOctal(v[i+1]) && isOctal(v[i+2]) && isOctal(v[i+3]) {
					b.WriteByte((v[i+1]-'0')<<6 | (v[i+2]-'0')<<3 | (v[i+3] - '0'))
					i += 4
					continue
				}
				b.WriteByte(v[i+1])
				i += 2
				continue
			}
			b.WriteByte(ch)
			i++
		}
		out = append(out, b.String())
	}
	return out
}

// unescapeAll undoes miekg/dns's presentation escapes (\" \\ \DDD decimal)
// in each string.
func unescapeAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = unescapeDecimal(s)
	}
	return out
}

func unescapeDecimal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			n := int(s[i+1]-'0')*100 + int(s[i+2]-'0')*10 + int(s[i+3]-'0')
			b.WriteByte(byte(n))
			i += 3
			continue
		}
		if c == '\\' && i+1 < len(s) {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
