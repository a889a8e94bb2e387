package sesdouble

import (
	"context"
	"net/mail"
	"strings"
)

// RawMessage is a message handed to SES through its SMTP interface: the
// envelope sender and recipients, and the MIME message.
type RawMessage struct {
	Source       string // envelope sender (MAIL FROM)
	Destinations []string
	Data         []byte
	SourceIP     string
}

// SendError is SES refusing a message, as the SMTP interface reports it.
type SendError struct {
	Code      string // the v2 error name, e.g. MessageRejected
	Message   string
	Throttled bool // the sending rate or the daily quota was exceeded
}

func (e *SendError) Error() string { return e.Code + ": " + e.Message }

// SendRaw sends a message received on the SMTP interface in region, with the
// same checks, statistics and notifications as SendRawEmail. The
// configuration set is the one the X-SES-CONFIGURATION-SET header names, else
// the identity's default; tags come from X-SES-MESSAGE-TAGS.
func (d *Double) SendRaw(ctx context.Context, region string, m RawMessage) (string, error) {
	out := outgoing{source: m.Source, to: m.Destinations, sourceIP: m.SourceIP}
	if e := out.useRaw(m.Data, false); e != nil {
		return "", &SendError{Code: e.code, Message: e.message}
	}
	if msg, err := mail.ReadMessage(strings.NewReader(string(m.Data))); err == nil {
		out.configSet = strings.TrimSpace(msg.Header.Get("X-SES-CONFIGURATION-SET"))
		for _, kv := range strings.Split(msg.Header.Get("X-SES-MESSAGE-TAGS"), ",") {
			if name, value, ok := strings.Cut(strings.TrimSpace(kv), "="); ok {
				out.tags = append(out.tags, messageTag{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
			}
		}
	}
	if e := validateMessageTags(out.tags); e != nil {
		return "", &SendError{Code: e.code, Message: e.message}
	}
	d.mu.Lock()
	rs := d.region(region)
	id, e := d.send(ctx, rs, out)
	pending := rs.takePublications()
	d.mu.Unlock()
	// SES publishes whether or not the client is still connected.
	d.publish(context.WithoutCancel(ctx), pending)
	if e != nil {
		return "", &SendError{Code: e.code, Message: e.message, Throttled: e.code == codeTooManyRequests}
	}
	return id, nil
}
