package cli

import (
	"fmt"
	"strings"

	"github.com/mailform/mailform/check"
)

// The status of the "verification" JSON line of apply -wait -json.
const (
	verificationVerified       = "verified"         // every identity verified
	verificationNotYetVerified = "not_yet_verified" // applied; some identities still pending when the wait ended
	verificationFailed         = "failed"           // SES gave up on an identity, or the wait broke
)

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
