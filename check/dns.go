package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mailform/mailform/internal/dnsvalue"
	"github.com/mailform/mailform/mailauth"
	"github.com/miekg/dns"
)

// Resolver and Response are the DNS seam of the checks, defined with the
// SPF evaluator that also asks through them.
type (
	Resolver = mailauth.Resolver
	Response = mailauth.Response
)

// ErrUnreachable wraps every failure to get an answer.
var ErrUnreachable = errors.New("no answer")

// DNSOptions configure a DNS resolver.
type DNSOptions struct {
	// Server, when set (HOST:PORT), receives every query, with recursion
	// desired; the delegation check is then skipped.
	Server string
	// System are the recursive servers used to find a zone's authoritative
	// servers (HOST:PORT); empty means those of /etc/resolv.conf.
	System []string
	// AuthPort is the port the authoritative servers are asked on; "" is 53.
	AuthPort string
	// Timeout bounds one query; zero is 3 seconds.
	Timeout time.Duration
}

// DNS asks real name servers: the authoritative servers of each zone,
// found through the delegation and asked directly without recursion, or
// every question to one server.
type DNS struct {
	opts DNSOptions

	mu      sync.Mutex
	zones   map[string][]string // zone -> authoritative server addresses
	zoneOf  map[string]string   // name -> the zone holding it
	queries int
}

// NewDNS builds a DNS resolver. Without Server or System it reads
// /etc/resolv.conf.
func NewDNS(opts DNSOptions) (*DNS, error) {
	if opts.Timeout == 0 {
		opts.Timeout = 3 * time.Second
	}
	if opts.AuthPort == "" {
		opts.AuthPort = "53"
	}
	if opts.Server != "" {
		if _, _, err := net.SplitHostPort(opts.Server); err != nil {
			return nil, fmt.Errorf("resolver %q: want HOST:PORT: %w", opts.Server, err)
		}
	} else if len(opts.System) == 0 {
		conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil {
			return nil, fmt.Errorf("reading the system resolver configuration: %w", err)
		}
		for _, s := range conf.Servers {
			opts.System = append(opts.System, net.JoinHostPort(s, conf.Port))
		}
		if len(opts.System) == 0 {
			return nil, errors.New("no name server in /etc/resolv.conf: give one with -resolver HOST:PORT")
		}
	}
	return &DNS{opts: opts, zones: map[string][]string{}, zoneOf: map[string]string{}}, nil
}

// Fixed reports whether every query goes to one server (-resolver).
func (d *DNS) Fixed() bool { return d.opts.Server != "" }

// Queries is how many queries were sent so far.
func (d *DNS) Queries() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.queries
}

// maxChain bounds CNAME chasing.
const maxChain = 8

// Lookup implements Resolver.
func (d *DNS) Lookup(ctx context.Context, name string, qtype uint16) (Response, error) {
	name = dnsvalue.Name(name)
	var out Response
	cur := name
	for range maxChain {
		resp, err := d.ask(ctx, cur, qtype)
		if err != nil {
			if cur != name {
				return out, fmt.Errorf("following the CNAME of %s to %s: %w", name, cur, err)
			}
			return out, err
		}
		out.Answer = append(out.Answer, resp.Answer...)
		out.Rcode = resp.Rcode
		out.Servers = appendUnique(out.Servers, resp.Servers...)
		out.Disagreement = append(out.Disagreement, resp.Disagreement...)
		out.Unanswered = append(out.Unanswered, resp.Unanswered...)
		if qtype == dns.TypeCNAME {
			return out, nil
		}
		// Walk the chain the server gave; ask again where it leaves the zone.
		end := chainEnd(resp.Answer, cur)
		if len(recordsAt(resp.Answer, end, qtype)) > 0 || end == cur {
			return out, nil
		}
		cur = end
	}
	return out, fmt.Errorf("%w: CNAME chain of %s longer than %d", ErrUnreachable, name, maxChain)
}

// chainEnd follows the CNAMEs of answer from name.
func chainEnd(answer []dns.RR, name string) string {
	for range maxChain {
		next := ""
		for _, rr := range answer {
			if c, ok := rr.(*dns.CNAME); ok && strings.EqualFold(c.Hdr.Name, name) {
				next = dnsvalue.Name(c.Target)
			}
		}
		if next == "" {
			return name
		}
		name = next
	}
	return name
}

func recordsAt(answer []dns.RR, name string, qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range answer {
		if rr.Header().Rrtype == qtype && strings.EqualFold(rr.Header().Name, name) {
			out = append(out, rr)
		}
	}
	return out
}

// ask puts one question to the fixed server, or to every authoritative
// server of the zone holding name.
func (d *DNS) ask(ctx context.Context, name string, qtype uint16) (Response, error) {
	if d.Fixed() {
		m, err := d.exchange(ctx, d.opts.Server, name, qtype, true)
		if err != nil {
			return Response{}, err
		}
		return Response{Rcode: m.Rcode, Answer: m.Answer, Servers: []string{d.opts.Server}}, nil
	}
	servers, err := d.authServers(ctx, name)
	if err != nil {
		return Response{}, err
	}
	return d.askAll(ctx, servers, name, qtype)
}

// askAll asks each server without recursion and compares their answers.
func (d *DNS) askAll(ctx context.Context, servers []string, name string, qtype uint16) (Response, error) {
	type answer struct {
		server string
		msg    *dns.Msg
	}
	// Every server at once; their answers are kept in server order.
	msgs := make([]*dns.Msg, len(servers))
	fails := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msgs[i], fails[i] = d.exchange(ctx, s, name, qtype, false)
		}()
	}
	wg.Wait()
	var answers []answer
	var errs []string
	for i, s := range servers {
		if fails[i] != nil {
			errs = append(errs, fails[i].Error())
			continue
		}
		answers = append(answers, answer{s, msgs[i]})
	}
	if len(answers) == 0 {
		return Response{}, fmt.Errorf("%w from the %d name servers of %s: %s", ErrUnreachable, len(servers), name, strings.Join(errs, "; "))
	}
	first := answers[0].msg
	out := Response{Rcode: first.Rcode, Answer: first.Answer}
	texts := map[string]bool{}
	var lines []string
	for _, a := range answers {
		out.Servers = append(out.Servers, a.server)
		t := answerText(a.msg)
		texts[t] = true
		lines = append(lines, a.server+": "+t)
	}
	if len(texts) > 1 {
		out.Disagreement = lines
	}
	out.Unanswered = errs
	return out, nil
}

// answerText is an answer's rcode and records, without TTLs, sorted.
func answerText(m *dns.Msg) string {
	var rrs []string
	for _, rr := range m.Answer {
		rrs = append(rrs, rrText(rr))
	}
	sort.Strings(rrs)
	if len(rrs) == 0 {
		return dns.RcodeToString[m.Rcode] + " (no records)"
	}
	return strings.Join(rrs, "; ")
}

// rrText is "TYPE rdata" of a record.
func rrText(rr dns.RR) string {
	h := rr.Header()
	return dns.TypeToString[h.Rrtype] + " " + strings.TrimSpace(strings.TrimPrefix(rr.String(), h.String()))
}

// exchange sends one question, over UDP with EDNS0 and again over TCP when
// the answer is truncated. REFUSED, SERVFAIL and other errors are errors.
func (d *DNS) exchange(ctx context.Context, server, name string, qtype uint16, recursion bool) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = recursion
	m.SetEdns0(4096, false)
	d.mu.Lock()
	d.queries++
	d.mu.Unlock()
	c := &dns.Client{Net: "udp", Timeout: d.opts.Timeout}
	in, _, err := c.ExchangeContext(ctx, m, server)
	if err == nil && in.Truncated {
		d.mu.Lock()
		d.queries++
		d.mu.Unlock()
		c.Net = "tcp"
		in, _, err = c.ExchangeContext(ctx, m, server)
	}
	q := dns.Fqdn(name) + " " + dns.TypeToString[qtype]
	if err != nil {
		return nil, fmt.Errorf("%w for %s from %s: %v", ErrUnreachable, q, server, err)
	}
	switch in.Rcode {
	case dns.RcodeSuccess, dns.RcodeNameError:
		return in, nil
	}
	return nil, fmt.Errorf("%w for %s: %s answered %s", ErrUnreachable, q, server, dns.RcodeToString[in.Rcode])
}

// authServers returns the addresses of the authoritative servers of the
// zone holding name, found through the system resolver.
func (d *DNS) authServers(ctx context.Context, name string) ([]string, error) {
	zone, err := d.ZoneOf(ctx, name)
	if err != nil {
		return nil, err
	}
	return d.zoneServers(ctx, zone)
}

// ZoneOf finds the zone holding name: the owner of the SOA the system
// resolver gives for it, when that owner is name or one of its ancestors.
// A name that is a CNAME makes resolvers answer with the SOA of the
// target's zone; then its parent is asked, and so on up.
func (d *DNS) ZoneOf(ctx context.Context, name string) (string, error) {
	name = dnsvalue.Name(name)
	d.mu.Lock()
	zone, ok := d.zoneOf[name]
	d.mu.Unlock()
	if ok {
		return zone, nil
	}
	for cur := name; ; {
		m, err := d.system(ctx, cur, dns.TypeSOA)
		if err != nil {
			return "", err
		}
		for _, rr := range append(append([]dns.RR(nil), m.Answer...), m.Ns...) {
			soa, ok := rr.(*dns.SOA)
			if !ok || !dns.IsSubDomain(dnsvalue.Name(soa.Hdr.Name), name) {
				continue
			}
			zone := dnsvalue.Name(soa.Hdr.Name)
			d.mu.Lock()
			d.zoneOf[name] = zone
			d.mu.Unlock()
			return zone, nil
		}
		i := strings.IndexByte(cur, '.')
		if cur == "." || i < 0 || i == len(cur)-1 {
			return "", fmt.Errorf("%w: the system resolver gave no SOA for %s, so its zone is unknown", ErrUnreachable, name)
		}
		cur = cur[i+1:]
	}
}

// zoneServers returns (caching) the addresses of a zone's name servers.
func (d *DNS) zoneServers(ctx context.Context, zone string) ([]string, error) {
	d.mu.Lock()
	if s, ok := d.zones[zone]; ok {
		d.mu.Unlock()
		return s, nil
	}
	d.mu.Unlock()
	names, err := d.systemNS(ctx, zone)
	if err != nil {
		return nil, err
	}
	var servers []string
	for _, ns := range names {
		a, err := d.system(ctx, ns, dns.TypeA)
		if err != nil {
			continue
		}
		for _, rr := range recordsAt(a.Answer, chainEnd(a.Answer, ns), dns.TypeA) {
			servers = append(servers, net.JoinHostPort(rr.(*dns.A).A.String(), d.opts.AuthPort))
		}
	}
	if len(servers) == 0 {
		return nil, fmt.Errorf("%w: no address found for the name servers of %s (%s)", ErrUnreachable, zone, strings.Join(names, ", "))
	}
	sort.Strings(servers)
	d.mu.Lock()
	d.zones[zone] = servers
	d.mu.Unlock()
	return servers, nil
}

// systemNS asks the system resolver for the NS names of zone.
func (d *DNS) systemNS(ctx context.Context, zone string) ([]string, error) {
	m, err := d.system(ctx, zone, dns.TypeNS)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, rr := range m.Answer {
		if ns, ok := rr.(*dns.NS); ok {
			names = append(names, dnsvalue.Name(ns.Ns))
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: the system resolver knows no name servers for %s", ErrUnreachable, zone)
	}
	sort.Strings(names)
	return names, nil
}

// system asks the system's recursive resolvers, in turn, until one answers.
func (d *DNS) system(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	var errs []string
	for _, s := range d.opts.System {
		m, err := d.exchange(ctx, s, name, qtype, true)
		if err == nil {
			return m, nil
		}
		errs = append(errs, err.Error())
	}
	return nil, fmt.Errorf("asking the system resolver: %s", strings.Join(errs, "; "))
}

// Delegation returns the name servers the parent zone delegates zone to,
// asked of the parent's own authoritative servers, and which server said so.
func (d *DNS) Delegation(ctx context.Context, zone string) ([]string, string, error) {
	if d.Fixed() {
		return nil, "", errors.New("the delegation is not checked with -resolver")
	}
	zone = dnsvalue.Name(zone)
	i := strings.Index(zone, ".")
	parent := zone[i+1:]
	if parent == "" {
		parent = "."
	}
	pzone, err := d.ZoneOf(ctx, parent)
	if err != nil {
		return nil, "", fmt.Errorf("finding the parent zone of %s: %w", zone, err)
	}
	servers, err := d.zoneServers(ctx, pzone)
	if err != nil {
		return nil, "", fmt.Errorf("finding the name servers of %s: %w", pzone, err)
	}
	var errs []string
	for _, s := range servers {
		m, err := d.exchange(ctx, s, zone, dns.TypeNS, false)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		var names []string
		for _, rr := range append(append([]dns.RR(nil), m.Answer...), m.Ns...) {
			if ns, ok := rr.(*dns.NS); ok && strings.EqualFold(ns.Hdr.Name, zone) {
				names = append(names, dnsvalue.Name(ns.Ns))
			}
		}
		sort.Strings(names)
		return names, s, nil
	}
	return nil, "", fmt.Errorf("%w from the name servers of %s: %s", ErrUnreachable, pzone, strings.Join(errs, "; "))
}

func appendUnique(list []string, more ...string) []string {
	for _, m := range more {
		found := false
		for _, l := range list {
			if l == m {
				found = true
			}
		}
		if !found {
			list = append(list, m)
		}
	}
	return list
}
