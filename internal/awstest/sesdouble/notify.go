package sesdouble

import (
	"context"
	"encoding/json"
	"net/mail"
	"strings"
	"time"
)

// Fixed values of the simulated delivery path. They stand for the SES
// outbound MTA and the receiving server of the mailbox simulator.
const (
	processingTime   = 500 * time.Millisecond
	simulatorMTAIP   = "198.51.100.25"
	callerIdentity   = "root"
	smtpDelivered    = "250 2.6.0 Message received"
	bounceDiagnostic = "smtp; 550 5.1.1 user unknown"
	suppressedGlobal = "Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address. For more information about how to remove an address from the suppression list, see the Amazon SES Developer Guide: http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html "
	suppressedOnAcct = "Amazon SES did not send the message to this address because it is on the suppression list for your account. For more information about removing addresses from the suppression list, see the Amazon SES Developer Guide at https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html"
)

// publication is one SNS message to publish once the state lock is released.
// identity and notificationType are set for v1 identity notifications, so
// that a failed publish can clear the topic as SES does.
type publication struct {
	topicARN         string
	message          string
	region           string
	identity         string
	notificationType string
}

func (rs *regionState) queue(p publication) { rs.pending = append(rs.pending, p) }

// takePublications returns and forgets the queued publications.
func (rs *regionState) takePublications() []publication {
	p := rs.pending
	rs.pending = nil
	return p
}

// publish sends queued messages through the backend. When a v1 identity
// notification cannot be published (the topic is gone or SES may not publish
// to it), SES removes that topic from the identity and turns email feedback
// forwarding back on; the double does the same.
func (d *Double) publish(ctx context.Context, pubs []publication) {
	for _, p := range pubs {
		if err := d.backend.Publish(ctx, p.topicARN, p.message); err != nil && p.identity != "" {
			d.mu.Lock()
			if id := d.region(p.region).identities[p.identity]; id != nil && id.topics[p.notificationType] == p.topicARN {
				delete(id.topics, p.notificationType)
				id.forwarding = true
			}
			d.mu.Unlock()
		}
	}
}

// notifier builds the notifications of one accepted message.
type notifier struct {
	d          *Double
	rs         *regionState
	m          outgoing
	from       *mail.Address
	recipients []string
	messageID  string
	sentAt     time.Time
	sender     *identity
	configSet  *configSet
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

type mailObject struct {
	Timestamp        string              `json:"timestamp"`
	Source           string              `json:"source"`
	SourceArn        string              `json:"sourceArn"`
	SourceIP         string              `json:"sourceIp,omitempty"`
	CallerIdentity   string              `json:"callerIdentity,omitempty"`
	SendingAccountID string              `json:"sendingAccountId"`
	MessageID        string              `json:"messageId"`
	Destination      []string            `json:"destination"`
	HeadersTruncated *bool               `json:"headersTruncated,omitempty"`
	Headers          []header            `json:"headers,omitempty"`
	CommonHeaders    map[string]any      `json:"commonHeaders,omitempty"`
	Tags             map[string][]string `json:"tags,omitempty"`
}

type bouncedRecipient struct {
	EmailAddress   string `json:"emailAddress"`
	Action         string `json:"action"`
	Status         string `json:"status"`
	DiagnosticCode string `json:"diagnosticCode"`
}

type bounceObject struct {
	FeedbackID        string             `json:"feedbackId"`
	BounceType        string             `json:"bounceType"`
	BounceSubType     string             `json:"bounceSubType"`
	BouncedRecipients []bouncedRecipient `json:"bouncedRecipients"`
	Timestamp         string             `json:"timestamp"`
	ReportingMTA      string             `json:"reportingMTA"`
}

type complainedRecipient struct {
	EmailAddress string `json:"emailAddress"`
}

type complaintObject struct {
	FeedbackID            string                `json:"feedbackId"`
	ComplainedRecipients  []complainedRecipient `json:"complainedRecipients"`
	Timestamp             string                `json:"timestamp"`
	UserAgent             string                `json:"userAgent"`
	ComplaintFeedbackType string                `json:"complaintFeedbackType"`
	ArrivalDate           string                `json:"arrivalDate"`
}

type deliveryObject struct {
	Timestamp            string   `json:"timestamp"`
	ProcessingTimeMillis int64    `json:"processingTimeMillis"`
	Recipients           []string `json:"recipients"`
	SMTPResponse         string   `json:"smtpResponse"`
	RemoteMtaIP          string   `json:"remoteMtaIp"`
	ReportingMTA         string   `json:"reportingMTA"`
}

// notification is the SNS message of an identity notification
// (notificationType) or of event publishing (eventType).
type notification struct {
	NotificationType string           `json:"notificationType,omitempty"`
	EventType        string           `json:"eventType,omitempty"`
	Mail             mailObject       `json:"mail"`
	Bounce           *bounceObject    `json:"bounce,omitempty"`
	Complaint        *complaintObject `json:"complaint,omitempty"`
	Delivery         *deliveryObject  `json:"delivery,omitempty"`
	Send             *struct{}        `json:"send,omitempty"`
}

// event is one thing that happened to the message: its v1 notification type
// ("" for Send, which has no identity notification) and its event type.
type event struct {
	notificationType string // Bounce, Complaint, Delivery
	eventType        string // Send, Bounce, Complaint, Delivery
	matchingType     string // SEND, BOUNCE, COMPLAINT, DELIVERY
	body             func(*notification)
}

// queueAll queues the Send event and one notification per kind of outcome
// (SES combines the recipients of one message that share an outcome).
func (n *notifier) queueAll(outcomes map[recipientOutcome][]string) {
	n.queue(event{eventType: "Send", matchingType: "SEND", body: func(x *notification) { x.Send = &struct{}{} }})
	at := n.sentAt.Add(processingTime)
	mta := "a1-1.smtp-out." + n.rs.name + ".amazonses.com"
	delivered := append(append([]string{}, outcomes[outcomeDelivery]...), outcomes[outcomeComplaint]...)
	for _, oc := range sortedOutcomes(outcomes) {
		rcpts := outcomes[oc]
		switch oc {
		case outcomeBounce, outcomeSuppressedGlobal, outcomeOnAccountSuppression:
			sub, diag := "General", bounceDiagnostic
			if oc == outcomeSuppressedGlobal {
				sub, diag = "Suppressed", suppressedGlobal
			} else if oc == outcomeOnAccountSuppression {
				sub, diag = "OnAccountSuppressionList", suppressedOnAcct
			}
			b := &bounceObject{FeedbackID: newMessageID(at), BounceType: "Permanent", BounceSubType: sub,
				Timestamp: isoTime(at), ReportingMTA: "dsn; " + mta}
			for _, r := range rcpts {
				b.BouncedRecipients = append(b.BouncedRecipients, bouncedRecipient{
					EmailAddress: r, Action: "failed", Status: "5.1.1", DiagnosticCode: diag})
			}
			n.queue(event{notificationType: "Bounce", eventType: "Bounce", matchingType: "BOUNCE",
				body: func(x *notification) { x.Bounce = b }})
		}
	}
	if len(delivered) > 0 {
		dl := &deliveryObject{Timestamp: isoTime(at), ProcessingTimeMillis: processingTime.Milliseconds(),
			Recipients: delivered, SMTPResponse: smtpDelivered, RemoteMtaIP: simulatorMTAIP, ReportingMTA: mta}
		n.queue(event{notificationType: "Delivery", eventType: "Delivery", matchingType: "DELIVERY",
			body: func(x *notification) { x.Delivery = dl }})
	}
	if rcpts := outcomes[outcomeComplaint]; len(rcpts) > 0 {
		cAt := at.Add(processingTime)
		c := &complaintObject{FeedbackID: newMessageID(cAt), Timestamp: isoTime(cAt),
			UserAgent: "Amazon SES Mailbox Simulator", ComplaintFeedbackType: "abuse", ArrivalDate: isoTime(at)}
		for _, r := range rcpts {
			c.ComplainedRecipients = append(c.ComplainedRecipients, complainedRecipient{EmailAddress: r})
		}
		n.queue(event{notificationType: "Complaint", eventType: "Complaint", matchingType: "COMPLAINT",
			body: func(x *notification) { x.Complaint = c }})
	}
}

// queue publishes ev to the sending identity's v1 topic for its type and to
// every enabled SNS event destination of the configuration set that matches.
func (n *notifier) queue(ev event) {
	if ev.notificationType != "" {
		if topic := n.sender.topics[ev.notificationType]; topic != "" {
			x := &notification{NotificationType: ev.notificationType, Mail: n.mail(false, n.sender.headersIn[ev.notificationType])}
			ev.body(x)
			n.rs.queue(publication{topicARN: topic, message: marshal(x), region: n.rs.name,
				identity: identityKey(n.sender.name), notificationType: ev.notificationType})
		}
	}
	if n.configSet == nil {
		return
	}
	for _, ed := range n.configSet.eventDestinations {
		if !ed.Enabled || ed.SnsDestination == nil || !ed.matches(ev.matchingType) {
			continue
		}
		x := &notification{EventType: ev.eventType, Mail: n.mail(true, true)}
		ev.body(x)
		n.rs.queue(publication{topicARN: ed.SnsDestination.TopicArn, message: marshal(x), region: n.rs.name})
	}
}

// marshal encodes v as SES does, without escaping <, > and &.
func marshal(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the notification types always encode
	return strings.TrimSuffix(b.String(), "\n")
}

// mail builds the mail object: the notification form carries sourceIp and
// callerIdentity, the event form carries tags instead.
func (n *notifier) mail(eventForm, withHeaders bool) mailObject {
	mo := mailObject{
		Timestamp:        isoTime(n.sentAt),
		Source:           n.m.source,
		SourceArn:        "arn:aws:ses:" + n.rs.name + ":" + n.d.opts.AccountID + ":identity/" + n.sender.name,
		SendingAccountID: n.d.opts.AccountID,
		MessageID:        n.messageID,
		Destination:      n.recipients,
	}
	if !eventForm {
		mo.SourceIP = n.m.sourceIP
		mo.CallerIdentity = callerIdentity
	}
	if withHeaders {
		f := false
		mo.HeadersTruncated = &f
		mo.Headers = n.m.messageHeaders(n.messageID, n.sentAt, n.m.source)
		mo.CommonHeaders = commonHeaders(mo.Headers)
	}
	if eventForm {
		tags := map[string][]string{
			"ses:configuration-set": {n.configSet.name},
			"ses:source-ip":         {n.m.sourceIP},
			"ses:from-domain":       {strings.ToLower(domainOf(n.from.Address))},
			"ses:caller-identity":   {callerIdentity},
		}
		for _, t := range n.m.tags {
			tags[t.Name] = []string{t.Value}
		}
		mo.Tags = tags
	}
	return mo
}

// commonHeaders extracts the headers SES summarises in commonHeaders.
func commonHeaders(hs []header) map[string]any {
	out := map[string]any{}
	list := func(v string) []string {
		var addrs []string
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				addrs = append(addrs, a)
			}
		}
		return addrs
	}
	for _, h := range hs {
		switch strings.ToLower(h.Name) {
		case "from":
			out["from"] = list(h.Value)
		case "to":
			out["to"] = list(h.Value)
		case "cc":
			out["cc"] = list(h.Value)
		case "reply-to":
			out["replyTo"] = list(h.Value)
		case "return-path":
			out["returnPath"] = h.Value
		case "subject":
			out["subject"] = h.Value
		case "date":
			out["date"] = h.Value
		case "message-id":
			out["messageId"] = h.Value
		}
	}
	return out
}
