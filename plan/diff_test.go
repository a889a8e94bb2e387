package plan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/specs"
)

func TestMakeActions(t *testing.T) {
	topicRenamed := topicRes()
	topicRenamed.Attrs = map[string]any{"name": "acme-prod-bounces", "ses_publish": true}

	tests := []struct {
		name     string
		desired  []specs.Resource
		observed []Observed
		opts     Options
		want     map[string]Action
	}{
		{
			name:     "fresh stack creates everything",
			desired:  desiredStack(),
			observed: nil,
			want: map[string]Action{
				"domain.acme.example": Create, "domain.acme.example/dkim[0]": Create,
				"domain.acme.example/dkim[1]": Create, "domain.acme.example/dkim[2]": Create,
				"domain.acme.example/dmarc": Create, "topic.feedback": Create, "topic.feedback/queue": Create,
				"configuration_set.default": Create, "smtp_user.webapp": Create,
			},
		},
		{
			name:     "applied stack is a no-op despite provider forms",
			desired:  desiredStack(),
			observed: observedStack(),
			want:     map[string]Action{},
		},
		{
			name:     "ttl differs: update",
			desired:  desiredStack(),
			observed: replaced(observedStack(), withAttr(obsDMARC(), "ttl", 600)),
			want:     map[string]Action{"domain.acme.example/dmarc": Update},
		},
		{
			name:     "topic name differs: replace",
			desired:  append(without2(desiredStack(), "topic.feedback"), topicRenamed),
			observed: observedStack(),
			// The new topic has a new ARN: what uses the old one is updated.
			want: map[string]Action{
				"topic.feedback": Replace, "topic.feedback/queue": Update,
				"domain.acme.example": Update, "configuration_set.default": Update,
			},
		},
		{
			name:     "block removed: its owned resources are deleted",
			desired:  without2(desiredStack(), "topic.feedback", "topic.feedback/queue"),
			observed: observedStack(),
			want:     map[string]Action{"topic.feedback": Delete, "topic.feedback/queue": Delete},
		},
		{
			name:    "resources that are not ours are never deleted",
			desired: desiredStack(),
			observed: append(observedStack(),
				Observed{Addr: "topic.legacy", Kind: specs.KindSNSTopic, ID: "arn:legacy", Owner: ""},
				Observed{Addr: "topic.other", Kind: specs.KindSNSTopic, ID: "arn:other", Owner: "billing"},
				Observed{Addr: "topic.gone", Kind: specs.KindSNSTopic, ID: "arn:gone", Owner: stack}),
			want: map[string]Action{"topic.gone": Delete},
		},
		{
			name:    "destroy deletes every owned resource and nothing else",
			desired: desiredStack(),
			observed: append(observedStack(),
				Observed{Addr: "topic.legacy", Kind: specs.KindSNSTopic, ID: "arn:legacy"},
				Observed{Addr: "account", Kind: specs.KindSESAccount, ID: "account"}),
			opts: Options{Destroy: true},
			want: map[string]Action{
				"domain.acme.example": Delete, "domain.acme.example/dkim[0]": Delete,
				"domain.acme.example/dkim[1]": Delete, "domain.acme.example/dkim[2]": Delete,
				"domain.acme.example/dmarc": Delete, "topic.feedback": Delete, "topic.feedback/queue": Delete,
				"configuration_set.default": Delete, "smtp_user.webapp": Delete,
			},
		},
		{
			name:     "account settings are unowned yet managed",
			desired:  []specs.Resource{{Addr: "account", Kind: specs.KindSESAccount, Attrs: map[string]any{"suppression": []any{"BOUNCE"}}}},
			observed: []Observed{{Addr: "account", Kind: specs.KindSESAccount, ID: "account", Attrs: map[string]any{"suppression": []any{"BOUNCE", "COMPLAINT"}}}},
			want:     map[string]Action{"account": Update},
		},
		{
			name:     "account settings are never deleted",
			desired:  nil,
			observed: []Observed{{Addr: "account", Kind: specs.KindSESAccount, ID: "account", Owner: stack}},
			want:     map[string]Action{},
		},
		{
			name:    "a shared record set that exists unowned gets mailform's value added",
			desired: []specs.Resource{spfRes()},
			observed: []Observed{{
				Addr: "domain.acme.example/spf", Kind: specs.KindRoute53Record, ID: "Z123/acme.example./TXT",
				Attrs: map[string]any{"name": "acme.example.", "type": "TXT", "ttl": 300, "values": []any{`"google-site-verification=abc"`}},
			}},
			want: map[string]Action{"domain.acme.example/spf": Create},
		},
		{
			name:     "manual records are not changes",
			desired:  []specs.Resource{manualDMARCRes()},
			observed: nil,
			want:     map[string]Action{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Stack, opts.Region = stack, region
			p, diags := Make(tt.desired, tt.observed, opts)
			if diags.HasErrors() {
				t.Fatalf("unexpected errors: %v", diags)
			}
			if diff := cmp.Diff(tt.want, actions(p)); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
			s := p.Summary()
			if got := s.Create + s.Update + s.Replace + s.Delete; got != len(tt.want) {
				t.Errorf("summary counts %d changes, want %d", got, len(tt.want))
			}
			if p.HasChanges() != (len(tt.want) > 0) {
				t.Errorf("HasChanges = %v", p.HasChanges())
			}
			for i := 1; i < len(p.Changes); i++ {
				if p.Changes[i-1].Addr >= p.Changes[i].Addr {
					t.Errorf("changes not sorted: %s before %s", p.Changes[i-1].Addr, p.Changes[i].Addr)
				}
			}
		})
	}
}

func without2(desired []specs.Resource, addrs ...string) []specs.Resource {
	drop := map[string]bool{}
	for _, a := range addrs {
		drop[a] = true
	}
	var out []specs.Resource
	for _, r := range desired {
		if !drop[r.Addr] {
			out = append(out, r)
		}
	}
	return out
}

func TestMakeAttributeDiffs(t *testing.T) {
	p, diags := Make(desiredStack(), replaced(observedStack(), withAttr(obsDMARC(), "ttl", 600)), Options{Stack: stack})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c, ok := p.Change("domain.acme.example/dmarc")
	if !ok {
		t.Fatal("no change for the DMARC record")
	}
	want := []AttrDiff{{Name: "ttl", Before: int64(600), After: int64(300)}}
	if diff := cmp.Diff(want, c.Diffs); diff != "" {
		t.Errorf("diffs (-want +got):\n%s", diff)
	}
	if c.ID != "Z123/_dmarc.acme.example./TXT" {
		t.Errorf("ID = %q", c.ID)
	}
	if c.DeclRange != at(52) {
		t.Errorf("DeclRange = %v", c.DeclRange)
	}
	if c.Before["ttl"] != int64(600) || c.After["ttl"] != int64(300) {
		t.Errorf("Before/After = %v / %v", c.Before["ttl"], c.After["ttl"])
	}
}

func TestMakeReplacement(t *testing.T) {
	tests := []struct {
		name     string
		observed []Observed
		addr     string
		diff     AttrDiff
	}{
		{
			name:     "a DKIM token rotated: the record name changes",
			observed: replaced(observedStack(), withAttr(obsIdentity(), "dkim_tokens", []string{"newtok00", tokens[1], tokens[2]})),
			addr:     "domain.acme.example/dkim[0]",
			diff:     AttrDiff{Name: "name", Before: "tok0aaaa._domainkey.acme.example", After: "newtok00._domainkey.acme.example.", Replaces: true},
		},
		{
			name:     "identity about to be created while its records exist: the name is unknown",
			observed: without(observedStack(), "domain.acme.example"),
			addr:     "domain.acme.example/dkim[1]",
			diff: AttrDiff{Name: "name", Before: "tok1bbbb._domainkey.acme.example",
				After: specs.Deferred("${domain.acme.example#dkim_tokens[1]}._domainkey.acme.example."), Unknown: true, Replaces: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, diags := Make(desiredStack(), tt.observed, Options{Stack: stack})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			c, ok := p.Change(tt.addr)
			if !ok || c.Action != Replace {
				t.Fatalf("change of %s = %+v, want a replace", tt.addr, c)
			}
			var got *AttrDiff
			for i := range c.Diffs {
				if c.Diffs[i].Name == tt.diff.Name {
					got = &c.Diffs[i]
				}
			}
			if got == nil {
				t.Fatalf("no diff of %s in %+v", tt.diff.Name, c.Diffs)
			}
			if diff := cmp.Diff(tt.diff, *got); diff != "" {
				t.Errorf("diff (-want +got):\n%s", diff)
			}
			if !strings.Contains(c.Reason, "name") || !strings.Contains(c.Reason, "cannot change in place") {
				t.Errorf("reason %q does not say why", c.Reason)
			}
		})
	}
}

func TestMakeUnknownValues(t *testing.T) {
	// The topic is gone from AWS, so its ARN is unknown until apply creates it
	// again; the queue, the identity and the configuration set that use it exist.
	p, diags := Make(desiredStack(), without(observedStack(), "topic.feedback"), Options{Stack: stack})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := map[string]Action{
		"topic.feedback": Create, "topic.feedback/queue": Update,
		"domain.acme.example": Update, "configuration_set.default": Update,
	}
	if diff := cmp.Diff(want, actions(p)); diff != "" {
		t.Fatalf("actions (-want +got):\n%s", diff)
	}
	q, _ := p.Change("topic.feedback/queue")
	if len(q.Diffs) != 1 || q.Diffs[0].Name != "topic_arn" || !q.Diffs[0].Unknown || q.Diffs[0].Before != topicARN {
		t.Errorf("queue diffs = %+v, want one unknown topic_arn", q.Diffs)
	}
	// Unknown values of a resource being created are just part of the create.
	create, _ := p.Change("topic.feedback")
	for _, d := range create.Diffs {
		if d.Before != nil {
			t.Errorf("create diff %s has a Before", d.Name)
		}
	}
}

func TestMakeSensitive(t *testing.T) {
	tests := []struct {
		name       string
		password   any // observed password attribute; nil = absent
		wantAction Action
	}{
		{"secret present: no diff", specs.Sensitive{Digest: secretDigest}, ""},
		{"secret present, digest changed: still no diff", specs.Sensitive{Digest: "other"}, ""},
		{"secret missing from its store: update", nil, Update},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := replaced(observedStack(), withAttr(obsSMTPUser(), "password", tt.password))
			p, diags := Make(desiredStack(), obs, Options{Stack: stack})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			c, ok := p.Change("smtp_user.webapp")
			if tt.wantAction == "" {
				if ok {
					t.Fatalf("unexpected change %+v", c)
				}
				return
			}
			if c.Action != tt.wantAction {
				t.Fatalf("action = %s, want %s", c.Action, tt.wantAction)
			}
			if c.Reason != "secret missing from ssm:/acme/mail/smtp/webapp" {
				t.Errorf("reason = %q", c.Reason)
			}
			want := []AttrDiff{{Name: "password", After: specs.Sensitive{}}}
			if diff := cmp.Diff(want, c.Diffs); diff != "" {
				t.Errorf("diffs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMakeNeverKeepsSecretDigests(t *testing.T) {
	// A changed user, so that its Before is in the plan.
	user := withAttr(obsSMTPUser(), "path", "/old/")
	p, _ := Make(desiredStack(), replaced(observedStack(), user), Options{Stack: stack})
	c, ok := p.Change("smtp_user.webapp")
	if !ok {
		t.Fatal("no change for the user")
	}
	if got := c.Before["password"]; got != (specs.Sensitive{}) {
		t.Errorf("Before password = %#v, want an empty Sensitive", got)
	}
	// Even a provider that wrongly reports the secret as text does not leak it.
	leaky := withAttr(user, "password", "hunter2-plaintext")
	p, _ = Make(desiredStack(), replaced(observedStack(), leaky), Options{Stack: stack})
	c, _ = p.Change("smtp_user.webapp")
	if got := c.Before["password"]; got != (specs.Sensitive{}) {
		t.Errorf("Before password = %#v, want an empty Sensitive", got)
	}
	// And a deleted user's Before has no digest either.
	p, _ = Make(nil, []Observed{obsSMTPUser()}, Options{Stack: stack})
	c, _ = p.Change("smtp_user.webapp")
	if got := c.Before["password"]; got != (specs.Sensitive{}) {
		t.Errorf("deleted Before password = %#v", got)
	}
}

func TestMakeOwnership(t *testing.T) {
	unowned := withAttr(obsIdentity(), "dkim_key_length", 1024)
	unowned.Owner = ""
	otherStack := obsIdentity()
	otherStack.Owner = "billing-prod"

	tests := []struct {
		name        string
		observed    []Observed
		adopt       []string
		wantSummary string // error summary; "" for none
		wantDetail  string
		wantAction  Action
		wantWarning string
	}{
		{
			name:        "unowned identity is an error that says how to adopt",
			observed:    []Observed{unowned},
			wantSummary: "acme.example already exists in SES and is not managed by stack acme-prod",
			wantDetail:  "`mailform apply -adopt domain.acme.example`",
		},
		{
			name:       "adopting an unowned identity is an update that adds the mark",
			observed:   []Observed{unowned},
			adopt:      []string{"domain.acme.example"},
			wantAction: Update,
		},
		{
			name:        "another stack's identity is an error",
			observed:    []Observed{otherStack},
			wantSummary: "acme.example already exists in SES and is managed by stack billing-prod",
			wantDetail:  "not even with -adopt",
		},
		{
			name:        "another stack's identity cannot be adopted",
			observed:    []Observed{otherStack},
			adopt:       []string{"domain.acme.example"},
			wantSummary: "acme.example already exists in SES and is managed by stack billing-prod",
			wantWarning: "Nothing to adopt at domain.acme.example",
		},
		{
			name:        "adopting what is not there warns",
			observed:    nil,
			adopt:       []string{"domain.acme.exmaple"},
			wantAction:  Create,
			wantWarning: "Nothing to adopt at domain.acme.exmaple",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The topic, unowned and not declared, only fills the identity's topic ARNs.
			topic := obsTopic()
			topic.Owner = ""
			observed := append(append([]Observed(nil), tt.observed...), topic)
			p, diags := Make([]specs.Resource{identityRes()}, observed, Options{Stack: stack, Adopt: tt.adopt})
			var errs, warns []*hcl.Diagnostic
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					errs = append(errs, d)
				} else {
					warns = append(warns, d)
				}
			}
			if tt.wantSummary != "" {
				if len(errs) != 1 {
					t.Fatalf("want one error, got %v", diags)
				}
				if errs[0].Summary != tt.wantSummary {
					t.Errorf("summary = %q\nwant      %q", errs[0].Summary, tt.wantSummary)
				}
				if !strings.Contains(errs[0].Detail, tt.wantDetail) {
					t.Errorf("detail %q lacks %q", errs[0].Detail, tt.wantDetail)
				}
				if errs[0].Subject == nil || *errs[0].Subject != at(30) {
					t.Errorf("subject = %v, want the block's range", errs[0].Subject)
				}
				if len(p.Changes) != 0 {
					t.Errorf("a collision must not become a change: %+v", p.Changes)
				}
			} else if len(errs) > 0 {
				t.Fatalf("unexpected errors: %v", errs)
			}
			if tt.wantWarning != "" {
				if len(warns) != 1 || warns[0].Summary != tt.wantWarning {
					t.Errorf("warnings = %v, want %q", warns, tt.wantWarning)
				}
			} else if len(warns) > 0 {
				t.Errorf("unexpected warnings: %v", warns)
			}
			if tt.wantAction != "" {
				c, ok := p.Change("domain.acme.example")
				if !ok || c.Action != tt.wantAction {
					t.Fatalf("change = %+v, want %s", c, tt.wantAction)
				}
				if tt.wantAction == Update {
					if !c.Adopt || !strings.Contains(c.Reason, "adopt: add the ownership mark of stack acme-prod") {
						t.Errorf("adopt = %v, reason = %q", c.Adopt, c.Reason)
					}
					if len(c.Diffs) != 1 || c.Diffs[0].Name != "dkim_key_length" {
						t.Errorf("diffs = %+v, want dkim_key_length", c.Diffs)
					}
				}
			}
		})
	}
}

// -adopt of a block takes over the resources under it too: an identity set
// up by hand comes with its DKIM records.
func TestMakeAdoptBlock(t *testing.T) {
	var observed []Observed
	for _, o := range observedStack() {
		if strings.HasPrefix(o.Addr, "domain.acme.example") || o.Addr == "topic.feedback" {
			o.Owner = ""
		}
		observed = append(observed, o)
	}
	desired := desiredStack()
	t.Run("without -adopt every resource is an error", func(t *testing.T) {
		_, diags := Make(desired, observed, Options{Stack: stack})
		if n := len(diags.Errs()); n != 6 {
			t.Errorf("%d errors, want 6 (identity, 3 DKIM, DMARC, topic): %v", n, diags)
		}
	})
	t.Run("-adopt of the block adopts what is under it", func(t *testing.T) {
		p, diags := Make(desired, observed, Options{Stack: stack, Adopt: []string{"domain.acme.example"}})
		if n := len(diags.Errs()); n != 1 || !strings.Contains(diags.Errs()[0].Error(), "topic acme-prod-feedback") {
			t.Fatalf("errors = %v, want only the topic", diags.Errs())
		}
		want := map[string]Action{
			"domain.acme.example": Update, "domain.acme.example/dkim[0]": Update, "domain.acme.example/dkim[1]": Update,
			"domain.acme.example/dkim[2]": Update, "domain.acme.example/dmarc": Update,
		}
		if diff := cmp.Diff(want, actions(p)); diff != "" {
			t.Errorf("actions (-want +got):\n%s", diff)
		}
		for _, c := range p.Changes {
			if !c.Adopt {
				t.Errorf("%s does not adopt", c.Addr)
			}
		}
	})
}

func TestMakeAdoptWithoutDiffs(t *testing.T) {
	o := obsTopic()
	o.Owner = ""
	p, diags := Make([]specs.Resource{topicRes()}, []Observed{o}, Options{Stack: stack, Adopt: []string{"topic.feedback"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c, ok := p.Change("topic.feedback")
	if !ok || c.Action != Update || !c.Adopt || len(c.Diffs) != 0 {
		t.Fatalf("change = %+v, want an adopting update with no attribute diffs", c)
	}
}

func TestMakeOtherDiagnostics(t *testing.T) {
	t.Run("kind mismatch", func(t *testing.T) {
		o := obsQueue()
		o.Addr = "topic.feedback"
		_, diags := Make([]specs.Resource{topicRes()}, []Observed{o}, Options{Stack: stack})
		if !diags.HasErrors() || !strings.Contains(diags[0].Summary, "is a sqs.queue in AWS but the spec declares a sns.topic") {
			t.Fatalf("diags = %v", diags)
		}
	})
	t.Run("duplicate address in the spec", func(t *testing.T) {
		_, diags := Make([]specs.Resource{topicRes(), topicRes()}, nil, Options{Stack: stack})
		if !diags.HasErrors() || diags[0].Summary != "Duplicate resource address topic.feedback" {
			t.Fatalf("diags = %v", diags)
		}
	})
	t.Run("two owned resources at one address", func(t *testing.T) {
		a, b := obsTopic(), obsTopic()
		b.ID = "arn:aws:sns:us-west-2:123456789012:acme-prod-feedback-2"
		p, diags := Make([]specs.Resource{topicRes()}, []Observed{b, a}, Options{Stack: stack})
		if diags.HasErrors() || len(diags) != 1 || !strings.Contains(diags[0].Detail, b.ID) {
			t.Fatalf("diags = %v, want one warning naming %s", diags, b.ID)
		}
		if p.HasChanges() {
			t.Errorf("changes = %+v", p.Changes)
		}
	})
	t.Run("an owned resource without an address is left alone", func(t *testing.T) {
		o := obsTopic()
		o.Addr = ""
		p, diags := Make(nil, []Observed{o}, Options{Stack: stack, Destroy: true})
		if diags.HasErrors() || len(diags) != 1 || !strings.Contains(diags[0].Summary, "but no address") {
			t.Fatalf("diags = %v", diags)
		}
		if p.HasChanges() {
			t.Errorf("changes = %+v", p.Changes)
		}
	})
	t.Run("a placeholder AWS cannot fill", func(t *testing.T) {
		noTokens := withAttr(obsIdentity(), "dkim_tokens", nil)
		p, diags := Make(desiredStack(), replaced(observedStack(), noTokens), Options{Stack: stack})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		var warned []string
		for _, d := range diags {
			warned = append(warned, d.Summary)
			if !strings.Contains(d.Detail, "domain.acme.example#dkim_tokens[") {
				t.Errorf("detail %q does not name the attribute", d.Detail)
			}
		}
		want := []string{
			"domain.acme.example/dkim[0] needs a value AWS does not report",
			"domain.acme.example/dkim[1] needs a value AWS does not report",
			"domain.acme.example/dkim[2] needs a value AWS does not report",
		}
		if diff := cmp.Diff(want, warned); diff != "" {
			t.Errorf("warnings (-want +got):\n%s", diff)
		}
		if c, _ := p.Change("domain.acme.example/dkim[0]"); c.Action != Replace {
			t.Errorf("record action = %s", c.Action)
		}
	})
	t.Run("no warning when the source is changing", func(t *testing.T) {
		// The key's secret is missing: apply generates a new key, whose
		// public key then fills the record.
		key := Observed{Addr: "dkim_key.mta1", Kind: specs.KindDKIMKey, ID: "ssm:/k", Owner: stack,
			Attrs: map[string]any{"location": "ssm:/k", "key_length": 2048}}
		desired := []specs.Resource{
			{Addr: "dkim_key.mta1", Kind: specs.KindDKIMKey, Attrs: map[string]any{"location": "ssm:/k", "key_length": 2048, "private_key": specs.Sensitive{}}},
			{Addr: "dkim_key.mta1/txt", Kind: specs.KindRoute53Record, DependsOn: []string{"dkim_key.mta1"}, Attrs: map[string]any{
				"zone": "acme.example.", "name": "mta1._domainkey.acme.example.", "type": "TXT", "ttl": 300,
				"values": []any{specs.Deferred("p=" + specs.Ref("dkim_key.mta1", "public_key"))}}},
		}
		p, diags := Make(desired, []Observed{key}, Options{Stack: stack})
		if len(diags) != 0 {
			t.Errorf("diags = %v", diags)
		}
		if diff := cmp.Diff(map[string]Action{"dkim_key.mta1": Update, "dkim_key.mta1/txt": Create}, actions(p)); diff != "" {
			t.Errorf("actions (-want +got):\n%s", diff)
		}
	})
	t.Run("no stack", func(t *testing.T) {
		_, diags := Make(desiredStack(), nil, Options{})
		if !diags.HasErrors() {
			t.Fatal("want an error")
		}
	})
}

func TestMakeManual(t *testing.T) {
	p, diags := Make(desiredStack(), observedStack(), Options{Stack: stack})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(p.Manual) != 1 || p.Manual[0].Action != Manual || p.Manual[0].Addr != "domain.other.example/dmarc" {
		t.Fatalf("manual = %+v", p.Manual)
	}
	if p.HasChanges() {
		t.Errorf("manual records count as changes: %+v", p.Changes)
	}
}

func TestMakeDoesNotModifyInputs(t *testing.T) {
	desired, observed := desiredStack(), observedStack()
	p, _ := Make(desired, observed, Options{Stack: stack})
	_ = p
	if diff := cmp.Diff(desiredStack(), desired, cmp.Comparer(func(a, b hcl.Range) bool { return a == b })); diff != "" {
		t.Errorf("desired modified:\n%s", diff)
	}
	if diff := cmp.Diff(observedStack(), observed); diff != "" {
		t.Errorf("observed modified:\n%s", diff)
	}
}

func TestMakeDeterministic(t *testing.T) {
	desired := desiredStack()
	observed := without(observedStack(), "topic.feedback")
	first, _ := Make(desired, observed, Options{Stack: stack, Region: region})
	for i := 0; i < 5; i++ {
		// Reverse the inputs: the plan must not depend on their order.
		for l, r := 0, len(desired)-1; l < r; l, r = l+1, r-1 {
			desired[l], desired[r] = desired[r], desired[l]
		}
		for l, r := 0, len(observed)-1; l < r; l, r = l+1, r-1 {
			observed[l], observed[r] = observed[r], observed[l]
		}
		again, _ := Make(desired, observed, Options{Stack: stack, Region: region})
		if diff := cmp.Diff(first, again, cmp.Comparer(func(a, b hcl.Range) bool { return a == b })); diff != "" {
			t.Fatalf("plans differ:\n%s", diff)
		}
	}
}

// What a replaced resource provides is unknown until apply has created its
// successor, and replacements cascade through values that name it.
func TestMakeReplacementMakesValuesUnknown(t *testing.T) {
	keyLength := func(observed []Observed) []Observed {
		// A BYODKIM-like chain: the key is replaced (new length), its TXT
		// record holds the public key.
		key := Observed{Addr: "dkim_key.mta1", Kind: specs.KindDKIMKey, ID: "ssm:/k", Owner: stack,
			Attrs: map[string]any{"location": "ssm:/k", "key_length": 1024, "private_key": specs.Sensitive{Digest: "x"}, "public_key": "OLDKEY"}}
		txt := Observed{Addr: "dkim_key.mta1/txt", Kind: specs.KindRoute53Record, ID: "Z/mta1._domainkey.acme.example./TXT", Owner: stack,
			Attrs: map[string]any{"zone": "acme.example.", "name": "mta1._domainkey.acme.example.", "type": "TXT", "ttl": 300, "values": []any{`"v=DKIM1; k=rsa; p=OLDKEY"`}}}
		return append(observed, key, txt)
	}
	desired := []specs.Resource{
		{Addr: "dkim_key.mta1", Kind: specs.KindDKIMKey, Attrs: map[string]any{"location": "ssm:/k", "key_length": 2048, "private_key": specs.Sensitive{}}},
		{Addr: "dkim_key.mta1/txt", Kind: specs.KindRoute53Record, DependsOn: []string{"dkim_key.mta1"}, Attrs: map[string]any{
			"zone": "acme.example.", "name": "mta1._domainkey.acme.example.", "type": "TXT", "ttl": 300,
			"values": []any{specs.Deferred("v=DKIM1; k=rsa; p=" + specs.Ref("dkim_key.mta1", "public_key"))}}},
	}
	p, diags := Make(desired, keyLength(nil), Options{Stack: stack})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if diff := cmp.Diff(map[string]Action{"dkim_key.mta1": Replace, "dkim_key.mta1/txt": Update}, actions(p)); diff != "" {
		t.Fatalf("actions (-want +got):\n%s", diff)
	}
	txt, _ := p.Change("dkim_key.mta1/txt")
	if len(txt.Diffs) != 1 || !txt.Diffs[0].Unknown {
		t.Errorf("TXT diffs = %+v, want the value unknown", txt.Diffs)
	}

	// An identity replaced (renamed in AWS terms) makes its DKIM record names
	// unknown, and a record name forces replacement: the records follow.
	renamed := withAttr(obsIdentity(), "identity", "old.acme.example")
	p, diags = Make(desiredStack(), replaced(observedStack(), renamed), Options{Stack: stack})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, addr := range []string{"domain.acme.example", "domain.acme.example/dkim[0]", "domain.acme.example/dkim[1]", "domain.acme.example/dkim[2]"} {
		if c, _ := p.Change(addr); c.Action != Replace {
			t.Errorf("%s: %s, want replace", addr, c.Action)
		}
	}
	if c, ok := p.Change("domain.acme.example/dmarc"); ok {
		t.Errorf("the DMARC record does not depend on tokens, yet: %+v", c)
	}
}

func TestMakeReplaceRequested(t *testing.T) {
	p, diags := Make(desiredStack(), observedStack(), Options{Stack: stack, Replace: []string{"smtp_user.webapp"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c, ok := p.Change("smtp_user.webapp")
	if !ok {
		t.Fatal("-replace of an unchanged user planned nothing")
	}
	if c.Action != Replace || c.Reason != ReplaceRequested {
		t.Errorf("change = %s (%q), want replace (%q)", c.Action, c.Reason, ReplaceRequested)
	}
	if !c.Because(CauseRequested) {
		t.Errorf("causes = %v, want %s among them", c.Causes, CauseRequested)
	}
	if len(p.Changes) != 1 {
		t.Errorf("-replace planned %d changes, want only the user's", len(p.Changes))
	}
	for _, secret := range []string{secretDigest} {
		if strings.Contains(fmt.Sprint(c.Before), secret) {
			t.Error("the replace change keeps a secret digest")
		}
	}

	_, diags = Make(desiredStack(), observedStack(), Options{Stack: stack, Replace: []string{"smtp_user.nobody"}})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Nothing to replace at smtp_user.nobody") {
		t.Errorf("-replace of an unknown address: %v", diags)
	}
}

// TestConfigurationSetSuppressionOverride: a set's own suppression list can
// be set in place, but SES cannot make a set follow the account's list
// again, so leaving the override replaces the set.
func TestConfigurationSetSuppressionOverride(t *testing.T) {
	set := func(override bool, reasons ...any) map[string]any {
		return map[string]any{"name": "acme-prod-default", "suppression": reasons, "suppression_override": override}
	}
	tests := []struct {
		name       string
		live, want map[string]any
		action     Action
	}{
		{"the account's list to an override that suppresses nothing", set(false), set(true), Update},
		{"the account's list to an override", set(false), set(true, "BOUNCE"), Update},
		{"an override to another", set(true, "BOUNCE"), set(true), Update},
		{"an override that suppresses nothing to the account's list", set(true), set(false), Replace},
		{"an override to the account's list", set(true, "BOUNCE"), set(false), Replace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desired := []specs.Resource{{Addr: "configuration_set.default", Kind: specs.KindSESConfigSet, Attrs: tt.want}}
			observed := []Observed{{Addr: "configuration_set.default", Kind: specs.KindSESConfigSet, ID: "acme-prod-default", Owner: stack, Attrs: tt.live}}
			p, diags := Make(desired, observed, Options{Stack: stack})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			c, ok := p.Change("configuration_set.default")
			if !ok || c.Action != tt.action {
				t.Fatalf("change = %+v, want %s", c, tt.action)
			}
			if tt.action == Replace && !strings.Contains(c.Reason, "follow the account's suppression list") {
				t.Errorf("reason %q does not say why", c.Reason)
			}
		})
	}
}

// TestMakeAdoptSMTPUserKeepsItsKey: adopting an SMTP user whose one access
// key's password is held outside mailform is a pure adoption whose reason
// says that the key is kept and nothing stored; with -replace, that a new
// key is stored and the kept one deleted.
func TestMakeAdoptSMTPUserKeepsItsKey(t *testing.T) {
	policy := `{"Statement":[{"Action":"ses:SendRawEmail","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`
	r := specs.Resource{Addr: "smtp_user.webapp", Kind: specs.KindSMTPUser, Attrs: map[string]any{
		"user_name": "webapp-smtp", "path": "/", "policy": policy, "credentials": "ssm:/acme/smtp/webapp",
		"region": "us-west-2", "password": specs.Sensitive{},
	}}
	o := Observed{Addr: "smtp_user.webapp", Kind: specs.KindSMTPUser, ID: "webapp-smtp", Attrs: map[string]any{
		"user_name": "webapp-smtp", "path": "/", "policy": policy, "policy_name": "send", "credentials": "ssm:/acme/smtp/webapp",
		"region": "us-west-2", "password": specs.Sensitive{Digest: "kept"}, "kept_access_key_id": "AKIAOLD",
	}}
	p, diags := Make([]specs.Resource{r}, []Observed{o}, Options{Stack: stack, Adopt: []string{"smtp_user.webapp"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	c, ok := p.Change("smtp_user.webapp")
	if !ok || !c.Adopt || len(c.Diffs) != 0 || !strings.Contains(c.Reason, "keeps access key AKIAOLD") || !strings.Contains(c.Reason, "inline policy send becomes mailform's") {
		t.Fatalf("change = %+v, want an adoption that keeps the key", c)
	}
	p, diags = Make([]specs.Resource{r}, []Observed{o}, Options{Stack: stack, Adopt: []string{"smtp_user.webapp"}, Replace: []string{"smtp_user.webapp"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if c, _ := p.Change("smtp_user.webapp"); !strings.Contains(c.Reason, "stored at ssm:/acme/smtp/webapp; access key AKIAOLD is deleted once AWS accepts the new one") {
		t.Errorf("reason of -replace: %s", c.Reason)
	}
}

// TestUnusedAdoptSuggestsTheDeclaredAddress: an -adopt (or -adopt-file)
// address with a typo names the declared address it was meant to be.
func TestUnusedAdoptSuggestsTheDeclaredAddress(t *testing.T) {
	_, diags := Make([]specs.Resource{identityRes()}, nil, Options{Stack: "acme-prod", Adopt: []string{"domain.acme.exmaple"}})
	for _, d := range diags {
		if d.Summary == "Nothing to adopt at domain.acme.exmaple" {
			if !strings.Contains(d.Detail, `Did you mean "domain.acme.example"?`) {
				t.Errorf("detail %q names no declared address", d.Detail)
			}
			return
		}
	}
	t.Errorf("no warning about the typo: %v", diags)
}
