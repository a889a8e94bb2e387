package check

import (
	"context"
	"time"

	"github.com/mailform/mailform/providers/ses"
)

// pendingDNSBudget bounds the DNS questions PendingRecords asks, so that
// unreachable name servers do not hold up the end of an apply.
const pendingDNSBudget = 10 * time.Second

// PendingRecord is one record SES looks for to verify an identity, and
// what DNS answers for it.
type PendingRecord struct {
	Identity string   `json:"identity"`
	Check    string   `json:"check"`
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Expected string   `json:"expected,omitempty"` // "" when only the key's owner knows it (BYODKIM)
	Served   []string `json:"served"`             // what DNS answers, in Route 53's form
	Matches  bool     `json:"matches"`            // DNS answers the expected value
	Error    string   `json:"error,omitempty"`    // why DNS gave no answer
}

// PendingRecords looks up every record the pending checks of results
// expect, in order, asking dnsServer (HOST:PORT) or, when it is "", the
// zones' authoritative servers found through the delegation. A question DNS
// could not answer carries its error; the whole takes at most ten seconds.
func PendingRecords(ctx context.Context, results []ses.WaitResult, dnsServer string) []PendingRecord {
	var out []PendingRecord
	for _, r := range results {
		if r.Verified {
			continue
		}
		for _, pc := range r.Pending {
			for _, e := range pc.Expect {
				out = append(out, PendingRecord{Identity: r.Identity, Check: pc.Check, Name: e.Name, Type: e.Type, Expected: e.Value})
			}
		}
	}
	if len(out) == 0 {
		return out
	}
	resolver, err := NewDNS(DNSOptions{Server: dnsServer, Timeout: 2 * time.Second})
	if err != nil {
		for i := range out {
			out[i].Error = err.Error()
		}
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, pendingDNSBudget)
	defer cancel()
	for i := range out {
		rec := &out[i]
		values, err := Served(ctx, resolver, rec.Name, rec.Type)
		if err != nil {
			rec.Error = err.Error()
			continue
		}
		rec.Served = values
		if rec.Served == nil {
			rec.Served = []string{}
		}
		rec.Matches = rec.Expected != "" && Serves(values, rec.Type, rec.Expected)
	}
	return out
}
