package awstest

import (
	"net"
	"sort"
	"strings"

	"github.com/miekg/dns"
)

// reverseTTL is the TTL of the PTR records the double serves for Elastic IPs.
const reverseTTL = 300

// answerReverse answers a query under in-addr.arpa from the reverse DNS of
// the double's Elastic IPs, as AWS's reverse zones serve it once
// ModifyAddressAttribute has taken effect. It reports false for a name that
// is not an IPv4 reverse name, leaving m alone.
//
// An address without a PTR set through the API gets NXDOMAIN: AWS would
// serve its default ec2-... name, which mailform never relies on.
func (s *Server) answerReverse(m *dns.Msg, qname string, qtype uint16) bool {
	ip := reverseIPv4(qname)
	if ip == "" {
		return false
	}
	m.Authoritative = true
	names := s.ec2.ptrNames(ip)
	if len(names) == 0 {
		m.Rcode = dns.RcodeNameError
		return true
	}
	if qtype != dns.TypePTR && qtype != dns.TypeANY {
		return true // the name exists, with no record of that type
	}
	for _, name := range names {
		m.Answer = append(m.Answer, &dns.PTR{
			Hdr: dns.RR_Header{Name: qname, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: reverseTTL},
			Ptr: name,
		})
	}
	return true
}

// reverseIPv4 turns "25.113.0.203.in-addr.arpa." into "203.0.113.25", or
// returns "" for any other name.
func reverseIPv4(qname string) string {
	rest, ok := strings.CutSuffix(strings.ToLower(qname), ".in-addr.arpa.")
	if !ok {
		return ""
	}
	labels := strings.Split(rest, ".")
	if len(labels) != 4 {
		return ""
	}
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	ip := net.ParseIP(strings.Join(labels, "."))
	if ip == nil || ip.To4() == nil {
		return ""
	}
	return ip.To4().String()
}

// ptrNames returns the PTR names in effect for a public IP, in any region,
// sorted; an update still PENDING is not served yet.
func (d *ec2Double) ptrNames(ip string) []string {
	now := d.s.clock()
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, p := range d.ptrs {
		if p.publicIP != ip {
			continue
		}
		p.settle(now)
		if p.record != "" {
			out = append(out, dns.Fqdn(p.record))
		}
	}
	sort.Strings(out)
	return out
}
