package specs

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// WriteDiagnostics renders diagnostics the way mailform shows them: errors
// first, then warnings, each sorted by position, as
//
//	Error: Invalid stack name
//
//	  on main.hcl:2:12, in mailform:
//	   2:   stack  = "Acme Test"
//	                 ^^^^^^^^^^^
//
//	The stack name "Acme Test" must be ...
//
// files supplies the source for snippets (by the file name in the ranges);
// a diagnostic whose file is missing is shown without a snippet. With color,
// the summary is bold and the severity red or yellow.
func WriteDiagnostics(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File, color bool) error {
	sorted := append(hcl.Diagnostics(nil), diags...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Severity != sorted[j].Severity {
			return sorted[i].Severity == hcl.DiagError
		}
		a, b := sorted[i].Subject, sorted[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		case a.Filename != b.Filename:
			return a.Filename < b.Filename
		default:
			return a.Start.Byte < b.Start.Byte
		}
	})
	bw := bufio.NewWriter(w)
	for i, d := range sorted {
		if i > 0 {
			bw.WriteString("\n")
		}
		writeDiagnostic(bw, d, files, color)
	}
	return bw.Flush()
}

func writeDiagnostic(w *bufio.Writer, d *hcl.Diagnostic, files map[string]*hcl.File, color bool) {
	severity, tint := "Error", "\x1b[31m"
	if d.Severity == hcl.DiagWarning {
		severity, tint = "Warning", "\x1b[33m"
	}
	summary := printable(d.Summary, false)
	if color {
		fmt.Fprintf(w, "%s%s:\x1b[0m \x1b[1m%s\x1b[0m\n", tint, severity, summary)
	} else {
		fmt.Fprintf(w, "%s: %s\n", severity, summary)
	}
	if r := d.Subject; r != nil {
		fmt.Fprintf(w, "\n  on %s:%d:%d", printable(r.Filename, false), r.Start.Line, r.Start.Column)
		if f := files[r.Filename]; f != nil && f.Bytes != nil {
			if ctx := enclosingBlock(f, r); ctx != "" {
				fmt.Fprintf(w, ", in %s", ctx)
			}
			w.WriteString(":\n")
			writeSnippet(w, f.Bytes, r, color)
		} else {
			w.WriteString("\n")
		}
	}
	if d.Detail != "" {
		fmt.Fprintf(w, "\n%s\n", printable(strings.TrimSpace(d.Detail), true))
	}
}

// writeSnippet prints the lines of r (at most three) with the range marked
// by carets under the first line.
func writeSnippet(w *bufio.Writer, src []byte, r *hcl.Range, color bool) {
	lines := bytes.Split(src, []byte("\n"))
	last := min(r.End.Line, r.Start.Line+2)
	if r.End.Line > r.Start.Line && r.End.Column == 1 {
		last = min(last, r.End.Line-1)
	}
	width := len(fmt.Sprint(last))
	for n := r.Start.Line; n <= last && n-1 < len(lines); n++ {
		// Columns count characters; the line is cut to a window around
		// the range and made printable, one character for one.
		runes := []rune(printable(strings.TrimRight(string(lines[n-1]), "\r"), false))
		start := r.Start.Column - 1
		end := len(runes)
		if r.End.Line == r.Start.Line {
			end = r.End.Column - 1
		}
		from := 0
		if n == r.Start.Line && start > maxSnippetWidth/2 {
			from = start - maxSnippetWidth/4
		}
		to := min(len(runes), from+maxSnippetWidth)
		prefix, suffix := "", ""
		if from > 0 {
			prefix = "…"
		}
		if to < len(runes) {
			suffix = "…"
		}
		line := prefix + string(runes[from:to]) + suffix
		fmt.Fprintf(w, "  %*d: %s\n", width, n, line)
		if n != r.Start.Line {
			continue
		}
		// Caret positions, in characters of the shown line.
		shown := []rune(line)
		shift := from - len([]rune(prefix))
		start, end = start-shift, min(end-shift, len(shown)-len([]rune(suffix)))
		if start < 0 || start > len(shown) {
			continue
		}
		// At least one caret, never past the line: a range may start at
		// its end ("stack = " with the value missing).
		end = min(max(end, start+1), len(shown))
		// Carets align under the text, tabs kept as tabs.
		var pad strings.Builder
		for _, c := range shown[:start] {
			if c == '\t' {
				pad.WriteRune('\t')
			} else {
				pad.WriteByte(' ')
			}
		}
		marks := strings.Repeat("^", max(end-start, 1))
		if color {
			marks = "\x1b[31m" + marks + "\x1b[0m"
		}
		fmt.Fprintf(w, "  %*s  %s%s\n", width, "", pad.String(), marks)
	}
}

// maxSnippetWidth is the most characters of a source line a snippet shows.
const maxSnippetWidth = 160

// printable replaces what a terminal would act on rather than show (control
// characters such as ESC and BEL, bidirectional overrides, bytes that are not
// UTF-8) with "�", one character for one so that carets stay aligned. Tabs
// stay; newlines stay where multiline is set.
func printable(s string, multiline bool) string {
	ok := func(r rune) bool {
		switch {
		case r == '\t', multiline && r == '\n':
			return true
		case r == utf8.RuneError, unicode.Is(unicode.Cc, r), r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return false
		}
		return true
	}
	clean := true
	for _, r := range s {
		if !ok(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if ok(r) {
			b.WriteRune(r)
		} else {
			b.WriteRune('\uFFFD')
		}
	}
	return b.String()
}

// enclosingBlock names the block a range is in ("domain \"acme.example\""),
// as hcl's own renderer does.
func enclosingBlock(f *hcl.File, r *hcl.Range) string {
	b := f.InnermostBlockAtPos(r.Start)
	if b == nil {
		return ""
	}
	parts := []string{b.Type}
	for _, l := range b.Labels {
		parts = append(parts, fmt.Sprintf("%q", l))
	}
	return strings.Join(parts, " ")
}
