package render

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mailform/mailform/plan"
)

// actionWords name each action in the Markdown table.
var actionWords = map[plan.Action]string{
	plan.Create:  "create",
	plan.Update:  "update",
	plan.Replace: "replace",
	plan.Delete:  "delete",
	plan.Manual:  "publish by hand",
}

// diffMarker starts each line of the ```diff block, so that code hosts colour
// creates green and deletes red; "!" marks lines that change.
var diffMarker = map[string]string{"+": "+", "-": "-", "~": "!", "-/+": "!"}

// Render writes p as a pull-request comment: the summary, a table of the
// changes, the attribute diffs in a collapsible block, and the records to
// publish by hand in a code block. When that is longer than v.MaxChars, it
// writes the short form instead (markdownShort).
func (v MarkdownView) Render(w io.Writer, p *plan.Plan) error {
	if p == nil {
		return fmt.Errorf("render plan: no plan")
	}
	head := markdownHead(p)
	var b strings.Builder
	b.WriteString(head)
	if p.HasChanges() {
		b.WriteString(markdownTableHeader)
		for _, c := range p.Changes {
			b.WriteString(markdownRow(c))
		}
		b.WriteString("\n<details><summary>Attribute changes</summary>\n\n")
		writeFenced(&b, "diff", markdownDiff(p.Changes))
		b.WriteString("\n</details>\n")
	}
	notes := markdownNotes(p)
	manual := markdownManual(p.Manual)
	b.WriteString(notes + manual)
	if v.MaxChars > 0 && utf8.RuneCountInString(b.String()) > v.MaxChars {
		return writeAll(w, markdownShort(p, v.MaxChars, head, notes, manual))
	}
	return writeAll(w, b.String())
}

// markdownShort is the comment of a plan too long for maxChars: the summary
// with its counts, as many rows of the table as fit, a line saying how many
// changes it leaves out, the notes, and the records to publish by hand if
// they fit (else their count). The attribute diffs are left out.
func markdownShort(p *plan.Plan, maxChars int, head, notes, manual string) string {
	count := utf8.RuneCountInString
	omitted := func(n int) string {
		return fmt.Sprintf("\n**%d more %s not shown here**, nor the attribute changes: the whole plan did not fit in %d characters. "+
			"See it with `mailform plan`, or in the plan file saved with `-out` (JSON).\n", n, plural(n, "change", "changes"), maxChars)
	}
	// The longest the omitted line can be, whatever the count.
	budget := maxChars - count(head) - count(notes) - count(omitted(len(p.Changes)))
	if count(manual) > budget/2 {
		manual = fmt.Sprintf("\n**%d %s to publish at your DNS provider** are not shown here: see them with `mailform plan`.\n",
			len(p.Manual), plural(len(p.Manual), "record", "records"))
	}
	budget -= count(manual) + count(markdownTableHeader)
	var b strings.Builder
	b.WriteString(head)
	shown := 0
	if len(p.Changes) > 0 {
		b.WriteString(markdownTableHeader)
		for _, c := range p.Changes {
			row := markdownRow(c)
			if count(row) > budget {
				break
			}
			budget -= count(row)
			b.WriteString(row)
			shown++
		}
	}
	b.WriteString(omitted(len(p.Changes) - shown))
	b.WriteString(notes + manual)
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

const markdownTableHeader = "\n| | resource | kind | action | why |\n|---|---|---|---|---|\n"

// markdownHead is the title and the summary line.
func markdownHead(p *plan.Plan) string {
	return fmt.Sprintf("### mailform plan: stack %s%s%s\n\n**%s**\n", mdCode(p.Stack), mdCell(inRegion(p.Region)), mdCell(ofAccount(p.Account)), summaryLine(p))
}

// markdownRow is one change's row of the table.
func markdownRow(c plan.Change) string {
	return fmt.Sprintf("| %s | %s | %s | %s | %s |\n",
		mdCode(c.Action.Symbol()), mdCode(c.Addr), mdCell(string(c.Kind)), actionWords[c.Action], mdCell(c.Reason))
}

// markdownDiff is the body of the attribute changes' diff block.
func markdownDiff(changes []plan.Change) string {
	var diff strings.Builder
	for _, c := range changes {
		sym := c.Action.Symbol()
		fmt.Fprintf(&diff, "%s %s (%s)\n", diffMarker[sym], c.Addr, c.Kind)
		if c.Reason != "" {
			fmt.Fprintf(&diff, "      # %s\n", c.Reason)
		}
		if c.Action == plan.Delete {
			if c.ID != "" {
				fmt.Fprintf(&diff, "%s     id: %s\n", diffMarker[sym], c.ID)
			}
			continue
		}
		for _, l := range changeLines(c) {
			line := fmt.Sprintf("%s     %s: %s", diffMarker[l.Symbol], l.Name, l.Text)
			if l.Replaces {
				line += " # forces replacement"
			}
			diff.WriteString(line + "\n")
		}
	}
	return diff.String()
}

// markdownNotes is the plan's notes, one quote each.
func markdownNotes(p *plan.Plan) string {
	var b strings.Builder
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "\n> **Note:** %s\n", strings.ReplaceAll(n, "\n", " "))
	}
	return b.String()
}

// markdownManual is the records to publish by hand, as a zone file.
func markdownManual(manual []plan.Change) string {
	if len(manual) == 0 {
		return ""
	}
	var zone strings.Builder
	for _, l := range manualZoneFile(manual) {
		zone.WriteString(l + "\n")
	}
	var b strings.Builder
	b.WriteString("\n**Publish these records at your DNS provider:**\n\n")
	writeFenced(&b, "", zone.String())
	return b.String()
}

// writeFenced writes body in a fenced code block whose fence is longer than
// any run of backticks in body.
func writeFenced(b *strings.Builder, lang, body string) {
	fence := strings.Repeat("`", max(3, longestBacktickRun(body)+1))
	b.WriteString(fence + lang + "\n" + body + fence + "\n")
}

// mdCode writes s as an inline code span that s cannot break out of.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "\n", " ")
	fence := strings.Repeat("`", longestBacktickRun(s)+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + strings.ReplaceAll(s, "|", `\|`) + pad + fence
}

// mdCell makes s safe inside a table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "<", "&lt;")
	return s
}

// longestBacktickRun returns the length of the longest run of '`' in s.
func longestBacktickRun(s string) int {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
