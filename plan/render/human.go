package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailform/mailform/plan"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// Render writes the terminal rendering of p: a block per changed resource
// with its attribute lines, the summary line, then the records the user must
// publish at their own DNS provider.
func (v HumanView) Render(w io.Writer, p *plan.Plan) error {
	if p == nil {
		return fmt.Errorf("render plan: no plan")
	}
	color := func(code, s string) string {
		if !v.Options.Color {
			return s
		}
		return code + s + ansiReset
	}
	symbolColor := map[string]string{"+": ansiGreen, "~": ansiYellow, "-": ansiRed, "-/+": ansiRed, "!": ansiCyan}

	var b strings.Builder
	if p.HasChanges() {
		verb := "perform these actions"
		if p.Destroy {
			verb = "destroy everything it manages"
		}
		fmt.Fprintf(&b, "mailform will %s for stack %s%s%s:\n", verb, p.Stack, inRegion(p.Region), ofAccount(p.Account))
		for _, c := range p.Changes {
			sym := c.Action.Symbol()
			fmt.Fprintf(&b, "\n  %s %s (%s)\n", color(symbolColor[sym], sym), color(ansiBold, c.Addr), c.Kind)
			if c.Reason != "" {
				fmt.Fprintf(&b, "      # %s\n", c.Reason)
			}
			if c.Action == plan.Delete {
				if c.ID != "" {
					fmt.Fprintf(&b, "      id: %s\n", c.ID)
				}
				continue
			}
			for _, l := range changeLines(c) {
				line := fmt.Sprintf("      %s %s: %s", color(symbolColor[l.Symbol], l.Symbol), l.Name, l.Text)
				if l.Replaces {
					line += color(ansiRed, " # forces replacement")
				}
				b.WriteString(line + "\n")
			}
		}
		b.WriteString("\n")
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "Note: %s\n\n", n)
	}
	b.WriteString(color(ansiBold, summaryLine(p)) + "\n")
	if len(p.Manual) > 0 {
		b.WriteString("\nPublish these records at your DNS provider:\n\n")
		for _, l := range manualZoneFile(p.Manual) {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	return writeAll(w, b.String())
}

func ofAccount(account string) string {
	if account == "" {
		return ""
	}
	return ", account " + account
}

func inRegion(region string) string {
	if region == "" {
		return ""
	}
	return " in " + region
}
