// Package requests writes the paperwork AWS still wants by hand: the text of
// the EC2 "Request to remove email sending limitations" form (port 25), its
// reverse-DNS part, and the SES production-access request with a readiness
// checklist. Each document is built from the spec and from facts the command
// line observed in AWS (Facts), and says for every prerequisite whether it
// holds now, with the evidence: what was found and what was expected.
//
// It must not talk to AWS, print, or exit: it receives observed state and
// returns documents and decisions. No secret ever enters a document: the
// facts it receives carry none.
package requests

import (
	"fmt"
	"io"
	"strings"
)

// Document is one generated request: a title, an introduction and sections.
// It renders as plain text (WriteText) or Markdown (WriteMarkdown), the same
// content either way.
type Document struct {
	Title    string
	Intro    []string // paragraphs
	Sections []Section
}

// Section is a part of a document. Its parts render in the order of the
// fields: Text, Fields, Table, Items, Notes.
type Section struct {
	Heading string
	Text    []string // paragraphs
	Fields  []Field
	Table   *Table
	Items   []Item
	Notes   []string // paragraphs after the rest
}

// Field is one labelled value, as a form asks for it. A Block value is
// multi-line text (a use-case description) shown as a quoted block, its
// paragraphs reflowed in plain text unless Verbatim (code, such as HCL).
type Field struct {
	Label    string
	Value    string
	Block    bool
	Verbatim bool
}

// Table is a small table of rows.
type Table struct {
	Header []string
	Rows   [][]string
}

// Status says whether a prerequisite holds now.
type Status string

// Statuses of a checklist item.
const (
	Met     Status = "met"
	Pending Status = "pending" // AWS is working on it (a PTR update, a verification)
	NotMet  Status = "not met"
	Unknown Status = "unknown" // mailform cannot see it (DNS outside the declared zones)
)

// Item is one prerequisite of a checklist, with its evidence.
type Item struct {
	Subject  string // what it is about: "mta.mx1", "domain acme.example", "account"
	Check    string // what must hold
	Status   Status
	Required bool   // false: recommended; it never blocks a submission
	Found    string // what mailform found
	Expected string // what it should be; "" when Check says it all
	Hint     string // what to do about it, when it does not hold
}

// Items returns every checklist item of the document, in order.
func (d *Document) Items() []Item {
	var out []Item
	for _, s := range d.Sections {
		out = append(out, s.Items...)
	}
	return out
}

// Failing returns the required items that do not hold now (not met or
// pending). Unknown items are not failing: mailform cannot see them.
func (d *Document) Failing() []Item {
	var out []Item
	for _, it := range d.Items() {
		if it.Required && (it.Status == NotMet || it.Status == Pending) {
			out = append(out, it)
		}
	}
	return out
}

func (s Status) textMark() string {
	switch s {
	case Met:
		return "[ok]     "
	case Pending:
		return "[pending]"
	case NotMet:
		return "[not met]"
	}
	return "[unknown]"
}

// summary counts the items of a list by status.
func summary(items []Item) string {
	if len(items) == 0 {
		return ""
	}
	counts := map[Status]int{}
	for _, it := range items {
		counts[it.Status]++
	}
	parts := []string{fmt.Sprintf("%d of %d met", counts[Met], len(items))}
	for _, s := range []Status{Pending, NotMet, Unknown} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	return strings.Join(parts, ", ") + "."
}

// textWidth is where plain-text paragraphs wrap.
const textWidth = 78

// WriteText renders the document as plain text for a terminal or a form.
func (d *Document) WriteText(w io.Writer) error {
	var b strings.Builder
	b.WriteString(d.Title + "\n" + strings.Repeat("=", len(d.Title)) + "\n")
	for _, p := range d.Intro {
		b.WriteString("\n" + wrap(p, textWidth, "") + "\n")
	}
	for _, s := range d.Sections {
		b.WriteString("\n" + s.Heading + "\n" + strings.Repeat("-", len(s.Heading)) + "\n")
		for _, p := range s.Text {
			b.WriteString("\n" + wrap(p, textWidth, "") + "\n")
		}
		if len(s.Fields) > 0 {
			b.WriteString("\n")
			width := 0
			for _, f := range s.Fields {
				if !f.Block && len(f.Label) > width {
					width = len(f.Label)
				}
			}
			for _, f := range s.Fields {
				if f.Block {
					b.WriteString(f.Label + ":\n")
					// Paragraphs (separated by blank lines) are reflowed to
					// the width: the text is pasted into a form field.
					if f.Verbatim {
						for _, line := range strings.Split(strings.TrimRight(f.Value, "\n"), "\n") {
							b.WriteString(strings.TrimRight("    "+line, " ") + "\n")
						}
						continue
					}
					for i, para := range paragraphs(f.Value) {
						if i > 0 {
							b.WriteString("\n")
						}
						b.WriteString("    " + wrap(para, textWidth-4, "    ") + "\n")
					}
					continue
				}
				fmt.Fprintf(&b, "%-*s  %s\n", width+1, f.Label+":", f.Value)
			}
		}
		if t := s.Table; t != nil {
			b.WriteString("\n")
			writeTextTable(&b, t)
		}
		if len(s.Items) > 0 {
			b.WriteString("\n")
			for _, it := range s.Items {
				check := it.Subject + ": " + it.Check
				if !it.Required {
					check += " (recommended)"
				}
				b.WriteString(it.Status.textMark() + " " + wrap(check, textWidth-10, strings.Repeat(" ", 10)) + "\n")
				// Evidence is data (records, addresses) that users copy:
				// it stays on one line. Hints are prose and wrap.
				pad := strings.Repeat(" ", 10)
				if it.Found != "" {
					b.WriteString(pad + "found:    " + it.Found + "\n")
				}
				if it.Expected != "" {
					b.WriteString(pad + "expected: " + it.Expected + "\n")
				}
				if it.Hint != "" && it.Status != Met {
					b.WriteString(pad + "hint:     " + wrap(it.Hint, textWidth-20, pad+strings.Repeat(" ", 10)) + "\n")
				}
			}
			b.WriteString("\n" + summary(s.Items) + "\n")
		}
		for _, p := range s.Notes {
			b.WriteString("\n" + wrap(p, textWidth, "") + "\n")
		}
	}
	_, err := io.WriteString(w, tidy(b.String()))
	return err
}

// paragraphs splits text at blank lines and joins the lines of each.
func paragraphs(text string) []string {
	var out, cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, strings.TrimSpace(line))
	}
	flush()
	return out
}

// tidy keeps at most one blank line in a row.
func tidy(s string) string {
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return s
}

func writeTextTable(b *strings.Builder, t *Table) {
	widths := make([]int, len(t.Header))
	for i, h := range t.Header {
		widths[i] = len(h)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if i < len(widths) && len(c) > widths[i] {
				widths[i] = len(c)
			}
		}
	}
	line := func(cells []string) {
		var parts []string
		for i := range widths {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			parts = append(parts, fmt.Sprintf("%-*s", widths[i], c))
		}
		b.WriteString(strings.TrimRight("  "+strings.Join(parts, "  "), " ") + "\n")
	}
	line(t.Header)
	under := make([]string, len(widths))
	for i, n := range widths {
		under[i] = strings.Repeat("-", n)
	}
	line(under)
	for _, r := range t.Rows {
		line(r)
	}
}

// wrap breaks text at spaces so that lines stay within width; lines after
// the first start with indent. Words longer than width stay whole.
func wrap(text string, width int, indent string) string {
	var out strings.Builder
	for i, para := range strings.Split(text, "\n") {
		if i > 0 {
			out.WriteString("\n" + indent)
		}
		n := 0
		for j, word := range strings.Fields(para) {
			if j > 0 && n+1+len(word) > width {
				out.WriteString("\n" + indent)
				n = 0
			} else if j > 0 {
				out.WriteString(" ")
				n++
			}
			out.WriteString(word)
			n += len(word)
		}
	}
	return out.String()
}

// WriteMarkdown renders the document as Markdown, for a ticket or a pull
// request.
func (d *Document) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# " + d.Title + "\n")
	for _, p := range d.Intro {
		b.WriteString("\n" + p + "\n")
	}
	for _, s := range d.Sections {
		b.WriteString("\n## " + s.Heading + "\n")
		for _, p := range s.Text {
			b.WriteString("\n" + p + "\n")
		}
		if len(s.Fields) > 0 {
			b.WriteString("\n")
			for _, f := range s.Fields {
				if f.Block && f.Verbatim {
					b.WriteString("- **" + f.Label + ":**\n\n  ```hcl\n")
					for _, line := range strings.Split(strings.TrimRight(f.Value, "\n"), "\n") {
						b.WriteString(strings.TrimRight("  "+line, " ") + "\n")
					}
					b.WriteString("  ```\n\n")
					continue
				}
				if f.Block {
					b.WriteString("- **" + f.Label + ":**\n\n")
					for _, line := range strings.Split(strings.TrimRight(f.Value, "\n"), "\n") {
						b.WriteString(strings.TrimRight("  > "+line, " ") + "\n")
					}
					b.WriteString("\n")
					continue
				}
				b.WriteString("- **" + f.Label + ":** " + f.Value + "\n")
			}
		}
		if t := s.Table; t != nil {
			b.WriteString("\n")
			b.WriteString("| " + strings.Join(mdCells(t.Header), " | ") + " |\n")
			b.WriteString("|" + strings.Repeat(" --- |", len(t.Header)) + "\n")
			for _, r := range t.Rows {
				b.WriteString("| " + strings.Join(mdCells(r), " | ") + " |\n")
			}
		}
		if len(s.Items) > 0 {
			b.WriteString("\n")
			for _, it := range s.Items {
				box := "[ ]"
				if it.Status == Met {
					box = "[x]"
				}
				check := it.Check
				if !it.Required {
					check += " *(recommended)*"
				}
				fmt.Fprintf(&b, "- %s **%s** `%s`: %s\n", box, it.Status, it.Subject, check)
				if it.Found != "" {
					b.WriteString("  - found: " + mdCode(it.Found) + "\n")
				}
				if it.Expected != "" {
					b.WriteString("  - expected: " + mdCode(it.Expected) + "\n")
				}
				if it.Hint != "" && it.Status != Met {
					b.WriteString("  - hint: " + it.Hint + "\n")
				}
			}
			b.WriteString("\n" + summary(s.Items) + "\n")
		}
		for _, p := range s.Notes {
			b.WriteString("\n" + p + "\n")
		}
	}
	_, err := io.WriteString(w, tidy(b.String()))
	return err
}

func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return out
}

// mdCode shows evidence verbatim in a code span, with a fence long enough
// for any backticks inside.
func mdCode(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// Format is how a document is rendered.
type Format string

// Formats of a document.
const (
	Text     Format = "text"
	Markdown Format = "markdown"
)

// ParseFormat accepts "text" and "markdown" (also "md").
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "text":
		return Text, nil
	case "markdown", "md":
		return Markdown, nil
	}
	return "", fmt.Errorf("format %q: want text or markdown", s)
}

// Write renders the document in format f.
func (d *Document) Write(w io.Writer, f Format) error {
	if f == Markdown {
		return d.WriteMarkdown(w)
	}
	return d.WriteText(w)
}
