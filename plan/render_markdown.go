package plan

import (
	"fmt"
	"io"
	"strings"
)

// actionWords name each action in the Markdown table.
var actionWords = map[Action]string{
	Create:  "create",
	Update:  "update",
	Replace: "replace",
	Delete:  "delete",
	Manual:  "publish by hand",
}

// diffMarker starts each line of the ```diff block, so that code hosts colour
// creates green and deletes red; "!" marks lines that change.
var diffMarker = map[string]string{"+": "+", "-": "-", "~": "!", "-/+": "!"}

// Render writes p as a pull-request comment: the summary, a table of the
// changes, the attribute diffs in a collapsible block, and the records to
// publish by hand in a code block.
func (MarkdownView) Render(w io.Writer, p *Plan) error {
	if p == nil {
		return fmt.Errorf("render plan: no plan")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### mailform plan: stack %s%s%s\n\n", mdCode(p.Stack), mdCell(inRegion(p.Region)), mdCell(ofAccount(p.Account)))
	fmt.Fprintf(&b, "**%s**\n", summaryLine(p))

	if p.HasChanges() {
		b.WriteString("\n| | resource | kind | action | why |\n|---|---|---|---|---|\n")
		for _, c := range p.Changes {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n",
				mdCode(c.Action.Symbol()), mdCode(c.Addr), mdCell(string(c.Kind)), actionWords[c.Action], mdCell(c.Reason))
		}

		var diff strings.Builder
		for _, c := range p.Changes {
			sym := c.Action.Symbol()
			fmt.Fprintf(&diff, "%s %s (%s)\n", diffMarker[sym], c.Addr, c.Kind)
			if c.Reason != "" {
				fmt.Fprintf(&diff, "      # %s\n", c.Reason)
			}
			if c.Action == Delete {
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
		b.WriteString("\n<details><summary>Attribute changes</summary>\n\n")
		writeFenced(&b, "diff", diff.String())
		b.WriteString("\n</details>\n")
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "\n> **Note:** %s\n", strings.ReplaceAll(n, "\n", " "))
	}
	if len(p.Manual) > 0 {
		var zone strings.Builder
		for _, l := range manualZoneFile(p.Manual) {
			zone.WriteString(l + "\n")
		}
		b.WriteString("\n**Publish these records at your DNS provider:**\n\n")
		writeFenced(&b, "", zone.String())
	}
	return writeAll(w, b.String())
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
