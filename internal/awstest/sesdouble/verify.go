package sesdouble

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// refresh re-checks the DNS records of a pending identity through the
// backend, as SES keeps looking for them, at most once per VerifyInterval.
// d.mu must be held.
//
// SES does not find records the moment they are published: records count
// as found only once every check since the first that saw them has seen
// them, for at least the verify delay (Options.VerifyDelayFunc). The delay
// runs from the double's first look, which may be later than the
// publication: SES's own schedule is undocumented, so the double takes the
// slower reading.
//
// DKIM and the v1 token turn SUCCESS when the records are found; a PENDING
// or TEMPORARY_FAILURE status that finds nothing for 72 hours turns FAILED,
// after which SES stops looking until the identity is set up again; a
// SUCCESS whose records disappear turns TEMPORARY_FAILURE. The MAIL FROM
// status follows the same rules.
func (d *Double) refresh(ctx context.Context, rs *regionState, id *identity) {
	now := d.now()
	if d.opts.VerifyInterval > 0 && !id.lastChecked.IsZero() && now.Sub(id.lastChecked) < d.opts.VerifyInterval {
		return
	}
	id.lastChecked = now
	if id.isDomain {
		if looking(id.dkimStatus) {
			found, errType := d.dkimRecordsPresent(ctx, id)
			found = d.seenLongEnough(&id.dkimSeen, id.dkimStatus, found, now)
			id.dkimStatus, id.dkimSince = advance(id.dkimStatus, id.dkimSince, found, now)
			id.dkimError = errType
			if found {
				id.lastSuccess = now
			}
		}
		if id.verificationToken != "" && looking(id.tokenStatus) {
			found := d.tokenRecordPresent(ctx, id)
			found = d.seenLongEnough(&id.tokenSeen, id.tokenStatus, found, now)
			id.tokenStatus, id.tokenSince = advance(id.tokenStatus, id.tokenSince, found, now)
			if found {
				id.lastSuccess = now
			}
		}
	}
	if id.mailFrom != "" && looking(id.mailFromStatus) {
		found := d.mailFromRecordPresent(ctx, rs, id)
		found = d.seenLongEnough(&id.mailFromSeen, id.mailFromStatus, found, now)
		id.mailFromStatus, id.mailFromSince = advance(id.mailFromStatus, id.mailFromSince, found, now)
	}
}

// seenLongEnough is whether records a check found at now count as found:
// they must have been seen since *seen for the verify delay, unless the
// check already succeeded. *seen starts at the first check that finds the
// records and is cleared by one that does not.
func (d *Double) seenLongEnough(seen *time.Time, status string, found bool, now time.Time) bool {
	if !found {
		*seen = time.Time{}
		return false
	}
	if seen.IsZero() {
		*seen = now
	}
	return status == statusSuccess || now.Sub(*seen) >= d.verifyDelay()
}

// looking reports whether SES still checks DNS in this status.
func looking(status string) bool {
	return status == statusPending || status == statusTemporaryFailure || status == statusSuccess
}

// advance is one DNS check's effect on a status that started at since.
func advance(status string, since time.Time, found bool, now time.Time) (string, time.Time) {
	switch {
	case found:
		return statusSuccess, now
	case status == statusSuccess:
		return statusTemporaryFailure, now
	case now.Sub(since) >= searchWindow:
		return statusFailed, since
	}
	return status, since
}

// dkimRecordsPresent checks the 3 Easy DKIM CNAMEs or the BYODKIM TXT record.
// errType is the VerificationInfo.ErrorType of a failed check.
func (d *Double) dkimRecordsPresent(ctx context.Context, id *identity) (found bool, errType string) {
	domain := identityKey(id.name)
	if id.dkimOrigin == originExtern {
		if len(id.tokens) == 0 {
			return false, "INVALID_VALUE"
		}
		values, err := d.backend.LookupRecords(ctx, id.tokens[0]+"._domainkey."+domain+".", "TXT")
		if err != nil {
			return false, "DNS_SERVER_ERROR"
		}
		if len(values) == 0 {
			return false, "HOST_NOT_FOUND"
		}
		for _, v := range values {
			if dkimTag(txtText(v), "p") == id.byoPublicKey {
				return true, ""
			}
		}
		return false, "INVALID_VALUE"
	}
	for _, token := range id.tokens {
		values, err := d.backend.LookupRecords(ctx, token+"._domainkey."+domain+".", "CNAME")
		if err != nil {
			return false, "DNS_SERVER_ERROR"
		}
		if len(values) == 0 {
			return false, "HOST_NOT_FOUND"
		}
		want := token + ".dkim.amazonses.com"
		ok := false
		for _, v := range values {
			if sameName(v, want) {
				ok = true
			}
		}
		if !ok {
			return false, "INVALID_VALUE"
		}
	}
	return true, ""
}

// tokenRecordPresent checks the v1 _amazonses.<domain> TXT record.
func (d *Double) tokenRecordPresent(ctx context.Context, id *identity) bool {
	values, err := d.backend.LookupRecords(ctx, "_amazonses."+identityKey(id.name)+".", "TXT")
	if err != nil {
		return false
	}
	for _, v := range values {
		if txtText(v) == id.verificationToken {
			return true
		}
	}
	return false
}

var mailFromMX = regexp.MustCompile(`^\d+\s+feedback-smtp\.[a-z0-9-]+\.amazonses\.com\.?$`)

// mailFromRecordPresent checks for exactly one MX record at the MAIL FROM
// domain, pointing at an SES feedback endpoint. Several MX records make the
// setup fail, so they count as not found.
func (d *Double) mailFromRecordPresent(ctx context.Context, rs *regionState, id *identity) bool {
	values, err := d.backend.LookupRecords(ctx, identityKey(id.mailFrom)+".", "MX")
	if err != nil || len(values) != 1 {
		return false
	}
	return mailFromMX.MatchString(strings.ToLower(strings.TrimSpace(values[0])))
}

// sameName compares DNS names ignoring case and the trailing dot.
func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(strings.TrimSpace(a), "."), strings.TrimSuffix(strings.TrimSpace(b), "."))
}

// dkimTag returns the value of tag name in a DKIM key record
// ("v=DKIM1; k=rsa; p=..."), with white space removed.
func dkimTag(record, name string) string {
	for _, part := range strings.Split(record, ";") {
		k, v, ok := strings.Cut(part, "=")
		if ok && strings.TrimSpace(k) == name {
			return strings.Join(strings.Fields(v), "")
		}
	}
	return ""
}
