package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/mailform/mailform/internal/golden"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailform/mailform/specs"
)

// renderCases are representative plans, each rendered three ways and
// compared with plan/testdata/render/<case>.{txt,json,md}.
func renderCases(t *testing.T) map[string]*Plan {
	t.Helper()
	mk := func(desired []specs.Resource, observed []Observed, opts Options) *Plan {
		t.Helper()
		opts.Stack, opts.Region = stack, region
		p, diags := Make(desired, observed, opts)
		if diags.HasErrors() {
			t.Fatalf("making a test plan: %v", diags)
		}
		return p
	}

	// mixed: one of each action, an adoption, a missing secret, unknowns.
	alerts := specs.Resource{
		Addr:      "email.alerts@partner.example",
		Kind:      specs.KindSESIdentity,
		Attrs:     map[string]any{"identity": "alerts@partner.example", "type": "EMAIL_ADDRESS"},
		DeclRange: at(60),
	}
	mx := specs.Resource{
		Addr:      "record.acme.example.MX",
		Kind:      specs.KindRoute53Record,
		Attrs:     map[string]any{"zone": "acme.example.", "name": "acme.example.", "type": "MX", "ttl": int64(3600), "values": []any{"10 mta1.acme.example."}},
		DeclRange: at(90),
	}
	mixedObserved := observedStack()
	mixedObserved = replaced(mixedObserved, withAttr(obsIdentity(), "dkim_tokens", []string{"newtok00", tokens[1], tokens[2]}))
	mixedObserved = replaced(mixedObserved, withAttr(obsDMARC(), "ttl", 600))
	mixedObserved = replaced(mixedObserved, withAttr(obsSMTPUser(), "password", nil))
	mixedObserved = append(mixedObserved,
		Observed{Addr: "email.alerts@partner.example", Kind: specs.KindSESIdentity, ID: "alerts@partner.example",
			Attrs: map[string]any{"identity": "alerts@partner.example", "type": "EMAIL_ADDRESS", "verification_status": "PENDING"}},
		Observed{Addr: "topic.old", Kind: specs.KindSNSTopic, ID: "arn:aws:sns:us-west-2:123456789012:acme-prod-old", Owner: stack,
			Attrs: map[string]any{"name": "acme-prod-old", "ses_publish": true, "arn": "arn:aws:sns:us-west-2:123456789012:acme-prod-old"}})

	return map[string]*Plan{
		"create":    mk(append(desiredStack(), manualDKIMRes()), nil, Options{}),
		"mixed":     mk(append(desiredStack(), alerts, mx), mixedObserved, Options{Adopt: []string{"email.alerts@partner.example"}}),
		"nochanges": mk(desiredStack(), observedStack(), Options{}),
		"destroy":   mk(desiredStack(), observedStack(), Options{Destroy: true}),
		"targeted":  mk(desiredStack(), nil, Options{Targets: []string{"topic.feedback/queue"}}),
	}
}

func TestRenderGolden(t *testing.T) {
	views := []struct {
		ext  string
		view View
	}{
		{"txt", HumanView{}},
		{"json", JSONView{}},
		{"md", MarkdownView{}},
	}
	for name, p := range renderCases(t) {
		for _, v := range views {
			t.Run(name+"."+v.ext, func(t *testing.T) {
				var buf bytes.Buffer
				if err := v.view.Render(&buf, p); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, filepath.Join("testdata", "render", name+"."+v.ext), buf.Bytes())
			})
		}
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, got)
}

func TestRenderHumanFacts(t *testing.T) {
	cases := renderCases(t)
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
			if err := RenderHuman(&buf, cases[tt.plan], HumanOptions{}); err != nil {
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
	if err := RenderHuman(&buf, renderCases(t)["mixed"], HumanOptions{Color: true}); err != nil {
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
	for name, p := range renderCases(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := RenderJSON(&buf, p); err != nil {
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
	p := renderCases(t)["create"]
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
	p := &Plan{Stack: stack, Region: region, Changes: []Change{{
		Addr: "record.a|b", Kind: specs.KindRoute53Record, Action: Create, Reason: "x | y <script>",
		Diffs: []AttrDiff{{Name: "values", After: []any{"```"}}},
	}}}
	var buf bytes.Buffer
	if err := RenderMarkdown(&buf, p); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, w := range []string{"`record.a\\|b`", "x \\| y &lt;script>", "````diff\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
