package mailauth

import (
	"context"

	"github.com/miekg/dns"
)

// Resolver answers the DNS questions of SPF evaluation: in `mailform check`,
// the authoritative servers of each name (or one -resolver server).
type Resolver interface {
	// Lookup asks for the records of qtype at name, following CNAMEs. An
	// error means no answer could be had (no server reachable, REFUSED,
	// SERVFAIL): the caller must not treat it as "no record". NXDOMAIN and
	// empty answers are Responses.
	Lookup(ctx context.Context, name string, qtype uint16) (Response, error)
}

// Response is the answer to one question.
type Response struct {
	Rcode   int      // dns.RcodeSuccess or dns.RcodeNameError
	Answer  []dns.RR // the records of the answer, CNAMEs of the chain included
	Servers []string // who answered
	// Disagreement is set when the authoritative servers gave different
	// answers, one line per server; Answer is then the first server's.
	Disagreement []string
	// Unanswered says which of the zone's servers gave no answer, when
	// others did.
	Unanswered []string
}

// Records returns the records of qtype in the answer.
func (r Response) Records(qtype uint16) []dns.RR {
	var out []dns.RR
	for _, rr := range r.Answer {
		if rr.Header().Rrtype == qtype {
			out = append(out, rr)
		}
	}
	return out
}

// Void tells whether the answer holds no record of qtype (NXDOMAIN or an
// empty answer): an SPF "void lookup".
func (r Response) Void(qtype uint16) bool {
	return r.Rcode == dns.RcodeNameError || len(r.Records(qtype)) == 0
}
