package specs

import (
	"fmt"
	"strings"
)

// diffContext is the number of unchanged lines shown around each change.
const diffContext = 3

// maxDiffCells bounds the work of the line matching; above it the diff
// replaces the whole file, which is still a correct (if long) diff.
const maxDiffCells = 16 << 20

// UnifiedDiff returns the differences from a to b in unified diff format
// (as `diff -u` writes, with a/ and b/ prefixes on name), or "" when they are
// equal.
func UnifiedDiff(name string, a, b []byte) string {
	if string(a) == string(b) {
		return ""
	}
	x, y := splitLines(string(a)), splitLines(string(b))
	ops := lineOps(x, y)

	var out strings.Builder
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", name, name)
	// Walk ops, cutting hunks around runs of changes.
	i := 0
	for i < len(ops) {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-diffContext, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			// Count the unchanged run; a short run joins the next change.
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run < len(ops) && run-end <= 2*diffContext {
				end = run
				continue
			}
			end = min(end+diffContext, len(ops))
			break
		}
		writeHunk(&out, ops[start:end])
		i = end
	}
	return out.String()
}

type lineOp struct {
	kind   byte // ' ', '-', '+'
	text   string
	aLine  int // 1-based line in a (for ' ' and '-')
	bLine  int // 1-based line in b (for ' ' and '+')
	noEOLn bool
}

func writeHunk(out *strings.Builder, ops []lineOp) {
	aStart, bStart, aCount, bCount := 0, 0, 0, 0
	for _, op := range ops {
		if op.kind != '+' {
			if aCount == 0 {
				aStart = op.aLine
			}
			aCount++
		}
		if op.kind != '-' {
			if bCount == 0 {
				bStart = op.bLine
			}
			bCount++
		}
	}
	if aCount == 0 {
		aStart = ops[0].aLine - 1
	}
	if bCount == 0 {
		bStart = ops[0].bLine - 1
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aCount), hunkRange(bStart, bCount))
	for _, op := range ops {
		out.WriteByte(op.kind)
		out.WriteString(op.text)
		if op.noEOLn {
			out.WriteString("\n\\ No newline at end of file")
		}
		out.WriteByte('\n')
	}
}

func hunkRange(start, count int) string {
	if count == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, count)
}

type line struct {
	text   string // without the newline
	noEOLn bool   // the last line of a file that does not end in a newline
}

func splitLines(s string) []line {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, "\n")
	var out []line
	for i, p := range parts {
		if i == len(parts)-1 {
			if p != "" {
				out = append(out, line{text: p, noEOLn: true})
			}
			break
		}
		out = append(out, line{text: p})
	}
	return out
}

// lineOps aligns x and y on a longest common subsequence of lines.
func lineOps(x, y []line) []lineOp {
	n, m := len(x), len(y)
	var ops []lineOp
	if (n+1)*(m+1) > maxDiffCells {
		for i, l := range x {
			ops = append(ops, lineOp{kind: '-', text: l.text, aLine: i + 1, bLine: 1, noEOLn: l.noEOLn})
		}
		for j, l := range y {
			ops = append(ops, lineOp{kind: '+', text: l.text, aLine: n + 1, bLine: j + 1, noEOLn: l.noEOLn})
		}
		return ops
	}
	// lcs[i][j] = length of the LCS of x[i:] and y[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && x[i] == y[j]:
			ops = append(ops, lineOp{kind: ' ', text: x[i].text, aLine: i + 1, bLine: j + 1, noEOLn: x[i].noEOLn})
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, lineOp{kind: '-', text: x[i].text, aLine: i + 1, bLine: j + 1, noEOLn: x[i].noEOLn})
			i++
		default:
			ops = append(ops, lineOp{kind: '+', text: y[j].text, aLine: i + 1, bLine: j + 1, noEOLn: y[j].noEOLn})
			j++
		}
	}
	return ops
}
