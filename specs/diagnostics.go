package specs

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

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
	if color {
		fmt.Fprintf(w, "%s%s:\x1b[0m \x1b[1m%s\x1b[0m\n", tint, severity, d.Summary)
	} else {
		fmt.Fprintf(w, "%s: %s\n", severity, d.Summary)
	}
	if r := d.Subject; r != nil {
		fmt.Fprintf(w, "\n  on %s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
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
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(d.Detail))
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
		line := strings.TrimRight(string(lines[n-1]), "\r")
		fmt.Fprintf(w, "  %*d: %s\n", width, n, line)
		if n != r.Start.Line {
			continue
		}
		start := r.Start.Column - 1
		end := len(line)
		if r.End.Line == r.Start.Line {
			end = r.End.Column - 1
		}
		if start < 0 || start > len(line) {
			continue
		}
		// At least one caret, never past the line: a range may start at
		// its end ("stack = " with the value missing).
		end = min(max(end, start+1), len(line))
		// Carets align under the text, tabs kept as tabs.
		var pad strings.Builder
		for _, c := range line[:start] {
			if c == '\t' {
				pad.WriteRune('\t')
			} else {
				pad.WriteByte(' ')
			}
		}
		marks := strings.Repeat("^", runeCount(line[start:end]))
		if color {
			marks = "\x1b[31m" + marks + "\x1b[0m"
		}
		fmt.Fprintf(w, "  %*s  %s%s\n", width, "", pad.String(), marks)
	}
}

func runeCount(s string) int { return max(len([]rune(s)), 1) }

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
