package route53

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// fixture is one hosted zone in the local AWS double.
type fixture struct {
	t      *testing.T
	s      *awstest.Server
	client *route53.Client
	zone   string // name, fully qualified
	zoneID string // bare
}

func newFixture(t *testing.T, zoneName string) *fixture {
	t.Helper()
	s := awstest.Shared(t)
	client := route53.NewFromConfig(s.Config("us-east-1"))
	f := &fixture{t: t, s: s, client: client}
	f.zone, f.zoneID = f.createZone(zoneName)
	return f
}

func (f *fixture) createZone(name string) (string, string) {
	f.t.Helper()
	out, err := f.client.CreateHostedZone(f.t.Context(), &route53.CreateHostedZoneInput{
		Name:            aws.String(name),
		CallerReference: aws.String(f.t.Name() + name),
	})
	if err != nil {
		f.t.Fatalf("creating zone %s: %v", name, err)
	}
	return specs.Fqdn(name), bareZoneID(aws.ToString(out.HostedZone.Id))
}

func rrs(name, rtype string, ttl int64, values ...string) types.ResourceRecordSet {
	recs := make([]types.ResourceRecord, len(values))
	for i, v := range values {
		recs[i] = types.ResourceRecord{Value: aws.String(v)}
	}
	return types.ResourceRecordSet{Name: aws.String(name), Type: types.RRType(rtype), TTL: aws.Int64(ttl), ResourceRecords: recs}
}

// seed creates record sets directly with the SDK, as another tool would.
func (f *fixture) seed(sets ...types.ResourceRecordSet) {
	f.t.Helper()
	f.change(types.ChangeActionCreate, sets...)
}

func (f *fixture) change(action types.ChangeAction, sets ...types.ResourceRecordSet) {
	f.t.Helper()
	var changes []types.Change
	for i := range sets {
		changes = append(changes, types.Change{Action: action, ResourceRecordSet: &sets[i]})
	}
	if _, err := f.client.ChangeResourceRecordSets(f.t.Context(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(f.zoneID),
		ChangeBatch:  &types.ChangeBatch{Changes: changes},
	}); err != nil {
		f.t.Fatalf("%s record sets: %v", action, err)
	}
}

// sets reads every record set of the zone back with the SDK, not with the
// provider: key "name TYPE" with names as Route 53 returns them.
func (f *fixture) sets() map[string]types.ResourceRecordSet {
	f.t.Helper()
	out := map[string]types.ResourceRecordSet{}
	pages := route53.NewListResourceRecordSetsPaginator(f.client, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(f.zoneID)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(f.t.Context())
		if err != nil {
			f.t.Fatalf("listing record sets: %v", err)
		}
		for _, s := range page.ResourceRecordSets {
			k := aws.ToString(s.Name) + " " + string(s.Type)
			if _, dup := out[k]; dup {
				f.t.Errorf("two record sets %s", k)
			}
			out[k] = s
		}
	}
	return out
}

func valuesOf(s types.ResourceRecordSet) []string {
	var out []string
	for _, r := range s.ResourceRecords {
		out = append(out, aws.ToString(r.Value))
	}
	sort.Strings(out)
	return out
}

func (f *fixture) provider() *Provider {
	return NewWithAPI(f.client, Options{PollInterval: -1})
}

// counting runs fn and returns the Route 53 calls it made, by operation.
func (f *fixture) counting(fn func()) map[string]int {
	before := f.s.Counts()["route53"]
	fn()
	after := f.s.Counts()["route53"]
	out := map[string]int{}
	for op, n := range after {
		if d := n - before[op]; d != 0 {
			out[op] = d
		}
	}
	return out
}

// desired builds a route53.record resource the way the spec expansion does.
func desired(addr, zone, name, rtype string, ttl int64, values ...string) specs.Resource {
	vs := append([]string(nil), values...)
	sort.Strings(vs)
	return specs.Resource{Addr: addr, Kind: specs.KindRoute53Record, Attrs: map[string]any{
		"zone": zone, "name": name, "type": rtype, "ttl": ttl, "values": anyList(vs), "shared": false,
	}}
}

func sharedDesired(addr, zone, name, rtype string, ttl int64, value string) specs.Resource {
	r := desired(addr, zone, name, rtype, ttl, value)
	r.Attrs["shared"] = true
	return r
}

// diff is a minimal stand-in for the plan engine, enough to drive the
// provider the way apply does: create, update and delete by address over
// the desired attributes, refusing what the stack does not own.
func diff(t *testing.T, stack string, want []specs.Resource, got []plan.Observed) []plan.Change {
	t.Helper()
	byAddr := map[string]plan.Observed{}
	for _, o := range got {
		if _, dup := byAddr[o.Addr]; dup {
			t.Fatalf("Read returned %s twice", o.Addr)
		}
		byAddr[o.Addr] = o
	}
	var out []plan.Change
	seen := map[string]bool{}
	for _, d := range want {
		seen[d.Addr] = true
		o, ok := byAddr[d.Addr]
		if !ok {
			out = append(out, plan.Change{Addr: d.Addr, Kind: d.Kind, Action: plan.Create, After: d.Attrs})
			continue
		}
		if shared, _ := d.Attrs["shared"].(bool); shared && !o.Owned(stack) {
			// A shared set with values of others only: mailform adds its own.
			out = append(out, plan.Change{Addr: d.Addr, Kind: d.Kind, Action: plan.Create, After: d.Attrs})
			continue
		}
		if !o.Owned(stack) {
			t.Fatalf("%s exists and is owned by %q, not %q", d.Addr, o.Owner, stack)
		}
		for k, v := range d.Attrs {
			if !reflect.DeepEqual(v, o.Attrs[k]) {
				out = append(out, plan.Change{Addr: d.Addr, Kind: d.Kind, Action: plan.Update, ID: o.ID, Before: o.Attrs, After: d.Attrs})
				break
			}
		}
	}
	for _, o := range got {
		if !seen[o.Addr] && o.Owned(stack) {
			out = append(out, plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	return out
}

// apply runs the changes and fails the test on any error.
func apply(t *testing.T, p *Provider, stack string, changes []plan.Change) []providers.Result {
	t.Helper()
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Region: "us-east-1", Changes: changes})
	if len(res) != len(changes) {
		t.Fatalf("%d results for %d changes", len(res), len(changes))
	}
	for _, r := range res {
		if r.Err != nil {
			t.Errorf("apply %s: %v", r.Addr, r.Err)
		}
	}
	return res
}

// converge reads, applies the difference, and checks that a fresh read then
// shows nothing left to do.
func converge(t *testing.T, p *Provider, stack string, want []specs.Resource) []plan.Change {
	t.Helper()
	got, err := p.Read(t.Context(), stack, want)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	changes := diff(t, stack, want, got)
	res := apply(t, p, stack, changes)
	for i, r := range res {
		if changes[i].Action != plan.Delete && r.Observed == nil && r.Err == nil {
			t.Errorf("%s: no observed state after %s", r.Addr, changes[i].Action)
		}
	}
	again, err := p.Read(t.Context(), stack, want)
	if err != nil {
		t.Fatalf("Read after apply: %v", err)
	}
	if left := diff(t, stack, want, again); len(left) > 0 {
		t.Errorf("expected 0 changes on the second run, got %d: %s", len(left), describeChanges(left))
	}
	return changes
}

func describeChanges(cs []plan.Change) string {
	s := ""
	for _, c := range cs {
		s += fmt.Sprintf("\n  %s %s before=%v after=%v", c.Action, c.Addr, c.Before, c.After)
	}
	return s
}

// recordingAPI records the change batches sent through it.
type recordingAPI struct {
	API
	mu      sync.Mutex
	batches [][]types.Change
}

func (r *recordingAPI) ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	r.mu.Lock()
	r.batches = append(r.batches, in.ChangeBatch.Changes)
	r.mu.Unlock()
	return r.API.ChangeResourceRecordSets(ctx, in, optFns...)
}
