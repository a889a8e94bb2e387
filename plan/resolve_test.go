package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/specs"
)

func TestResolve(t *testing.T) {
	longKey := strings.Repeat("A", 300) // a 2048-bit public key is about 400 characters
	eip := Observed{Addr: "mta.mta1", Kind: specs.KindEIP, Attrs: map[string]any{"public_ip": "198.51.100.7"}}
	identity := Observed{Addr: "domain.acme.example", Kind: specs.KindSESIdentity, Attrs: map[string]any{"dkim_tokens": []any{"t0", "t1", "t2"}}}
	identityStrings := Observed{Addr: "domain.acme.example", Kind: specs.KindSESIdentity, Attrs: map[string]any{"dkim_tokens": []string{"s0", "s1", "s2"}}}
	key := Observed{Addr: "dkim_key.mta1", Kind: specs.KindDKIMKey, Attrs: map[string]any{"public_key": longKey}}
	topic := Observed{Addr: "topic.feedback", Kind: specs.KindSNSTopic, Attrs: map[string]any{"arn": topicARN}}

	record := func(typ string, values ...any) specs.Resource {
		return specs.Resource{Addr: "r", Kind: specs.KindRoute53Record, Attrs: map[string]any{"type": typ, "values": values}}
	}
	tests := []struct {
		name     string
		desired  specs.Resource
		observed []Observed
		want     map[string]any
	}{
		{
			name:     "whole string attribute",
			desired:  specs.Resource{Addr: "r", Kind: specs.KindRoute53Record, Attrs: map[string]any{"type": "A", "values": []any{specs.Deferred(specs.Ref("mta.mta1", "public_ip"))}}},
			observed: []Observed{eip},
			want:     map[string]any{"type": "A", "values": []any{"198.51.100.7"}},
		},
		{
			name:     "element of a []any list inside text",
			desired:  specs.Resource{Addr: "r", Kind: specs.KindRoute53Record, Attrs: map[string]any{"name": specs.Deferred(specs.RefIndex("domain.acme.example", "dkim_tokens", 2) + "._domainkey.acme.example.")}},
			observed: []Observed{identity},
			want:     map[string]any{"name": "t2._domainkey.acme.example."},
		},
		{
			name:     "element of a []string list",
			desired:  specs.Resource{Addr: "r", Kind: specs.KindRoute53Record, Attrs: map[string]any{"name": specs.Deferred(specs.RefIndex("domain.acme.example", "dkim_tokens", 1))}},
			observed: []Observed{identityStrings},
			want:     map[string]any{"name": "s1"},
		},
		{
			name:     "index out of range stays deferred",
			desired:  specs.Resource{Addr: "r", Kind: specs.KindRoute53Record, Attrs: map[string]any{"name": specs.Deferred(specs.RefIndex("domain.acme.example", "dkim_tokens", 3))}},
			observed: []Observed{identity},
			want:     map[string]any{"name": specs.Deferred("${domain.acme.example#dkim_tokens[3]}")},
		},
		{
			name:     "unknown address stays deferred",
			desired:  specs.Resource{Addr: "q", Kind: specs.KindSQSQueue, Attrs: map[string]any{"topic_arn": specs.Deferred(specs.Ref("topic.feedback", "arn"))}},
			observed: []Observed{eip},
			want:     map[string]any{"topic_arn": specs.Deferred("${topic.feedback#arn}")},
		},
		{
			name:     "one unknown placeholder keeps the whole value deferred",
			desired:  specs.Resource{Addr: "r", Kind: specs.KindRoute53Record, Attrs: map[string]any{"name": specs.Deferred(specs.Ref("mta.mta1", "public_ip") + "-" + specs.Ref("mta.mta2", "public_ip"))}},
			observed: []Observed{eip},
			want:     map[string]any{"name": specs.Deferred("${mta.mta1#public_ip}-${mta.mta2#public_ip}")},
		},
		{
			name:     "a list attribute used whole is not text",
			desired:  specs.Resource{Addr: "r", Kind: specs.KindRoute53Record, Attrs: map[string]any{"name": specs.Deferred(specs.Ref("domain.acme.example", "dkim_tokens"))}},
			observed: []Observed{identity},
			want:     map[string]any{"name": specs.Deferred("${domain.acme.example#dkim_tokens}")},
		},
		{
			name:     "TXT value is quoted and split once known",
			desired:  record("TXT", specs.Deferred("v=DKIM1; k=rsa; p="+specs.Ref("dkim_key.mta1", "public_key"))),
			observed: []Observed{key},
			want: map[string]any{"type": "TXT", "values": []any{
				`"v=DKIM1; k=rsa; p=` + strings.Repeat("A", 237) + `" "` + strings.Repeat("A", 63) + `"`,
			}},
		},
		{
			name:     "TXT value still unknown stays unquoted",
			desired:  record("TXT", specs.Deferred("p="+specs.Ref("dkim_key.mta1", "public_key"))),
			observed: nil,
			want:     map[string]any{"type": "TXT", "values": []any{specs.Deferred("p=${dkim_key.mta1#public_key}")}},
		},
		{
			name:     "CNAME value is not quoted",
			desired:  record("CNAME", specs.Deferred(specs.RefIndex("domain.acme.example", "dkim_tokens", 0)+".dkim.amazonses.com.")),
			observed: []Observed{identity},
			want:     map[string]any{"type": "CNAME", "values": []any{"t0.dkim.amazonses.com."}},
		},
		{
			name: "values stay sorted, unknown ones by their template",
			desired: record("MX",
				specs.Deferred("30 "+specs.Ref("mta.mta9", "hostname")),
				specs.Deferred("20 "+specs.Ref("mta.mta1", "public_ip")),
				"10 a.example."),
			observed: []Observed{eip},
			want: map[string]any{"type": "MX", "values": []any{
				"10 a.example.", "20 198.51.100.7", specs.Deferred("30 ${mta.mta9#hostname}"),
			}},
		},
		{
			name:     "an unknown value sorts by its template",
			desired:  record("A", "203.0.113.9", specs.Deferred(specs.Ref("mta.mta2", "public_ip"))),
			observed: nil,
			want:     map[string]any{"type": "A", "values": []any{specs.Deferred("${mta.mta2#public_ip}"), "203.0.113.9"}},
		},
		{
			name:     "a value that becomes known moves to its place",
			desired:  record("A", "203.0.113.9", specs.Deferred(specs.Ref("mta.mta1", "public_ip"))),
			observed: []Observed{eip},
			want:     map[string]any{"type": "A", "values": []any{"198.51.100.7", "203.0.113.9"}},
		},
		{
			name: "inside a map of event destinations",
			desired: specs.Resource{Addr: "c", Kind: specs.KindSESConfigSet, Attrs: map[string]any{
				"event_destinations": map[string]any{"feedback": map[string]any{"topic_arn": specs.Deferred(specs.Ref("topic.feedback", "arn")), "types": []string{"BOUNCE"}}},
			}},
			observed: []Observed{topic},
			want: map[string]any{"event_destinations": map[string]any{
				"feedback": map[string]any{"topic_arn": topicARN, "types": []any{"BOUNCE"}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Resolve([]specs.Resource{tt.desired}, tt.observed)
			if len(got) != 1 {
				t.Fatalf("got %d resources", len(got))
			}
			if diff := cmp.Diff(tt.want, got[0].Attrs); diff != "" {
				t.Errorf("attrs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveCopies(t *testing.T) {
	in := []specs.Resource{queueRes()}
	out := Resolve(in, []Observed{obsTopic()})
	if out[0].Attrs["topic_arn"] != topicARN {
		t.Fatalf("not resolved: %v", out[0].Attrs)
	}
	if _, still := in[0].Attrs["topic_arn"].(specs.Deferred); !still {
		t.Error("Resolve modified its input")
	}
	out[0].DependsOn[0] = "changed"
	if in[0].DependsOn[0] != "topic.feedback" {
		t.Error("Resolve shares DependsOn with its input")
	}
}

// Apply resolves again after each create: the values it fills must be the
// ones the next plan compares equal with AWS.
func TestResolveThenPlanIsNoOp(t *testing.T) {
	resolved := Resolve(desiredStack(), observedStack())
	for _, r := range resolved {
		if hasDeferred(r.Attrs) && r.Kind != specs.KindManualDNSRecord {
			t.Errorf("%s still has unknown values: %v", r.Addr, r.Attrs)
		}
	}
	p, diags := Make(resolved, observedStack(), Options{Stack: stack})
	if diags.HasErrors() || p.HasChanges() {
		t.Fatalf("diags %v, changes %+v", diags, p.Changes)
	}
}

func TestChangeResolved(t *testing.T) {
	p, diags := Make(desiredStack(), nil, Options{Stack: stack})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c, _ := p.Change("domain.acme.example/dkim[1]")
	if !c.HasUnknowns() {
		t.Fatal("the DKIM record of a new identity should have unknowns")
	}
	// Apply has created the identity; AWS reports its tokens.
	got := c.Resolved([]Observed{obsIdentity()})
	if got.HasUnknowns() {
		t.Fatalf("still unknown: %v", got.After)
	}
	if got.After["name"] != "tok1bbbb._domainkey.acme.example." {
		t.Errorf("name = %v", got.After["name"])
	}
	if diff := cmp.Diff([]any{"tok1bbbb.dkim.amazonses.com."}, got.After["values"]); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	for _, d := range got.Diffs {
		if d.Unknown || hasDeferred(d.After) {
			t.Errorf("diff %s still unknown: %+v", d.Name, d)
		}
	}
	if !c.HasUnknowns() {
		t.Error("Resolved modified the original change")
	}
	// Without the identity nothing can be filled.
	if still := c.Resolved(nil); !still.HasUnknowns() {
		t.Error("resolved from nothing")
	}
}
