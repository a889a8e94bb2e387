package mailauth

import (
	"context"
	"fmt"
	"golang.org/x/net/publicsuffix"
	"net"
	"strconv"
	"strings"

	"github.com/mailform/mailform/internal/dnsvalue"
	"github.com/miekg/dns"
)

// SPF limits (RFC 7208 §4.6.4): receivers stop with permerror after 10
// DNS-querying terms or 2 void lookups.
const (
	SPFLookupLimit = 10
	SPFLookupWarn  = 8
	SPFVoidLimit   = 2
)

// SPFTerm is one term of an SPF record.
type SPFTerm struct {
	Qualifier byte   // '+', '-', '~' or '?' (mechanisms only)
	Name      string // lower case: all, include, a, mx, ptr, ip4, ip6, exists, redirect, exp, or another modifier
	Value     string // the text after ':' or '=', "" when absent
	Modifier  bool   // name=value
}

// String writes the term as it appears in a record.
func (t SPFTerm) String() string {
	if t.Modifier {
		return t.Name + "=" + t.Value
	}
	q := ""
	if t.Qualifier != '+' {
		q = string(t.Qualifier)
	}
	if t.Value == "" {
		return q + t.Name
	}
	if strings.HasPrefix(t.Value, "/") {
		return q + t.Name + t.Value
	}
	return q + t.Name + ":" + t.Value
}

// countsLookup tells whether the term is one of the DNS-querying terms.
func (t SPFTerm) countsLookup() bool {
	switch t.Name {
	case "include", "a", "mx", "ptr", "exists":
		return !t.Modifier
	case "redirect":
		return t.Modifier
	}
	return false
}

// SPFRecord is a parsed SPF record.
type SPFRecord struct {
	Terms []SPFTerm
}

// IsSPF tells whether a TXT text is an SPF record: "v=spf1" alone or
// followed by a space, in any case.
func IsSPF(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	return t == "v=spf1" || strings.HasPrefix(t, "v=spf1 ")
}

// ParseSPF parses an SPF record, reporting the first syntax error as a
// receiver would (permerror).
func ParseSPF(text string) (SPFRecord, error) {
	var rec SPFRecord
	if !IsSPF(text) {
		return rec, fmt.Errorf("does not start with v=spf1")
	}
	fields := strings.Fields(strings.TrimSpace(text))[1:]
	seen := map[string]bool{}
	for _, f := range fields {
		t, err := parseSPFTerm(f)
		if err != nil {
			return rec, err
		}
		if t.Modifier && (t.Name == "redirect" || t.Name == "exp") {
			if seen[t.Name] {
				return rec, fmt.Errorf("%s= appears twice", t.Name)
			}
			seen[t.Name] = true
		}
		rec.Terms = append(rec.Terms, t)
	}
	return rec, nil
}

func parseSPFTerm(f string) (SPFTerm, error) {
	// A modifier: name=value, where name starts with a letter.
	if i := strings.IndexByte(f, '='); i > 0 && !strings.ContainsAny(f[:i], ":/") {
		name := strings.ToLower(f[:i])
		for j, c := range name {
			if !(c >= 'a' && c <= 'z' || j > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')) {
				return SPFTerm{}, fmt.Errorf("%q: invalid modifier name", f)
			}
		}
		value := f[i+1:]
		if (name == "redirect" || name == "exp") && !validDomainSpec(value) {
			return SPFTerm{}, fmt.Errorf("%q: %s= needs a domain", f, name)
		}
		return SPFTerm{Name: name, Value: value, Modifier: true}, nil
	}
	t := SPFTerm{Qualifier: '+'}
	if strings.ContainsRune("+-~?", rune(f[0])) {
		t.Qualifier = f[0]
		f = f[1:]
	}
	name, value := f, ""
	if i := strings.IndexAny(f, ":/"); i >= 0 {
		name, value = f[:i], f[i:]
		if value[0] == ':' {
			value = value[1:]
			if value == "" {
				return SPFTerm{}, fmt.Errorf("%q: nothing after ':'", f)
			}
		}
	}
	t.Name = strings.ToLower(name)
	t.Value = value
	switch t.Name {
	case "all":
		if value != "" {
			return t, fmt.Errorf("%q: all takes no argument", f)
		}
	case "include", "exists":
		if !validDomainSpec(value) {
			return t, fmt.Errorf("%q: %s needs a domain", f, t.Name)
		}
	case "a", "mx":
		domain, cidr := splitCIDR(value)
		if domain != "" && !validDomainSpec(domain) {
			return t, fmt.Errorf("%q: invalid domain %q", f, domain)
		}
		if err := checkDualCIDR(cidr); err != nil {
			return t, fmt.Errorf("%q: %v", f, err)
		}
	case "ptr":
		if value != "" && !validDomainSpec(value) {
			return t, fmt.Errorf("%q: invalid domain", f)
		}
	case "ip4", "ip6":
		if _, _, ok := parseIPNet(value, t.Name == "ip6"); !ok {
			return t, fmt.Errorf("%q: not an IPv%s address or network", f, t.Name[2:])
		}
	default:
		return t, fmt.Errorf("%q: unknown mechanism %q", f, t.Name)
	}
	return t, nil
}

// validDomainSpec accepts a domain name, or a macro string that makes one.
func validDomainSpec(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\"") {
		return false
	}
	if strings.Contains(s, "%") {
		return true // macros are expanded per message; not checked further
	}
	if _, ok := dns.IsDomainName(s); !ok {
		return false
	}
	labels := dns.SplitDomainName(s)
	return len(labels) >= 2 || s == "localhost"
}

// splitCIDR splits "domain/24//64" into "domain" and "/24//64".
func splitCIDR(v string) (string, string) {
	if i := strings.IndexByte(v, '/'); i >= 0 {
		return v[:i], v[i:]
	}
	return v, ""
}

func checkDualCIDR(c string) error {
	if c == "" {
		return nil
	}
	v4, v6, _ := strings.Cut(c, "//")
	check := func(s string, maxBits int) error {
		if s == "" {
			return nil
		}
		n, err := strconv.Atoi(strings.TrimPrefix(s, "/"))
		if err != nil || n < 0 || n > maxBits {
			return fmt.Errorf("invalid prefix length %q", s)
		}
		return nil
	}
	if strings.HasPrefix(c, "//") {
		return check("/"+strings.TrimPrefix(c, "//"), 128)
	}
	if err := check(v4, 32); err != nil {
		return err
	}
	if v6 != "" {
		return check("/"+v6, 128)
	}
	return nil
}

// cidrBits returns the prefix lengths of a dual CIDR, defaults 32 and 128.
func cidrBits(c string) (int, int) {
	v4, v6 := 32, 128
	if c == "" {
		return v4, v6
	}
	a, b, dual := strings.Cut(c, "//")
	if strings.HasPrefix(c, "//") {
		a, b, dual = "", strings.TrimPrefix(c, "//"), true
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(a, "/")); err == nil {
		v4 = n
	}
	if dual {
		if n, err := strconv.Atoi(b); err == nil {
			v6 = n
		}
	}
	return v4, v6
}

func parseIPNet(v string, six bool) (net.IP, *net.IPNet, bool) {
	if !strings.Contains(v, "/") {
		if six {
			v += "/128"
		} else {
			v += "/32"
		}
	}
	ip, n, err := net.ParseCIDR(v)
	if err != nil {
		return nil, nil, false
	}
	if (ip.To4() == nil) != six {
		return nil, nil, false
	}
	return ip, n, true
}

// SPFTermCount is what one term of the evaluated record costs.
type SPFTermCount struct {
	Term    string `json:"term"`
	Lookups int    `json:"lookups"`
	Note    string `json:"note,omitempty"`
}

// SPFEval is the live evaluation of one SPF record.
type SPFEval struct {
	Lookups     int            // DNS-querying terms, counted recursively
	VoidLookups int            // lookups that found nothing
	Terms       []SPFTermCount // the record's own lookup terms and what each costs
	FromTable   []string       // includes counted from mailform's table because DNS could not be asked
	NotResolved []string       // includes neither resolvable nor in the table, counted 1 each
	Problems    []string       // what makes receivers return permerror
	Warnings    []string       // what works but should change
	// Result is what check_host gives for the IP asked about: pass, fail,
	// softfail, neutral or permerror; "unknown" when part of the record
	// could not be followed; "" when no IP was asked about.
	Result string
}

// SPFEvaluator evaluates SPF records live.
type SPFEvaluator struct {
	Resolver Resolver
	// Table gives the nested lookups of includes DNS cannot answer here
	// (mailauth.WellKnownSPFInclude); nil means no table.
	Table func(domain string) (nested int, note string, ok bool)
}

// Evaluate parses text (the SPF record at domain) and counts its lookups by
// asking DNS for every include, a, mx, exists and redirect, recursively.
// With ip set, Result says whether the record lets ip send for domain.
func (e SPFEvaluator) Evaluate(ctx context.Context, domain, text string, ip net.IP) SPFEval {
	var ev SPFEval
	rec, err := ParseSPF(text)
	if err != nil {
		ev.Problems = append(ev.Problems, "syntax: "+err.Error())
		if ip != nil {
			ev.Result = "permerror"
		}
		return ev
	}
	w := &spfWalk{ctx: ctx, e: e, ev: &ev, ip: ip, visiting: map[string]bool{dnsvalue.Name(domain): true}}
	res := w.record(dnsvalue.Name(domain), rec, 0)
	if ev.Lookups > SPFLookupLimit {
		ev.Problems = append(ev.Problems, fmt.Sprintf("%d DNS lookups: receivers allow %d and return permerror beyond", ev.Lookups, SPFLookupLimit))
	}
	if ev.VoidLookups > SPFVoidLimit {
		ev.Problems = append(ev.Problems, fmt.Sprintf("%d void lookups (names that do not exist or have no such record): receivers allow %d", ev.VoidLookups, SPFVoidLimit))
	}
	if ip != nil {
		ev.Result = res
		if len(ev.Problems) > 0 {
			ev.Result = "permerror"
		}
	}
	return ev
}

// maxSPFDepth and maxSPFWalk bound the walk of a broken or hostile record.
const (
	maxSPFDepth = 10
	maxSPFWalk  = 30
)

type spfWalk struct {
	ctx      context.Context
	e        SPFEvaluator
	ev       *SPFEval
	ip       net.IP
	visiting map[string]bool
	unknown  bool // some part could not be followed: the IP result is unknown
}

var qualifierResult = map[byte]string{'+': "pass", '-': "fail", '~': "softfail", '?': "neutral"}

// record walks every term of rec (receivers stop at the first match; the
// count is of the whole record, as receivers may reach any term) and
// returns the result for the IP.
func (w *spfWalk) record(domain string, rec SPFRecord, depth int) string {
	result := ""
	var redirect string
	hasAll := false
	for _, t := range rec.Terms {
		if t.Modifier {
			if t.Name == "redirect" {
				redirect = t.Value
			}
			continue
		}
		if t.Name == "all" {
			hasAll = true
		}
		before := w.ev.Lookups
		if t.countsLookup() {
			w.ev.Lookups++
		}
		note := ""
		matched := false
		if w.ev.Lookups <= maxSPFWalk {
			matched, note = w.term(domain, t, depth)
		}
		if depth == 0 && t.countsLookup() {
			w.ev.Terms = append(w.ev.Terms, SPFTermCount{Term: t.String(), Lookups: w.ev.Lookups - before, Note: note})
		}
		if matched && result == "" {
			result = qualifierResult[t.Qualifier]
		}
	}
	if redirect != "" && hasAll {
		// RFC 7208 §6.1: receivers ignore redirect= beside an all mechanism.
		w.ev.Warnings = append(w.ev.Warnings, "redirect="+redirect+" is ignored: the record has an all mechanism")
	} else if redirect != "" {
		before := w.ev.Lookups
		w.ev.Lookups++
		sub, note := "", ""
		if w.ev.Lookups <= maxSPFWalk {
			sub, note = w.follow(redirect, depth)
		}
		if depth == 0 {
			w.ev.Terms = append(w.ev.Terms, SPFTermCount{Term: "redirect=" + redirect, Lookups: w.ev.Lookups - before, Note: note})
		}
		if result == "" {
			result = sub
		}
	}
	if result == "" {
		result = "neutral"
		if w.unknown {
			result = "unknown"
		}
	}
	return result
}

// term evaluates one mechanism: whether it matches the IP, and a note on
// what it cost.
func (w *spfWalk) term(domain string, t SPFTerm, depth int) (bool, string) {
	target := domain
	switch t.Name {
	case "all":
		return true, ""
	case "ip4", "ip6":
		_, n, ok := parseIPNet(t.Value, t.Name == "ip6")
		return ok && w.ip != nil && n.Contains(w.ip), ""
	case "include":
		sub, note := w.follow(t.Value, depth)
		return sub == "pass", note
	case "ptr":
		w.ev.Warnings = append(w.ev.Warnings, "the ptr mechanism is deprecated (RFC 7208 §5.5) and many receivers ignore it")
		w.unknown = w.unknown || w.ip != nil
		return false, "not evaluated"
	case "exists":
		if strings.Contains(t.Value, "%") {
			return false, "macro: not expanded"
		}
		resp, err := w.e.Resolver.Lookup(w.ctx, t.Value, dns.TypeA)
		if err != nil {
			w.unknown = true
			return false, "not resolved: " + err.Error()
		}
		if resp.Void(dns.TypeA) {
			w.ev.VoidLookups++
			return false, "void lookup"
		}
		return true, ""
	case "a", "mx":
		d, cidr := splitCIDR(t.Value)
		if d != "" {
			target = d
		}
		if strings.Contains(target, "%") {
			return false, "macro: not expanded"
		}
		bits4, bits6 := cidrBits(cidr)
		hosts := []string{target}
		if t.Name == "mx" {
			resp, err := w.e.Resolver.Lookup(w.ctx, target, dns.TypeMX)
			if err != nil {
				w.unknown = true
				return false, "not resolved: " + err.Error()
			}
			if resp.Void(dns.TypeMX) {
				w.ev.VoidLookups++
				return false, "void lookup"
			}
			hosts = nil
			for _, rr := range resp.Records(dns.TypeMX) {
				hosts = append(hosts, rr.(*dns.MX).Mx)
			}
			if len(hosts) > 10 {
				w.ev.Problems = append(w.ev.Problems, fmt.Sprintf("mx at %s has %d hosts: receivers allow 10", target, len(hosts)))
				hosts = hosts[:10]
			}
		}
		matched := false
		for _, h := range hosts {
			qtype := dns.TypeA
			if w.ip != nil && w.ip.To4() == nil {
				qtype = dns.TypeAAAA
			}
			resp, err := w.e.Resolver.Lookup(w.ctx, h, qtype)
			if err != nil {
				w.unknown = true
				continue
			}
			if resp.Void(qtype) {
				w.ev.VoidLookups++
				continue
			}
			for _, rr := range resp.Records(qtype) {
				var ip net.IP
				bits, size := bits4, 32
				switch x := rr.(type) {
				case *dns.A:
					ip = x.A
				case *dns.AAAA:
					ip, bits, size = x.AAAA, bits6, 128
				}
				if w.ip != nil && (&net.IPNet{IP: ip.Mask(net.CIDRMask(bits, size)), Mask: net.CIDRMask(bits, size)}).Contains(w.ip) {
					matched = true
				}
			}
		}
		return matched, ""
	}
	return false, ""
}

// follow evaluates the SPF record of target (include or redirect): live
// where DNS answers, else from the table.
func (w *spfWalk) follow(target string, depth int) (string, string) {
	if strings.Contains(target, "%") {
		w.unknown = true
		return "", "macro: not expanded"
	}
	name := dnsvalue.Name(target)
	if w.visiting[name] {
		w.ev.Problems = append(w.ev.Problems, fmt.Sprintf("%s includes itself (a loop)", target))
		return "", "loop"
	}
	if depth+1 > maxSPFDepth {
		w.ev.Problems = append(w.ev.Problems, fmt.Sprintf("includes nested deeper than %d at %s", maxSPFDepth, target))
		return "", "too deep"
	}
	resp, err := w.e.Resolver.Lookup(w.ctx, name, dns.TypeTXT)
	if err != nil {
		w.unknown = true
		bare := strings.TrimSuffix(target, ".")
		if w.e.Table != nil {
			if nested, note, ok := w.e.Table(bare); ok {
				w.ev.Lookups += nested
				w.ev.FromTable = append(w.ev.FromTable, bare)
				return "", "from mailform's table, not reachable here: " + note
			}
		}
		w.ev.NotResolved = append(w.ev.NotResolved, bare)
		return "", "not reachable here and not in mailform's table: counted 1, may need more"
	}
	var records []string
	for _, rr := range resp.Records(dns.TypeTXT) {
		if text := dnsvalue.TXTOfRR(rr.(*dns.TXT)); IsSPF(text) {
			records = append(records, text)
		}
	}
	switch len(records) {
	case 0:
		if resp.Void(dns.TypeTXT) {
			w.ev.VoidLookups++
		}
		w.ev.Problems = append(w.ev.Problems, fmt.Sprintf("%s has no SPF record", target))
		return "", "no SPF record"
	case 1:
	default:
		w.ev.Problems = append(w.ev.Problems, fmt.Sprintf("%s has %d SPF records", target, len(records)))
		return "", "several SPF records"
	}
	rec, err := ParseSPF(records[0])
	if err != nil {
		w.ev.Problems = append(w.ev.Problems, fmt.Sprintf("%s: %v", target, err))
		return "", "syntax error"
	}
	w.visiting[name] = true
	defer delete(w.visiting, name)
	return w.record(name, rec, depth+1), ""
}

// Includes tells whether the record itself (not its includes) has a
// pass-qualified include of domain, as "include:amazonses.com".
func (r SPFRecord) Includes(domain string) bool {
	want := dnsvalue.Name(domain)
	for _, t := range r.Terms {
		if !t.Modifier && t.Name == "include" && t.Qualifier == '+' && dnsvalue.Name(t.Value) == want {
			return true
		}
	}
	return false
}

// DMARCAligned tells whether an authenticated domain (the DKIM d= or the
// SPF MAIL FROM domain) aligns with the From domain under mode "s" (strict:
// the same name) or "r" (relaxed: the same organisational domain, RFC 7489
// section 3.2: the public suffix, from the Public Suffix List, plus one label).
func DMARCAligned(from, authenticated, mode string) bool {
	from, authenticated = dnsvalue.Name(from), dnsvalue.Name(authenticated)
	if from == authenticated {
		return true
	}
	if mode == "s" {
		return false
	}
	orgFrom, err1 := publicsuffix.EffectiveTLDPlusOne(strings.TrimSuffix(from, "."))
	orgAuth, err2 := publicsuffix.EffectiveTLDPlusOne(strings.TrimSuffix(authenticated, "."))
	return err1 == nil && err2 == nil && orgFrom == orgAuth
}
