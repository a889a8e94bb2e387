package sesdouble

import (
	"bytes"
	"context"
	"net/mail"
	"strings"
)

func (d *Double) sendEmailV2(ctx context.Context, rs *regionState, in v2Input) (any, *apiError) {
	type content struct {
		Data string `json:"Data"`
	}
	var req struct {
		FromEmailAddress string `json:"FromEmailAddress"`
		Destination      *struct {
			ToAddresses  []string `json:"ToAddresses"`
			CcAddresses  []string `json:"CcAddresses"`
			BccAddresses []string `json:"BccAddresses"`
		} `json:"Destination"`
		ReplyToAddresses []string `json:"ReplyToAddresses"`
		Content          struct {
			Simple *struct {
				Subject *content `json:"Subject"`
				Body    struct {
					Text *content `json:"Text"`
					Html *content `json:"Html"`
				} `json:"Body"`
			} `json:"Simple"`
			Raw *struct {
				Data []byte `json:"Data"`
			} `json:"Raw"`
			Template any `json:"Template"`
		} `json:"Content"`
		EmailTags            []messageTag `json:"EmailTags"`
		ConfigurationSetName string       `json:"ConfigurationSetName"`
	}
	if e := in.decode(&req); e != nil {
		return nil, e
	}
	m := outgoing{source: req.FromEmailAddress, replyTo: req.ReplyToAddresses,
		configSet: req.ConfigurationSetName, tags: req.EmailTags, sourceIP: in.remote}
	if req.Destination != nil {
		m.to, m.cc, m.bcc = req.Destination.ToAddresses, req.Destination.CcAddresses, req.Destination.BccAddresses
	}
	switch c := req.Content; {
	case c.Simple != nil:
		if c.Simple.Subject == nil {
			return nil, errorf(codeBadRequest, "Subject is required for simple content.")
		}
		m.subject = c.Simple.Subject.Data
		m.text = c.Simple.Body.Text != nil
		m.html = c.Simple.Body.Html != nil
	case c.Raw != nil:
		if e := m.useRaw(c.Raw.Data, false); e != nil {
			return nil, e
		}
	case c.Template != nil:
		return nil, errorf(codeBadRequest, "Templated content is not emulated by the local SES double.")
	default:
		return nil, errorf(codeBadRequest, "Content must contain Simple, Raw or Template.")
	}
	if e := validateMessageTags(m.tags); e != nil {
		return nil, e
	}
	id, e := d.send(ctx, rs, m)
	if e != nil {
		return nil, e
	}
	return map[string]string{"MessageId": id}, nil
}

// useRaw takes the sender and, when none were given, the recipients from the
// headers of a raw MIME message.
func (m *outgoing) useRaw(raw []byte, v1 bool) *apiError {
	limit := 40 << 20
	if v1 {
		limit = 10 << 20
	}
	if len(raw) > limit {
		return errorf(codeMessageRejected, "Message length is more than %d bytes long.", limit)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return errorf(codeBadRequest, "The raw message is not a valid MIME message: %v", err)
	}
	m.raw = raw
	m.subject = msg.Header.Get("Subject")
	if m.source == "" {
		m.source = msg.Header.Get("From")
	}
	if len(m.to)+len(m.cc)+len(m.bcc) == 0 {
		for _, h := range []string{"To", "Cc", "Bcc"} {
			if v := msg.Header.Get(h); v != "" {
				list, err := mail.ParseAddressList(v)
				if err != nil {
					return errorf(codeBadRequest, "Illegal address in the %s header.", h)
				}
				for _, a := range list {
					m.to = append(m.to, a.Address)
				}
			}
		}
	}
	return nil
}

// validateMessageTags applies SES's rule for message tags: names and values
// of letters, digits, underscores and dashes, at most 256 characters.
func validateMessageTags(tags []messageTag) *apiError {
	ok := func(s string) bool {
		if len(s) == 0 || len(s) > 256 {
			return false
		}
		return strings.IndexFunc(s, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
		}) < 0
	}
	for _, t := range tags {
		if !ok(t.Name) || !ok(t.Value) {
			return errorf(codeBadRequest, "Invalid message tag <%s=%s>: names and values may contain only letters, digits, underscores and dashes (at most 256 characters).", t.Name, t.Value)
		}
	}
	return nil
}
