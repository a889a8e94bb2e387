package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mailform/mailform/check"
	"github.com/mailform/mailform/providers/ses"
)

// The status of the "verification" JSON line of apply -wait -json.
const (
	verificationVerified       = "verified"         // every identity verified
	verificationNotYetVerified = "not_yet_verified" // applied; some identities still pending when the wait ended
	verificationFailed         = "failed"           // SES gave up on an identity, or the wait broke
)

// pendingDNSBudget bounds the DNS questions asked for the pending summary,
// so that unreachable name servers do not hold up the end of an apply.
const pendingDNSBudget = 10 * time.Second

// anyGaveUp reports whether SES stopped looking for some identity (FAILED)
// or the identity does not exist: waiting longer would not help.
func anyGaveUp(results []ses.WaitResult) bool {
	for _, r := range results {
		for _, pc := range r.Pending {
			if pc.Status == "FAILED" || pc.Status == "NOT_FOUND" {
				return true
			}
		}
	}
	return false
}

// servedRecord is one record SES looks for, and what DNS answers for it.
type servedRecord struct {
	Identity string   `json:"identity"`
	Check    string   `json:"check"`
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	Expected string   `json:"expected,omitempty"` // "" when only the key's owner knows it (BYODKIM)
	Served   []string `json:"served"`             // what DNS answers, in Route 53's form
	Matches  bool     `json:"matches"`            // DNS answers the expected value
	Error    string   `json:"error,omitempty"`    // why DNS gave no answer
}

// pendingSummary reports an apply whose changes all succeeded while SES has
// not yet verified some identities: each pending identity, why, and what DNS
// answers for the records SES looks for against what it expects. It is
// not an error: SES searches DNS for up to 72 hours, and 'mailform check' or
// 'mailform status' follow it up.
func (s *session) pendingSummary(ctx context.Context, results []ses.WaitResult, waited time.Duration, asJSON bool, dnsServer string) {
	served := s.askDNS(ctx, results, dnsServer)
	var pending []string
	for _, r := range results {
		if !r.Verified {
			pending = append(pending, r.Identity)
		}
	}
	if asJSON {
		_ = writeJSONLine(s.io.Stdout, map[string]any{
			"format_version": JSONFormatVersion, "type": "verification", "status": verificationNotYetVerified,
			"not_yet_verified": pending, "dns": served, "results": results,
			"follow_up": "mailform check (exits non-zero until verified) or mailform status",
		})
		return
	}
	out := s.io.Stdout
	fmt.Fprintf(out, "\nApplied; not yet verified: SES has not verified %d of %d identities after %s (%s).\n",
		len(pending), len(results), waited.Round(time.Second), strings.Join(pending, ", "))
	i := 0
	for _, r := range results {
		if r.Verified {
			continue
		}
		fmt.Fprintf(out, "%s is not verified yet:\n", r.Identity)
		for _, pc := range r.Pending {
			fmt.Fprintf(out, "  %s: %s. %s\n", pc.Check, pc.Status, pc.Explain)
			for range pc.Expect {
				fmt.Fprintf(out, "    %s\n", served[i].line())
				i++
			}
		}
	}
	fmt.Fprintln(out, "SES searches DNS for up to 72 hours. Follow up with 'mailform check' (it exits non-zero until every identity is verified) or 'mailform status'.")
}

// line says what DNS answers for the record against what SES expects.
func (r servedRecord) line() string {
	head := fmt.Sprintf("%s %s", r.Name, r.Type)
	expect := r.Expected
	if expect == "" {
		expect = "(the public key of the key given to SES)"
	}
	answer := "nothing"
	if len(r.Served) > 0 {
		answer = strings.Join(r.Served, ", ")
	}
	switch {
	case r.Error != "":
		return fmt.Sprintf("%s: SES expects %s; DNS could not be asked: %s", head, expect, r.Error)
	case r.Matches:
		return fmt.Sprintf("%s: DNS answers %s, as SES expects: SES has not seen it yet", head, answer)
	}
	return fmt.Sprintf("%s: SES expects %s; DNS answers %s", head, expect, answer)
}

// askDNS looks up every record the pending checks expect, in order, asking
// dnsServer (HOST:PORT) or, when it is "", the zones' authoritative servers
// found through the delegation.
func (s *session) askDNS(ctx context.Context, results []ses.WaitResult, dnsServer string) []servedRecord {
	var out []servedRecord
	for _, r := range results {
		if r.Verified {
			continue
		}
		for _, pc := range r.Pending {
			for _, e := range pc.Expect {
				out = append(out, servedRecord{Identity: r.Identity, Check: pc.Check, Name: e.Name, Type: e.Type, Expected: e.Value})
			}
		}
	}
	if len(out) == 0 {
		return out
	}
	resolver, err := check.NewDNS(check.DNSOptions{Server: dnsServer, Timeout: 2 * time.Second})
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
		values, err := check.Served(ctx, resolver, rec.Name, rec.Type)
		if err != nil {
			rec.Error = err.Error()
			continue
		}
		rec.Served = values
		if rec.Served == nil {
			rec.Served = []string{}
		}
		rec.Matches = rec.Expected != "" && check.Serves(values, rec.Type, rec.Expected)
	}
	return out
}
