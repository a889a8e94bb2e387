package plan

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/mailform/mailform/specs"
)

func TestSameValue(t *testing.T) {
	long := strings.Repeat("k", 300)
	tests := []struct {
		name             string
		kind             specs.Kind
		recordType, attr string
		desired, live    any
		same             bool
	}{
		{"int and float64 from JSON", specs.KindRoute53Record, "A", "ttl", int64(300), float64(300), true},
		{"int and json.Number", specs.KindSQSQueue, "", "retention_days", 14, json.Number("14"), true},
		{"different numbers", specs.KindRoute53Record, "A", "ttl", 300, 600, false},
		{"[]string and []any", specs.KindSESConfigSet, "", "suppression", []any{"BOUNCE"}, []string{"BOUNCE"}, true},
		{"lists in another order", specs.KindSESConfigSet, "", "suppression", []any{"BOUNCE", "COMPLAINT"}, []string{"COMPLAINT", "BOUNCE"}, true},
		{"lists of another length", specs.KindSESConfigSet, "", "suppression", []any{"BOUNCE", "COMPLAINT"}, []string{"BOUNCE"}, false},
		{"record name without the trailing dot", specs.KindRoute53Record, "TXT", "name", "_dmarc.acme.example.", "_dmarc.acme.example", true},
		{"record name in capitals", specs.KindRoute53Record, "TXT", "name", "_dmarc.acme.example.", "_DMARC.Acme.Example.", true},
		{"topic names are case-sensitive", specs.KindSNSTopic, "", "name", "acme-prod-feedback", "Acme-Prod-Feedback", false},
		{"queue names have no trailing dot", specs.KindSQSQueue, "", "name", "q", "q.", false},
		{"another record name", specs.KindRoute53Record, "TXT", "name", "_dmarc.acme.example.", "_dmarc.acme.org.", false},
		{"identity with a trailing dot", specs.KindSESIdentity, "", "identity", "acme.example", "acme.example.", true},
		{"email identity: domain part in capitals", specs.KindSESIdentity, "", "identity", "ops@acme.example", "ops@ACME.example", true},
		{"email identity: local part differs", specs.KindSESIdentity, "", "identity", "ops@acme.example", "Ops@acme.example", false},
		{"CNAME target without the dot", specs.KindRoute53Record, "CNAME", "values", []any{"t.dkim.amazonses.com."}, []any{"t.dkim.amazonses.com"}, true},
		{"MX target without the dot", specs.KindRoute53Record, "MX", "values", []any{"10 mta1.acme.example."}, []any{"10  MTA1.acme.example"}, true},
		{"MX preference differs", specs.KindRoute53Record, "MX", "values", []any{"10 mta1.acme.example."}, []any{"20 mta1.acme.example."}, false},
		{"TXT split elsewhere", specs.KindRoute53Record, "TXT", "values", []any{specs.QuoteTXT(long)}, []any{`"` + long[:100] + `" "` + long[100:] + `"`}, true},
		{"TXT text differs", specs.KindRoute53Record, "TXT", "values", []any{`"v=spf1 -all"`}, []any{`"v=spf1 ~all"`}, false},
		{"record type in lower case", specs.KindRoute53Record, "", "type", "TXT", "txt", true},
		{"TXT values are not names", specs.KindRoute53Record, "TXT", "values", []any{`"ABC"`}, []any{`"abc"`}, false},
		{"policy JSON with other spacing and key order", specs.KindSMTPUser, "", "policy", `{"b":1,"a":[1,2]}`, "{\n \"a\": [1, 2],\n \"b\": 1\n}", true},
		{"policy JSON differs", specs.KindSMTPUser, "", "policy", `{"a":[1,2]}`, `{"a":[2,1]}`, false},
		{"empty string and absent", specs.KindSESIdentity, "", "configuration_set", "", nil, true},
		{"empty list and absent", specs.KindSMTPUser, "", "allowed_from", []any{}, nil, true},
		{"value and absent", specs.KindSESIdentity, "", "configuration_set", "x", nil, false},
		{"false and absent", specs.KindRoute53Record, "TXT", "shared", false, nil, true},
		{"true and absent differ", specs.KindRoute53Record, "TXT", "shared", true, nil, false},
		{"true and false differ", specs.KindSESIdentity, "", "feedback_forwarding", false, true, false},
		{"nested maps with unordered lists", specs.KindSESConfigSet, "", "event_destinations",
			map[string]any{"f": map[string]any{"types": []any{"A", "B"}, "enabled": true}},
			map[string]any{"f": map[string]any{"types": []string{"B", "A"}, "enabled": true}}, true},
		{"nested maps that differ", specs.KindSESConfigSet, "", "event_destinations",
			map[string]any{"f": map[string]any{"enabled": true}},
			map[string]any{"f": map[string]any{"enabled": false}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameValue(tt.kind, tt.recordType, tt.attr, tt.desired, tt.live); got != tt.same {
				t.Errorf("sameValue(%v, %v) = %v, want %v", tt.desired, tt.live, got, tt.same)
			}
		})
	}
}

func TestJSONLike(t *testing.T) {
	type custom []string
	tests := []struct {
		in   any
		want string
	}{
		{int32(5), "int64 5"},
		{float64(2.5), "float64 2.5"},
		{float64(3), "int64 3"},
		{uint64(7), "int64 7"},
		{custom{"a"}, "[]interface {} [a]"},
		{map[string]string{"k": "v"}, "map[string]interface {} map[k:v]"},
		{&specs.Sensitive{Digest: "x"}, "specs.Sensitive {x}"},
	}
	for _, tt := range tests {
		got := JSONLike(tt.in)
		if s := typeAndValue(got); s != tt.want {
			t.Errorf("JSONLike(%#v) = %s, want %s", tt.in, s, tt.want)
		}
	}
}

func typeAndValue(v any) string { return fmt.Sprintf("%T %v", v, v) }

// Normal forms are stable: a value compares equal to itself and to its own
// normal form, so that what apply writes never shows as drift.
func FuzzCanonicalIsStable(f *testing.F) {
	for _, seed := range []struct{ typ, v string }{
		{"TXT", `"v=spf1 include:amazonses.com ~all"`},
		{"TXT", `"a" "b"`},
		{"TXT", `plain text with "quotes" and \ backslash`},
		{"TXT", strings.Repeat("x", 600)},
		{"MX", "10 MX.Example.com"},
		{"CNAME", "t.dkim.amazonses.com"},
		{"SRV", "1 2 443 host.example."},
		{"AAAA", "2001:DB8::1"},
	} {
		f.Add(seed.typ, seed.v)
	}
	f.Fuzz(func(t *testing.T, typ, v string) {
		values := []any{v}
		once := canonical(specs.KindRoute53Record, typ, "values", values)
		twice := canonical(specs.KindRoute53Record, typ, "values", once)
		if !reflect.DeepEqual(once, twice) {
			t.Fatalf("canonical is not idempotent for %s %q: %q then %q", typ, v, once, twice)
		}
		if !sameValue(specs.KindRoute53Record, typ, "values", values, once) {
			t.Fatalf("%s %q differs from its own normal form %q", typ, v, once)
		}
	})
}
