package importer

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/mailform/mailform/specs"
)

// spfTerms is an SPF value as a spf block writes it.
type spfTerms struct {
	a, mx         bool
	ip4, ip6, inc []string
	mtas          []string // labels of mta blocks whose addresses the value names
	all           string
}

// parseSPF reads an SPF value made only of terms a spf block has attributes
// for; ok is false for anything else (redirect=, exists:, a:host, ...).
func parseSPF(text string) (spfTerms, bool) {
	var s spfTerms
	fields := strings.Fields(text)
	if len(fields) == 0 || !strings.EqualFold(fields[0], "v=spf1") {
		return s, false
	}
	for _, f := range fields[1:] {
		lower := strings.ToLower(f)
		switch {
		case lower == "a" || lower == "+a":
			s.a = true
		case lower == "mx" || lower == "+mx":
			s.mx = true
		case strings.HasPrefix(lower, "ip4:"):
			s.ip4 = append(s.ip4, f[4:])
		case strings.HasPrefix(lower, "ip6:"):
			s.ip6 = append(s.ip6, f[4:])
		case strings.HasPrefix(lower, "include:"):
			s.inc = append(s.inc, f[8:])
		case lower == "-all":
			s.all = "fail"
		case lower == "~all":
			s.all = "softfail"
		case lower == "?all":
			s.all = "neutral"
		default:
			return s, false
		}
	}
	return s, s.all != ""
}

// nameMTAs moves the ip4 terms that are the addresses of mta blocks to
// mtas, the spec's way of naming the stack's MTAs, when the value a spf
// block writes keeps its order: a spf block writes its ip4 terms, then ip6,
// then the MTAs' addresses, so only a run of MTA addresses that ends the
// ip4 terms, with no ip6 term, can move. addrs maps an address to its mta
// block's label.
func (s *spfTerms) nameMTAs(addrs map[string]string) {
	if len(s.ip6) > 0 {
		return
	}
	i := len(s.ip4)
	for i > 0 && addrs[s.ip4[i-1]] != "" && !slices.Contains(s.ip4[i:], s.ip4[i-1]) {
		i--
	}
	for _, ip := range s.ip4[i:] {
		s.mtas = append(s.mtas, addrs[ip])
	}
	s.ip4 = s.ip4[:i]
}

func writeSPF(b *hclwrite.Body, s spfTerms) {
	if s.a {
		b.SetAttributeValue("a", cty.True)
	}
	if s.mx {
		b.SetAttributeValue("mx", cty.True)
	}
	if len(s.ip4) > 0 {
		b.SetAttributeValue("ip4", strList(s.ip4))
	}
	if len(s.ip6) > 0 {
		b.SetAttributeValue("ip6", strList(s.ip6))
	}
	if len(s.mtas) > 0 {
		var refs []hclwrite.Tokens
		for _, l := range s.mtas {
			refs = append(refs, hclwrite.TokensForTraversal(ref("mta", l)))
		}
		b.SetAttributeRaw("mtas", hclwrite.TokensForTuple(refs))
	}
	if len(s.inc) > 0 {
		b.SetAttributeValue("include", strList(s.inc))
	}
	b.SetAttributeValue("all", cty.StringVal(s.all))
}

// dmarcTags is a DMARC record as a dmarc block writes it.
type dmarcTags struct {
	p, sp, adkim, aspf string
	pct                int
	rua, ruf           []string
}

// parseDMARC reads a DMARC record set of one value made only of tags a dmarc
// block has attributes for.
func parseDMARC(values []string) (dmarcTags, bool) {
	d := dmarcTags{pct: 100}
	if len(values) != 1 {
		return d, false
	}
	text := specs.UnquoteTXT(values[0])
	parts := strings.Split(text, ";")
	if len(parts) == 0 || strings.ReplaceAll(strings.TrimSpace(parts[0]), " ", "") != "v=DMARC1" {
		return d, false
	}
	align := map[string]string{"r": "relaxed", "s": "strict"}
	for _, p := range parts[1:] {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return d, false
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		switch k {
		case "p":
			d.p = strings.ToLower(v)
		case "sp":
			d.sp = strings.ToLower(v)
		case "pct":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 100 {
				return d, false
			}
			d.pct = n
		case "rua", "ruf":
			var uris []string
			for _, u := range strings.Split(v, ",") {
				uris = append(uris, strings.TrimSpace(u))
			}
			if k == "rua" {
				d.rua = uris
			} else {
				d.ruf = uris
			}
		case "adkim", "aspf":
			a, ok := align[strings.ToLower(v)]
			if !ok {
				return d, false
			}
			if k == "adkim" {
				d.adkim = a
			} else {
				d.aspf = a
			}
		default:
			return d, false
		}
	}
	switch d.p {
	case "none", "quarantine", "reject":
		return d, true
	}
	return d, false
}

func writeDMARC(b *hclwrite.Body, d dmarcTags) {
	b.SetAttributeValue("policy", cty.StringVal(d.p))
	if d.sp != "" {
		b.SetAttributeValue("subdomain_policy", cty.StringVal(d.sp))
	}
	if d.pct != 100 {
		b.SetAttributeValue("pct", cty.NumberIntVal(int64(d.pct)))
	}
	if len(d.rua) > 0 {
		b.SetAttributeValue("rua", strList(d.rua))
	}
	if len(d.ruf) > 0 {
		b.SetAttributeValue("ruf", strList(d.ruf))
	}
	if d.adkim != "" {
		b.SetAttributeValue("adkim", cty.StringVal(d.adkim))
	}
	if d.aspf != "" {
		b.SetAttributeValue("aspf", cty.StringVal(d.aspf))
	}
}
