package awstest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailform/mailform/internal/dnsvalue"
)

// dnsServer answers DNS over UDP and TCP on one loopback port for the
// public zones of the double's Route 53 state, as Route 53's name servers
// would.
type dnsServer struct {
	addr string
	udp  *dns.Server
	tcp  *dns.Server
}

// startDNS listens on addr ("" = a free loopback port) for UDP and TCP.
func startDNS(addr string, s *Server) (*dnsServer, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var (
		pc  net.PacketConn
		l   net.Listener
		err error
	)
	// With port 0, find a port free for both UDP and TCP.
	for attempt := 0; attempt < 20; attempt++ {
		pc, err = net.ListenPacket("udp", addr)
		if err != nil {
			return nil, fmt.Errorf("DNS: listening on udp %s: %w", addr, err)
		}
		l, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		_ = pc.Close()
		if !strings.HasSuffix(addr, ":0") {
			return nil, fmt.Errorf("DNS: listening on tcp %s: %w", addr, err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("DNS: no port free for both UDP and TCP: %w", err)
	}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		ctx, cancel := context.WithTimeout(s.life, 5*time.Second)
		defer cancel()
		m := s.answerDNS(ctx, req)
		if _, udp := w.LocalAddr().(*net.UDPAddr); udp {
			fitUDP(req, m)
		}
		_ = w.WriteMsg(m)
	})
	d := &dnsServer{
		addr: pc.LocalAddr().String(),
		udp:  &dns.Server{PacketConn: pc, Handler: h},
		tcp:  &dns.Server{Listener: l, Handler: h},
	}
	go func() { _ = d.udp.ActivateAndServe() }()
	go func() { _ = d.tcp.ActivateAndServe() }()
	return d, nil
}

func (d *dnsServer) shutdown() {
	_ = d.udp.Shutdown()
	_ = d.tcp.Shutdown()
}

// edns0Size is the UDP payload size the double advertises with EDNS(0).
const edns0Size = 4096

// fitUDP answers EDNS(0) with EDNS(0) and truncates (TC) an answer larger
// than the client can take over UDP, so that it asks again over TCP, as an
// authoritative server does.
func fitUDP(req, m *dns.Msg) {
	size := dns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		size = int(min(max(opt.UDPSize(), dns.MinMsgSize), edns0Size))
		m.SetEdns0(edns0Size, false)
	}
	m.Truncate(size)
}

// maxCNAMEChain bounds CNAME chasing inside a zone.
const maxCNAMEChain = 8

// answerDNS answers one query from the Route 53 state.
func (s *Server) answerDNS(ctx context.Context, req *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = false
	if len(req.Question) != 1 || req.Opcode != dns.OpcodeQuery {
		m.Rcode = dns.RcodeNotImplemented
		return m
	}
	q := req.Question[0]
	qname := dnsvalue.Name(q.Name)
	zone, err := s.publicZone(ctx, qname)
	if err != nil {
		m.Rcode = dns.RcodeServerFailure
		return m
	}
	if zone == nil && s.answerReverse(m, qname, q.Qtype) {
		return m
	}
	answerFromZone(m, zone, qname, q.Qtype)
	return m
}

// answerFromZone fills m for qname/qtype as the authoritative servers of
// zone, the most specific public zone holding qname (nil: none), would.
func answerFromZone(m *dns.Msg, zone *zoneState, qname string, qtype uint16) {
	if zone == nil {
		m.Rcode = dns.RcodeRefused
		return
	}
	m.Authoritative = true
	name := qname
	for range maxCNAMEChain {
		if cut := delegation(zone, name); cut != "" {
			// A child zone is delegated: refer, not authoritative.
			m.Authoritative = false
			m.Ns = append(m.Ns, rrs(zone, cut, "NS", cut)...)
			return
		}
		sets := setsAt(zone, name)
		owner := name
		if len(sets) == 0 && !emptyNonTerminal(zone, name) {
			if w := wildcardFor(zone, name); w != "" {
				sets = setsAt(zone, w)
			}
		}
		if len(sets) == 0 {
			if !emptyNonTerminal(zone, name) {
				m.Rcode = dns.RcodeNameError
			}
			m.Ns = append(m.Ns, negativeSOA(zone)...)
			return
		}
		if qtype != dns.TypeCNAME {
			if cname := findSet(sets, "CNAME"); cname != nil {
				m.Answer = append(m.Answer, setRRs(*cname, owner)...)
				if len(cname.Values) == 0 {
					return
				}
				target := dnsvalue.Name(cname.Values[0])
				if !inZone(target, zone.Name) {
					return // the resolver chases it elsewhere
				}
				name = target
				continue
			}
		}
		var found bool
		for _, set := range sets {
			if qtype == dns.TypeANY || set.Type == dns.TypeToString[qtype] {
				m.Answer = append(m.Answer, setRRs(set, owner)...)
				found = true
			}
		}
		if !found {
			m.Ns = append(m.Ns, negativeSOA(zone)...)
		}
		return
	}
}

// delegation returns the name of an NS set strictly below the apex that
// name is at or under, or "".
func delegation(zone *zoneState, name string) string {
	for _, set := range zone.Sets {
		if set.Type == "NS" && set.Name != zone.Name && inZone(name, set.Name) {
			return set.Name
		}
	}
	return ""
}

func setsAt(zone *zoneState, name string) []recordSet {
	var out []recordSet
	for _, set := range zone.Sets {
		if set.Name == name {
			out = append(out, resolveAlias(zone, set))
		}
	}
	return out
}

// resolveAlias answers an alias to a name of the same zone with the
// target's values; other aliases point outside the double and keep none.
func resolveAlias(zone *zoneState, set recordSet) recordSet {
	if set.AliasDNSName == "" {
		return set
	}
	for _, t := range zone.Sets {
		if t.Name == set.AliasDNSName && t.Type == set.Type && t.AliasDNSName == "" {
			set.Values, set.TTL = t.Values, t.TTL
			return set
		}
	}
	return set
}

func findSet(sets []recordSet, typ string) *recordSet {
	for i := range sets {
		if sets[i].Type == typ {
			return &sets[i]
		}
	}
	return nil
}

// emptyNonTerminal tells whether name has no records but names below it do.
func emptyNonTerminal(zone *zoneState, name string) bool {
	for _, set := range zone.Sets {
		if set.Name != name && strings.HasSuffix(set.Name, "."+name) {
			return true
		}
	}
	return false
}

// wildcardFor returns the wildcard name that synthesises name (RFC 4592:
// "*." + the closest encloser), or "" when there is none.
func wildcardFor(zone *zoneState, name string) string {
	labels := dns.SplitDomainName(name)
	for i := 1; i < len(labels); i++ {
		encloser := dns.Fqdn(strings.Join(labels[i:], "."))
		if !inZone(encloser, zone.Name) {
			return ""
		}
		if len(setsAt(zone, encloser)) > 0 || emptyNonTerminal(zone, encloser) || encloser == zone.Name {
			w := "*." + encloser
			if len(setsAt(zone, w)) > 0 {
				return w
			}
			return ""
		}
	}
	return ""
}

// negativeSOA is the zone's SOA for a negative answer, its TTL the
// smaller of the SOA's TTL and its MINIMUM (RFC 2308).
func negativeSOA(zone *zoneState) []dns.RR {
	out := rrs(zone, zone.Name, "SOA", zone.Name)
	for _, rr := range out {
		if soa, ok := rr.(*dns.SOA); ok && soa.Minttl < soa.Hdr.Ttl {
			soa.Hdr.Ttl = soa.Minttl
		}
	}
	return out
}

// rrs returns the records of one name and type as owner.
func rrs(zone *zoneState, name, typ, owner string) []dns.RR {
	var out []dns.RR
	for _, set := range setsAt(zone, name) {
		if set.Type == typ {
			out = append(out, setRRs(set, owner)...)
		}
	}
	return out
}

// setRRs turns a record set in Route 53's stored form into DNS records.
// Values that do not parse are left out.
func setRRs(set recordSet, owner string) []dns.RR {
	var out []dns.RR
	for _, v := range set.Values {
		rr, err := dns.NewRR(owner + " " + strconv.FormatInt(set.TTL, 10) + " IN " + set.Type + " " + v)
		if err != nil || rr == nil {
			continue
		}
		out = append(out, rr)
	}
	return out
}

// QueryDNS asks the double's DNS server one question over UDP, for tests
// and for Run's readiness check.
func (s *Server) QueryDNS(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	if s.dns == nil {
		return nil, errors.New("the double's DNS server is not running")
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
	in, _, err := c.ExchangeContext(ctx, m, s.dns.addr)
	if err != nil {
		return nil, fmt.Errorf("querying %s %s at %s: %w", name, dns.TypeToString[qtype], s.dns.addr, err)
	}
	return in, nil
}
