package render

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/internal/plantest"
	"github.com/mailform/mailform/specs"
)

// githubCommentLimit is the most characters GitHub takes in a pull-request
// comment.
const githubCommentLimit = 65536

// TestMarkdownOfManyDomainsFitsAComment: the first plan of
// examples/many-domains (120 domains, everything to create) is far over
// GitHub's comment limit in full; within MaxChars it keeps the counts, the
// first changes, and says how many it leaves out.
func TestMarkdownOfManyDomainsFitsAComment(t *testing.T) {
	spec, diags := specs.Load(filepath.Join("..", "..", "examples", "many-domains"), specs.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p, diags := plan.Make(spec.Resources(), nil, plan.Options{Stack: spec.Stack, Region: spec.Region})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var full bytes.Buffer
	if err := Markdown(&full, p); err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCount(full.Bytes()); n <= githubCommentLimit {
		t.Fatalf("the full comment has %d characters: the example no longer tests the limit", n)
	}

	const maxChars = 60000
	var short bytes.Buffer
	if err := (MarkdownView{MaxChars: maxChars}).Render(&short, p); err != nil {
		t.Fatal(err)
	}
	text := short.String()
	if n := utf8.RuneCountInString(text); n > maxChars {
		t.Errorf("the comment has %d characters, over %d", n, maxChars)
	}
	if !strings.Contains(text, "**"+summaryLine(p)+"**") {
		t.Errorf("the comment lacks the summary %q", summaryLine(p))
	}
	shown := strings.Count(text, "\n| `+` |")
	if shown < 100 {
		t.Errorf("the comment lists %d changes; it has room for more", shown)
	}
	more := fmt.Sprintf("**%d more changes not shown here**", len(p.Changes)-shown)
	if !strings.Contains(text, more) {
		t.Errorf("the comment lacks %q:\n%s", more, text[max(0, len(text)-600):])
	}
	t.Logf("full comment: %d characters; within %d: %d characters, %d of %d changes listed",
		utf8.RuneCount(full.Bytes()), maxChars, utf8.RuneCountInString(text), shown, len(p.Changes))
	if first := "| `+` | " + mdCode(p.Changes[0].Addr) + " |"; !strings.Contains(text, first) {
		t.Errorf("the comment does not start with the first change %s", p.Changes[0].Addr)
	}
}

// TestMarkdownWithinTheLimitIsWhole: a plan that fits is rendered in full,
// diffs and all, whatever MaxChars.
func TestMarkdownWithinTheLimitIsWhole(t *testing.T) {
	for name, p := range plantest.Plans(t) {
		var whole, limited bytes.Buffer
		if err := Markdown(&whole, p); err != nil {
			t.Fatal(err)
		}
		if err := (MarkdownView{MaxChars: utf8.RuneCount(whole.Bytes())}).Render(&limited, p); err != nil {
			t.Fatal(err)
		}
		if whole.String() != limited.String() {
			t.Errorf("%s: the limited rendering differs from the whole one", name)
		}
	}
}
