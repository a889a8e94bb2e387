package route53

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/mailform/mailform/internal/golden"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

func renderBatches(batches [][]types.Change) string {
	var b strings.Builder
	for i, batch := range batches {
		fmt.Fprintf(&b, "batch %d\n", i+1)
		for _, c := range batch {
			s := c.ResourceRecordSet
			fmt.Fprintf(&b, "  %-6s %s %s %d\n", c.Action, aws.ToString(s.Name), s.Type, aws.ToInt64(s.TTL))
			for _, r := range s.ResourceRecords {
				fmt.Fprintf(&b, "           %s\n", aws.ToString(r.Value))
			}
		}
	}
	return b.String()
}

// sharedZone is a stub zone where stack "s" owns an MX set, a DMARC set and
// the SPF value of an apex TXT set that holds two site-verification values.
func sharedZone() *stubAPI {
	api := ownedZone()
	spf := `"v=spf1 include:amazonses.com ~all"`
	api.sets[1] = rrs("_mailform.acme.example.", "TXT", 300,
		Marker{Stack: "s", Type: "MX", Addr: "record.acme.example.MX"}.Format(),
		Marker{Stack: "s", Type: "TXT", Addr: "domain.acme.example/spf", Value: ValueDigest("TXT", spf)}.Format(),
	)
	api.sets = append(api.sets, rrs("acme.example.", "TXT", 3600, `"google-site-verification=abc"`, spf, `"MS=ms1"`))
	return api
}

func TestBatchGolden(t *testing.T) {
	api := sharedZone()
	p := NewWithAPI(api, Options{PollInterval: -1})
	z := "acme.example."
	want := []specs.Resource{
		desired("record.acme.example.MX", z, z, "MX", 1800, "10 mta1.acme.example."),
		sharedDesired("domain.acme.example/spf", z, z, "TXT", 300, `"v=spf1 include:amazonses.com ip4:192.0.2.10 ~all"`),
		desired("mta.mta1/a", z, "mta1."+z, "A", 300, "192.0.2.10"),
		desired("domain.acme.example/dkim[0]", z, "tok1._domainkey."+z, "CNAME", 1800, "tok1.dkim.amazonses.com."),
		// domain.acme.example/dmarc is gone from the spec
	}
	got, err := p.Read(t.Context(), "s", want)
	if err != nil {
		t.Fatal(err)
	}
	changes := diff(t, "s", want, got)
	var actions []string
	for _, c := range changes {
		actions = append(actions, string(c.Action)+" "+c.Addr)
	}
	api.statuses = []types.ChangeStatus{types.ChangeStatusInsync}
	for _, r := range p.Apply(t.Context(), providers.ApplyRequest{Stack: "s", Changes: changes}) {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Addr, r.Err)
		}
	}
	if len(api.batches) != 1 {
		t.Fatalf("%d batches, want 1", len(api.batches))
	}
	golden.Check(t, filepath.Join("testdata", "batch.golden"), []byte(strings.Join(actions, "\n")+"\n"+renderBatches(api.batches)))
}

func TestApplyRefuses(t *testing.T) {
	z := "acme.example."
	create := func(r specs.Resource) plan.Change {
		return plan.Change{Addr: r.Addr, Kind: r.Kind, Action: plan.Create, After: r.Attrs}
	}
	twoValues := sharedDesired("domain.acme.example/spf", z, z, "TXT", 300, `"a"`)
	twoValues.Attrs["values"] = []any{`"a"`, `"b"`}
	deferred := desired("domain.acme.example/dkim[0]", z, "x."+z, "CNAME", 1800, "x")
	deferred.Attrs["name"] = specs.Deferred("${domain.acme.example#dkim_tokens[0]}._domainkey.acme.example.")
	tests := []struct {
		name    string
		seed    []types.ResourceRecordSet
		change  plan.Change
		wantErr string
	}{
		{name: "outside the zone", change: create(desired("record.x.other.example.A", z, "x.other.example.", "A", 300, "192.0.2.1")), wantErr: "is not inside zone acme.example."},
		{name: "unowned set", seed: []types.ResourceRecordSet{rrs("www."+z, "A", 300, "192.0.2.1")}, change: create(desired("record.www.acme.example.A", z, "www."+z, "A", 300, "192.0.2.2")), wantErr: "already exists and is not owned by stack s"},
		{
			name: "shared value in a set another stack owns whole",
			seed: []types.ResourceRecordSet{
				rrs(z, "TXT", 300, `"theirs"`),
				rrs(MarkerName(z), "TXT", 300, Marker{Stack: "t", Type: "TXT", Addr: "record.acme.example.TXT"}.Format()),
			},
			change:  create(sharedDesired("domain.acme.example/spf", z, z, "TXT", 300, `"v=spf1 -all"`)),
			wantErr: "belongs whole to stack t",
		},
		{name: "two values for a shared record", change: create(twoValues), wantErr: "exactly one value"},
		{name: "unknown name", change: create(deferred), wantErr: "name is still unknown"},
		{
			name:    "delete without a marker",
			seed:    []types.ResourceRecordSet{rrs("www."+z, "A", 300, "192.0.2.1")},
			change:  plan.Change{Addr: "record.www.acme.example.A", Kind: specs.KindRoute53Record, Action: plan.Delete, ID: "Z1/www.acme.example./A", Before: desired("", z, "www."+z, "A", 300, "192.0.2.1").Attrs},
			wantErr: "carries no ownership marker of stack s",
		},
		{name: "no-op", change: plan.Change{Addr: "a", Kind: specs.KindRoute53Record, Action: plan.NoOp}, wantErr: "cannot carry out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &stubAPI{zones: []types.HostedZone{hz("Z1", z, false)}, sets: tt.seed}
			p := NewWithAPI(api, Options{PollInterval: -1})
			res := p.Apply(t.Context(), providers.ApplyRequest{Stack: "s", Changes: []plan.Change{tt.change}})
			if len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), tt.wantErr) {
				t.Fatalf("results %+v, want an error containing %q", res, tt.wantErr)
			}
			if strings.HasPrefix(res[0].Err.Error(), tt.change.Addr+":") {
				t.Errorf("error %q names the address: apply adds it (apply.ResourceError)", res[0].Err)
			}
			if api.calls["ChangeResourceRecordSets"] != 0 {
				t.Errorf("a change batch was sent")
			}
		})
	}
}
