package testsend

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Render writes the report for people: the chain, then each message and
// what came back for it.
func Render(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Test messages from %s (identity %s) in %s", r.From, r.Identity, r.Region)
	if r.ConfigurationSet != "" {
		fmt.Fprintf(&b, ", configuration set %s", r.ConfigurationSet)
	}
	b.WriteString("\n\nChain from SES to the queues:\n")
	for _, l := range r.Chain {
		fmt.Fprintf(&b, "  %-4s %s\n", mark(l.OK), l.Detail)
	}
	b.WriteString("\nMailbox simulator:\n")
	for _, p := range r.Paths {
		if p.Sent {
			fmt.Fprintf(&b, "  %-16s sent, message %s\n", p.Path, p.MessageID)
		} else {
			fmt.Fprintf(&b, "  %-16s NOT SENT: %s\n", p.Path, p.SendError)
		}
		writeExpectations(&b, p.Expected, p.Sent)
	}
	if len(r.SMTP) > 0 {
		b.WriteString("\nSMTP interface:\n")
		for _, s := range r.SMTP {
			switch {
			case s.Sent:
				fmt.Fprintf(&b, "  smtp_user.%s: authenticated as %s at %s, sent message %s\n", s.User, s.Username, s.Endpoint, s.MessageID)
			case s.Authenticated:
				fmt.Fprintf(&b, "  smtp_user.%s: authenticated as %s at %s, but NOT SENT: %s\n", s.User, s.Username, s.Endpoint, s.Error)
			default:
				fmt.Fprintf(&b, "  smtp_user.%s: FAILED at %s: %s\n", s.User, orUnknown(s.Endpoint), s.Error)
			}
			writeExpectations(&b, s.Expected, s.Sent)
		}
	}
	if r.OK {
		b.WriteString("\nEvery message was sent and every expected notification arrived with the documented shape.\n")
	} else {
		b.WriteString("\nSomething is missing or wrong: see the lines marked FAIL, MISSING or NOT SENT above.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeExpectations(b *strings.Builder, exps []Expectation, sent bool) {
	if !sent {
		return
	}
	if len(exps) == 0 {
		b.WriteString("                   (the spec publishes no notification for this outcome)\n")
		return
	}
	for _, e := range exps {
		what := e.Type
		if e.Type == "Bounce" {
			what += " " + e.BounceType + "/" + e.BounceSubType
		}
		where := fmt.Sprintf("%s %s on queue %s (%s)", e.Form, what, orUnknown(e.Queue), e.Via)
		switch {
		case e.Received && e.ShapeOK:
			fmt.Fprintf(b, "    ok      %s\n", where)
		case e.Received:
			fmt.Fprintf(b, "    WRONG   %s: %s\n", where, e.Problem)
		default:
			fmt.Fprintf(b, "    MISSING %s: %s\n", where, e.Problem)
		}
	}
}

func mark(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAIL"
}

func orUnknown(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// RenderJSON writes the report as one indented JSON document.
func RenderJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		FormatVersion string `json:"format_version"`
		*Report
	}{FormatVersion, r})
}

// FormatVersion is the format_version of the JSON document RenderJSON
// writes, a string as in every JSON output of mailform.
const FormatVersion = "1"
