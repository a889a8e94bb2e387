package plan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/specs"
)

func waveAddrs(waves [][]Change) [][]string {
	out := make([][]string, len(waves))
	for i, w := range waves {
		for _, c := range w {
			out[i] = append(out[i], c.Addr)
		}
	}
	return out
}

func TestOrder(t *testing.T) {
	ch := func(addr string, action Action, deps ...string) Change {
		return Change{Addr: addr, Action: action, DependsOn: deps}
	}
	tests := []struct {
		name    string
		changes []Change
		want    [][]string
		wantErr string
	}{
		{name: "nothing to do", changes: nil, want: [][]string{}},
		{
			name:    "a chain",
			changes: []Change{ch("c", Create, "b"), ch("b", Create, "a"), ch("a", Create)},
			want:    [][]string{{"a"}, {"b"}, {"c"}},
		},
		{
			name:    "independent changes share a wave, sorted",
			changes: []Change{ch("z", Create), ch("m", Update, "a"), ch("a", Create), ch("b", Delete)},
			want:    [][]string{{"a", "b", "z"}, {"m"}},
		},
		{
			name:    "dependencies outside the plan and on itself are ignored",
			changes: []Change{ch("b", Update, "a", "b", "not.changing")},
			want:    [][]string{{"b"}},
		},
		{
			name:    "deletes wait for their dependents",
			changes: []Change{ch("topic", Delete, "identity", "queue"), ch("identity", Delete, "record"), ch("record", Delete), ch("queue", Delete)},
			want:    [][]string{{"queue", "record"}, {"identity"}, {"topic"}},
		},
		{
			name:    "a cycle is an error naming its members",
			changes: []Change{ch("a", Create, "b"), ch("b", Create, "c"), ch("c", Create, "a"), ch("free", Create), ch("after", Create, "a")},
			wantErr: "dependency cycle among a, after, b, c",
		},
		{
			name:    "an address twice is an error",
			changes: []Change{ch("a", Create), ch("a", Delete)},
			wantErr: "a appears twice",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			waves, err := Order(tt.changes)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := waveAddrs(waves)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("waves (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMakeOrdersCreatesAndDeletes(t *testing.T) {
	tests := []struct {
		name     string
		desired  []specs.Resource
		observed []Observed
		opts     Options
		want     [][]string
	}{
		{
			name:    "creating a stack: topics first, records last",
			desired: desiredStack(),
			want: [][]string{
				{"smtp_user.webapp", "topic.feedback"},
				{"configuration_set.default", "topic.feedback/queue"},
				{"domain.acme.example"},
				{"domain.acme.example/dkim[0]", "domain.acme.example/dkim[1]", "domain.acme.example/dkim[2]", "domain.acme.example/dmarc"},
			},
		},
		{
			name:     "removing a stack: records, identity, configuration set, then the topic after its queue",
			observed: observedStack(),
			want: [][]string{
				{"domain.acme.example/dkim[0]", "domain.acme.example/dkim[1]", "domain.acme.example/dkim[2]", "domain.acme.example/dmarc", "smtp_user.webapp", "topic.feedback/queue"},
				{"domain.acme.example"},
				{"configuration_set.default"},
				{"topic.feedback"},
			},
		},
		{
			name:     "destroy orders the same way",
			desired:  desiredStack(),
			observed: observedStack(),
			opts:     Options{Destroy: true},
			want: [][]string{
				{"domain.acme.example/dkim[0]", "domain.acme.example/dkim[1]", "domain.acme.example/dkim[2]", "domain.acme.example/dmarc", "smtp_user.webapp", "topic.feedback/queue"},
				{"domain.acme.example"},
				{"configuration_set.default"},
				{"topic.feedback"},
			},
		},
		{
			// The identity still lists the set among its dependencies, as a
			// careless expansion might: the plan must not tie them in a cycle.
			name: "a configuration set is deleted after the identity stops using it",
			desired: []specs.Resource{
				resWithAttr(identityRes(), "configuration_set", ""), topicRes(),
				dkimRecordRes(0), dkimRecordRes(1), dkimRecordRes(2), dmarcRes(), queueRes(), smtpUserRes(),
			},
			observed: observedStack(),
			want:     [][]string{{"domain.acme.example"}, {"configuration_set.default"}},
		},
		{
			name:     "a renamed block: the old resource goes before the new one with its name comes",
			desired:  []specs.Resource{{Addr: "topic.bounces", Kind: specs.KindSNSTopic, Attrs: map[string]any{"name": "acme-prod-feedback", "ses_publish": true}}},
			observed: []Observed{obsTopic()},
			want:     [][]string{{"topic.feedback"}, {"topic.bounces"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Stack = stack
			p, diags := Make(tt.desired, tt.observed, opts)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			waves, err := Order(p.Changes)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, waveAddrs(waves)); diff != "" {
				t.Errorf("waves (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMakeTargets(t *testing.T) {
	unowned := obsIdentity()
	unowned.Owner = ""
	tests := []struct {
		name        string
		desired     []specs.Resource
		observed    []Observed
		targets     []string
		want        []string
		wantManual  int
		wantErrors  int
		wantWarning string
	}{
		{
			name:    "a domain brings its records and what it needs",
			desired: desiredStack(),
			targets: []string{"domain.acme.example"},
			want: []string{"configuration_set.default", "domain.acme.example", "domain.acme.example/dkim[0]",
				"domain.acme.example/dkim[1]", "domain.acme.example/dkim[2]", "domain.acme.example/dmarc", "topic.feedback"},
		},
		{
			name:    "a part alone brings only what it needs",
			desired: desiredStack(),
			targets: []string{"topic.feedback/queue"},
			want:    []string{"topic.feedback", "topic.feedback/queue"},
		},
		{
			name:    "an address prefix is not a target",
			desired: desiredStack(),
			targets: []string{"topic.feed"},
			want:    nil, wantWarning: "-target topic.feed matches nothing",
		},
		{
			name:       "manual records under the target are kept",
			desired:    desiredStack(),
			targets:    []string{"domain.other.example"},
			want:       nil,
			wantManual: 1,
		},
		{
			name:     "deleting a topic brings the deletes of what uses it",
			observed: observedStack(),
			targets:  []string{"topic.feedback"},
			want: []string{"configuration_set.default", "domain.acme.example", "domain.acme.example/dkim[0]",
				"domain.acme.example/dkim[1]", "domain.acme.example/dkim[2]", "domain.acme.example/dmarc",
				"topic.feedback", "topic.feedback/queue"},
		},
		{
			name:     "a collision outside the targets is not reported",
			desired:  []specs.Resource{identityRes(), topicRes(), smtpUserRes()},
			observed: []Observed{unowned},
			targets:  []string{"smtp_user.webapp"},
			want:     []string{"smtp_user.webapp"},
		},
		{
			name:       "a collision in what a target needs is reported",
			desired:    []specs.Resource{identityRes(), topicRes(), dmarcRes()},
			observed:   []Observed{unowned},
			targets:    []string{"domain.acme.example/dmarc"},
			want:       []string{"domain.acme.example/dmarc"},
			wantErrors: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, diags := Make(tt.desired, tt.observed, Options{Stack: stack, Targets: tt.targets})
			var got []string
			for _, c := range p.Changes {
				got = append(got, c.Addr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if len(p.Manual) != tt.wantManual {
				t.Errorf("manual = %d, want %d", len(p.Manual), tt.wantManual)
			}
			errs := 0
			var warns []string
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					errs++
				} else {
					warns = append(warns, d.Summary)
				}
			}
			if errs != tt.wantErrors {
				t.Errorf("errors = %v, want %d", diags, tt.wantErrors)
			}
			if tt.wantWarning != "" && (len(warns) != 1 || warns[0] != tt.wantWarning) {
				t.Errorf("warnings = %v, want %q", warns, tt.wantWarning)
			}
			if len(p.Notes) != 1 || !strings.Contains(p.Notes[0], "limited to -target "+strings.Join(tt.targets, ", ")) {
				t.Errorf("notes = %q", p.Notes)
			}
		})
	}
}
