package specs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$`)

// applyUnifiedDiff applies a diff made by UnifiedDiff to a, checking every
// context and removed line against a and every count in the hunk headers.
func applyUnifiedDiff(a, diff string) (string, error) {
	if diff == "" {
		return a, nil
	}
	src := splitLines(a)
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- a/") || !strings.HasPrefix(lines[1], "+++ b/") {
		return "", fmt.Errorf("bad header")
	}
	var out []line
	pos := 0 // next line of src to copy
	for i := 2; i < len(lines); {
		m := hunkHeader.FindStringSubmatch(lines[i])
		if m == nil {
			return "", fmt.Errorf("line %d: want a hunk header, got %q", i, lines[i])
		}
		count := func(s string) int {
			if s == "" {
				return 1
			}
			n, _ := strconv.Atoi(s)
			return n
		}
		aStart, aCount, bCount := count(m[1]), count(m[2]), count(m[4])
		if aCount == 0 {
			aStart++ // "-N,0" names the line before the insertion
		}
		if aStart-1 < pos {
			return "", fmt.Errorf("hunk %q overlaps the previous one", lines[i])
		}
		out = append(out, src[pos:aStart-1]...)
		pos = aStart - 1
		i++
		gotA, gotB := 0, 0
		for i < len(lines) && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			noEOL := i+1 < len(lines) && lines[i+1] == `\ No newline at end of file`
			body := line{text: l[1:], noEOLn: noEOL}
			switch l[0] {
			case ' ', '-':
				if pos >= len(src) || src[pos] != body {
					return "", fmt.Errorf("line %q does not match a", l)
				}
				pos++
				gotA++
				if l[0] == ' ' {
					out = append(out, body)
					gotB++
				}
			case '+':
				out = append(out, body)
				gotB++
			default:
				return "", fmt.Errorf("unexpected line %q", l)
			}
			i++
			if noEOL {
				i++
			}
		}
		if gotA != aCount || gotB != bCount {
			return "", fmt.Errorf("hunk counts %d,%d but holds %d,%d", aCount, bCount, gotA, gotB)
		}
	}
	out = append(out, src[pos:]...)
	var b strings.Builder
	for _, l := range out {
		b.WriteString(l.text)
		if !l.noEOLn {
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

func FuzzUnifiedDiff(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nc\nd\n")
	f.Add("", "x")
	f.Add("x", "")
	f.Add("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\nX\n4\n5\n6\n7\n8\nY\n10")
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.Contains(a, "\r") || strings.Contains(b, "\r") {
			t.Skip()
		}
		d := UnifiedDiff("f.hcl", []byte(a), []byte(b))
		if (d == "") != (a == b) {
			t.Fatalf("diff empty = %v for a == b = %v", d == "", a == b)
		}
		got, err := applyUnifiedDiff(a, d)
		if err != nil {
			t.Fatalf("%v\ndiff:\n%s", err, d)
		}
		if got != b {
			t.Fatalf("applying the diff gave %q, want %q\ndiff:\n%s", got, b, d)
		}
	})
}
