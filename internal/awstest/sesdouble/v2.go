package sesdouble

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxBodyBytes bounds a request body: SES accepts messages up to 40 MB.
const maxBodyBytes = 41 << 20

// v2Input is one decoded v2 request.
type v2Input struct {
	labels map[string]string
	query  url.Values
	body   []byte
	remote string // caller IP, for notifications
}

// decode unmarshals the JSON body into v; an empty body leaves v as is.
func (in v2Input) decode(v any) *apiError {
	if len(strings.TrimSpace(string(in.body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(in.body, v); err != nil {
		return errorf(codeBadRequest, "The request body is not valid JSON: %v", err)
	}
	return nil
}

type v2Handler func(d *Double, ctx context.Context, rs *regionState, in v2Input) (any, *apiError)

var v2Handlers map[string]v2Handler

func init() {
	v2Handlers = map[string]v2Handler{
		"CreateEmailIdentity":                        (*Double).createEmailIdentity,
		"GetEmailIdentity":                           (*Double).getEmailIdentity,
		"ListEmailIdentities":                        (*Double).listEmailIdentities,
		"DeleteEmailIdentity":                        (*Double).deleteEmailIdentity,
		"PutEmailIdentityDkimAttributes":             (*Double).putDkimAttributes,
		"PutEmailIdentityDkimSigningAttributes":      (*Double).putDkimSigningAttributes,
		"PutEmailIdentityMailFromAttributes":         (*Double).putMailFromAttributes,
		"PutEmailIdentityFeedbackAttributes":         (*Double).putFeedbackAttributes,
		"PutEmailIdentityConfigurationSetAttributes": (*Double).putIdentityConfigurationSet,
		"TagResource":                                (*Double).tagResource,
		"UntagResource":                              (*Double).untagResource,
		"ListTagsForResource":                        (*Double).listTagsForResource,
		"CreateConfigurationSet":                     (*Double).createConfigurationSet,
		"GetConfigurationSet":                        (*Double).getConfigurationSet,
		"ListConfigurationSets":                      (*Double).listConfigurationSets,
		"DeleteConfigurationSet":                     (*Double).deleteConfigurationSet,
		"PutConfigurationSetSuppressionOptions":      (*Double).putConfigSetSuppression,
		"PutConfigurationSetReputationOptions":       (*Double).putConfigSetReputation,
		"PutConfigurationSetDeliveryOptions":         (*Double).putConfigSetDelivery,
		"PutConfigurationSetSendingOptions":          (*Double).putConfigSetSending,
		"CreateConfigurationSetEventDestination":     (*Double).createEventDestination,
		"GetConfigurationSetEventDestinations":       (*Double).getEventDestinations,
		"UpdateConfigurationSetEventDestination":     (*Double).updateEventDestination,
		"DeleteConfigurationSetEventDestination":     (*Double).deleteEventDestination,
		"GetAccount":                                 (*Double).getAccount,
		"PutAccountDetails":                          (*Double).putAccountDetails,
		"PutAccountSuppressionAttributes":            (*Double).putAccountSuppression,
		"PutAccountSendingAttributes":                (*Double).putAccountSending,
		"PutSuppressedDestination":                   (*Double).putSuppressedDestination,
		"GetSuppressedDestination":                   (*Double).getSuppressedDestination,
		"DeleteSuppressedDestination":                (*Double).deleteSuppressedDestination,
		"ListSuppressedDestinations":                 (*Double).listSuppressedDestinations,
		"SendEmail":                                  (*Double).sendEmailV2,
	}
}

func (d *Double) serveV2(w http.ResponseWriter, r *http.Request, region string) {
	requestID := newUUID()
	op, labels, ok := matchV2(r.Method, r.URL.EscapedPath())
	if !ok {
		writeV2Error(w, requestID, errorf(codeUnknownOperation, "No SES v2 operation matches %s %s.", r.Method, r.URL.Path))
		return
	}
	h := v2Handlers[op]
	if h == nil {
		writeV2Error(w, requestID, errorf(codeUnknownOperation, "The SES operation %s is not emulated by the local AWS double.", op))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		writeV2Error(w, requestID, errorf(codeBadRequest, "The request body cannot be read."))
		return
	}
	if len(body) > maxBodyBytes {
		writeV2Error(w, requestID, errorf(codeMessageRejected, "Message length is more than %d bytes long.", 40<<20))
		return
	}
	in := v2Input{labels: labels, query: r.URL.Query(), body: body, remote: remoteIP(r)}

	d.mu.Lock()
	rs := d.region(region)
	out, apiErr := h(d, r.Context(), rs, in)
	pending := rs.takePublications()
	d.mu.Unlock()

	// SES publishes whether or not the caller is still connected.
	d.publish(context.WithoutCancel(r.Context()), pending)
	if apiErr != nil {
		writeV2Error(w, requestID, apiErr)
		return
	}
	if out == nil {
		out = struct{}{}
	}
	b, _ := json.Marshal(out)
	writeBody(w, requestID, "application/json", http.StatusOK, b)
}

// remoteIP is the caller's IP address without the port.
func remoteIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndex(host, ":"); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// ---- identities ----

type dkimSigningAttributesIn struct {
	DomainSigningSelector         *string `json:"DomainSigningSelector"`
	DomainSigningPrivateKey       *string `json:"DomainSigningPrivateKey"`
	NextSigningKeyLength          *string `json:"NextSigningKeyLength"`
	DomainSigningAttributesOrigin *string `json:"DomainSigningAttributesOrigin"`
}

type dkimAttributesOut struct {
	SigningEnabled             bool     `json:"SigningEnabled"`
	Status                     string   `json:"Status"`
	Tokens                     []string `json:"Tokens,omitempty"`
	SigningAttributesOrigin    string   `json:"SigningAttributesOrigin,omitempty"`
	NextSigningKeyLength       string   `json:"NextSigningKeyLength,omitempty"`
	CurrentSigningKeyLength    string   `json:"CurrentSigningKeyLength,omitempty"`
	LastKeyGenerationTimestamp *float64 `json:"LastKeyGenerationTimestamp,omitempty"`
}

func (id *identity) dkimAttributes() *dkimAttributesOut {
	out := &dkimAttributesOut{SigningEnabled: id.dkimSigningEnabled, Status: id.dkimStatus,
		Tokens: id.tokens, SigningAttributesOrigin: id.dkimOrigin,
		NextSigningKeyLength: id.nextKeyLength, CurrentSigningKeyLength: id.currentKeyLength}
	if !id.isDomain {
		out.Status = statusNotStarted
	}
	if !id.lastKeyGeneration.IsZero() && id.dkimOrigin == originAWSSES {
		out.LastKeyGenerationTimestamp = epoch(id.lastKeyGeneration)
	}
	return out
}

func (d *Double) createEmailIdentity(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		EmailIdentity         string                   `json:"EmailIdentity"`
		Tags                  []tag                    `json:"Tags"`
		DkimSigningAttributes *dkimSigningAttributesIn `json:"DkimSigningAttributes"`
		ConfigurationSetName  string                   `json:"ConfigurationSetName"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	name := strings.TrimSpace(req.EmailIdentity)
	isDomain, e := parseIdentityName(name)
	if e != nil {
		return nil, e
	}
	if rs.identities[identityKey(name)] != nil {
		return nil, errorf(codeAlreadyExists, "Email identity %s already exists.", name)
	}
	if e := validateTags(req.Tags); e != nil {
		return nil, e
	}
	if req.ConfigurationSetName != "" && rs.configSets[req.ConfigurationSetName] == nil {
		return nil, errorf(codeNotFound, "Configuration set <%s> does not exist.", req.ConfigurationSetName)
	}
	now := d.now()
	id := newIdentity(name, isDomain, now)
	if isDomain {
		ds := req.DkimSigningAttributes
		switch {
		case ds != nil && (ds.DomainSigningSelector != nil || ds.DomainSigningPrivateKey != nil):
			if ds.DomainSigningSelector == nil || ds.DomainSigningPrivateKey == nil {
				return nil, errorf(codeBadRequest, "Both DomainSigningSelector and DomainSigningPrivateKey are required for Bring Your Own DKIM.")
			}
			pub, e := byoKey(*ds.DomainSigningSelector, *ds.DomainSigningPrivateKey)
			if e != nil {
				return nil, e
			}
			id.startBYODKIM(*ds.DomainSigningSelector, pub, now)
		default:
			length := keyLength2048
			if ds != nil && ds.NextSigningKeyLength != nil {
				if !validKeyLength(*ds.NextSigningKeyLength) {
					return nil, errorf(codeBadRequest, "Invalid NextSigningKeyLength %q: allowed values are RSA_1024_BIT and RSA_2048_BIT.", *ds.NextSigningKeyLength)
				}
				length = *ds.NextSigningKeyLength
			}
			id.startEasyDKIM(length, now)
		}
	} else if req.DkimSigningAttributes != nil {
		return nil, errorf(codeBadRequest, "DKIM signing attributes can only be set for a domain identity.")
	}
	for _, t := range req.Tags {
		id.tags.set(t.Key, t.Value)
	}
	id.configSet = req.ConfigurationSetName
	rs.identities[identityKey(name)] = id
	return map[string]any{
		"IdentityType":             id.identityType(),
		"VerifiedForSendingStatus": id.verified(),
		"DkimAttributes":           id.dkimAttributes(),
	}, nil
}

// parseIdentityName tells a domain from an email address and validates it.
func parseIdentityName(name string) (isDomain bool, e *apiError) {
	if name == "" {
		return false, errorf(codeBadRequest, "EmailIdentity is required.")
	}
	if strings.Contains(name, "@") {
		local, domain, _ := strings.Cut(name, "@")
		if local == "" || !validDomain(domain) || strings.ContainsAny(local, " \t<>()") {
			return false, errorf(codeBadRequest, "Invalid email address <%s>.", name)
		}
		return false, nil
	}
	if !validDomain(name) {
		return true, errorf(codeBadRequest, "Invalid domain name <%s>.", name)
	}
	return true, nil
}

// validDomain checks a DNS name: labels of 1-63 letters, digits, hyphens and
// underscores, at least two labels, at most 253 characters.
func validDomain(name string) bool {
	name = strings.TrimSuffix(name, ".")
	if len(name) == 0 || len(name) > 253 {
		return false
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func validateTags(tags []tag) *apiError {
	if len(tags) > 50 {
		return errorf(codeBadRequest, "Too many tags: a resource can have at most 50 tags.")
	}
	for _, t := range tags {
		if len(t.Key) < 1 || len(t.Key) > 128 {
			return errorf(codeBadRequest, "Invalid tag key <%s>: a key must be 1-128 characters.", t.Key)
		}
		if len(t.Value) > 256 {
			return errorf(codeBadRequest, "Invalid tag value for key <%s>: a value must be at most 256 characters.", t.Key)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return errorf(codeBadRequest, "Invalid tag key <%s>: the aws: prefix is reserved.", t.Key)
		}
	}
	return nil
}

// lookupIdentity finds an identity and refreshes its DNS-based status.
func (d *Double) lookupIdentity(ctx context.Context, rs *regionState, name string) (*identity, *apiError) {
	id := rs.identities[identityKey(name)]
	if id == nil {
		return nil, errorf(codeNotFound, "Email identity <%s> does not exist.", name)
	}
	d.refresh(ctx, rs, id)
	return id, nil
}

func (d *Double) getEmailIdentity(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	id, e := d.lookupIdentity(ctx, rs, in.labels["EmailIdentity"])
	if e != nil {
		return nil, e
	}
	out := map[string]any{
		"IdentityType":             id.identityType(),
		"FeedbackForwardingStatus": id.forwarding,
		"VerifiedForSendingStatus": id.verified(),
		"DkimAttributes":           id.dkimAttributes(),
		"Policies":                 map[string]string{},
		"Tags":                     nonNilTags(id.tags),
		"VerificationStatus":       id.verificationStatus(),
	}
	mf := map[string]any{"BehaviorOnMxFailure": id.mxFailure}
	if id.mailFrom != "" {
		mf["MailFromDomain"] = id.mailFrom
		mf["MailFromDomainStatus"] = id.mailFromStatus
	}
	out["MailFromAttributes"] = mf
	if id.configSet != "" {
		out["ConfigurationSetName"] = id.configSet
	}
	if id.isDomain {
		info := map[string]any{}
		if !id.lastChecked.IsZero() {
			info["LastCheckedTimestamp"] = epoch(id.lastChecked)
		}
		if !id.lastSuccess.IsZero() {
			info["LastSuccessTimestamp"] = epoch(id.lastSuccess)
		}
		if id.dkimError != "" && id.dkimStatus != statusSuccess {
			info["ErrorType"] = id.dkimError
		}
		out["VerificationInfo"] = info
	}
	return out, nil
}

func nonNilTags(tl tagList) []tag {
	if tl == nil {
		return []tag{}
	}
	return tl
}

// pageToken and parsePageToken make opaque NextTokens from list offsets.
func pageToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset)))
}

func parsePageToken(tok string) (int, *apiError) {
	if tok == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil {
		if s, ok := strings.CutPrefix(string(b), "offset:"); ok {
			if n, err := strconv.Atoi(s); err == nil && n >= 0 {
				return n, nil
			}
		}
	}
	return 0, errorf(codeBadRequest, "Invalid NextToken.")
}

// listPage reads NextToken and PageSize from the JSON body or, for the GET
// forms, from the query string.
func listPage(in v2Input, defaultSize, maxSize int) (offset, size int, e *apiError) {
	var req struct {
		NextToken string `json:"NextToken"`
		PageSize  *int   `json:"PageSize"`
	}
	if e := in.decode(&req); e != nil {
		return 0, 0, e
	}
	if req.NextToken == "" {
		req.NextToken = in.query.Get("NextToken")
	}
	if req.PageSize == nil && in.query.Get("PageSize") != "" {
		n, err := strconv.Atoi(in.query.Get("PageSize"))
		if err != nil {
			return 0, 0, errorf(codeBadRequest, "Invalid PageSize.")
		}
		req.PageSize = &n
	}
	size = defaultSize
	if req.PageSize != nil {
		size = *req.PageSize
		if size < 0 || size > maxSize {
			return 0, 0, errorf(codeBadRequest, "PageSize must be between 0 and %d.", maxSize)
		}
		if size == 0 {
			size = defaultSize
		}
	}
	offset, e = parsePageToken(req.NextToken)
	return offset, size, e
}

// page cuts names[offset:offset+size] and the token of the next page.
func page(names []string, offset, size int) ([]string, string) {
	if offset > len(names) {
		offset = len(names)
	}
	end := offset + size
	if end >= len(names) {
		return names[offset:], ""
	}
	return names[offset:end], pageToken(end)
}

func (d *Double) listEmailIdentities(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	offset, size, e := listPage(in, 100, 1000)
	if e != nil {
		return nil, e
	}
	var keys []string
	now := d.now()
	for _, k := range slices.Sorted(maps.Keys(rs.identities)) {
		if d.listed(rs.identities[k], now) {
			keys = append(keys, k)
		}
	}
	names, next := page(keys, offset, size)
	infos := []map[string]any{}
	for _, k := range names {
		// A list reports the statuses as last checked: only reads of single
		// identities, v1 batch reads and sends look at DNS.
		id := rs.identities[k]
		infos = append(infos, map[string]any{
			"IdentityType":       id.identityType(),
			"IdentityName":       id.name,
			"SendingEnabled":     id.verified(),
			"VerificationStatus": id.verificationStatus(),
		})
	}
	out := map[string]any{"EmailIdentities": infos}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func (d *Double) deleteEmailIdentity(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	name := in.labels["EmailIdentity"]
	if rs.identities[identityKey(name)] == nil {
		return nil, errorf(codeNotFound, "Email identity <%s> does not exist.", name)
	}
	delete(rs.identities, identityKey(name))
	return nil, nil
}

func (d *Double) putDkimAttributes(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		SigningEnabled *bool `json:"SigningEnabled"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	id, e := d.lookupIdentity(ctx, rs, in.labels["EmailIdentity"])
	if e != nil {
		return nil, e
	}
	enabled := req.SigningEnabled != nil && *req.SigningEnabled
	if id.isDomain && id.dkimStatus == statusNotStarted && enabled {
		return nil, errorf(codeBadRequest, "DKIM is not set up for <%s>: set up Easy DKIM or BYODKIM first.", id.name)
	}
	id.dkimSigningEnabled = enabled
	return nil, nil
}

func (d *Double) putDkimSigningAttributes(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		SigningAttributesOrigin string                   `json:"SigningAttributesOrigin"`
		SigningAttributes       *dkimSigningAttributesIn `json:"SigningAttributes"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	id, e := d.lookupIdentity(ctx, rs, in.labels["EmailIdentity"])
	if e != nil {
		return nil, e
	}
	if !id.isDomain {
		return nil, errorf(codeBadRequest, "DKIM signing attributes can only be set for a domain identity.")
	}
	now := d.now()
	sa := req.SigningAttributes
	switch req.SigningAttributesOrigin {
	case originExtern:
		if sa == nil || sa.DomainSigningSelector == nil || sa.DomainSigningPrivateKey == nil {
			return nil, errorf(codeBadRequest, "DomainSigningSelector and DomainSigningPrivateKey are required when SigningAttributesOrigin is EXTERNAL.")
		}
		pub, e := byoKey(*sa.DomainSigningSelector, *sa.DomainSigningPrivateKey)
		if e != nil {
			return nil, e
		}
		id.startBYODKIM(*sa.DomainSigningSelector, pub, now)
	case originAWSSES:
		if sa != nil && (sa.DomainSigningSelector != nil || sa.DomainSigningPrivateKey != nil) {
			return nil, errorf(codeBadRequest, "DomainSigningSelector and DomainSigningPrivateKey are allowed only when SigningAttributesOrigin is EXTERNAL.")
		}
		length := ""
		if sa != nil && sa.NextSigningKeyLength != nil {
			if !validKeyLength(*sa.NextSigningKeyLength) {
				return nil, errorf(codeBadRequest, "Invalid NextSigningKeyLength %q: allowed values are RSA_1024_BIT and RSA_2048_BIT.", *sa.NextSigningKeyLength)
			}
			length = *sa.NextSigningKeyLength
		}
		if id.dkimOrigin != originAWSSES || id.dkimStatus == statusFailed || id.dkimStatus == statusNotStarted {
			// Switching from BYODKIM (or restarting a failed setup) generates new tokens.
			if length == "" {
				length = keyLength2048
			}
			id.startEasyDKIM(length, now)
			break
		}
		if length == "" {
			// Already Easy DKIM and no new length: nothing to change.
			break
		}
		if e := changeKeyLength(id, length, now); e != nil {
			return nil, e
		}
	default:
		return nil, errorf(codeBadRequest, "Invalid SigningAttributesOrigin %q: allowed values are AWS_SES and EXTERNAL.", req.SigningAttributesOrigin)
	}
	return map[string]any{"DkimStatus": id.dkimStatus, "DkimTokens": id.tokens}, nil
}

// changeKeyLength applies an Easy DKIM key-length change with SES's rules:
// not to the length in use, at most once in 24 hours, except that the first
// downgrade to 1024 bits in that window is allowed. The change generates a
// new key at once; the tokens (and so the DNS records) stay the same.
func changeKeyLength(id *identity, length string, now time.Time) *apiError {
	if length == id.currentKeyLength {
		return errorf(codeBadRequest, "The signing key length of <%s> is already %s; choose a different length.", id.name, length)
	}
	recent := now.Sub(id.lastKeyGeneration) < 24*time.Hour
	if recent {
		if length != keyLength1024 || now.Sub(id.downgradeExempt) < 24*time.Hour {
			return errorf(codeBadRequest, "The signing key of <%s> was generated less than 24 hours ago; the key length can be changed at most once every 24 hours.", id.name)
		}
		id.downgradeExempt = now
	}
	id.currentKeyLength = length
	id.nextKeyLength = length
	id.lastKeyGeneration = now
	return nil
}

func (d *Double) putMailFromAttributes(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		MailFromDomain      string `json:"MailFromDomain"`
		BehaviorOnMxFailure string `json:"BehaviorOnMxFailure"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	id, e := d.lookupIdentity(ctx, rs, in.labels["EmailIdentity"])
	if e != nil {
		return nil, e
	}
	behavior := req.BehaviorOnMxFailure
	if behavior == "" {
		behavior = "USE_DEFAULT_VALUE"
	}
	if behavior != "USE_DEFAULT_VALUE" && behavior != "REJECT_MESSAGE" {
		return nil, errorf(codeBadRequest, "Invalid BehaviorOnMxFailure %q: allowed values are USE_DEFAULT_VALUE and REJECT_MESSAGE.", behavior)
	}
	if e := setMailFrom(id, req.MailFromDomain, behavior, d.now()); e != nil {
		return nil, e
	}
	return nil, nil
}

// setMailFrom sets or clears (empty domain) the MAIL FROM domain of id.
func setMailFrom(id *identity, domain, behavior string, now time.Time) *apiError {
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if domain == "" {
		id.mailFrom, id.mailFromStatus = "", ""
		id.mxFailure = behavior
		return nil
	}
	parent := id.domain()
	if !validDomain(domain) || !strings.HasSuffix(strings.ToLower(domain), "."+parent) {
		return errorf(codeBadRequest, "Invalid MAIL FROM domain <%s>: it must be a subdomain of <%s>.", domain, parent)
	}
	if !strings.EqualFold(domain, id.mailFrom) || id.mailFromStatus == statusFailed {
		id.mailFromStatus = statusPending
		id.mailFromSince = now
		id.recheck()
	}
	id.mailFrom = strings.ToLower(domain)
	id.mxFailure = behavior
	return nil
}

func (d *Double) putFeedbackAttributes(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		EmailForwardingEnabled bool `json:"EmailForwardingEnabled"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	id, e := d.lookupIdentity(ctx, rs, in.labels["EmailIdentity"])
	if e != nil {
		return nil, e
	}
	return nil, setForwarding(id, req.EmailForwardingEnabled)
}

// setForwarding applies SES's rule: forwarding may be off only while both
// the bounce and the complaint topics are set.
func setForwarding(id *identity, enabled bool) *apiError {
	if !enabled && (id.topics["Bounce"] == "" || id.topics["Complaint"] == "") {
		return errorf(codeBadRequest, "Feedback notification topic not set on identity <%s>: email feedback forwarding can be disabled only when SNS topics are set for both bounces and complaints.", id.name)
	}
	id.forwarding = enabled
	return nil
}

func (d *Double) putIdentityConfigurationSet(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		ConfigurationSetName string `json:"ConfigurationSetName"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	id, e := d.lookupIdentity(ctx, rs, in.labels["EmailIdentity"])
	if e != nil {
		return nil, e
	}
	if req.ConfigurationSetName != "" && rs.configSets[req.ConfigurationSetName] == nil {
		return nil, errorf(codeNotFound, "Configuration set <%s> does not exist.", req.ConfigurationSetName)
	}
	id.configSet = req.ConfigurationSetName
	return nil, nil
}

// ---- tags ----

// taggable resolves an SES ARN of this region and account to its tag list.
func (d *Double) taggable(rs *regionState, arn string) (*tagList, *apiError) {
	prefix := "arn:aws:ses:" + rs.name + ":" + d.opts.AccountID + ":"
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		if strings.HasPrefix(arn, "arn:") {
			return nil, errorf(codeNotFound, "Resource <%s> does not exist.", arn)
		}
		return nil, errorf(codeBadRequest, "Invalid ResourceArn <%s>.", arn)
	}
	kind, name, _ := strings.Cut(rest, "/")
	switch kind {
	case "identity":
		if id := rs.identities[identityKey(name)]; id != nil {
			return &id.tags, nil
		}
	case "configuration-set":
		if cs := rs.configSets[name]; cs != nil {
			return &cs.tags, nil
		}
	default:
		return nil, errorf(codeBadRequest, "Invalid ResourceArn <%s>: tags are supported on identities and configuration sets.", arn)
	}
	return nil, errorf(codeNotFound, "Resource <%s> does not exist.", arn)
}

func (d *Double) tagResource(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	var req struct {
		ResourceArn string `json:"ResourceArn"`
		Tags        []tag  `json:"Tags"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	tl, e := d.taggable(rs, req.ResourceArn)
	if e != nil {
		return nil, e
	}
	if e := validateTags(req.Tags); e != nil {
		return nil, e
	}
	merged := append(tagList{}, *tl...)
	for _, t := range req.Tags {
		merged.set(t.Key, t.Value)
	}
	if len(merged) > 50 {
		return nil, errorf(codeBadRequest, "Too many tags: a resource can have at most 50 tags.")
	}
	d.tagsChanging(rs, req.ResourceArn)
	*tl = merged
	return nil, nil
}

func (d *Double) untagResource(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	tl, e := d.taggable(rs, in.query.Get("ResourceArn"))
	if e != nil {
		return nil, e
	}
	keys := in.query["TagKeys"]
	if len(keys) == 0 {
		return nil, errorf(codeBadRequest, "TagKeys is required.")
	}
	d.tagsChanging(rs, in.query.Get("ResourceArn"))
	tl.remove(keys)
	return nil, nil
}

func (d *Double) listTagsForResource(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	tl, e := d.taggable(rs, in.query.Get("ResourceArn"))
	if e != nil {
		return nil, e
	}
	return map[string]any{"Tags": nonNilTags(*tl)}, nil
}
