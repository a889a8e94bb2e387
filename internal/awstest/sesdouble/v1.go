package sesdouble

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// v1Namespace is the XML namespace of SES v1 responses.
const v1Namespace = "http://ses.amazonaws.com/doc/2010-12-01/"

// maxBatchIdentities is how many identities one v1 GetIdentity*Attributes call takes.
const maxBatchIdentities = 100

// xmlWriter builds a small XML document.
type xmlWriter struct{ b bytes.Buffer }

func newXMLWriter() *xmlWriter { return &xmlWriter{} }

// open writes a start tag; tag may carry attributes.
func (x *xmlWriter) open(tag string) { x.b.WriteString("<" + tag + ">") }

func (x *xmlWriter) close(name string) { x.b.WriteString("</" + name + ">") }

// elem writes <name>text</name> with text escaped.
func (x *xmlWriter) elem(name, text string) {
	x.b.WriteString("<" + name + ">")
	_ = xml.EscapeText(&x.b, []byte(text))
	x.b.WriteString("</" + name + ">")
}

func (x *xmlWriter) bytes() []byte { return x.b.Bytes() }

// v1Input is one decoded v1 request.
type v1Input struct {
	form   url.Values
	remote string
}

func (in v1Input) get(name string) string { return in.form.Get(name) }

// list reads a Query-protocol list: name.member.1, name.member.2, ...
func (in v1Input) list(name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := in.form[name+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// required returns the parameter or the error AWS gives for a missing one.
func (in v1Input) required(name string) (string, *apiError) {
	v := in.get(name)
	if v == "" {
		return "", &apiError{code: codeBadRequest, v1Code: "ValidationError",
			message: fmt.Sprintf("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))}
	}
	return v, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// v1Handler answers one action, writing the inside of its Result element.
type v1Handler func(d *Double, ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError

var v1Handlers map[string]v1Handler

func init() {
	v1Handlers = map[string]v1Handler{
		"VerifyDomainIdentity":                     (*Double).verifyDomainIdentity,
		"VerifyDomainDkim":                         (*Double).verifyDomainDkim,
		"VerifyEmailIdentity":                      (*Double).verifyEmailIdentity,
		"VerifyEmailAddress":                       (*Double).verifyEmailIdentity,
		"DeleteIdentity":                           (*Double).deleteIdentity,
		"ListIdentities":                           (*Double).listIdentities,
		"GetIdentityVerificationAttributes":        (*Double).getIdentityVerificationAttributes,
		"GetIdentityDkimAttributes":                (*Double).getIdentityDkimAttributes,
		"GetIdentityMailFromDomainAttributes":      (*Double).getIdentityMailFromDomainAttributes,
		"GetIdentityNotificationAttributes":        (*Double).getIdentityNotificationAttributes,
		"SetIdentityNotificationTopic":             (*Double).setIdentityNotificationTopic,
		"SetIdentityHeadersInNotificationsEnabled": (*Double).setIdentityHeadersInNotifications,
		"SetIdentityFeedbackForwardingEnabled":     (*Double).setIdentityFeedbackForwarding,
		"SetIdentityMailFromDomain":                (*Double).setIdentityMailFromDomain,
		"SetIdentityDkimEnabled":                   (*Double).setIdentityDkimEnabled,
		"GetSendQuota":                             (*Double).getSendQuota,
		"GetSendStatistics":                        (*Double).getSendStatistics,
		"GetAccountSendingEnabled":                 (*Double).getAccountSendingEnabled,
		"UpdateAccountSendingEnabled":              (*Double).updateAccountSendingEnabled,
		"SendEmail":                                (*Double).sendEmailV1,
		"SendRawEmail":                             (*Double).sendRawEmailV1,
	}
}

func (d *Double) serveV1(w http.ResponseWriter, r *http.Request, region string) {
	requestID := newUUID()
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes))
	if err != nil {
		writeV1Error(w, requestID, &apiError{code: codeBadRequest, v1Code: "InvalidParameterValue", message: "The request body cannot be read."})
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeV1Error(w, requestID, &apiError{code: codeBadRequest, v1Code: "MalformedQueryString", message: "The request body is not a valid query string."})
		return
	}
	for k, v := range r.URL.Query() {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	action := form.Get("Action")
	h := v1Handlers[action]
	if h == nil {
		writeV1Error(w, requestID, &apiError{code: codeBadRequest, v1Code: "InvalidAction",
			message: fmt.Sprintf("The action %s is not valid for this web service.", action)})
		return
	}
	x := newXMLWriter()
	d.mu.Lock()
	rs := d.region(region)
	apiErr := h(d, r.Context(), rs, v1Input{form: form, remote: remoteIP(r)}, x)
	pending := rs.takePublications()
	d.mu.Unlock()

	// SES publishes whether or not the caller is still connected.
	d.publish(context.WithoutCancel(r.Context()), pending)
	if apiErr != nil {
		writeV1Error(w, requestID, apiErr)
		return
	}
	out := newXMLWriter()
	out.open(action + `Response xmlns="` + v1Namespace + `"`)
	out.open(action + "Result")
	out.b.Write(x.bytes())
	out.close(action + "Result")
	out.open("ResponseMetadata")
	out.elem("RequestId", requestID)
	out.close("ResponseMetadata")
	out.close(action + "Response")
	writeBody(w, requestID, "text/xml", http.StatusOK, out.bytes())
}

func v1Invalid(format string, args ...any) *apiError {
	return &apiError{code: codeBadRequest, v1Code: "InvalidParameterValue", message: fmt.Sprintf(format, args...)}
}

// ---- identities ----

func (d *Double) verifyDomainIdentity(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	domain, e := in.required("Domain")
	if e != nil {
		return e
	}
	if !validDomain(domain) {
		return v1Invalid("Invalid domain name <%s>.", domain)
	}
	now := d.now()
	id := rs.identities[identityKey(domain)]
	if id == nil {
		id = newIdentity(domain, true, now)
		rs.identities[identityKey(domain)] = id
	} else if !id.isDomain {
		return v1Invalid("Invalid domain name <%s>.", domain)
	}
	if id.verificationToken == "" || id.tokenStatus == statusFailed {
		id.verificationToken = randomVerificationToken()
		id.tokenStatus = statusPending
		id.tokenSince = now
		id.recheck()
	}
	x.elem("VerificationToken", id.verificationToken)
	return nil
}

func (d *Double) verifyDomainDkim(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	domain, e := in.required("Domain")
	if e != nil {
		return e
	}
	if !validDomain(domain) {
		return v1Invalid("Invalid domain name <%s>.", domain)
	}
	now := d.now()
	id := rs.identities[identityKey(domain)]
	if id == nil {
		id = newIdentity(domain, true, now)
		rs.identities[identityKey(domain)] = id
	} else if !id.isDomain {
		return v1Invalid("Invalid domain name <%s>.", domain)
	}
	if id.dkimOrigin != originAWSSES || id.dkimStatus == statusFailed || id.dkimStatus == statusNotStarted {
		id.startEasyDKIM(keyLength2048, now)
	}
	x.open("DkimTokens")
	for _, t := range id.tokens {
		x.elem("member", t)
	}
	x.close("DkimTokens")
	return nil
}

func (d *Double) verifyEmailIdentity(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	addr := in.get("EmailAddress")
	if addr == "" {
		var e *apiError
		if addr, e = in.required("EmailAddress"); e != nil {
			return e
		}
	}
	if !validEmailAddress(addr) {
		return v1Invalid("Invalid email address <%s>.", addr)
	}
	if rs.identities[identityKey(addr)] == nil {
		rs.identities[identityKey(addr)] = newIdentity(addr, false, d.now())
	}
	return nil
}

func (d *Double) deleteIdentity(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	name, e := in.required("Identity")
	if e != nil {
		return e
	}
	delete(rs.identities, identityKey(name))
	return nil
}

func (d *Double) listIdentities(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	typ := in.get("IdentityType")
	if typ != "" && typ != "EmailAddress" && typ != "Domain" {
		return v1Invalid("Invalid IdentityType %q: allowed values are EmailAddress and Domain.", typ)
	}
	size := 1000
	if s := in.get("MaxItems"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 1000 {
			return v1Invalid("MaxItems must be between 0 and 1000.")
		}
		if n > 0 {
			size = n
		}
	}
	offset, e := parsePageToken(in.get("NextToken"))
	if e != nil {
		return v1Invalid("Invalid NextToken.")
	}
	var names []string
	now := d.now()
	for _, k := range slices.Sorted(maps.Keys(rs.identities)) {
		id := rs.identities[k]
		if typ == "EmailAddress" && id.isDomain || typ == "Domain" && !id.isDomain || !d.listed(id, now) {
			continue
		}
		names = append(names, id.name)
	}
	pageNames, next := page(names, offset, size)
	x.open("Identities")
	for _, n := range pageNames {
		x.elem("member", n)
	}
	x.close("Identities")
	if next != "" {
		x.elem("NextToken", next)
	}
	return nil
}

// batch reads the Identities list of a batch read, refuses more than 100 as
// AWS does, and returns the identities that exist, refreshed, in request order.
// batchMap answers a v1 batch read: an XML map named name with one entry
// per identity asked for, whose value writeValue fills.
func (d *Double) batchMap(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter, name string, writeValue func(id *identity)) *apiError {
	ids, e := d.batch(ctx, rs, in)
	if e != nil {
		return e
	}
	x.open(name)
	for _, id := range ids {
		x.open("entry")
		x.elem("key", id.name)
		x.open("value")
		writeValue(id)
		x.close("value")
		x.close("entry")
	}
	x.close(name)
	return nil
}

func (d *Double) batch(ctx context.Context, rs *regionState, in v1Input) ([]*identity, *apiError) {
	names := in.list("Identities")
	if len(names) > maxBatchIdentities {
		return nil, &apiError{code: codeBadRequest, v1Code: "ValidationError",
			message: fmt.Sprintf("1 validation error detected: Value '%d identities' at 'identities' failed to satisfy constraint: Member must have length less than or equal to %d", len(names), maxBatchIdentities)}
	}
	var out []*identity
	seen := map[string]bool{}
	for _, n := range names {
		k := identityKey(n)
		if id := rs.identities[k]; id != nil && !seen[k] {
			seen[k] = true
			d.refresh(ctx, rs, id)
			out = append(out, id)
		}
	}
	return out, nil
}

func (d *Double) getIdentityVerificationAttributes(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	return d.batchMap(ctx, rs, in, x, "VerificationAttributes", func(id *identity) {
		x.elem("VerificationStatus", v1Status(id.verificationStatus()))
		if id.verificationToken != "" {
			x.elem("VerificationToken", id.verificationToken)
		}
	})
}

func (d *Double) getIdentityDkimAttributes(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	return d.batchMap(ctx, rs, in, x, "DkimAttributes", func(id *identity) {
		status := statusNotStarted
		if id.isDomain {
			status = id.dkimStatus
		}
		x.elem("DkimEnabled", strconv.FormatBool(id.isDomain && id.dkimSigningEnabled))
		x.elem("DkimVerificationStatus", v1Status(status))
		if id.isDomain && id.dkimOrigin == originAWSSES && len(id.tokens) > 0 {
			x.open("DkimTokens")
			for _, t := range id.tokens {
				x.elem("member", t)
			}
			x.close("DkimTokens")
		}
	})
}

func (d *Double) getIdentityMailFromDomainAttributes(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	return d.batchMap(ctx, rs, in, x, "MailFromDomainAttributes", func(id *identity) {
		x.elem("MailFromDomain", id.mailFrom)
		if id.mailFrom != "" {
			x.elem("MailFromDomainStatus", v1Status(id.mailFromStatus))
		}
		x.elem("BehaviorOnMXFailure", v1Behavior(id.mxFailure))
	})
}

// v1Behavior spells a BehaviorOnMxFailure the way the v1 API does.
func v1Behavior(b string) string {
	if b == "REJECT_MESSAGE" {
		return "RejectMessage"
	}
	return "UseDefaultValue"
}

var notificationTypes = []string{"Bounce", "Complaint", "Delivery"}

func (d *Double) getIdentityNotificationAttributes(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	return d.batchMap(ctx, rs, in, x, "NotificationAttributes", func(id *identity) {
		for _, t := range notificationTypes {
			if arn := id.topics[t]; arn != "" {
				x.elem(t+"Topic", arn)
			}
		}
		x.elem("ForwardingEnabled", strconv.FormatBool(id.forwarding))
		for _, t := range notificationTypes {
			x.elem("HeadersIn"+t+"NotificationsEnabled", strconv.FormatBool(id.headersIn[t]))
		}
	})
}

// v1Identity finds the identity a v1 Set* call names.
func v1Identity(rs *regionState, name string) (*identity, *apiError) {
	id := rs.identities[identityKey(name)]
	if id == nil {
		return nil, v1Invalid("Identity <%s> does not exist.", name)
	}
	return id, nil
}

func validNotificationType(t string) bool {
	for _, n := range notificationTypes {
		if t == n {
			return true
		}
	}
	return false
}

func (d *Double) setIdentityNotificationTopic(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	name, e := in.required("Identity")
	if e != nil {
		return e
	}
	typ, e := in.required("NotificationType")
	if e != nil {
		return e
	}
	if !validNotificationType(typ) {
		return v1Invalid("Invalid NotificationType %q: allowed values are Bounce, Complaint and Delivery.", typ)
	}
	id, e := v1Identity(rs, name)
	if e != nil {
		return e
	}
	topic := in.get("SnsTopic")
	if topic == "" {
		delete(id.topics, typ)
		if typ != "Delivery" {
			// Forwarding may be off only while both feedback topics are set.
			id.forwarding = true
		}
		return nil
	}
	ok, err := d.backend.TopicExists(ctx, topic)
	if err != nil || !ok {
		return v1Invalid("Invalid SNS topic <%s>: the topic does not exist or SES is not allowed to publish to it.", topic)
	}
	id.topics[typ] = topic
	return nil
}

func (d *Double) setIdentityHeadersInNotifications(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	name, e := in.required("Identity")
	if e != nil {
		return e
	}
	typ, e := in.required("NotificationType")
	if e != nil {
		return e
	}
	if !validNotificationType(typ) {
		return v1Invalid("Invalid NotificationType %q: allowed values are Bounce, Complaint and Delivery.", typ)
	}
	enabled, err := strconv.ParseBool(in.get("Enabled"))
	if err != nil {
		return v1Invalid("Enabled must be true or false.")
	}
	id, e := v1Identity(rs, name)
	if e != nil {
		return e
	}
	id.headersIn[typ] = enabled
	return nil
}

func (d *Double) setIdentityFeedbackForwarding(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	name, e := in.required("Identity")
	if e != nil {
		return e
	}
	enabled, err := strconv.ParseBool(in.get("ForwardingEnabled"))
	if err != nil {
		return v1Invalid("ForwardingEnabled must be true or false.")
	}
	id, e := v1Identity(rs, name)
	if e != nil {
		return e
	}
	return setForwarding(id, enabled)
}

func (d *Double) setIdentityMailFromDomain(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	name, e := in.required("Identity")
	if e != nil {
		return e
	}
	behavior := "USE_DEFAULT_VALUE"
	switch in.get("BehaviorOnMXFailure") {
	case "", "UseDefaultValue":
	case "RejectMessage":
		behavior = "REJECT_MESSAGE"
	default:
		return v1Invalid("Invalid BehaviorOnMXFailure %q: allowed values are UseDefaultValue and RejectMessage.", in.get("BehaviorOnMXFailure"))
	}
	id, e := v1Identity(rs, name)
	if e != nil {
		return e
	}
	return setMailFrom(id, in.get("MailFromDomain"), behavior, d.now())
}

func (d *Double) setIdentityDkimEnabled(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	name, e := in.required("Identity")
	if e != nil {
		return e
	}
	enabled, err := strconv.ParseBool(in.get("DkimEnabled"))
	if err != nil {
		return v1Invalid("DkimEnabled must be true or false.")
	}
	id, e := v1Identity(rs, name)
	if e != nil {
		return e
	}
	if enabled && (!id.isDomain || id.dkimStatus == statusNotStarted) {
		return v1Invalid("DKIM is not set up for <%s>: call VerifyDomainDkim first.", name)
	}
	id.dkimSigningEnabled = enabled
	return nil
}

// ---- account ----

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func (d *Double) getSendQuota(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	now := d.now()
	rs.account.refresh(now, d.reviewDelay())
	x.elem("Max24HourSend", formatFloat(rs.account.max24HourSend))
	x.elem("MaxSendRate", formatFloat(rs.account.maxSendRate))
	x.elem("SentLast24Hours", formatFloat(float64(rs.sentLast24Hours(now))))
	return nil
}

func (d *Double) getSendStatistics(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	points := rs.statistics(d.now())
	sort.SliceStable(points, func(i, j int) bool { return points[i].Timestamp.Before(points[j].Timestamp) })
	x.open("SendDataPoints")
	for _, p := range points {
		x.open("member")
		x.elem("Timestamp", p.Timestamp.UTC().Format("2006-01-02T15:04:05Z"))
		x.elem("DeliveryAttempts", strconv.FormatInt(p.DeliveryAttempts, 10))
		x.elem("Bounces", strconv.FormatInt(p.Bounces, 10))
		x.elem("Complaints", strconv.FormatInt(p.Complaints, 10))
		x.elem("Rejects", strconv.FormatInt(p.Rejects, 10))
		x.close("member")
	}
	x.close("SendDataPoints")
	return nil
}

func (d *Double) getAccountSendingEnabled(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	x.elem("Enabled", strconv.FormatBool(rs.account.sendingEnabled))
	return nil
}

func (d *Double) updateAccountSendingEnabled(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	// An absent Enabled means false: the SDK leaves a false boolean out.
	enabled := false
	if s := in.get("Enabled"); s != "" {
		var err error
		if enabled, err = strconv.ParseBool(s); err != nil {
			return v1Invalid("Enabled must be true or false.")
		}
	}
	rs.account.sendingEnabled = enabled
	return nil
}

// ---- sending ----

func (in v1Input) messageTags() []messageTag {
	var tags []messageTag
	for i := 1; ; i++ {
		p := "Tags.member." + strconv.Itoa(i)
		name, ok := in.form[p+".Name"]
		if !ok {
			return tags
		}
		tags = append(tags, messageTag{Name: name[0], Value: in.get(p + ".Value")})
	}
}

func (d *Double) sendEmailV1(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	source, e := in.required("Source")
	if e != nil {
		return e
	}
	subject := in.get("Message.Subject.Data")
	if _, ok := in.form["Message.Subject.Data"]; !ok {
		return &apiError{code: codeBadRequest, v1Code: "ValidationError",
			message: "1 validation error detected: Value null at 'message.subject' failed to satisfy constraint: Member must not be null"}
	}
	_, text := in.form["Message.Body.Text.Data"]
	_, html := in.form["Message.Body.Html.Data"]
	m := outgoing{source: source, subject: subject, text: text, html: html,
		to: in.list("Destination.ToAddresses"), cc: in.list("Destination.CcAddresses"),
		bcc: in.list("Destination.BccAddresses"), replyTo: in.list("ReplyToAddresses"),
		configSet: in.get("ConfigurationSetName"), tags: in.messageTags(), sourceIP: in.remote}
	if e := validateMessageTags(m.tags); e != nil {
		return v1Invalid("%s", e.message)
	}
	id, e := d.send(ctx, rs, m)
	if e != nil {
		return e
	}
	x.elem("MessageId", id)
	return nil
}

func (d *Double) sendRawEmailV1(ctx context.Context, rs *regionState, in v1Input, x *xmlWriter) *apiError {
	data, e := in.required("RawMessage.Data")
	if e != nil {
		return e
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return v1Invalid("RawMessage.Data is not valid base64.")
	}
	m := outgoing{source: in.get("Source"), to: in.list("Destinations"),
		configSet: in.get("ConfigurationSetName"), tags: in.messageTags(), sourceIP: in.remote}
	if e := m.useRaw(raw, true); e != nil {
		return e
	}
	if e := validateMessageTags(m.tags); e != nil {
		return v1Invalid("%s", e.message)
	}
	id, e := d.send(ctx, rs, m)
	if e != nil {
		return e
	}
	x.elem("MessageId", id)
	return nil
}
