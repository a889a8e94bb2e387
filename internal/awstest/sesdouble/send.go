package sesdouble

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"net/textproto"
	"sort"
	"strings"
	"time"
)

// maxRecipients is SES's limit of recipients (To, Cc and Bcc) per message.
const maxRecipients = 50

// outgoing is one message handed to SES by SendEmail or SendRawEmail.
type outgoing struct {
	source    string // the sender as given (may carry a display name)
	to, cc    []string
	bcc       []string
	replyTo   []string
	subject   string
	html      bool
	text      bool
	raw       []byte // the MIME message of a raw send
	configSet string
	tags      []messageTag
	sourceIP  string
}

type messageTag struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// recipientOutcome is what happens to one recipient of an accepted message.
type recipientOutcome int

const (
	outcomeDelivery             recipientOutcome = iota
	outcomeBounce                                // mailbox simulator bounce@ (and bounce+label@)
	outcomeSuppressedGlobal                      // suppressionlist@ of the simulator
	outcomeOnAccountSuppression                  // on the account's suppression list
	outcomeComplaint                             // complaint@: delivered, then a complaint
)

// simulatorOutcome classifies an address of the mailbox simulator.
func simulatorOutcome(addr string) (recipientOutcome, bool) {
	local, domain, ok := strings.Cut(strings.ToLower(addr), "@")
	if !ok || domain != "simulator.amazonses.com" {
		return 0, false
	}
	if base, _, found := strings.Cut(local, "+"); found {
		local = base
	}
	switch local {
	case "success", "ooto":
		return outcomeDelivery, true
	case "bounce":
		return outcomeBounce, true
	case "complaint":
		return outcomeComplaint, true
	case "suppressionlist":
		return outcomeSuppressedGlobal, true
	}
	return 0, false
}

func isSimulator(addr string) bool {
	_, ok := simulatorOutcome(addr)
	return ok
}

func domainOf(addr string) string {
	if i := strings.LastIndex(addr, "@"); i >= 0 {
		return addr[i+1:]
	}
	return addr
}

// sendingIdentity is the identity whose verification lets addr send: the
// address itself when it is a verified email identity, else its domain or a
// parent domain that is verified. It returns nil when none is verified.
func (d *Double) sendingIdentity(ctx context.Context, rs *regionState, addr string) *identity {
	if id := rs.identities[identityKey(addr)]; id != nil && !id.isDomain {
		d.refresh(ctx, rs, id)
		if id.verified() {
			return id
		}
	}
	domain := identityKey(domainOf(addr))
	for domain != "" {
		if id := rs.identities[domain]; id != nil && id.isDomain {
			d.refresh(ctx, rs, id)
			if id.verified() {
				return id
			}
		}
		_, rest, ok := strings.Cut(domain, ".")
		if !ok || !strings.Contains(rest, ".") {
			break
		}
		domain = rest
	}
	return nil
}

// send applies SES's checks to m and, when it is accepted, records it and
// queues its notifications. d.mu must be held.
func (d *Double) send(ctx context.Context, rs *regionState, m outgoing) (string, *apiError) {
	now := d.now()
	a := &rs.account
	a.refresh(now, d.reviewDelay())
	if !a.sendingEnabled {
		return "", errorf(codeSendingPaused, "Email sending is disabled for your account.")
	}
	var cs *configSet
	if m.configSet != "" {
		var e *apiError
		if cs, e = rs.configSet(m.configSet); e != nil {
			return "", e
		}
	}
	from, err := mail.ParseAddress(m.source)
	if err != nil {
		return "", &apiError{code: codeBadRequest, v1Code: "InvalidParameterValue",
			message: fmt.Sprintf("Illegal address: <%s>.", m.source)}
	}
	recipients := append(append(append([]string{}, m.to...), m.cc...), m.bcc...)
	if len(recipients) == 0 {
		return "", errorf(codeBadRequest, "Missing final '@domain': at least one recipient is required.")
	}
	if len(recipients) > maxRecipients {
		return "", errorf(codeBadRequest, "Recipient count exceeds %d.", maxRecipients)
	}
	addrs := make([]string, len(recipients))
	for i, r := range recipients {
		pa, err := mail.ParseAddress(r)
		if err != nil {
			return "", errorf(codeBadRequest, "Illegal address: <%s>.", r)
		}
		addrs[i] = pa.Address
	}

	var failed []string
	sender := d.sendingIdentity(ctx, rs, from.Address)
	if sender == nil {
		failed = append(failed, from.Address)
	}
	if !a.productionAccess {
		for _, r := range addrs {
			if !isSimulator(r) && d.sendingIdentity(ctx, rs, r) == nil {
				failed = append(failed, r)
			}
		}
	}
	if len(failed) > 0 {
		return "", errorf(codeMessageRejected, "Email address is not verified. The following identities failed the check in region %s: %s",
			strings.ToUpper(rs.name), strings.Join(failed, ", "))
	}
	if cs == nil && sender.configSet != "" {
		cs = rs.configSets[sender.configSet]
	}
	if cs != nil && !cs.sendingEnabled {
		return "", &apiError{code: codeSendingPaused, v1Code: "ConfigurationSetSendingPausedException",
			message: fmt.Sprintf("Email sending is disabled for configuration set <%s>.", cs.name)}
	}
	if mf := d.mailFromIdentity(ctx, rs, sender); mf != nil && mf.mxFailure == "REJECT_MESSAGE" && mf.mailFromStatus != statusSuccess {
		return "", errorf(codeMailFromNotVer, "The custom MAIL FROM domain <%s> is not verified and the identity is set to reject messages when the MX record is missing.", mf.mailFrom)
	}
	if now.Before(rs.nextSendAt) {
		return "", errorf(codeTooManyRequests, "Maximum sending rate exceeded.")
	}
	counted := 0
	for _, r := range addrs {
		if !isSimulator(r) {
			counted++
		}
	}
	if a.max24HourSend >= 0 && float64(rs.sentLast24Hours(now)+counted) > a.max24HourSend {
		return "", errorf(codeTooManyRequests, "Daily message quota exceeded.")
	}

	// Accepted.
	messageID := newMessageID(now)
	rs.nextSendAt = now.Add(time.Duration(float64(len(addrs)) / a.maxSendRate * float64(time.Second)))
	rs.sends = append(rs.sends, sendRecord{at: now, recipients: counted})
	point := rs.dataPoint(now)
	point.deliveryAttempts += int64(len(addrs))

	outcomes := map[recipientOutcome][]string{}
	for _, r := range addrs {
		oc, sim := simulatorOutcome(r)
		if !sim {
			oc = outcomeDelivery
			if s := rs.suppressed[strings.ToLower(r)]; s != nil && suppressionApplies(a, cs, s.reason) {
				oc = outcomeOnAccountSuppression
			}
		}
		outcomes[oc] = append(outcomes[oc], r)
	}
	point.bounces += int64(len(outcomes[outcomeBounce]) + len(outcomes[outcomeSuppressedGlobal]) + len(outcomes[outcomeOnAccountSuppression]))
	point.complaints += int64(len(outcomes[outcomeComplaint]))

	n := &notifier{d: d, rs: rs, m: m, from: from, recipients: addrs, messageID: messageID,
		sentAt: now, sender: sender, configSet: cs}
	n.queueAll(outcomes)
	return messageID, nil
}

// mailFromIdentity is the identity whose MAIL FROM setting applies to mail
// sent through sender: its own, or its domain's.
func (d *Double) mailFromIdentity(ctx context.Context, rs *regionState, sender *identity) *identity {
	if sender.mailFrom != "" {
		d.refresh(ctx, rs, sender)
		return sender
	}
	if !sender.isDomain {
		if dom := rs.identities[sender.domain()]; dom != nil && dom.mailFrom != "" {
			d.refresh(ctx, rs, dom)
			return dom
		}
	}
	return nil
}

// suppressionApplies reports whether an entry listed for reason stops mail:
// the configuration set's suppression options override the account's.
func suppressionApplies(a *account, cs *configSet, reason string) bool {
	reasons := a.suppressedReasons
	if cs != nil && cs.suppression != nil {
		reasons = cs.suppression.SuppressedReasons
	}
	for _, r := range reasons {
		if r == reason {
			return true
		}
	}
	return false
}

// header is one header line of a message, in order.
type header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// messageHeaders returns the headers of the message as SES sends it: those of
// a raw message, or the ones SES writes for a simple one.
func (m outgoing) messageHeaders(messageID string, sentAt time.Time, from string) []header {
	if m.raw != nil {
		return parseHeaders(m.raw)
	}
	hs := []header{{"From", from}}
	if len(m.replyTo) > 0 {
		hs = append(hs, header{"Reply-To", strings.Join(m.replyTo, ", ")})
	}
	if len(m.to) > 0 {
		hs = append(hs, header{"To", strings.Join(m.to, ", ")})
	}
	if len(m.cc) > 0 {
		hs = append(hs, header{"Cc", strings.Join(m.cc, ", ")})
	}
	hs = append(hs, header{"Subject", m.subject},
		header{"MIME-Version", "1.0"})
	switch {
	case m.html && m.text:
		hs = append(hs, header{"Content-Type", "multipart/alternative"})
	case m.html:
		hs = append(hs, header{"Content-Type", "text/html; charset=UTF-8"})
	default:
		hs = append(hs, header{"Content-Type", "text/plain; charset=UTF-8"})
	}
	hs = append(hs, header{"Message-ID", "<" + messageID + "@email.amazonses.com>"},
		header{"Date", sentAt.Format(time.RFC1123Z)})
	return hs
}

// parseHeaders reads the header block of a MIME message in order, unfolding
// continuation lines.
func parseHeaders(raw []byte) []header {
	var hs []header
	r := bufio.NewReader(bytes.NewReader(raw))
	for {
		line, err := r.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && len(hs) > 0 {
			hs[len(hs)-1].Value += " " + strings.TrimSpace(line)
		} else if name, value, ok := strings.Cut(line, ":"); ok {
			hs = append(hs, header{Name: textproto.TrimString(name), Value: strings.TrimSpace(value)})
		}
		if err != nil {
			break
		}
	}
	return hs
}

// sortedOutcomes lists the outcome classes present, in a fixed order.
func sortedOutcomes(m map[recipientOutcome][]string) []recipientOutcome {
	var out []recipientOutcome
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
