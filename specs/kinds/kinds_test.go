package kinds

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mailform/mailform/specs"
)

// kindConstants are the Kind constants specs declares, read from its
// source so that a new kind without a schema fails TestEveryKindHasASchema.
func kindConstants(t *testing.T) []specs.Kind {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "resource.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []specs.Kind
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				continue
			}
			for _, val := range v.Values {
				s, err := strconv.Unquote(val.(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, specs.Kind(s))
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("found no Kind constants in specs/resource.go")
	}
	return out
}

func TestEveryKindHasASchema(t *testing.T) {
	consts := kindConstants(t)
	for _, k := range consts {
		if Of(k) == nil {
			t.Errorf("kind %s has no schema in specs/kinds", k)
		}
	}
	for _, s := range All() {
		if !slices.Contains(consts, s.Kind) {
			t.Errorf("schema of %s is for no Kind constant of specs", s.Kind)
		}
	}
}

func TestSchemasAreWellFormed(t *testing.T) {
	for _, s := range All() {
		seen := map[string]bool{}
		for _, a := range s.Attrs {
			if seen[a.Name] {
				t.Errorf("%s declares %s twice", s.Kind, a.Name)
			}
			seen[a.Name] = true
			if a.Type == "" {
				t.Errorf("%s.%s has no type", s.Kind, a.Name)
			}
			if a.Observed && (a.Replaces || a.ReplacesFrom != nil) {
				t.Errorf("%s.%s is observed only, so a spec cannot change it to replace the resource", s.Kind, a.Name)
			}
			if r := a.ReplacesFrom; r != nil && (r.Reason == "" || !a.Type.holds(r.From)) {
				t.Errorf("%s.%s: the one-way rule needs a reason and a value of type %s", s.Kind, a.Name, a.Type)
			}
			if a.Location && (a.Type != String || a.Observed) {
				t.Errorf("%s.%s: a secret location is a string a spec sets", s.Kind, a.Name)
			}
			if a.Type == Secret && a.Form != Plain {
				t.Errorf("%s.%s: a secret is never compared by value", s.Kind, a.Name)
			}
		}
		for _, n := range s.Identity {
			a := s.Attr(n)
			if a == nil || a.Type != String || a.Observed {
				t.Errorf("%s: identity attribute %s must be a declared string attribute a spec sets", s.Kind, n)
			}
		}
		for access, actions := range s.Actions {
			if !slices.Contains([]Access{Read, Create, Update, Delete}, access) {
				t.Errorf("%s: actions for unknown access %q", s.Kind, access)
			}
			for _, a := range actions {
				if !regexp.MustCompile(`^[a-z0-9]+:[A-Z][A-Za-z0-9]+$`).MatchString(a) {
					t.Errorf("%s: %q is not an IAM action", s.Kind, a)
				}
			}
		}
	}
}

// TestExamplesMatchSchemas checks every resource the examples expand into
// against its kind's schema: a loader that writes an undeclared attribute,
// or a value of another type, fails here.
func TestExamplesMatchSchemas(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "main.hcl"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	seen := map[specs.Kind]bool{}
	for _, m := range dirs {
		dir := filepath.Dir(m)
		spec, diags := specs.Load(dir, specs.LoadOptions{})
		if diags.HasErrors() {
			t.Fatalf("%s: %s", dir, diags.Error())
		}
		byAddr := map[string]specs.Kind{}
		for _, r := range spec.Resources() {
			byAddr[r.Addr] = r.Kind
		}
		for _, r := range spec.Resources() {
			seen[r.Kind] = true
			if err := Check(r.Kind, r.Attrs); err != nil {
				t.Errorf("%s %s: %v", filepath.Base(dir), r.Addr, err)
			}
			// A value known after apply refers to an attribute the referenced
			// resource's kind declares.
			for _, d := range deferredIn(r.Attrs) {
				for _, ph := range d.Placeholders() {
					if kind, ok := byAddr[ph.Addr]; !ok || Of(kind).Attr(ph.Attr) == nil {
						t.Errorf("%s %s: %s refers to %s of %s, which its kind %q does not declare", filepath.Base(dir), r.Addr, d, ph.Attr, ph.Addr, kind)
					}
				}
			}
		}
	}
	for _, k := range kindConstants(t) {
		if !seen[k] {
			t.Errorf("no example expands into a %s: add one so its schema is checked here", k)
		}
	}
}

// deferredIn lists the values known after apply anywhere in v.
func deferredIn(v any) []specs.Deferred {
	switch x := v.(type) {
	case specs.Deferred:
		return []specs.Deferred{x}
	case []any:
		var out []specs.Deferred
		for _, e := range x {
			out = append(out, deferredIn(e)...)
		}
		return out
	case map[string]any:
		var out []specs.Deferred
		for _, e := range x {
			out = append(out, deferredIn(e)...)
		}
		return out
	}
	return nil
}

func TestCheckNamesKindAttributeAndGoType(t *testing.T) {
	type bits int
	for _, tc := range []struct {
		kind  specs.Kind
		attrs map[string]any
		want  string // "" for no error
	}{
		{specs.KindSNSTopic, map[string]any{"name": "s-feedback", "ses_publish": true, "arn": specs.Deferred("x")}, ""},
		{specs.KindSNSTopic, map[string]any{"name": nil}, ""},
		{specs.KindRoute53Record, map[string]any{"ttl": int64(300), "values": []any{"a", specs.Deferred("b")}, "name": specs.Deferred("c")}, ""},
		{specs.KindRoute53Record, map[string]any{"ttl": float64(300), "values": []string{"a"}}, ""},
		{specs.KindSESConfigSet, map[string]any{"event_destinations": map[string]any{"d": map[string]any{"types": []any{"BOUNCE"}, "enabled": true}}}, ""},
		{specs.KindSMTPUser, map[string]any{"password": specs.Sensitive{Digest: "x"}}, ""},
		{specs.KindSNSTopic, map[string]any{"name": 7}, `attribute "name" of sns.topic is a string, not a value of Go type int`},
		{specs.KindDKIMKey, map[string]any{"key_length": bits(2048)}, `attribute "key_length" of secret.dkim_key is a int, not a value of Go type kinds.bits`},
		{specs.KindRoute53Record, map[string]any{"ttl": 1.5}, `attribute "ttl" of route53.record is a int, not a value of Go type float64`},
		{specs.KindRoute53Record, map[string]any{"values": []any{"a", 1}}, `attribute "values" of route53.record is a list of string, not a value of Go type []interface {}`},
		{specs.KindSMTPUser, map[string]any{"password": "hunter2"}, `attribute "password" of iam.smtp_user is a sensitive, not a value of Go type string`},
		{specs.KindSESConfigSet, map[string]any{"event_destinations": map[string]any{"d": struct{}{}}}, `attribute "event_destinations" of ses.configuration_set is a map, not a value of Go type map[string]interface {}`},
		{specs.KindEIP, map[string]any{"reverse_dns": true}, `ec2.eip has no attribute "reverse_dns" (a value of Go type bool)`},
		{specs.Kind("ses.template"), map[string]any{}, `resource kind "ses.template" has no schema`},
	} {
		err := Check(tc.kind, tc.attrs)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("Check(%s, %v): %v", tc.kind, tc.attrs, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want):
			t.Errorf("Check(%s, %v) = %v, want %s", tc.kind, tc.attrs, err, tc.want)
		}
	}
}

var (
	tableRow   = regexp.MustCompile("(?m)^\\| (`[^|]+) \\| ([^|]+) \\|")
	backticked = regexp.MustCompile("`([a-z0-9_]+)`")
)

// TestResourcesDocListsEveryAttribute ties docs/resources.md to the
// schemas: each kind has a section, and the section names each of the
// kind's attributes.
func TestResourcesDocListsEveryAttribute(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "resources.md"))
	if err != nil {
		t.Fatal(err)
	}
	sections := map[specs.Kind]string{}
	heading := regexp.MustCompile("(?m)^### `([a-z0-9_.]+)`")
	locs := heading.FindAllStringSubmatchIndex(string(b), -1)
	for i, loc := range locs {
		end := len(b)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		if next := strings.Index(string(b[loc[1]:end]), "\n## "); next >= 0 {
			end = loc[1] + next
		}
		sections[specs.Kind(b[loc[2]:loc[3]])] = string(b[loc[1]:end])
	}
	for _, s := range All() {
		text, ok := sections[s.Kind]
		if !ok {
			t.Errorf("docs/resources.md has no section ### `%s`", s.Kind)
			continue
		}
		own := text
		if s.Kind == specs.KindManualDNSRecord {
			text += sections[specs.KindRoute53Record] // "Same attributes as route53.record"
		}
		for _, a := range s.Attrs {
			if !strings.Contains(text, "`"+a.Name+"`") {
				t.Errorf("docs/resources.md, section %s, does not name attribute `%s`", s.Kind, a.Name)
			}
		}
		// Where the section has a table of attributes, each row's type is
		// the schema's.
		for _, row := range tableRow.FindAllStringSubmatch(own, -1) {
			for _, name := range backticked.FindAllStringSubmatch(row[1], -1) {
				a := s.Attr(name[1])
				switch {
				case a == nil:
					t.Errorf("docs/resources.md, section %s, lists `%s`, which the kind does not declare", s.Kind, name[1])
				case string(a.Type) != strings.TrimSpace(row[2]):
					t.Errorf("docs/resources.md, section %s: `%s` is a %s, not a %s", s.Kind, a.Name, a.Type, strings.TrimSpace(row[2]))
				}
			}
		}
	}
	for k := range sections {
		if Of(k) == nil {
			t.Errorf("docs/resources.md has a section for %s, a kind with no schema", k)
		}
	}
}

func TestAccessorsReadDeclaredAttributesOnly(t *testing.T) {
	attrs := map[string]any{"name": "acme-prod-feedback", "ses_publish": true, "arn": specs.Deferred("${topic.x#arn}")}
	if got := StringOf(specs.KindSNSTopic, attrs, "name"); got != "acme-prod-feedback" {
		t.Errorf("StringOf name = %q", got)
	}
	if got := StringOf(specs.KindSNSTopic, attrs, "arn"); got != "" {
		t.Errorf("StringOf of a value known after apply = %q, want empty", got)
	}
	if !BoolOf(specs.KindSNSTopic, attrs, "ses_publish") || BoolOf(specs.KindSNSTopic, attrs, "cloudwatch_publish") {
		t.Error("BoolOf misreads")
	}
	for _, read := range []func(){
		func() { StringOf(specs.KindEIP, attrs, "reverse_dns") },
		func() { BoolOf(specs.KindEIP, attrs, "reverse_dns") },
		func() { StringOf(specs.KindSNSTopic, attrs, "ses_publish") }, // a bool
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("reading an undeclared attribute did not panic")
				}
			}()
			read()
		}()
	}
}
