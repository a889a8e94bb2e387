package check

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// stubDNS answers from zone-file lines, as one consistent set of
// authoritative servers would; names under an unreachable suffix fail.
type stubDNS struct {
	rrs         []dns.RR
	unreachable []string            // suffixes, fully qualified
	disagree    map[string][]string // name -> per-server answers, for servers that disagree
	unanswered  map[string][]string // name -> servers that did not answer
	mu          sync.Mutex
	asked       []string // "name TYPE"
}

func newStub(t *testing.T, lines ...string) *stubDNS {
	t.Helper()
	s := &stubDNS{}
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil || rr == nil {
			t.Fatalf("stub record %q: %v", l, err)
		}
		s.rrs = append(s.rrs, rr)
	}
	return s
}

func (s *stubDNS) Lookup(ctx context.Context, name string, qtype uint16) (Response, error) {
	name = dns.CanonicalName(name)
	s.mu.Lock()
	s.asked = append(s.asked, name+" "+dns.TypeToString[qtype])
	s.mu.Unlock()
	var out Response
	for range maxChain {
		for _, u := range s.unreachable {
			if name == u || strings.HasSuffix(name, "."+u) {
				return Response{}, fmt.Errorf("%w for %s: stub answered REFUSED", ErrUnreachable, name)
			}
		}
		exists := false
		var cname *dns.CNAME
		var found []dns.RR
		for _, rr := range s.rrs {
			h := rr.Header()
			if strings.HasSuffix(dns.CanonicalName(h.Name), "."+name) {
				exists = true // an empty non-terminal
			}
			if dns.CanonicalName(h.Name) != name {
				continue
			}
			exists = true
			if c, ok := rr.(*dns.CNAME); ok && qtype != dns.TypeCNAME {
				cname = c
			}
			if h.Rrtype == qtype {
				found = append(found, rr)
			}
		}
		out.Disagreement = s.disagree[name]
		out.Unanswered = s.unanswered[name]
		if !exists {
			out.Rcode = dns.RcodeNameError
			return out, nil
		}
		if cname != nil && len(found) == 0 {
			out.Answer = append(out.Answer, cname)
			name = dns.CanonicalName(cname.Target)
			continue
		}
		out.Answer = append(out.Answer, found...)
		return out, nil
	}
	return out, fmt.Errorf("%w: chain too long", ErrUnreachable)
}
