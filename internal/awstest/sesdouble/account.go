package sesdouble

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

func (d *Double) getAccount(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	now := d.now()
	a := &rs.account
	a.refresh(now, d.reviewDelay())
	out := map[string]any{
		"DedicatedIpAutoWarmupEnabled": a.dedicatedIPWarmup,
		"EnforcementStatus":            a.enforcementStatus,
		"ProductionAccessEnabled":      a.productionAccess,
		"SendingEnabled":               a.sendingEnabled,
		"SendQuota": map[string]float64{
			"Max24HourSend":   a.max24HourSend,
			"MaxSendRate":     a.maxSendRate,
			"SentLast24Hours": float64(rs.sentLast24Hours(now)),
		},
		"SuppressionAttributes": map[string]any{"SuppressedReasons": append([]string{}, a.suppressedReasons...)},
		"VdmAttributes":         map[string]string{"VdmEnabled": "DISABLED"},
	}
	if a.details != nil {
		det := map[string]any{
			"MailType":        a.details.MailType,
			"WebsiteURL":      a.details.WebsiteURL,
			"ContactLanguage": a.details.ContactLanguage,
		}
		if a.details.UseCaseDescription != "" {
			det["UseCaseDescription"] = a.details.UseCaseDescription
		}
		if len(a.details.AdditionalContactEmailAddresses) > 0 {
			det["AdditionalContactEmailAddresses"] = a.details.AdditionalContactEmailAddresses
		}
		if a.reviewStatus != "" {
			det["ReviewDetails"] = map[string]string{"Status": a.reviewStatus, "CaseId": a.reviewCaseID}
		}
		out["Details"] = det
	}
	return out, nil
}

var (
	contactEmailPattern = regexp.MustCompile(`^(.+)@(.+)$`)
	uriPattern          = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$`)
)

func (d *Double) putAccountDetails(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		accountDetails
		ProductionAccessEnabled *bool `json:"ProductionAccessEnabled"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	now := d.now()
	a := &rs.account
	a.refresh(now, d.reviewDelay())
	if e := validateAccountDetails(&req.accountDetails); e != nil {
		return nil, e
	}
	if a.reviewStatus == "PENDING" {
		return nil, errorf(codeConflict, "Your account details cannot be updated while a review of a previous request is in progress.")
	}
	det := req.accountDetails
	a.details = &det
	if req.ProductionAccessEnabled != nil && *req.ProductionAccessEnabled && !a.productionAccess {
		a.reviewStatus = "PENDING"
		a.reviewCaseID = fmt.Sprintf("%d", 10000000000+now.UnixNano()%9000000000)
		a.reviewSubmittedAt = now
		a.refresh(now, d.reviewDelay())
	}
	return nil, nil
}

// validateAccountDetails applies the constraints of the PutAccountDetails model.
func validateAccountDetails(det *accountDetails) *apiError {
	if det.MailType != "MARKETING" && det.MailType != "TRANSACTIONAL" {
		return errorf(codeBadRequest, "Invalid MailType %q: allowed values are MARKETING and TRANSACTIONAL.", det.MailType)
	}
	if len(det.WebsiteURL) < 1 || len(det.WebsiteURL) > 1000 || !uriPattern.MatchString(det.WebsiteURL) {
		return errorf(codeBadRequest, "Invalid WebsiteURL <%s>: a URL of 1-1000 characters is required.", det.WebsiteURL)
	}
	if _, err := url.Parse(det.WebsiteURL); err != nil {
		return errorf(codeBadRequest, "Invalid WebsiteURL <%s>: a URL of 1-1000 characters is required.", det.WebsiteURL)
	}
	if det.ContactLanguage != "" && det.ContactLanguage != "EN" && det.ContactLanguage != "JA" {
		return errorf(codeBadRequest, "Invalid ContactLanguage %q: allowed values are EN and JA.", det.ContactLanguage)
	}
	if len(det.UseCaseDescription) > 5000 {
		return errorf(codeBadRequest, "UseCaseDescription must be at most 5000 characters.")
	}
	if det.AdditionalContactEmailAddresses != nil {
		n := len(det.AdditionalContactEmailAddresses)
		if n < 1 || n > 4 {
			return errorf(codeBadRequest, "AdditionalContactEmailAddresses must hold 1-4 addresses.")
		}
		for _, addr := range det.AdditionalContactEmailAddresses {
			if len(addr) < 6 || len(addr) > 254 || !contactEmailPattern.MatchString(addr) {
				return errorf(codeBadRequest, "Invalid additional contact email address <%s>.", addr)
			}
		}
	}
	return nil
}

func (d *Double) putAccountSuppression(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		SuppressedReasons []string `json:"SuppressedReasons"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	if e := validSuppressionReasons(req.SuppressedReasons); e != nil {
		return nil, e
	}
	rs.account.suppressedReasons = dedupSorted(req.SuppressedReasons)
	return nil, nil
}

func dedupSorted(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func (d *Double) putAccountSending(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		SendingEnabled bool `json:"SendingEnabled"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	rs.account.sendingEnabled = req.SendingEnabled
	return nil, nil
}

// ---- account suppression list ----

func validEmailAddress(addr string) bool {
	local, domain, ok := strings.Cut(addr, "@")
	return ok && local != "" && validDomain(domain)
}

func (d *Double) putSuppressedDestination(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		EmailAddress string `json:"EmailAddress"`
		Reason       string `json:"Reason"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	if !validEmailAddress(req.EmailAddress) {
		return nil, errorf(codeBadRequest, "Invalid email address <%s>.", req.EmailAddress)
	}
	if req.Reason != "BOUNCE" && req.Reason != "COMPLAINT" {
		return nil, errorf(codeBadRequest, "Invalid Reason %q: allowed values are BOUNCE and COMPLAINT.", req.Reason)
	}
	rs.suppressed[strings.ToLower(req.EmailAddress)] = &suppressedDestination{
		address: req.EmailAddress, reason: req.Reason, updatedAt: d.now()}
	return nil, nil
}

func (d *Double) getSuppressedDestination(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	addr := in.labels["EmailAddress"]
	s := rs.suppressed[strings.ToLower(addr)]
	if s == nil {
		return nil, errorf(codeNotFound, "Email address <%s> is not on the suppression list for your account.", addr)
	}
	out := map[string]any{"EmailAddress": s.address, "Reason": s.reason, "LastUpdateTime": epoch(s.updatedAt)}
	if s.messageID != "" {
		out["Attributes"] = map[string]string{"MessageId": s.messageID, "FeedbackId": s.feedbackID}
	}
	return map[string]any{"SuppressedDestination": out}, nil
}

func (d *Double) deleteSuppressedDestination(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	addr := in.labels["EmailAddress"]
	if rs.suppressed[strings.ToLower(addr)] == nil {
		return nil, errorf(codeNotFound, "Email address <%s> is not on the suppression list for your account.", addr)
	}
	delete(rs.suppressed, strings.ToLower(addr))
	return nil, nil
}

func (d *Double) listSuppressedDestinations(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	q := in.query
	reasons := map[string]bool{}
	for _, r := range q["Reason"] {
		if r != "BOUNCE" && r != "COMPLAINT" {
			return nil, errorf(codeBadRequest, "Invalid Reason %q: allowed values are BOUNCE and COMPLAINT.", r)
		}
		reasons[r] = true
	}
	start, e := queryTime(q, "StartDate")
	if e != nil {
		return nil, e
	}
	end, e := queryTime(q, "EndDate")
	if e != nil {
		return nil, e
	}
	size := 100
	if s := q.Get("PageSize"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return nil, errorf(codeBadRequest, "PageSize must be between 1 and 1000.")
		}
		size = n
	}
	offset, e := parsePageToken(q.Get("NextToken"))
	if e != nil {
		return nil, e
	}
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(rs.suppressed)) {
		s := rs.suppressed[k]
		if len(reasons) > 0 && !reasons[s.reason] {
			continue
		}
		if !start.IsZero() && s.updatedAt.Before(start) || !end.IsZero() && s.updatedAt.After(end) {
			continue
		}
		keys = append(keys, k)
	}
	names, next := page(keys, offset, size)
	sums := []map[string]any{}
	for _, k := range names {
		s := rs.suppressed[k]
		sums = append(sums, map[string]any{"EmailAddress": s.address, "Reason": s.reason, "LastUpdateTime": epoch(s.updatedAt)})
	}
	out := map[string]any{"SuppressedDestinationSummaries": sums}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// queryTime parses a timestamp query parameter: ISO 8601 (the SDK's form) or
// epoch seconds.
func queryTime(q url.Values, name string) (time.Time, *apiError) {
	s := q.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Unix(int64(f), 0), nil
	}
	return time.Time{}, errorf(codeBadRequest, "Invalid %s <%s>.", name, s)
}

// epoch is a timestamp in the REST-JSON wire form: seconds since 1970.
func epoch(t time.Time) *float64 {
	f := float64(t.Unix())
	return &f
}
