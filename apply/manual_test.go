package apply

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// manualSeen records the Manual list of each request it is given.
type manualSeen struct {
	got [][]string
}

func (m *manualSeen) Kinds() []specs.Kind { return []specs.Kind{specs.KindReverseDNS} }

func (m *manualSeen) Read(context.Context, string, []specs.Resource) ([]plan.Observed, error) {
	return nil, nil
}

func (m *manualSeen) Apply(_ context.Context, req providers.ApplyRequest) []providers.Result {
	m.got = append(m.got, req.Manual)
	var out []providers.Result
	for _, ch := range req.Changes {
		out = append(out, providers.Result{Addr: ch.Addr})
	}
	return out
}

// TestRunTellsProvidersWhichRecordsAreManual: a PTR whose A record the user
// publishes runs (the record is not apply's to wait for), and its provider
// learns that the record is the user's.
func TestRunTellsProvidersWhichRecordsAreManual(t *testing.T) {
	p := &plan.Plan{Stack: "acme", Region: "eu-west-1",
		Changes: []plan.Change{{Addr: "mta.mx9/ptr", Kind: specs.KindReverseDNS, Action: plan.Create,
			DependsOn: []string{"mta.mx9", "mta.mx9/a"}, After: map[string]any{"allocation_id": "eipalloc-1", "ptr_name": "mx9.elsewhere.example."}}},
		Manual: []plan.Change{
			{Addr: "mta.mx9/a", Kind: specs.KindManualDNSRecord, Action: plan.Manual},
			{Addr: "domain.elsewhere.example/dmarc", Kind: specs.KindManualDNSRecord, Action: plan.Manual},
		},
	}
	prov := &manualSeen{}
	out, err := Run(t.Context(), p, nil, Options{Stack: "acme", Providers: []providers.Provider{prov}})
	if err != nil || out.Err() != nil {
		t.Fatalf("run: %v %v", err, out.Err())
	}
	want := []string{"domain.elsewhere.example/dmarc", "mta.mx9/a"}
	if len(prov.got) != 1 || !slices.Equal(prov.got[0], want) {
		t.Errorf("Manual given to the provider = %v, want one request with %v", prov.got, want)
	}
}

// appliedSeen records, per change, the Applied list of its request.
type appliedSeen struct {
	kind specs.Kind
	mu   *sync.Mutex
	got  map[string][]string
}

func (a appliedSeen) Kinds() []specs.Kind { return []specs.Kind{a.kind} }

func (a appliedSeen) Read(context.Context, string, []specs.Resource) ([]plan.Observed, error) {
	return nil, nil
}

func (a appliedSeen) Apply(_ context.Context, req providers.ApplyRequest) []providers.Result {
	var out []providers.Result
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ch := range req.Changes {
		a.got[ch.Addr] = req.Applied
		out = append(out, providers.Result{Addr: ch.Addr})
	}
	return out
}

// TestRunTellsProvidersWhatThisRunApplied: a PTR whose A record this run
// wrote learns it, so that its provider can wait for AWS to see the record.
func TestRunTellsProvidersWhatThisRunApplied(t *testing.T) {
	p := &plan.Plan{Stack: "acme", Region: "eu-west-1", Changes: []plan.Change{
		{Addr: "mta.mx9/a", Kind: specs.KindRoute53Record, Action: plan.Create},
		{Addr: "mta.mx9/ptr", Kind: specs.KindReverseDNS, Action: plan.Create, DependsOn: []string{"mta.mx9/a"}},
	}}
	var mu sync.Mutex
	got := map[string][]string{}
	provs := []providers.Provider{
		&appliedSeen{kind: specs.KindRoute53Record, mu: &mu, got: got},
		&appliedSeen{kind: specs.KindReverseDNS, mu: &mu, got: got},
	}
	out, err := Run(t.Context(), p, nil, Options{Stack: "acme", Providers: provs})
	if err != nil || out.Err() != nil {
		t.Fatalf("run: %v %v", err, out.Err())
	}
	if a := got["mta.mx9/a"]; len(a) != 0 {
		t.Errorf("Applied given with the A record = %v, want none", a)
	}
	if a := got["mta.mx9/ptr"]; !slices.Equal(a, []string{"mta.mx9/a"}) {
		t.Errorf("Applied given with the PTR = %v, want [mta.mx9/a]", a)
	}
}
