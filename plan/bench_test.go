package plan

import (
	"fmt"
	"io"
	"testing"

	"github.com/mailform/mailform/specs"
)

// manyDomains builds a spec of n domains (identity, 3 DKIM records, DMARC)
// and the live state of it applied, with every tenth DMARC TTL drifted.
func manyDomains(n int) ([]specs.Resource, []Observed) {
	var desired []specs.Resource
	var observed []Observed
	for i := range n {
		domain := fmt.Sprintf("d%04d.example", i)
		addr := "domain." + domain
		desired = append(desired, specs.Resource{Addr: addr, Kind: specs.KindSESIdentity,
			Attrs: map[string]any{"identity": domain, "type": "DOMAIN", "dkim_mode": "easy", "dkim_key_length": int64(2048)}})
		toks := []any{}
		for j := range 3 {
			tok := fmt.Sprintf("t%d%04d", j, i)
			toks = append(toks, tok)
			ref := specs.RefIndex(addr, "dkim_tokens", j)
			raddr := fmt.Sprintf("%s/dkim[%d]", addr, j)
			desired = append(desired, specs.Resource{Addr: raddr, Kind: specs.KindRoute53Record, DependsOn: []string{addr},
				Attrs: map[string]any{"zone": domain + ".", "name": specs.Deferred(ref + "._domainkey." + domain + "."), "type": "CNAME",
					"ttl": int64(1800), "values": []any{specs.Deferred(ref + ".dkim.amazonses.com.")}}})
			observed = append(observed, Observed{Addr: raddr, Kind: specs.KindRoute53Record, Owner: stack, ID: raddr,
				Attrs: map[string]any{"zone": domain + ".", "name": tok + "._domainkey." + domain + ".", "type": "CNAME",
					"ttl": 1800.0, "values": []any{tok + ".dkim.amazonses.com."}}})
		}
		observed = append(observed, Observed{Addr: addr, Kind: specs.KindSESIdentity, Owner: stack, ID: domain,
			Attrs: map[string]any{"identity": domain, "type": "DOMAIN", "dkim_mode": "easy", "dkim_key_length": 2048.0, "dkim_tokens": toks}})
		ttl := 300
		if i%10 == 0 {
			ttl = 600
		}
		desired = append(desired, specs.Resource{Addr: addr + "/dmarc", Kind: specs.KindRoute53Record, DependsOn: []string{addr},
			Attrs: map[string]any{"zone": domain + ".", "name": "_dmarc." + domain + ".", "type": "TXT", "ttl": int64(300),
				"values": []any{`"v=DMARC1; p=reject"`}}})
		observed = append(observed, Observed{Addr: addr + "/dmarc", Kind: specs.KindRoute53Record, Owner: stack, ID: addr + "/dmarc",
			Attrs: map[string]any{"zone": domain + ".", "name": "_dmarc." + domain + ".", "type": "TXT", "ttl": ttl,
				"values": []any{`"v=DMARC1; p=reject"`}}})
	}
	return desired, observed
}

func TestManyDomainsPlan(t *testing.T) {
	desired, observed := manyDomains(50)
	p, diags := Make(desired, observed, Options{Stack: stack})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if s := p.Summary(); s != (Summary{Update: 5}) {
		t.Errorf("summary = %+v, want 5 updates", s)
	}
}

func BenchmarkMake1000Domains(b *testing.B) {
	desired, observed := manyDomains(1000)
	b.ResetTimer()
	for b.Loop() {
		if _, diags := Make(desired, observed, Options{Stack: stack}); diags.HasErrors() {
			b.Fatal(diags)
		}
	}
}

func BenchmarkDestroyOrder1000Domains(b *testing.B) {
	desired, observed := manyDomains(1000)
	p, _ := Make(desired, observed, Options{Stack: stack, Destroy: true})
	b.ResetTimer()
	for b.Loop() {
		if _, err := Order(p.Changes); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender1000Domains(b *testing.B) {
	desired, observed := manyDomains(1000)
	p, _ := Make(desired, nil, Options{Stack: stack})
	_ = observed
	b.ResetTimer()
	for b.Loop() {
		for _, v := range []View{HumanView{}, JSONView{}, MarkdownView{}} {
			if err := v.Render(io.Discard, p); err != nil {
				b.Fatal(err)
			}
		}
		if err := Save(io.Discard, p); err != nil {
			b.Fatal(err)
		}
	}
}
