package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailform/mailform/internal/golden"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/internal/fixture"
	"github.com/mailform/mailform/plan/internal/plantest"

	"github.com/mailform/mailform/specs"
)

func TestRenderGolden(t *testing.T) {
	views := []struct {
		ext  string
		view View
	}{
		{"txt", HumanView{}},
		{"json", JSONView{}},
		{"md", MarkdownView{}},
	}
	for name, p := range plantest.Plans(t) {
		for _, v := range views {
			t.Run(name+"."+v.ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := v.view.Render(&buf, p); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join("testdata", name+"."+v.ext), buf.Bytes())
			})
		}
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, got)
}

func TestRenderHumanFacts(t *testing.T) {
	cases := plantest.Plans(t)
	tests := []struct {
		plan string
		want []string
	}{
		{"create", []string{
			"  + domain.acme.example (ses.identity)\n",
			"      + dkim_key_length: 2048\n",
			"      + bounce_topic: (known after apply)\n",
			"      + password: (sensitive)\n",
			"Plan: 9 to add, 0 to change, 0 to replace, 0 to destroy.\n",
			"Publish these records at your DNS provider:\n\n",
			"  _dmarc.other.example. 300 IN TXT \"v=DMARC1; p=none\"\n",
			"  (known after apply) 1800 IN CNAME (known after apply)\n",
			"  ; (known after apply): these values exist once mailform apply has run; run mailform plan again then to see them\n",
		}},
		{"mixed", []string{
			"      ~ ttl: 600 -> 300\n",
			"  -/+ domain.acme.example/dkim[0] (route53.record)\n",
			`      ~ name: "tok0aaaa._domainkey.acme.example" -> "newtok00._domainkey.acme.example." # forces replacement` + "\n",
			"      # secret missing from ssm:/acme/mail/smtp/webapp\n",
			"      # adopt: add the ownership mark of stack acme-prod\n",
			"  - topic.old (sns.topic)\n",
			"Plan: 1 to add, 3 to change, 1 to replace, 1 to destroy.\n",
		}},
		{"nochanges", []string{"No changes. AWS matches the spec.\n"}},
		{"targeted", []string{"Note: This plan is limited to -target topic.feedback/queue"}},
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Human(&buf, cases[tt.plan], HumanOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, buf.String())
				}
			}
			if strings.Contains(buf.String(), "\x1b[") {
				t.Error("colour codes without Color")
			}
		})
	}
}

func TestRenderHumanColor(t *testing.T) {
	var buf bytes.Buffer
	if err := Human(&buf, plantest.Plans(t)["mixed"], HumanOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{ansiGreen + "+" + ansiReset, ansiRed + "-" + ansiReset, ansiYellow + "~" + ansiReset} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("coloured output lacks %q", w)
		}
	}
}

// Every field of docs/plan-json.md is present in every change, whatever its
// action, so that consumers can rely on the shape.
func TestRenderJSONShape(t *testing.T) {
	for name, p := range plantest.Plans(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := JSON(&buf, p); err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"format_version", "stack", "region", "destroy", "targets", "has_changes", "summary", "changes", "manual_records", "notes", "state_digest"} {
				if _, ok := doc[k]; !ok {
					t.Errorf("no %q", k)
				}
			}
			if doc["format_version"] != "1" {
				t.Errorf("format_version = %v", doc["format_version"])
			}
			for _, c := range doc["changes"].([]any) {
				for _, k := range []string{"address", "kind", "action", "id", "reason", "adopt", "depends_on", "source", "before", "after", "diffs"} {
					if _, ok := c.(map[string]any)[k]; !ok {
						t.Errorf("change lacks %q: %v", k, c)
					}
				}
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRenderReportsWriteErrors(t *testing.T) {
	p := plantest.Plans(t)["create"]
	for _, v := range []View{HumanView{}, JSONView{}, MarkdownView{}} {
		if err := v.Render(failingWriter{}, p); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%T: err = %v", v, err)
		}
		if err := v.Render(&bytes.Buffer{}, nil); err == nil {
			t.Errorf("%T: no error for a nil plan", v)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	p := &plan.Plan{Stack: fixture.Stack, Region: fixture.Region, Changes: []plan.Change{{
		Addr: "record.a|b", Kind: specs.KindRoute53Record, Action: plan.Create, Reason: "x | y <script>",
		Diffs: []plan.AttrDiff{{Name: "values", After: []any{"```"}}},
	}}}
	var buf bytes.Buffer
	if err := Markdown(&buf, p); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, w := range []string{"`record.a\\|b`", "x \\| y &lt;script>", "````diff\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
