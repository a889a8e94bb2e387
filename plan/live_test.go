package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/specs"
)

// TestLive indexes a live state with an unowned twin, a shared TXT set, two
// records of one zone and a configuration set.
func TestLive(t *testing.T) {
	desired := []specs.Resource{
		{Addr: "domain.acme.example/dmarc", Kind: specs.KindRoute53Record, Attrs: map[string]any{
			"name": "_dmarc.acme.example", "type": "TXT", "values": []any{specs.Deferred("v=DMARC1; p=none; rua=mailto:${domain.acme.example#identity}")}}},
		{Addr: "domain.acme.example", Kind: specs.KindSESIdentity, Attrs: map[string]any{"identity": "acme.example"}},
	}
	observed := []Observed{
		{Addr: "mta.mx", Kind: specs.KindEIP, ID: "eipalloc-1", Owner: "other", Attrs: map[string]any{"public_ip": "192.0.2.1"}},
		{Addr: "mta.mx", Kind: specs.KindEIP, ID: "eipalloc-2", Owner: "prod", Attrs: map[string]any{"public_ip": "192.0.2.2"}},
		{Addr: "domain.acme.example", Kind: specs.KindSESIdentity, ID: "acme.example", Owner: "prod", Attrs: map[string]any{"identity": "acme.example"}},
		{Addr: "domain.acme.example/spf", Kind: specs.KindRoute53Record, Attrs: map[string]any{
			"name": "acme.example", "type": "txt", "zone": "acme.example.", "zone_id": "Z1",
			"values": []any{`"v=spf1 include:amazonses.com ~all"`}, "other_values": []any{`"google-site-verification=x"`}}},
		{Addr: "domain.acme.example/mx", Kind: specs.KindRoute53Record, Attrs: map[string]any{
			"name": "acme.example.", "type": "MX", "zone": "acme.example.", "zone_id": "Z2", "values": []string{"10 mx.acme.example."}}},
		{Addr: "configuration_set.main", Kind: specs.KindSESConfigSet, ID: "main", Attrs: map[string]any{"name": "main"}},
	}
	l := NewLive("prod", desired, observed)

	if o, ok := l.Find(specs.KindEIP, "mta.mx"); !ok || o.ID != "eipalloc-2" {
		t.Errorf("Find(mta.mx) = %v, %v; want the stack's own eipalloc-2", o.ID, ok)
	}
	if _, ok := l.Find(specs.KindReverseDNS, "mta.mx"); ok {
		t.Error("Find of another kind at the same address found something")
	}
	if got, want := l.RecordValues("acme.example", "TXT"), []string{"google-site-verification=x", "v=spf1 include:amazonses.com ~all"}; !cmp.Equal(got, want) {
		t.Errorf("RecordValues(TXT) = %q, want %q", got, want)
	}
	if got := l.RecordValues("acme.example.", "mx"); !cmp.Equal(got, []string{"10 mx.acme.example."}) {
		t.Errorf("RecordValues(MX) = %q", got)
	}
	if got := l.ZoneID("acme.example."); got != "Z2" {
		t.Errorf("ZoneID = %q, want Z2 (the last record read)", got)
	}
	if o, ok := l.ConfigSet("main"); !ok || o.ID != "main" {
		t.Errorf("ConfigSet(main) = %v, %v", o, ok)
	}
	d, ok := l.Desired("domain.acme.example/dmarc")
	if !ok {
		t.Fatal("no desired dmarc")
	}
	if got := d.Attrs["values"].([]any)[0]; got != `"v=DMARC1; p=none; rua=mailto:acme.example"` {
		t.Errorf("resolved dmarc value = %#v", got)
	}
	if len(l.Resolved) != 2 || len(l.Observed) != len(observed) {
		t.Errorf("Resolved %d, Observed %d", len(l.Resolved), len(l.Observed))
	}
}
