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

// pendingSummary reports an apply whose changes all succeeded while SES has
// not yet verified some identities: each pending identity, why, and what DNS
// answers for the records SES looks for against what it expects. It is
// not an error: SES searches DNS for up to 72 hours, and 'mailform check' or
// 'mailform status' follow it up.
func (s *session) pendingSummary(ctx context.Context, results []ses.WaitResult, waited time.Duration, asJSON bool, dnsServer string) {
	served := check.PendingRecords(ctx, results, dnsServer)
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
				fmt.Fprintf(out, "    %s\n", servedLine(served[i]))
				i++
			}
		}
	}
	fmt.Fprintln(out, "SES searches DNS for up to 72 hours. Follow up with 'mailform check' (it exits non-zero until every identity is verified) or 'mailform status'.")
}

// servedLine says what DNS answers for the record against what SES expects.
func servedLine(r check.PendingRecord) string {
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
