package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// stubProvider records the batches it is given and answers from a function.
type stubProvider struct {
	kinds []specs.Kind
	do    func(ch plan.Change) providers.Result

	mu       sync.Mutex
	batches  [][]plan.Change
	inFlight int
	maxConc  int
}

func (s *stubProvider) Kinds() []specs.Kind { return s.kinds }

func (s *stubProvider) Read(context.Context, string, []specs.Resource) ([]plan.Observed, error) {
	return nil, nil
}

func (s *stubProvider) Apply(ctx context.Context, req providers.ApplyRequest) []providers.Result {
	s.mu.Lock()
	s.batches = append(s.batches, req.Changes)
	s.inFlight++
	s.maxConc = max(s.maxConc, s.inFlight)
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.inFlight--; s.mu.Unlock() }()
	var out []providers.Result
	for _, ch := range req.Changes {
		req.Report(ch.Addr, "working on it")
		out = append(out, s.do(ch))
	}
	return out
}

func created(ch plan.Change, attrs map[string]any) providers.Result {
	return providers.Result{Addr: ch.Addr, Observed: &plan.Observed{Addr: ch.Addr, Kind: ch.Kind, Owner: "acme", Attrs: attrs}}
}

// dkimPlan is an identity and the DKIM record whose name and value are known
// only once the identity exists.
func dkimPlan() *plan.Plan {
	return &plan.Plan{Stack: "acme", Region: "us-west-2", Changes: []plan.Change{
		{Addr: "domain.acme.example", Kind: specs.KindSESIdentity, Action: plan.Create,
			After: map[string]any{"identity": "acme.example"}},
		{Addr: "domain.acme.example/dkim[0]", Kind: specs.KindRoute53Record, Action: plan.Create,
			DependsOn: []string{"domain.acme.example"},
			After: map[string]any{
				"name":   specs.Deferred(specs.RefIndex("domain.acme.example", "dkim_tokens", 0) + "._domainkey.acme.example."),
				"type":   "CNAME",
				"values": []any{specs.Deferred(specs.RefIndex("domain.acme.example", "dkim_tokens", 0) + ".dkim.amazonses.com.")},
			}},
	}}
}

func TestRunFillsValuesKnownAfterApply(t *testing.T) {
	ses := &stubProvider{kinds: []specs.Kind{specs.KindSESIdentity}, do: func(ch plan.Change) providers.Result {
		return created(ch, map[string]any{"identity": "acme.example", "dkim_tokens": []any{"tok1", "tok2", "tok3"}})
	}}
	var gotName, gotValue any
	r53 := &stubProvider{kinds: []specs.Kind{specs.KindRoute53Record}, do: func(ch plan.Change) providers.Result {
		gotName = ch.After["name"]
		gotValue = ch.After["values"]
		return created(ch, ch.After)
	}}
	var events []Event
	out, err := Run(t.Context(), dkimPlan(), nil, Options{
		Stack: "acme", Providers: []providers.Provider{ses, r53},
		Events: func(e Event) { events = append(events, e) },
	})
	if err != nil || out.Err() != nil {
		t.Fatalf("Run: %v / %v", err, out.Err())
	}
	if gotName != "tok1._domainkey.acme.example." {
		t.Errorf("record name = %#v, want the resolved token name", gotName)
	}
	if fmt.Sprint(gotValue) != "[tok1.dkim.amazonses.com.]" {
		t.Errorf("record values = %#v", gotValue)
	}
	if !slices.Equal(out.Applied, []string{"domain.acme.example", "domain.acme.example/dkim[0]"}) {
		t.Errorf("applied in order %v", out.Applied)
	}
	var phases []string
	for _, e := range events {
		phases = append(phases, string(e.Phase)+" "+e.Addr)
	}
	want := []string{
		"started domain.acme.example", "progress domain.acme.example", "done domain.acme.example",
		"started domain.acme.example/dkim[0]", "progress domain.acme.example/dkim[0]", "done domain.acme.example/dkim[0]",
	}
	if !slices.Equal(phases, want) {
		t.Errorf("events:\n got %q\nwant %q", phases, want)
	}
	if len(out.Observed) != 2 {
		t.Errorf("observed after run: %d resources, want 2", len(out.Observed))
	}
}

func TestRunSkipsDependentsOfAFailure(t *testing.T) {
	ses := &stubProvider{kinds: []specs.Kind{specs.KindSESIdentity}, do: func(ch plan.Change) providers.Result {
		return providers.Result{Addr: ch.Addr, Err: errors.New("AccessDenied: missing IAM permission ses:CreateEmailIdentity")}
	}}
	r53 := &stubProvider{kinds: []specs.Kind{specs.KindRoute53Record}, do: func(ch plan.Change) providers.Result {
		t.Errorf("record %s applied although its identity failed", ch.Addr)
		return created(ch, ch.After)
	}}
	p := dkimPlan()
	p.Changes[0].DeclRange.Filename = "main.hcl"
	out, err := Run(t.Context(), p, nil, Options{Stack: "acme", Providers: []providers.Provider{ses, r53}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failed) != 1 || out.Failed[0].Addr != "domain.acme.example" || out.Failed[0].DeclRange.Filename != "main.hcl" {
		t.Errorf("failed = %+v", out.Failed)
	}
	if !slices.Equal(out.Skipped, []string{"domain.acme.example/dkim[0]"}) {
		t.Errorf("skipped = %v", out.Skipped)
	}
	if out.Err() == nil {
		t.Error("Outcome.Err() is nil after a failure")
	}
}

func TestRunBatchesReadyChangesAndRunsProvidersInParallel(t *testing.T) {
	release := make(chan struct{})
	var entered sync.WaitGroup
	entered.Add(2)
	slow := func(ch plan.Change) providers.Result {
		entered.Done()
		<-release
		return created(ch, ch.After)
	}
	topics := &stubProvider{kinds: []specs.Kind{specs.KindSNSTopic}, do: slow}
	users := &stubProvider{kinds: []specs.Kind{specs.KindSMTPUser}, do: slow}
	records := &stubProvider{kinds: []specs.Kind{specs.KindRoute53Record}, do: func(ch plan.Change) providers.Result { return created(ch, ch.After) }}
	p := &plan.Plan{Changes: []plan.Change{
		{Addr: "topic.a", Kind: specs.KindSNSTopic, Action: plan.Create, After: map[string]any{}},
		{Addr: "smtp_user.w", Kind: specs.KindSMTPUser, Action: plan.Create, After: map[string]any{}},
		{Addr: "record.x.A", Kind: specs.KindRoute53Record, Action: plan.Create, After: map[string]any{}},
		{Addr: "record.y.A", Kind: specs.KindRoute53Record, Action: plan.Create, After: map[string]any{}},
		{Addr: "record.z.A", Kind: specs.KindRoute53Record, Action: plan.Update, After: map[string]any{}},
	}}
	go func() { entered.Wait(); close(release) }() // both slow providers must be in Apply at once
	out, err := Run(t.Context(), p, nil, Options{Providers: []providers.Provider{topics, users, records}})
	if err != nil || out.Err() != nil {
		t.Fatalf("Run: %v / %v", err, out.Err())
	}
	if len(records.batches) != 1 || len(records.batches[0]) != 3 {
		t.Errorf("records were applied in %d batches %v, want one batch of 3", len(records.batches), records.batches)
	}
}

func TestRunDeletesAfterTheirDependents(t *testing.T) {
	var order []string
	var mu sync.Mutex
	do := func(ch plan.Change) providers.Result {
		mu.Lock()
		order = append(order, ch.Addr)
		mu.Unlock()
		return providers.Result{Addr: ch.Addr}
	}
	topics := &stubProvider{kinds: []specs.Kind{specs.KindSNSTopic}, do: do}
	queues := &stubProvider{kinds: []specs.Kind{specs.KindSQSQueue}, do: do}
	p := &plan.Plan{Changes: []plan.Change{
		{Addr: "topic.feedback", Kind: specs.KindSNSTopic, Action: plan.Delete, DependsOn: []string{"topic.feedback/queue"}},
		{Addr: "topic.feedback/queue", Kind: specs.KindSQSQueue, Action: plan.Delete},
	}}
	observed := []plan.Observed{{Addr: "topic.feedback"}, {Addr: "topic.feedback/queue"}}
	out, err := Run(t.Context(), p, observed, Options{Providers: []providers.Provider{topics, queues}})
	if err != nil || out.Err() != nil {
		t.Fatalf("Run: %v / %v", err, out.Err())
	}
	if !slices.Equal(order, []string{"topic.feedback/queue", "topic.feedback"}) {
		t.Errorf("delete order %v", order)
	}
	if len(out.Observed) != 0 {
		t.Errorf("deleted resources still observed: %v", out.Observed)
	}
}

func TestRunRefusesAKindWithoutProvider(t *testing.T) {
	_, err := Run(t.Context(), dkimPlan(), nil, Options{})
	if err == nil {
		t.Fatal("Run without providers succeeded")
	}
}

func TestRunReportsMissingResults(t *testing.T) {
	silent := &stubProvider{kinds: []specs.Kind{specs.KindSESIdentity, specs.KindRoute53Record}}
	silent.do = nil
	p := &plan.Plan{Changes: []plan.Change{{Addr: "email.a@b.example", Kind: specs.KindSESIdentity, Action: plan.Create, After: map[string]any{}}}}
	out, err := Run(t.Context(), p, nil, Options{Providers: []providers.Provider{noResults{silent}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failed) != 1 {
		t.Errorf("a change without a result must fail, got %+v", out)
	}
}

type noResults struct{ *stubProvider }

func (noResults) Apply(context.Context, providers.ApplyRequest) []providers.Result { return nil }

func TestRunStopsStartingWorkWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	ses := &stubProvider{kinds: []specs.Kind{specs.KindSESIdentity}, do: func(ch plan.Change) providers.Result {
		cancel() // interrupted while the identity is being created
		return created(ch, map[string]any{"dkim_tokens": []any{"a", "b", "c"}})
	}}
	r53 := &stubProvider{kinds: []specs.Kind{specs.KindRoute53Record}, do: func(ch plan.Change) providers.Result {
		t.Error("started new work after cancellation")
		return created(ch, ch.After)
	}}
	out, err := Run(ctx, dkimPlan(), nil, Options{Providers: []providers.Provider{ses, r53}})
	if err == nil {
		t.Fatal("no error after cancellation")
	}
	if !slices.Equal(out.Applied, []string{"domain.acme.example"}) || !slices.Equal(out.Interrupted, []string{"domain.acme.example/dkim[0]"}) || len(out.Skipped) != 0 {
		t.Errorf("applied %v interrupted %v skipped %v", out.Applied, out.Interrupted, out.Skipped)
	}
	if out.Err() != nil {
		t.Errorf("an interruption counts as a failure: %v", out.Err())
	}
}

// TestInterruptedIsNotFailed: changes whose calls end with the run's
// cancellation, and changes never started, are reported interrupted, apart
// from failures; a change AWS refused stays a failure.
func TestInterruptedIsNotFailed(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	ses := &stubProvider{kinds: []specs.Kind{specs.KindSESIdentity}, do: func(ch plan.Change) providers.Result {
		cancel()
		return providers.Result{Addr: ch.Addr, Err: fmt.Errorf("creating %s: %w", ch.Addr, context.Canceled)}
	}}
	r53 := &stubProvider{kinds: []specs.Kind{specs.KindRoute53Record}, do: func(ch plan.Change) providers.Result {
		return providers.Result{Addr: ch.Addr, Err: errors.New("InvalidChangeBatch")}
	}}
	p := dkimPlan()
	p.Changes = append(p.Changes, plan.Change{Addr: "record.other", Kind: specs.KindRoute53Record, Action: plan.Create, After: map[string]any{}})
	var events []Event
	out, err := Run(ctx, p, nil, Options{Providers: []providers.Provider{ses, r53}, Events: func(e Event) { events = append(events, e) }})
	if err == nil {
		t.Fatal("no error after cancellation")
	}
	if !slices.Equal(out.Interrupted, []string{"domain.acme.example", "domain.acme.example/dkim[0]"}) {
		t.Errorf("interrupted %v, want the identity and its record", out.Interrupted)
	}
	var failed []string
	for _, f := range out.Failed {
		failed = append(failed, f.Addr)
	}
	if !slices.Equal(failed, []string{"record.other"}) || len(out.Skipped) != 0 {
		t.Errorf("failed %v skipped %v, want only record.other failed", failed, out.Skipped)
	}
	for _, e := range events {
		if e.Phase == Failed && e.Addr != "record.other" {
			t.Errorf("event %+v: an interrupted change reported as failed", e)
		}
	}
}

func TestFailureNamesTheAddressOnce(t *testing.T) {
	// What a provider says may begin with a word that looks like the
	// address; the address is added all the same, once, before it.
	refusal := errors.New("domain.acme.example is not verified")
	ses := &stubProvider{kinds: []specs.Kind{specs.KindSESIdentity}, do: func(ch plan.Change) providers.Result {
		return providers.Result{Addr: ch.Addr, Err: refusal}
	}}
	r53 := &stubProvider{kinds: []specs.Kind{specs.KindRoute53Record}, do: func(ch plan.Change) providers.Result {
		return created(ch, ch.After)
	}}
	var failed []Event
	out, err := Run(t.Context(), dkimPlan(), nil, Options{Stack: "acme", Providers: []providers.Provider{ses, r53},
		Events: func(ev Event) {
			if ev.Phase == Failed {
				failed = append(failed, ev)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failed) != 1 {
		t.Fatalf("failed = %+v", out.Failed)
	}
	if got, want := out.Failed[0].Error(), "domain.acme.example: domain.acme.example is not verified"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if !errors.Is(out.Err(), refusal) {
		t.Errorf("the outcome's error %v does not wrap the provider's", out.Err())
	}
	// The event carries the address beside the message.
	if len(failed) != 1 || failed[0].Addr != "domain.acme.example" || failed[0].Message != refusal.Error() {
		t.Errorf("failed events = %+v", failed)
	}
}
