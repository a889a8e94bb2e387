package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/specs"
)

func TestStateDigest(t *testing.T) {
	base := StateDigest(observedStack())
	if !strings.HasPrefix(base, "sha256:") || len(base) != len("sha256:")+64 {
		t.Fatalf("digest %q", base)
	}
	reversed := observedStack()
	for l, r := 0, len(reversed)-1; l < r; l, r = l+1, r-1 {
		reversed[l], reversed[r] = reversed[r], reversed[l]
	}
	tests := []struct {
		name     string
		observed []Observed
		same     bool
	}{
		{"same state", observedStack(), true},
		{"another order", reversed, true},
		{"ints read as floats", replaced(observedStack(), withAttr(obsDMARC(), "ttl", float64(300))), true},
		{"another secret digest", replaced(observedStack(), withAttr(obsSMTPUser(), "password", specs.Sensitive{Digest: "rotated"})), true},
		{"verification went through", replaced(observedStack(), withAttr(obsIdentity(), "dkim_status", "FAILED")), true},
		{"an empty attribute reported or not", replaced(observedStack(), withAttr(obsTopic(), "display_name", "")), true},
		{"a ttl changed", replaced(observedStack(), withAttr(obsDMARC(), "ttl", 600)), false},
		{"a secret went missing", replaced(observedStack(), withAttr(obsSMTPUser(), "password", nil)), false},
		{"an owner changed", replaced(observedStack(), func() Observed { o := obsTopic(); o.Owner = ""; return o }()), false},
		{"an ID changed", replaced(observedStack(), func() Observed { o := obsTopic(); o.ID = "arn:new"; return o }()), false},
		{"a resource went away", without(observedStack(), "topic.feedback"), false},
		{"a resource appeared", append(observedStack(), Observed{Addr: "topic.x", Kind: specs.KindSNSTopic}), false},
		{"no resources", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StateDigest(tt.observed)
			if (got == base) != tt.same {
				t.Errorf("digest equal = %v, want %v", got == base, tt.same)
			}
		})
	}
}

func TestCheckStale(t *testing.T) {
	// The plan updates the DMARC record and deletes topic.old; the rest is
	// untouched.
	old := Observed{Addr: "topic.old", Kind: specs.KindSNSTopic, ID: "arn:old", Owner: stack,
		Attrs: map[string]any{"name": "acme-prod-old", "arn": "arn:old"}}
	planned := append(replaced(observedStack(), withAttr(obsDMARC(), "ttl", 600)), old)
	p, diags := Make(desiredStack(), planned, Options{Stack: stack, Region: region})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if diff := cmp.Diff(map[string]Action{"domain.acme.example/dmarc": Update, "topic.old": Delete}, actions(p)); diff != "" {
		t.Fatalf("unexpected plan:\n%s", diff)
	}

	tests := []struct {
		name string
		now  []Observed
		want []StaleResource // nil: not stale
	}{
		{name: "nothing changed", now: planned},
		{name: "only statuses moved", now: replaced(planned, withAttr(obsIdentity(), "verification_status", "PENDING"))},
		{
			name: "the record to update changed again",
			now:  replaced(planned, withAttr(withAttr(obsDMARC(), "ttl", 900), "values", []any{`"v=DMARC1; p=none"`})),
			want: []StaleResource{{Addr: "domain.acme.example/dmarc",
				What: `ttl changed from 600 to 900; values changed from ["v=DMARC1; p=quarantine; " "rua=mailto:dmarc@acme.example"] to ["v=DMARC1; p=none"]`}},
		},
		{
			name: "the resource to delete is already gone",
			now:  without(planned, "topic.old"),
			want: []StaleResource{{Addr: "topic.old", What: "no longer exists in AWS (or lost its ownership mark)"}},
		},
		{
			name: "the resource to delete was recreated under another ID",
			now:  replaced(planned, func() Observed { o := old; o.ID = "arn:old2"; return o }()),
			want: []StaleResource{{Addr: "topic.old", What: "id changed from arn:old to arn:old2"}},
		},
		{
			name: "the resource to delete lost its mark",
			now:  replaced(planned, func() Observed { o := old; o.Owner = ""; return o }()),
			want: []StaleResource{{Addr: "topic.old", What: "ownership mark or identity changed since the plan was made"}},
		},
		{
			// Drift elsewhere is the next plan's business, not this one's.
			name: "a resource the plan does not touch changed: not stale",
			now:  replaced(planned, withAttr(obsQueue(), "retention_days", 4)),
		},
		{
			name: "a resource the plan does not touch appeared: not stale",
			now:  append(append([]Observed(nil), planned...), Observed{Addr: "record.acme.example.MX", Kind: specs.KindRoute53Record, ID: "Z/x"}),
		},
		{
			name: "a resource the plan deletes appeared twice",
			now:  append(append([]Observed(nil), planned...), func() Observed { o := old; o.ID = "arn:old2"; return o }()),
			want: []StaleResource{
				{Addr: "topic.old", What: "no longer exists in AWS (or lost its ownership mark)"},
				{Addr: "topic.old (arn:old)", What: "appeared in AWS since the plan was made"},
				{Addr: "topic.old (arn:old2)", What: "appeared in AWS since the plan was made"},
			},
		},
		{
			name: "a secret of a resource the plan does not touch went missing: not stale",
			now:  replaced(replaced(planned, withAttr(obsSMTPUser(), "password", nil)), withAttr(obsDMARC(), "ttl", 600)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// plan/planfile's tests show that a loaded plan judges alike.
			err := CheckStale(p, tt.now)
			if tt.want == nil {
				if err != nil {
					t.Error(err)
				}
				return
			}
			var stale *StaleError
			if !errors.As(err, &stale) {
				t.Fatalf("err = %v, want a *StaleError", err)
			}
			if diff := cmp.Diff(tt.want, stale.Resources); diff != "" {
				t.Errorf("stale resources (-want +got):\n%s", diff)
			}
			for _, r := range tt.want {
				if !strings.Contains(err.Error(), r.Addr+": "+r.What) {
					t.Errorf("message does not name %s:\n%s", r.Addr, err)
				}
			}
		})
	}
}

func TestCheckStaleNeverShowsSecrets(t *testing.T) {
	user := withAttr(obsSMTPUser(), "path", "/old/")
	p, _ := Make(desiredStack(), replaced(observedStack(), user), Options{Stack: stack})
	leaky := withAttr(withAttr(user, "password", "hunter2-plaintext"), "path", "/older/")
	err := CheckStale(p, replaced(observedStack(), leaky))
	if err == nil {
		t.Fatal("not stale")
	}
	if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), secretDigest) {
		t.Errorf("error shows a secret: %v", err)
	}
	if !strings.Contains(err.Error(), `path changed from "/old/" to "/older/"`) {
		t.Errorf("error does not say what changed: %v", err)
	}
}

func TestCheckStaleNilPlan(t *testing.T) {
	if err := CheckStale(nil, nil); err == nil {
		t.Error("no error for a nil plan")
	}
}

func TestResourceKeys(t *testing.T) {
	spf := func(owner, value string) Observed {
		return Observed{Addr: "domain.acme.example/spf", Kind: specs.KindRoute53Record, ID: "Z/acme.example./TXT", Owner: owner,
			Attrs: map[string]any{"values": []any{value}}}
	}
	observed := []Observed{
		spf(stack, `"v=spf1 -all"`),
		spf("other", `"v=spf1 ~all"`),
		spf("other", `"v=spf1 ?all"`),
		{Addr: "topic.a", ID: "arn:1", Owner: stack},
		{Addr: "topic.a", ID: "arn:2", Owner: stack},
		{Addr: "topic.b", ID: "arn:3", Owner: stack},
	}
	got := ResourceDigests(observed)
	want := []string{
		"domain.acme.example/spf (Z/acme.example./TXT, acme-prod)",
		"domain.acme.example/spf (Z/acme.example./TXT, other) #1",
		"domain.acme.example/spf (Z/acme.example./TXT, other) #2",
		"topic.a (arn:1)", "topic.a (arn:2)", "topic.b",
	}
	if diff := cmp.Diff(want, specs.SortedKeys(got)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	reversed := append([]Observed(nil), observed...)
	for l, r := 0, len(reversed)-1; l < r; l, r = l+1, r-1 {
		reversed[l], reversed[r] = reversed[r], reversed[l]
	}
	if diff := cmp.Diff(got, ResourceDigests(reversed)); diff != "" {
		t.Errorf("digests depend on the order of observed:\n%s", diff)
	}
}
