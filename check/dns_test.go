package check

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// serveDNS answers DNS on addr (UDP and TCP) with h until the test ends.
// The handler learns whether it is asked over TCP.
func serveDNS(t *testing.T, addr string, h func(req *dns.Msg, tcp bool) *dns.Msg) string {
	t.Helper()
	var pc net.PacketConn
	var l net.Listener
	var err error
	// With port 0, find a port free for both UDP and TCP.
	for range 20 {
		pc, err = net.ListenPacket("udp", addr)
		if err != nil {
			t.Fatal(err)
		}
		l, err = net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			break
		}
		pc.Close()
		if !strings.HasSuffix(addr, ":0") {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	udp := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) { _ = w.WriteMsg(h(r, false)) })}
	tcp := &dns.Server{Listener: l, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) { _ = w.WriteMsg(h(r, true)) })}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	t.Cleanup(func() { _ = udp.Shutdown(); _ = tcp.Shutdown() })
	return pc.LocalAddr().String()
}

func mustRR(t *testing.T, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

func TestDNSFixedServer(t *testing.T) {
	big := `"v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ip4:203.0.113.0/24 ~all"`
	var mu sync.Mutex
	var seen []string
	addr := serveDNS(t, "127.0.0.1:0", func(req *dns.Msg, tcp bool) *dns.Msg {
		q := req.Question[0]
		mu.Lock()
		seen = append(seen, q.Name+" tcp="+strconv.FormatBool(tcp)+" rd="+strconv.FormatBool(req.RecursionDesired))
		mu.Unlock()
		m := new(dns.Msg)
		m.SetReply(req)
		switch q.Name {
		case "big.acme.example.":
			if !tcp {
				m.Truncated = true // as a server whose answer does not fit
				return m
			}
			m.Answer = append(m.Answer, mustRR(t, "big.acme.example. 300 IN TXT "+big))
		case "www.acme.example.":
			m.Answer = append(m.Answer, mustRR(t, "www.acme.example. 300 IN CNAME web.other.example."))
		case "web.other.example.":
			m.Answer = append(m.Answer, mustRR(t, "web.other.example. 300 IN A 192.0.2.7"))
		case "gone.acme.example.":
			m.Rcode = dns.RcodeNameError
		default:
			m.Rcode = dns.RcodeRefused
		}
		return m
	})
	d, err := NewDNS(DNSOptions{Server: addr, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Fixed() {
		t.Error("Fixed() = false with a server")
	}

	t.Run("truncated answer retried over TCP", func(t *testing.T) {
		resp, err := d.Lookup(t.Context(), "big.acme.example", dns.TypeTXT)
		if err != nil {
			t.Fatal(err)
		}
		if got := servedValues(resp, "big.acme.example.", dns.TypeTXT); !cmp.Equal(got, []string{big}) {
			t.Errorf("served %q", got)
		}
		mu.Lock()
		defer mu.Unlock()
		if diff := cmp.Diff([]string{"big.acme.example. tcp=false rd=true", "big.acme.example. tcp=true rd=true"}, seen); diff != "" {
			t.Errorf("queries (-want +got):\n%s", diff)
		}
	})
	t.Run("CNAME out of the zone followed", func(t *testing.T) {
		resp, err := d.Lookup(t.Context(), "www.acme.example", dns.TypeA)
		if err != nil {
			t.Fatal(err)
		}
		if got := servedValues(resp, "www.acme.example.", dns.TypeA); !cmp.Equal(got, []string{"192.0.2.7"}) {
			t.Errorf("served %q", got)
		}
	})
	t.Run("NXDOMAIN is an answer", func(t *testing.T) {
		resp, err := d.Lookup(t.Context(), "gone.acme.example", dns.TypeTXT)
		if err != nil || resp.Rcode != dns.RcodeNameError || !resp.Void(dns.TypeTXT) {
			t.Errorf("resp = %+v, err = %v", resp, err)
		}
	})
	t.Run("REFUSED is no answer", func(t *testing.T) {
		_, err := d.Lookup(t.Context(), "x.amazonses.com", dns.TypeTXT)
		if !errors.Is(err, ErrUnreachable) {
			t.Errorf("err = %v, want ErrUnreachable", err)
		}
	})
	t.Run("no delegation check", func(t *testing.T) {
		if _, _, err := d.Delegation(t.Context(), "acme.example."); err == nil {
			t.Error("Delegation with -resolver did not refuse")
		}
	})
}

// freeSharedPort finds a port free on every one of the loopback addresses.
func freeSharedPort(t *testing.T, ips ...string) string {
	t.Helper()
	for range 50 {
		pc, err := net.ListenPacket("udp", ips[0]+":0")
		if err != nil {
			t.Skipf("no loopback address %s: %v", ips[0], err)
		}
		_, port, _ := net.SplitHostPort(pc.LocalAddr().String())
		pc.Close()
		ok := true
		for _, ip := range ips {
			for _, network := range []string{"udp", "tcp"} {
				var c interface{ Close() error }
				var err error
				if network == "udp" {
					c, err = net.ListenPacket(network, ip+":"+port)
				} else {
					c, err = net.Listen(network, ip+":"+port)
				}
				if err != nil {
					ok = false
					continue
				}
				c.Close()
			}
		}
		if ok {
			return port
		}
	}
	t.Skip("no port free on every loopback address")
	return ""
}

// TestDNSAuthoritative: the zone's servers are found through the system
// resolver and each asked without recursion; servers that disagree are
// reported; the delegation is read from the parent's servers.
func TestDNSAuthoritative(t *testing.T) {
	port := freeSharedPort(t, "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")
	system := serveDNS(t, "127.0.0.1:0", func(req *dns.Msg, _ bool) *dns.Msg {
		q := req.Question[0]
		m := new(dns.Msg)
		m.SetReply(req)
		m.RecursionAvailable = true
		soa := func(zone string) dns.RR {
			return mustRR(t, zone+" 300 IN SOA ns1."+zone+" hostmaster."+zone+" 1 3600 600 86400 300")
		}
		switch {
		case q.Qtype == dns.TypeSOA && q.Name == "tok._domainkey.acme.example.":
			// A CNAME: resolvers follow it and give the target zone's SOA.
			m.Answer = append(m.Answer, mustRR(t, "tok._domainkey.acme.example. 300 IN CNAME tok.dkim.amazonses.com."))
			m.Ns = append(m.Ns, soa("amazonses.com."))
		case q.Qtype == dns.TypeSOA && q.Name == "acme.example.":
			m.Answer = append(m.Answer, soa("acme.example."))
		case q.Qtype == dns.TypeSOA && dns.IsSubDomain("acme.example.", q.Name):
			m.Ns = append(m.Ns, soa("acme.example."))
		case q.Qtype == dns.TypeSOA && q.Name == "example.":
			m.Answer = append(m.Answer, soa("example."))
		case q.Qtype == dns.TypeNS && q.Name == "acme.example.":
			m.Answer = append(m.Answer, mustRR(t, "acme.example. 300 IN NS ns1.acme.example."), mustRR(t, "acme.example. 300 IN NS ns2.acme.example."),
				mustRR(t, "acme.example. 300 IN NS ns3.acme.example."))
		case q.Qtype == dns.TypeNS && q.Name == "example.":
			m.Answer = append(m.Answer, mustRR(t, "example. 300 IN NS ns.example."))
		case q.Qtype == dns.TypeA && q.Name == "ns1.acme.example.":
			m.Answer = append(m.Answer, mustRR(t, "ns1.acme.example. 300 IN A 127.0.0.2"))
		case q.Qtype == dns.TypeA && q.Name == "ns2.acme.example.":
			m.Answer = append(m.Answer, mustRR(t, "ns2.acme.example. 300 IN A 127.0.0.3"))
		case q.Qtype == dns.TypeA && q.Name == "ns3.acme.example.":
			m.Answer = append(m.Answer, mustRR(t, "ns3.acme.example. 300 IN A 127.0.0.5")) // nothing listens there
		case q.Qtype == dns.TypeA && q.Name == "ns.example.":
			m.Answer = append(m.Answer, mustRR(t, "ns.example. 300 IN A 127.0.0.4"))
		default:
			m.Rcode = dns.RcodeServerFailure
		}
		return m
	})
	var mu sync.Mutex
	recursionAsked := false
	auth := func(self string) func(*dns.Msg, bool) *dns.Msg {
		return func(req *dns.Msg, _ bool) *dns.Msg {
			mu.Lock()
			recursionAsked = recursionAsked || req.RecursionDesired
			mu.Unlock()
			q := req.Question[0]
			m := new(dns.Msg)
			m.SetReply(req)
			m.Authoritative = true
			switch q.Name {
			case "acme.example.":
				m.Answer = append(m.Answer, mustRR(t, `acme.example. 300 IN TXT "v=spf1 -all"`))
			case "tok._domainkey.acme.example.":
				m.Answer = append(m.Answer, mustRR(t, "tok._domainkey.acme.example. 1800 IN CNAME tok.dkim.amazonses.com."))
			case "new.acme.example.":
				if self == "127.0.0.3" { // a server that has not caught up
					m.Rcode = dns.RcodeNameError
				} else {
					m.Answer = append(m.Answer, mustRR(t, `new.acme.example. 300 IN TXT "fresh"`))
				}
			default:
				m.Rcode = dns.RcodeNameError
			}
			return m
		}
	}
	serveDNS(t, "127.0.0.2:"+port, auth("127.0.0.2"))
	serveDNS(t, "127.0.0.3:"+port, auth("127.0.0.3"))
	serveDNS(t, "127.0.0.4:"+port, func(req *dns.Msg, _ bool) *dns.Msg {
		m := new(dns.Msg)
		m.SetReply(req)
		if req.Question[0].Name == "acme.example." && req.Question[0].Qtype == dns.TypeNS {
			// A referral: the delegation, in the authority section.
			m.Ns = append(m.Ns, mustRR(t, "acme.example. 86400 IN NS ns2.acme.example."), mustRR(t, "acme.example. 86400 IN NS ns1.acme.example."))
		}
		return m
	})

	d, err := NewDNS(DNSOptions{System: []string{system}, AuthPort: port, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.Lookup(t.Context(), "acme.example", dns.TypeTXT)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"127.0.0.2:" + port, "127.0.0.3:" + port}, resp.Servers); diff != "" {
		t.Errorf("servers asked (-want +got):\n%s", diff)
	}
	if got := servedValues(resp, "acme.example.", dns.TypeTXT); !cmp.Equal(got, []string{`"v=spf1 -all"`}) || resp.Disagreement != nil {
		t.Errorf("served %q, disagreement %q", got, resp.Disagreement)
	}
	if len(resp.Unanswered) != 1 || !strings.Contains(resp.Unanswered[0], "127.0.0.5:"+port) {
		t.Errorf("unanswered = %q, want the server at 127.0.0.5", resp.Unanswered)
	}
	mu.Lock()
	if recursionAsked {
		t.Error("an authoritative server was asked for recursion")
	}
	mu.Unlock()

	// A CNAME's zone is its own, not its target's.
	resp, err = d.Lookup(t.Context(), "tok._domainkey.acme.example", dns.TypeCNAME)
	if err != nil {
		t.Fatal(err)
	}
	if got := servedValues(resp, "tok._domainkey.acme.example.", dns.TypeCNAME); !cmp.Equal(got, []string{"tok.dkim.amazonses.com."}) {
		t.Errorf("CNAME served %q", got)
	}

	resp, err = d.Lookup(t.Context(), "new.acme.example", dns.TypeTXT)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.2:" + port + `: TXT "fresh"`, "127.0.0.3:" + port + ": NXDOMAIN (no records)"}
	if diff := cmp.Diff(want, resp.Disagreement); diff != "" {
		t.Errorf("disagreement (-want +got):\n%s", diff)
	}

	ns, server, err := d.Delegation(t.Context(), "acme.example.")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ns1.acme.example.", "ns2.acme.example."}, ns); diff != "" || server != "127.0.0.4:"+port {
		t.Errorf("delegation from %s (-want +got):\n%s", server, diff)
	}
}
