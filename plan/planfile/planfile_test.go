package planfile

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/internal/golden"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/internal/fixture"
	"github.com/mailform/mailform/plan/internal/plantest"
	"github.com/mailform/mailform/plan/render"
	"github.com/mailform/mailform/specs"
)

var cmpRange = cmp.Comparer(func(a, b hcl.Range) bool { return a == b })

func TestPlanFileRoundTrip(t *testing.T) {
	for name, p := range plantest.Plans(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Save(&buf, p); err != nil {
				t.Fatal(err)
			}
			got, err := Load(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(p, got, cmpRange); diff != "" {
				t.Errorf("round trip (-saved +loaded):\n%s", diff)
			}
			// Saving what was loaded gives the same bytes.
			var again bytes.Buffer
			if err := Save(&again, got); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("save(load(save(p))) differs from save(p)")
			}
		})
	}
}

func TestPlanFileGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := Save(&buf, plantest.Plans(t)["mixed"]); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "mixed.json"), buf.Bytes())
}

// What apply needs survives a plan file: templates of values known after
// apply (so that apply can plan.Resolve them), secrets as placeholders, source
// ranges, dependencies, and maps whose keys look like placeholders.
func TestPlanFileKeepsWhatApplyNeeds(t *testing.T) {
	p := &plan.Plan{
		FormatVersion: plan.FormatVersion, Stack: fixture.Stack, Region: fixture.Region,
		Changes: []plan.Change{{
			Addr: "configuration_set.default", Kind: specs.KindSESConfigSet, Action: plan.Create,
			After: map[string]any{
				"event_destinations": map[string]any{
					"deferred":  map[string]any{"topic_arn": specs.Deferred("${topic.x#arn}")},
					"sensitive": map[string]any{"enabled": true},
				},
				"looks_like_a_placeholder": map[string]any{"deferred": "plain text"},
				"looks_like_a_secret":      map[string]any{"sensitive": true},
				"looks_like_a_wrapper":     map[string]any{"map": map[string]any{}},
				"secret":                   specs.Sensitive{},
				"ratio":                    0.25,
			},
			DependsOn: []string{"topic.x"},
			DeclRange: fixture.At(18),
		}},
	}
	var buf bytes.Buffer
	if err := Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	got, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got, cmpRange); diff != "" {
		t.Errorf("round trip (-saved +loaded):\n%s", diff)
	}
	resolved := plan.Resolve([]specs.Resource{{Addr: "c", Kind: specs.KindSESConfigSet, Attrs: got.Changes[0].After}},
		[]plan.Observed{{Addr: "topic.x", Attrs: map[string]any{"arn": "arn:x"}}})
	dest := resolved[0].Attrs["event_destinations"].(map[string]any)["deferred"].(map[string]any)
	if dest["topic_arn"] != "arn:x" {
		t.Errorf("a loaded template does not resolve: %v", dest)
	}
}

// No secret and no digest of one reaches a plan file or a rendering.
func TestNoSecretInAnyOutput(t *testing.T) {
	const plaintext = "hunter2-plaintext-password"
	user := plantest.WithAttr(plantest.Observed(fixture.ObsSMTPUser()), "path", "/old/") // a change, so Before is kept
	leaky := plantest.WithAttr(user, "password", plaintext)                              // a provider that got it wrong
	tests := map[string][]plan.Observed{
		"digest":    plantest.Replaced(plantest.ObservedStack(), user),
		"plaintext": plantest.Replaced(plantest.ObservedStack(), leaky),
		"deleted":   {plantest.Observed(fixture.ObsSMTPUser())},
	}
	for name, observed := range tests {
		t.Run(name, func(t *testing.T) {
			desired := fixture.DesiredStack()
			if name == "deleted" {
				desired = nil
			}
			p, _ := plan.Make(desired, observed, plan.Options{Stack: fixture.Stack, Region: fixture.Region})
			if _, ok := p.Change("smtp_user.webapp"); !ok {
				t.Fatal("the user is not in the plan; the test proves nothing")
			}
			outputs := map[string]func(*bytes.Buffer) error{
				"plan file": func(b *bytes.Buffer) error { return Save(b, p) },
				"json":      func(b *bytes.Buffer) error { return render.JSON(b, p) },
				"human":     func(b *bytes.Buffer) error { return render.Human(b, p, render.HumanOptions{Color: true}) },
				"markdown":  func(b *bytes.Buffer) error { return render.Markdown(b, p) },
				"encoding/json of the plan": func(b *bytes.Buffer) error {
					return json.NewEncoder(b).Encode(p)
				},
			}
			for out, write := range outputs {
				var buf bytes.Buffer
				if err := write(&buf); err != nil {
					t.Fatal(err)
				}
				for _, secret := range []string{fixture.SecretDigest, plaintext} {
					if strings.Contains(buf.String(), secret) {
						t.Errorf("%s contains %q", out, secret)
					}
				}
			}
		})
	}
}

func TestLoadRefuses(t *testing.T) {
	valid := func(edit func(map[string]any)) string {
		var buf bytes.Buffer
		if err := Save(&buf, plantest.Plans(t)["mixed"]); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		edit(doc)
		b, _ := json.Marshal(doc)
		return string(b)
	}
	firstChange := func(doc map[string]any) map[string]any {
		return doc["changes"].([]any)[0].(map[string]any)
	}
	tests := []struct {
		name, input, want string
	}{
		{"not JSON", "plan: yes", "not a mailform plan file"},
		{"empty", "", "not a mailform plan file"},
		{"another JSON document", `{"format_version":"1"}`, "not a mailform plan file"},
		{"the JSON rendering", `{"format_version":"1","stack":"x","changes":[]}`, "not a mailform plan file"},
		{"a newer format", valid(func(d map[string]any) { d["format_version"] = "2" }), "newer than this mailform understands"},
		{"a much newer format", valid(func(d map[string]any) { d["format_version"] = "17" }), "format version 17, newer"},
		{"format version zero", valid(func(d map[string]any) { d["format_version"] = "0" }), `unknown plan file format version "0"`},
		{"format version words", valid(func(d map[string]any) { d["format_version"] = "one" }), `unknown plan file format version "one"`},
		{"format version a number", valid(func(d map[string]any) { d["format_version"] = 1 }), "format_version must be a string"},
		{"an unknown field", valid(func(d map[string]any) { d["apply_anyway"] = true }), `unknown field "apply_anyway"`},
		{"no stack", valid(func(d map[string]any) { d["stack"] = "" }), "names no stack"},
		{"an unknown action", valid(func(d map[string]any) { firstChange(d)["action"] = "import" }), `unknown action "import"`},
		{"an unknown kind", valid(func(d map[string]any) { firstChange(d)["kind"] = "s3.bucket" }), `unknown kind "s3.bucket"`},
		{"no address", valid(func(d map[string]any) { firstChange(d)["address"] = "" }), "no address"},
		{"a manual record among changes", valid(func(d map[string]any) { firstChange(d)["action"] = "manual" }), "is not a change"},
		{"a bad placeholder", valid(func(d map[string]any) {
			firstChange(d)["after"].(map[string]any)["name"] = map[string]any{"deferred": 5}
		}), `"deferred" must hold a template string`},
		{"a secret with a value", valid(func(d map[string]any) {
			firstChange(d)["after"].(map[string]any)["name"] = map[string]any{"sensitive": "hunter2"}
		}), `"sensitive" must be true`},
		{"twice the same address", valid(func(d map[string]any) {
			cs := d["changes"].([]any)
			d["changes"] = append([]any{cs[0]}, cs...)
		}), "appears twice"},
		{"changes out of order", valid(func(d map[string]any) {
			cs := d["changes"].([]any)
			cs[0], cs[1] = cs[1], cs[0]
		}), "not sorted"},
		{"trailing data", valid(func(map[string]any) {}) + `{"more":1}`, "not a mailform plan file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Load(strings.NewReader(tt.input))
			if err == nil {
				t.Fatalf("loaded %+v", p)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "load plan: ") {
				t.Errorf("error %q does not say what failed", err)
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	for _, name := range []string{"create", "mixed", "destroy"} {
		var buf bytes.Buffer
		p, _ := plan.Make(fixture.DesiredStack(), plantest.ObservedStack(), plan.Options{Stack: fixture.Stack, Destroy: name == "destroy"})
		if name == "create" {
			p, _ = plan.Make(fixture.DesiredStack(), nil, plan.Options{Stack: fixture.Stack})
		}
		if err := Save(&buf, p); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Add([]byte(`{"format":"mailform-plan","format_version":"1","stack":"s","changes":[{"address":"a","kind":"sns.topic","action":"create","after":{"x":{"map":{"deferred":{"sensitive":true}}}}}]}`))
	f.Add([]byte(`{"format":"mailform-plan","format_version":"1","stack":"s","changes":[{"address":"a","kind":"sns.topic","action":"create","after":{"n":1e400}}]}`))
	f.Add([]byte(`{"format":"mailform-plan","format_version":"99999999999999999999"}`))
	f.Add([]byte(`{"format":"mailform-plan","format_version":"1","stack":"s","account":"1","changes":[{"address":"a","kind":"sns.topic","action":"replace","causes":[]}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Whatever loads can be saved, rendered and loaded again unchanged.
		var buf bytes.Buffer
		if err := Save(&buf, p); err != nil {
			t.Fatalf("save of a loaded plan: %v", err)
		}
		again, err := Load(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("reload: %v\n%s", err, buf.Bytes())
		}
		if diff := cmp.Diff(p, again, cmpRange); diff != "" {
			t.Fatalf("reload differs:\n%s", diff)
		}
		for _, v := range []render.View{render.HumanView{}, render.JSONView{}, render.MarkdownView{}} {
			if err := v.Render(&bytes.Buffer{}, p); err != nil {
				t.Fatalf("%T: %v", v, err)
			}
		}
		_, _ = plan.Order(p.Changes)
		_ = plan.CheckStale(p, nil)
	})
}

func TestPlanFileKeepsTheSpecFolder(t *testing.T) {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, Stack: "acme-prod", Region: "us-west-2", SpecDir: "mail/prod"}
	var buf bytes.Buffer
	if err := Save(&buf, p); err != nil {
		t.Fatal(err)
	}
	got, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.SpecDir != "mail/prod" {
		t.Errorf("SpecDir = %q after a round trip", got.SpecDir)
	}
}
