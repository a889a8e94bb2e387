package check

import (
	"fmt"
	"io"
	"strings"
)

// sourceNames lists the names of a requirement's sources: "Gmail, Yahoo".
func sourceNames(sources []Source) string {
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// writeRequirement writes, under a bulk-sender result, who requires it and
// the fix when it is not met.
func writeRequirement(ew *errWriter, res Result, indent string) {
	if len(res.Sources) == 0 {
		return
	}
	if res.Fix != "" && res.Status != OK {
		ew.printf("%sfix: %s\n", indent, res.Fix)
	}
	ew.printf("%srequired by: %s\n", indent, sourceNames(res.Sources))
}

// writeSources writes where each source states its rules.
func writeSources(ew *errWriter) {
	ew.printf("\nSources:\n")
	for _, s := range []Source{SourceGmail, SourceYahoo, SourceMicrosoft, SourceSES} {
		ew.printf("  %-10s  %s\n", s.Name, s.URL)
	}
}

// checklistMark is the box of a status in the checklist: only OK is ticked.
var checklistMark = map[Status]string{OK: "[x]", Info: "[ ]", Warn: "[ ]", Fail: "[ ]"}

// WriteChecklist writes the report as a Markdown checklist to paste into a
// ticket: one section per group, one box per check, ticked only when OK,
// with what was found, the fix and the sources.
func WriteChecklist(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	title := "mailform check"
	if r.BulkSender {
		title = "Bulk-sender readiness (mailform check -bulk-sender)"
	}
	s := r.Summary()
	ew.printf("# %s\n\n%d OK, %d INFO, %d WARN, %d FAIL.\n", title, s.OK, s.Info, s.Warn, s.Fail)
	for _, g := range r.Groups() {
		ew.printf("\n## %s\n\n", g)
		for _, res := range r.Results {
			if res.Group != g {
				continue
			}
			ew.printf("- %s **%s** (%s): %s\n", checklistMark[res.Status], res.Check, res.Status, mdEscape(res.Message))
			if res.Fix != "" && res.Status != OK {
				ew.printf("  - fix: %s\n", mdEscape(res.Fix))
			}
			if len(res.Sources) > 0 {
				links := make([]string, len(res.Sources))
				for i, src := range res.Sources {
					links[i] = fmt.Sprintf("[%s](%s)", src.Name, src.URL)
				}
				ew.printf("  - required by: %s\n", strings.Join(links, ", "))
			}
		}
	}
	return ew.err
}

// mdEscape keeps text from turning into Markdown markup.
func mdEscape(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "<", `\<`).Replace(s)
}
