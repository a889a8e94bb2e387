package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/mailform/mailform/internal/dnsvalue"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// View renders a plan for one audience. The differ never formats anything;
// the three views below share one reading of the plan (changeLines) and differ
// only in layout.
type View interface {
	Render(w io.Writer, p *plan.Plan) error
}

// HumanOptions tune the terminal rendering.
type HumanOptions struct {
	Color bool // ANSI colours for the action symbols and addresses
}

// HumanView renders a plan for a terminal, in the manner of Terraform.
type HumanView struct{ Options HumanOptions }

// JSONView renders a plan as the versioned JSON document of docs/plan-json.md.
type JSONView struct{}

// MarkdownView renders a plan as a pull-request comment. MaxChars, when
// positive, bounds its length in characters (GitHub refuses a comment over
// 65,536): a longer plan is summarised, and says how many changes it leaves out.
type MarkdownView struct{ MaxChars int }

// Human writes the terminal rendering of p to w.
func Human(w io.Writer, p *plan.Plan, opts HumanOptions) error {
	return HumanView{Options: opts}.Render(w, p)
}

// JSON writes the JSON rendering of p to w.
func JSON(w io.Writer, p *plan.Plan) error { return JSONView{}.Render(w, p) }

// Markdown writes the Markdown rendering of p to w.
func Markdown(w io.Writer, p *plan.Plan) error { return MarkdownView{}.Render(w, p) }

// displayJSON turns a value into what JSON output shows: placeholders become
// their fixed texts, the rest stays JSON-like.
func displayJSON(v any) any {
	switch x := plan.JSONLike(v).(type) {
	case specs.Deferred:
		return specs.KnownAfterApply
	case specs.Sensitive:
		return specs.SensitiveText
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = displayJSON(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = displayJSON(e)
		}
		return out
	default:
		return x
	}
}

// attrLine is one attribute line of a change.
type attrLine struct {
	Symbol   string // "+", "~", "-"
	Name     string
	Text     string // "2048", "1024 -> 2048", "(known after apply)"
	Replaces bool
}

// changeLines reads one change the way every view shows it.
func changeLines(c plan.Change) []attrLine {
	var lines []attrLine
	for _, d := range c.Diffs {
		l := attrLine{Name: d.Name, Replaces: d.Replaces}
		after := plan.DisplayText(d.After) // unknown parts show as (known after apply)
		switch {
		case c.Action == plan.Create || (d.Before == nil && !plan.IsEmpty(plan.JSONLike(d.After))):
			l.Symbol, l.Text = "+", after
		case d.After == nil:
			l.Symbol, l.Text = "-", plan.DisplayText(d.Before)
		default:
			l.Symbol, l.Text = "~", plan.DisplayText(d.Before)+" -> "+after
		}
		lines = append(lines, l)
	}
	return lines
}

// zoneFileLines writes a record in zone-file form, one line per value:
// `_dmarc.other.example. 300 IN TXT "v=DMARC1; p=none"`.
func zoneFileLines(c plan.Change) []string {
	name := specs.KnownAfterApply
	if s, ok := c.After["name"].(string); ok {
		name = specs.Fqdn(s)
	}
	typ, _ := c.After["type"].(string)
	ttl := "300"
	if t, ok := plan.JSONLike(c.After["ttl"]).(int64); ok {
		ttl = strconv.FormatInt(t, 10)
	}
	var values []any
	switch v := plan.JSONLike(c.After["values"]).(type) {
	case []any:
		values = v
	case nil:
	default:
		values = []any{v}
	}
	var out []string
	for _, v := range values {
		text := specs.KnownAfterApply
		if s, ok := v.(string); ok {
			text = dnsvalue.Value(typ, s)
		}
		out = append(out, fmt.Sprintf("%s %s IN %s %s", name, ttl, strings.ToUpper(typ), text))
	}
	return out
}

// summaryLine is the one-line count every view prints.
func summaryLine(p *plan.Plan) string {
	if !p.HasChanges() {
		return "No changes. AWS matches the spec."
	}
	s := p.Summary()
	return fmt.Sprintf("Plan: %d to add, %d to change, %d to replace, %d to destroy.", s.Create, s.Update, s.Replace, s.Delete)
}

// writeAll writes s to w and reports a failed or short write.
func writeAll(w io.Writer, s string) error {
	if _, err := io.WriteString(w, s); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

// manualUnknownNote is the zone-file comment under manual records that still
// have unknown parts (DKIM tokens of an identity apply has yet to create).
const manualUnknownNote = "; " + specs.KnownAfterApply + ": these values exist once mailform apply has run; run mailform plan again then to see them"

// manualZoneFile returns the zone-file lines of all manual records, with the
// note about unknown values when some are.
func manualZoneFile(manual []plan.Change) []string {
	var lines []string
	unknown := false
	for _, c := range manual {
		lines = append(lines, zoneFileLines(c)...)
		unknown = unknown || c.HasUnknowns()
	}
	if unknown {
		lines = append(lines, manualUnknownNote)
	}
	return lines
}
