package ses

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/specs"
)

// Errors Wait wraps, so that callers can tell a slow DNS from a broken one.
var (
	// ErrWaitTimeout: some identity was still being checked when the time ran out.
	ErrWaitTimeout = errors.New("timed out waiting for SES to verify")
	// ErrVerificationFailed: SES gave up on some identity (FAILED) or it does
	// not exist; waiting longer would not help.
	ErrVerificationFailed = errors.New("SES verification failed")
)

// The checks SES makes, as Wait names them.
const (
	CheckDKIM         = "DKIM"
	CheckMailFrom     = "MAIL FROM"
	CheckVerification = "verification"
	CheckExists       = "identity"
)

// WaitResult is where one identity stands when Wait returns.
type WaitResult struct {
	Identity string         `json:"identity"`
	Verified bool           `json:"verified"` // every check SES makes for it succeeded
	Pending  []PendingCheck `json:"pending,omitempty"`
}

// PendingCheck is one check of SES that has not succeeded, with the records
// SES looks for, so that the caller can compare them with what the
// authoritative name servers answer.
type PendingCheck struct {
	Check   string           `json:"check"`  // CheckDKIM, CheckMailFrom, CheckVerification, CheckExists
	Status  string           `json:"status"` // PENDING, TEMPORARY_FAILURE, FAILED, NOT_STARTED, NOT_FOUND
	Expect  []ExpectedRecord `json:"expect,omitempty"`
	Explain string           `json:"explain"`
}

// ExpectedRecord is one DNS record SES looks for.
type ExpectedRecord struct {
	Name  string `json:"name"` // fully qualified, with the trailing dot
	Type  string `json:"type"`
	Value string `json:"value"` // in Route 53's form; "" when only the key's owner knows it
	Note  string `json:"note,omitempty"`
}

// identityProgress is what Wait knows of one identity.
type identityProgress struct {
	name        string
	domain      bool
	missing     bool
	dkimKnown   bool
	dkimEnabled bool
	dkimStatus  string
	dkimTokens  []string
	dkimOrigin  string // "" when read through v1, which does not say

	verification string

	mailFromKnown  bool
	mailFrom       string
	mailFromStatus string
}

// needsDKIM: SES verifies a domain through its DKIM records.
func (s *identityProgress) needsDKIM() bool { return s.domain && (!s.dkimKnown || s.dkimEnabled) }

// needsVerification: email addresses, and domains that do not sign, are
// verified by their own status.
func (s *identityProgress) needsVerification() bool {
	return !s.domain || (s.dkimKnown && !s.dkimEnabled)
}

func (s *identityProgress) checks() map[string]string {
	m := map[string]string{}
	if s.missing {
		m[CheckExists] = "NOT_FOUND"
		return m
	}
	if s.needsDKIM() {
		m[CheckDKIM] = orUnknown(s.dkimStatus)
	}
	if s.needsVerification() {
		m[CheckVerification] = orUnknown(s.verification)
	}
	if !s.mailFromKnown || s.mailFrom != "" {
		m[CheckMailFrom] = orUnknown(s.mailFromStatus)
	}
	return m
}

func orUnknown(s string) string {
	if s == "" {
		return "UNKNOWN"
	}
	return s
}

func (s *identityProgress) verified() bool {
	for _, st := range s.checks() {
		if st != "SUCCESS" {
			return false
		}
	}
	return true
}

// gaveUp: SES stopped looking (FAILED) or the identity is gone.
func (s *identityProgress) gaveUp() bool {
	for _, st := range s.checks() {
		if st == "FAILED" || st == "NOT_FOUND" {
			return true
		}
	}
	return false
}

func (s *identityProgress) summary() string {
	c := s.checks()
	var parts []string
	for _, k := range []string{CheckExists, CheckVerification, CheckDKIM, CheckMailFrom} {
		if st, ok := c[k]; ok {
			parts = append(parts, k+" "+st)
		}
	}
	return strings.Join(parts, ", ")
}

// Wait polls SES until every identity is verified (DKIM for domains, the
// mailed link for addresses, and MAIL FROM where one is set), SES gives up on
// one, or timeout passes (a timeout of zero or less reads once and returns
// where every identity stands). progress, when not nil, gets a line for each
// identity whose status changed and one summary line per poll (identity "").
//
// It reads with one GetEmailIdentity per identity, or with the v1 batch reads
// (100 identities per call) when those take fewer calls. It returns a result
// per identity, in the order given; the error wraps ErrWaitTimeout or
// ErrVerificationFailed when some identity is not verified. It does not query
// DNS: the expected records in the results are what SES looks for.
func (p *Provider) Wait(ctx context.Context, identities []string, timeout time.Duration, progress func(identity, message string)) ([]WaitResult, error) {
	report := func(id, msg string) {
		if progress != nil {
			progress(id, msg)
		}
	}
	var states []*identityProgress
	seen := map[string]bool{}
	for _, id := range identities {
		if id == "" || seen[lowerName(id)] {
			continue
		}
		seen[lowerName(id)] = true
		states = append(states, &identityProgress{name: id, domain: !strings.Contains(id, "@")})
	}
	start := p.opts.Now()
	// A timeout of zero or less reads the statuses once, without waiting.
	once := timeout <= 0
	wctx, cancel := context.WithCancel(ctx)
	if !once {
		wctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()

	last := map[string]string{}
	timedOut := false
	for {
		var open []*identityProgress
		for _, s := range states {
			if !s.verified() && !s.gaveUp() {
				open = append(open, s)
			}
		}
		if len(open) == 0 {
			break
		}
		if err := p.poll(wctx, open); err != nil {
			if wctx.Err() != nil && ctx.Err() == nil {
				timedOut = true
				break
			}
			return p.waitResults(states), fmt.Errorf("waiting for SES verification: %w", err)
		}
		done := 0
		for _, s := range states {
			if sum := s.summary(); sum != last[s.name] {
				last[s.name] = sum
				msg := sum
				if s.verified() {
					msg = "verified"
				}
				report(s.name, msg)
			}
			if s.verified() {
				done++
			}
		}
		report("", fmt.Sprintf("%d of %d SES identities verified after %s", done, len(states), p.opts.Now().Sub(start).Round(time.Second)))
		if done == len(states) {
			break
		}
		stillOpen := false
		for _, s := range states {
			if !s.verified() && !s.gaveUp() {
				stillOpen = true
			}
		}
		if !stillOpen {
			break
		}
		if once {
			timedOut = true
			break
		}
		t := time.NewTimer(p.opts.PollInterval)
		select {
		case <-wctx.Done():
			t.Stop()
			if ctx.Err() != nil {
				return p.waitResults(states), fmt.Errorf("waiting for SES verification: %w", ctx.Err())
			}
			timedOut = true
		case <-t.C:
		}
		if timedOut {
			break
		}
	}

	results := p.waitResults(states)
	var pendingNames, failedNames []string
	for _, s := range states {
		switch {
		case s.verified():
		case s.gaveUp():
			failedNames = append(failedNames, s.name)
		default:
			pendingNames = append(pendingNames, s.name)
		}
	}
	switch {
	case len(pendingNames) > 0 && timedOut:
		return results, fmt.Errorf("%w after %s: %s", ErrWaitTimeout, timeout, strings.Join(append(pendingNames, failedNames...), ", "))
	case len(failedNames) > 0:
		return results, fmt.Errorf("%w: %s", ErrVerificationFailed, strings.Join(failedNames, ", "))
	}
	return results, nil
}

// poll reads the statuses of the open identities with whichever read takes
// fewer calls.
func (p *Provider) poll(ctx context.Context, open []*identityProgress) error {
	var dkim, verify, mailFrom int
	for _, s := range open {
		if s.needsDKIM() && s.dkimStatus != "SUCCESS" {
			dkim++
		}
		if s.needsVerification() && s.verification != "SUCCESS" {
			verify++
		}
		if !s.mailFromKnown || (s.mailFrom != "" && s.mailFromStatus != "SUCCESS") {
			mailFrom++
		}
	}
	batched := batches(dkim) + batches(verify) + batches(mailFrom)
	if batched < len(open) {
		return p.pollV1(ctx, open)
	}
	return p.pollV2(ctx, open)
}

func batches(n int) int { return (n + v1BatchSize - 1) / v1BatchSize }

func (p *Provider) pollV2(ctx context.Context, open []*identityProgress) error {
	for _, s := range open {
		out, err := p.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(s.name)})
		if isNotFound(err) {
			s.missing = true
			continue
		}
		if err != nil {
			return fmt.Errorf("reading SES identity %s: %w", s.name, err)
		}
		s.missing = false
		s.domain = out.IdentityType != types.IdentityTypeEmailAddress
		s.verification = string(out.VerificationStatus)
		if s.verification == "" {
			s.verification = verificationFromBool(out.VerifiedForSendingStatus)
		}
		if d := out.DkimAttributes; d != nil && s.domain {
			s.dkimKnown, s.dkimEnabled = true, d.SigningEnabled
			s.dkimStatus, s.dkimOrigin = string(d.Status), string(d.SigningAttributesOrigin)
			s.dkimTokens = append([]string(nil), d.Tokens...)
		}
		s.mailFromKnown = true
		s.mailFrom, s.mailFromStatus = "", ""
		if mf := out.MailFromAttributes; mf != nil {
			s.mailFrom = strings.TrimSuffix(aws.ToString(mf.MailFromDomain), ".")
			s.mailFromStatus = string(mf.MailFromDomainStatus)
		}
	}
	return nil
}

// pollV1 reads DKIM, verification and MAIL FROM statuses 100 identities per call.
func (p *Provider) pollV1(ctx context.Context, open []*identityProgress) error {
	var dkim []*identityProgress
	for _, s := range open {
		if s.needsDKIM() && s.dkimStatus != "SUCCESS" {
			dkim = append(dkim, s)
		}
	}
	for _, batch := range chunk(dkim) {
		out, err := p.v1.GetIdentityDkimAttributes(ctx, &sesv1.GetIdentityDkimAttributesInput{Identities: names(batch)})
		if err != nil {
			return fmt.Errorf("reading the DKIM status of %d SES identities: %w", len(batch), err)
		}
		for _, s := range batch {
			a, ok := out.DkimAttributes[s.name]
			if !ok {
				s.missing = true
				continue
			}
			s.dkimKnown, s.dkimEnabled = true, a.DkimEnabled
			s.dkimStatus = v2Status(string(a.DkimVerificationStatus))
			s.dkimTokens = append([]string(nil), a.DkimTokens...)
		}
	}

	var verify []*identityProgress
	for _, s := range open {
		if !s.missing && s.needsVerification() && s.verification != "SUCCESS" {
			verify = append(verify, s)
		}
	}
	for _, batch := range chunk(verify) {
		out, err := p.v1.GetIdentityVerificationAttributes(ctx, &sesv1.GetIdentityVerificationAttributesInput{Identities: names(batch)})
		if err != nil {
			return fmt.Errorf("reading the verification status of %d SES identities: %w", len(batch), err)
		}
		for _, s := range batch {
			a, ok := out.VerificationAttributes[s.name]
			if !ok {
				s.missing = true
				continue
			}
			s.verification = v2Status(string(a.VerificationStatus))
		}
	}

	var mf []*identityProgress
	for _, s := range open {
		if !s.missing && (!s.mailFromKnown || (s.mailFrom != "" && s.mailFromStatus != "SUCCESS")) {
			mf = append(mf, s)
		}
	}
	for _, batch := range chunk(mf) {
		out, err := p.v1.GetIdentityMailFromDomainAttributes(ctx, &sesv1.GetIdentityMailFromDomainAttributesInput{Identities: names(batch)})
		if err != nil {
			return fmt.Errorf("reading the MAIL FROM status of %d SES identities: %w", len(batch), err)
		}
		for _, s := range batch {
			s.mailFromKnown = true
			a, ok := out.MailFromDomainAttributes[s.name]
			if !ok {
				s.mailFrom, s.mailFromStatus = "", ""
				continue
			}
			s.mailFrom = strings.TrimSuffix(aws.ToString(a.MailFromDomain), ".")
			s.mailFromStatus = v2Status(string(a.MailFromDomainStatus))
		}
	}
	return nil
}

func chunk(in []*identityProgress) [][]*identityProgress {
	var out [][]*identityProgress
	for start := 0; start < len(in); start += v1BatchSize {
		out = append(out, in[start:min(start+v1BatchSize, len(in))])
	}
	return out
}

func names(in []*identityProgress) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = s.name
	}
	return out
}

// v2Status turns a v1 status (Pending, TemporaryFailure) into the v2 form
// (PENDING, TEMPORARY_FAILURE).
func v2Status(v1 string) string {
	var b strings.Builder
	for i, r := range v1 {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return strings.ToUpper(b.String())
}

func (p *Provider) waitResults(states []*identityProgress) []WaitResult {
	out := make([]WaitResult, 0, len(states))
	for _, s := range states {
		r := WaitResult{Identity: s.name, Verified: s.verified()}
		if !r.Verified {
			r.Pending = p.pendingChecks(s)
		}
		out = append(out, r)
	}
	return out
}

// pendingChecks explains every check of s that has not succeeded.
func (p *Provider) pendingChecks(s *identityProgress) []PendingCheck {
	c := s.checks()
	if st, ok := c[CheckExists]; ok {
		return []PendingCheck{{Check: CheckExists, Status: st, Explain: "SES has no identity " + s.name + " in " + p.region + "; run mailform apply to create it"}}
	}
	var out []PendingCheck
	if st, ok := c[CheckVerification]; ok && st != "SUCCESS" {
		pc := PendingCheck{Check: CheckVerification, Status: st}
		if s.domain {
			// SES v2 verifies a domain through its DKIM records, also when
			// it does not sign with them.
			pc.Expect = p.dkimRecords(s)
			pc.Explain = "SES verifies the domain through these DKIM records, though it does not sign with them; " + statusExplain(st)
			if st == "FAILED" {
				pc.Explain += failedHint(CheckDKIM)
			}
		} else {
			pc.Explain = "SES mailed a verification link to " + s.name + "; the address stays unverified until someone follows it"
		}
		out = append(out, pc)
	}
	if st, ok := c[CheckDKIM]; ok && st != "SUCCESS" {
		pc := PendingCheck{Check: CheckDKIM, Status: st, Expect: p.dkimRecords(s), Explain: statusExplain(st)}
		if st == "FAILED" {
			pc.Explain += failedHint(CheckDKIM)
		}
		out = append(out, pc)
	}
	if st, ok := c[CheckMailFrom]; ok && st != "SUCCESS" {
		pc := PendingCheck{Check: CheckMailFrom, Status: st, Explain: statusExplain(st)}
		if s.mailFrom != "" {
			pc.Expect = MailFromRecords(s.mailFrom, p.region)
		}
		if st == "FAILED" {
			pc.Explain += failedHint(CheckMailFrom)
		}
		out = append(out, pc)
	}
	return out
}

// failedHint says how to make SES look again once it gave up.
func failedHint(check string) string {
	if check == CheckMailFrom {
		return "; once they are published, set the MAIL FROM domain again to make SES look again"
	}
	return "; once they are published, give SES the DKIM signing settings again (or delete and re-create the identity) to make it look again"
}

func statusExplain(st string) string {
	switch st {
	case "PENDING":
		return "SES is looking for these records and keeps looking for up to 72 hours"
	case "TEMPORARY_FAILURE":
		return "SES could not find these records for a while; it keeps looking for up to 72 hours"
	case "FAILED":
		return "SES stopped looking for these records"
	case "NOT_STARTED":
		return "SES has not started looking for these records"
	}
	return "SES has not reported a status yet"
}

// dkimRecords lists the records SES looks for to verify s's DKIM.
func (p *Provider) dkimRecords(s *identityProgress) []ExpectedRecord {
	byo := s.dkimOrigin == string(types.DkimSigningAttributesOriginExternal) || (s.dkimOrigin == "" && len(s.dkimTokens) == 1)
	if byo {
		var out []ExpectedRecord
		for _, sel := range s.dkimTokens {
			out = append(out, ExpectedRecord{
				Name: specs.Fqdn(sel + "._domainkey." + s.name),
				Type: "TXT",
				Note: `"p=<the public key of the private key given to SES>"`,
			})
		}
		return out
	}
	return EasyDKIMRecords(s.name, s.dkimTokens)
}

// EasyDKIMRecords returns the CNAME records of Easy DKIM tokens.
func EasyDKIMRecords(domain string, tokens []string) []ExpectedRecord {
	out := make([]ExpectedRecord, 0, len(tokens))
	for _, t := range tokens {
		out = append(out, ExpectedRecord{
			Name:  specs.Fqdn(t + "._domainkey." + domain),
			Type:  "CNAME",
			Value: t + ".dkim.amazonses.com.",
		})
	}
	return out
}

// MailFromRecords returns the MX and SPF records SES wants on a MAIL FROM domain.
func MailFromRecords(mailFromDomain, region string) []ExpectedRecord {
	name := specs.Fqdn(mailFromDomain)
	return []ExpectedRecord{
		{Name: name, Type: "MX", Value: "10 feedback-smtp." + region + ".amazonses.com."},
		{Name: name, Type: "TXT", Value: `"v=spf1 include:amazonses.com ~all"`},
	}
}
