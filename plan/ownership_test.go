package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/specs"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		o    Observed
		want Ownership
	}{
		{"our mark", Observed{Kind: specs.KindSNSTopic, Owner: stack}, OwnedByStack},
		{"no mark", Observed{Kind: specs.KindSNSTopic}, Unowned},
		{"another stack's mark", Observed{Kind: specs.KindSNSTopic, Owner: "acme-staging"}, OwnedByOtherStack},
		{"a stack whose name is a prefix of ours", Observed{Kind: specs.KindSNSTopic, Owner: "acme"}, OwnedByOtherStack},
		{"account settings", Observed{Kind: specs.KindSESAccount}, Singleton},
		{"account settings with a mark", Observed{Kind: specs.KindSESAccount, Owner: "other"}, Singleton},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.o, stack); got != tt.want {
				t.Errorf("Classify = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOwned(t *testing.T) {
	observed := []Observed{
		{Addr: "topic.a", Kind: specs.KindSNSTopic, Owner: stack},
		{Addr: "topic.b", Kind: specs.KindSNSTopic},
		{Addr: "topic.c", Kind: specs.KindSNSTopic, Owner: "other"},
		{Addr: "account", Kind: specs.KindSESAccount, Owner: stack},
		{Addr: "domain.x/dmarc", Kind: specs.KindRoute53Record, Owner: stack},
	}
	tests := []struct {
		stack string
		want  []string
	}{
		{stack, []string{"topic.a", "domain.x/dmarc"}},
		{"other", []string{"topic.c"}},
		{"", nil},
		{"nobody", nil},
	}
	for _, tt := range tests {
		t.Run("stack "+tt.stack, func(t *testing.T) {
			var got []string
			for _, o := range Owned(observed, tt.stack) {
				got = append(got, o.Addr)
				if !Deletable(o, tt.stack) {
					t.Errorf("%s is owned but not deletable", o.Addr)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("owned (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDestroyKeepsKeyFiles: a DKIM key kept in a file is not in a -destroy
// plan (apply would keep the file and report it deleted, and the next plan
// -destroy would list it again), while the same key in SSM is.
func TestDestroyKeepsKeyFiles(t *testing.T) {
	observed := []Observed{
		{Addr: "dkim_key.file", Kind: specs.KindDKIMKey, ID: "file:secrets/legacy-dkim.pem", Owner: stack},
		{Addr: "dkim_key.ssm", Kind: specs.KindDKIMKey, ID: "ssm:/acme/dkim/a", Owner: stack},
	}
	p, diags := Make(nil, observed, Options{Stack: stack, Destroy: true})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got []string
	for _, c := range p.Changes {
		got = append(got, string(c.Action)+" "+c.Addr)
	}
	if diff := cmp.Diff([]string{"delete dkim_key.ssm"}, got); diff != "" {
		t.Errorf("destroy plan (-want +got):\n%s", diff)
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		kind          specs.Kind
		attrs         map[string]any
		name, service string
	}{
		{specs.KindSESIdentity, map[string]any{"identity": "acme.example"}, "acme.example", "SES"},
		{specs.KindSNSTopic, map[string]any{"name": "acme-prod-feedback"}, "topic acme-prod-feedback", "SNS"},
		{specs.KindSMTPUser, map[string]any{"user_name": "u"}, "user u", "IAM"},
		{specs.KindRoute53Record, map[string]any{"name": "_dmarc.acme.example.", "type": "TXT"}, "record _dmarc.acme.example. TXT", "Route 53"},
		{specs.KindDKIMKey, map[string]any{"location": "ssm:/k"}, "ssm:/k", "SSM Parameter Store"},
		{specs.KindDKIMKey, map[string]any{"location": "secretsmanager:k"}, "secretsmanager:k", "Secrets Manager"},
		{specs.KindEIP, map[string]any{"hostname": "mta1.acme.example."}, "the Elastic IP of mta1.acme.example", "EC2"},
		{specs.KindEIP, map[string]any{"public_ip": "198.51.100.7"}, "Elastic IP 198.51.100.7", "EC2"},
		{specs.KindSNSTopic, map[string]any{}, "", "SNS"},
		{specs.KindRoute53Record, map[string]any{"name": specs.Deferred("${x#y}"), "type": "CNAME"}, "", "Route 53"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			name, service := describe(tt.kind, tt.attrs)
			if name != tt.name || service != tt.service {
				t.Errorf("describe = %q in %q, want %q in %q", name, service, tt.name, tt.service)
			}
		})
	}
}

// When several live resources carry one address (a shared record set of two
// stacks, an unowned one beside ours), the plan compares with this stack's
// own, then an unowned one, then another stack's.
func TestMatchObservedPreference(t *testing.T) {
	ours := Observed{Addr: "a", Kind: specs.KindSNSTopic, ID: "3", Owner: stack}
	oursToo := Observed{Addr: "a", Kind: specs.KindSNSTopic, ID: "4", Owner: stack}
	unowned := Observed{Addr: "a", Kind: specs.KindSNSTopic, ID: "1"}
	other := Observed{Addr: "a", Kind: specs.KindSNSTopic, ID: "0", Owner: "other"}
	tests := []struct {
		name      string
		cands     []Observed
		wantID    string
		wantExtra int
	}{
		{"ours first", []Observed{other, unowned, ours}, "3", 0},
		{"the lowest ID of ours, the others extra", []Observed{oursToo, other, ours}, "3", 1},
		{"unowned before another stack's", []Observed{other, unowned}, "1", 0},
		{"another stack's alone", []Observed{other}, "0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, extra := matchObserved(tt.cands, stack)
			if !found || got.ID != tt.wantID || len(extra) != tt.wantExtra {
				t.Errorf("match = %s (found %v), %d extra; want %s, %d extra", got.ID, found, len(extra), tt.wantID, tt.wantExtra)
			}
		})
	}
	if _, found, _ := matchObserved(nil, stack); found {
		t.Error("found a match among nothing")
	}
	for o, want := range map[Ownership]string{OwnedByStack: "owned", Unowned: "unowned", OwnedByOtherStack: "owned by another stack", Singleton: "account setting", Ownership(9): "Ownership(9)"} {
		if o.String() != want {
			t.Errorf("%d.String() = %q", int(o), o.String())
		}
	}
}
