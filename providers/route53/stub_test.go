package route53

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// stubAPI answers like Route 53 from fixed data, for what the double cannot
// show: zone listings that span names, PENDING changes, rejected batches.
type stubAPI struct {
	mu          sync.Mutex
	zones       []types.HostedZone
	exactOnly   bool // answer ListHostedZonesByName with exact matches only, as moto does
	sets        []types.ResourceRecordSet
	changeErr   error
	statuses    []types.ChangeStatus // answers of successive GetChange calls
	batches     [][]types.Change     // change batches received
	calls       map[string]int
	onGetChange func()
}

func (s *stubAPI) count(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[op]++
}

func hz(id, name string, private bool) types.HostedZone {
	return types.HostedZone{Id: aws.String("/hostedzone/" + id), Name: aws.String(name), Config: &types.HostedZoneConfig{PrivateZone: private}}
}

func (s *stubAPI) ListHostedZonesByName(_ context.Context, in *route53.ListHostedZonesByNameInput, _ ...func(*route53.Options)) (*route53.ListHostedZonesByNameOutput, error) {
	s.count("ListHostedZonesByName")
	zs := append([]types.HostedZone(nil), s.zones...)
	sort.SliceStable(zs, func(i, j int) bool { return zoneOrderKey(*zs[i].Name) < zoneOrderKey(*zs[j].Name) })
	start := zoneOrderKey(specs.Fqdn(aws.ToString(in.DNSName)))
	out := &route53.ListHostedZonesByNameOutput{}
	for _, z := range zs {
		k := zoneOrderKey(*z.Name)
		if k < start || (s.exactOnly && k != start) {
			continue
		}
		if len(out.HostedZones) == int(aws.ToInt32(in.MaxItems)) {
			out.IsTruncated = true
			out.NextDNSName = z.Name
			break
		}
		out.HostedZones = append(out.HostedZones, z)
	}
	return out, nil
}

func (s *stubAPI) GetHostedZone(_ context.Context, in *route53.GetHostedZoneInput, _ ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error) {
	s.count("GetHostedZone")
	for _, z := range s.zones {
		if bareZoneID(*z.Id) == bareZoneID(aws.ToString(in.Id)) {
			return &route53.GetHostedZoneOutput{HostedZone: &z}, nil
		}
	}
	return nil, &types.NoSuchHostedZone{Message: aws.String("no such zone")}
}

func (s *stubAPI) ListResourceRecordSets(_ context.Context, in *route53.ListResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error) {
	s.count("ListResourceRecordSets")
	return &route53.ListResourceRecordSetsOutput{ResourceRecordSets: s.sets}, nil
}

func (s *stubAPI) ChangeResourceRecordSets(_ context.Context, in *route53.ChangeResourceRecordSetsInput, _ ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	s.count("ChangeResourceRecordSets")
	s.mu.Lock()
	s.batches = append(s.batches, in.ChangeBatch.Changes)
	s.mu.Unlock()
	if s.changeErr != nil {
		return nil, s.changeErr
	}
	return &route53.ChangeResourceRecordSetsOutput{ChangeInfo: &types.ChangeInfo{Id: aws.String("/change/C0STUB"), Status: types.ChangeStatusPending}}, nil
}

func (s *stubAPI) GetChange(_ context.Context, in *route53.GetChangeInput, _ ...func(*route53.Options)) (*route53.GetChangeOutput, error) {
	s.count("GetChange")
	if s.onGetChange != nil {
		s.onGetChange()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := types.ChangeStatusPending
	if len(s.statuses) > 0 {
		st, s.statuses = s.statuses[0], s.statuses[1:]
	}
	return &route53.GetChangeOutput{ChangeInfo: &types.ChangeInfo{Id: in.Id, Status: st}}, nil
}

func TestResolveZones(t *testing.T) {
	account := []types.HostedZone{
		hz("ZA", "a.example.", false),
		hz("ZBPRIV", "b.example.", true),
		hz("ZB", "b.example.", false),
		hz("ZC", "c.example.", false),
		hz("ZP", "private.example.", true),
		hz("ZD1", "dup.example.", false),
		hz("ZD2", "dup.example.", false),
		hz("ZN", "net.other.", false),
	}
	tests := []struct {
		name      string
		exactOnly bool
		refs      []ZoneRef
		want      map[string]string // name -> ID
		calls     map[string]int
		wantErr   string
	}{
		{
			name:  "one page resolves the zones it holds",
			refs:  []ZoneRef{{Name: "c.example"}, {Name: "a.example"}, {Name: "B.example."}},
			want:  map[string]string{"a.example.": "ZA", "b.example.": "ZB", "c.example.": "ZC"},
			calls: map[string]int{"ListHostedZonesByName": 1},
		},
		{
			name:      "a server that answers exact names only costs a call per name",
			exactOnly: true,
			refs:      []ZoneRef{{Name: "c.example"}, {Name: "a.example"}, {Name: "b.example"}},
			want:      map[string]string{"a.example.": "ZA", "b.example.": "ZB", "c.example.": "ZC"},
			calls:     map[string]int{"ListHostedZonesByName": 3},
		},
		{
			name:  "pinned",
			refs:  []ZoneRef{{Name: "dup.example", ID: "/hostedzone/ZD2"}, {Name: "a.example"}},
			want:  map[string]string{"dup.example.": "ZD2", "a.example.": "ZA"},
			calls: map[string]int{"GetHostedZone": 1, "ListHostedZonesByName": 1},
		},
		{name: "two public zones with one name", refs: []ZoneRef{{Name: "dup.example"}}, wantErr: "2 public hosted zones with this name (ZD1, ZD2): set zone_id"},
		{name: "private only", refs: []ZoneRef{{Name: "private.example"}}, wantErr: "only a private hosted zone"},
		{name: "pinned private", refs: []ZoneRef{{ID: "ZP"}}, wantErr: "is a private hosted zone"},
		{name: "missing", refs: []ZoneRef{{Name: "a.example"}, {Name: "nope.example"}}, wantErr: "zone nope.example.: no public hosted zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &stubAPI{zones: account, exactOnly: tt.exactOnly}
			p := NewWithAPI(api, Options{})
			got, err := p.resolveZones(t.Context(), tt.refs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]string{}
			for _, z := range got {
				names[z.Name] = z.ID
			}
			if fmt.Sprint(names) != fmt.Sprint(tt.want) {
				t.Errorf("zones %v, want %v", names, tt.want)
			}
			if fmt.Sprint(api.calls) != fmt.Sprint(tt.calls) {
				t.Errorf("calls %v, want %v", api.calls, tt.calls)
			}
			// Resolved zones are remembered.
			api.calls = nil
			if _, err := p.resolveZones(t.Context(), tt.refs); err != nil || len(api.calls) != 0 {
				t.Errorf("second resolution: %v, calls %v", err, api.calls)
			}
		})
	}
}

// ownedZone is a stub zone holding two record sets of stack "s".
func ownedZone() *stubAPI {
	mx := Marker{Stack: "s", Type: "MX", Addr: "record.acme.example.MX"}
	dmarc := Marker{Stack: "s", Type: "TXT", Addr: "domain.acme.example/dmarc"}
	return &stubAPI{
		zones: []types.HostedZone{hz("Z1", "acme.example.", false)},
		sets: []types.ResourceRecordSet{
			rrs("acme.example.", "MX", 300, "10 mta1.acme.example."),
			rrs("_mailform.acme.example.", "TXT", 300, mx.Format()),
			rrs("_dmarc.acme.example.", "TXT", 300, `"v=DMARC1; p=none"`),
			rrs("_mailform._dmarc.acme.example.", "TXT", 300, dmarc.Format()),
		},
	}
}

func updates(t *testing.T, p *Provider) []plan.Change {
	t.Helper()
	want := []specs.Resource{
		desired("record.acme.example.MX", "acme.example.", "acme.example.", "MX", 300, "20 mta2.acme.example."),
		desired("domain.acme.example/dmarc", "acme.example.", "_dmarc.acme.example.", "TXT", 300, `"v=DMARC1; p=reject"`),
	}
	got, err := p.Read(t.Context(), "s", want)
	if err != nil {
		t.Fatal(err)
	}
	changes := diff(t, "s", want, got)
	if len(changes) != 2 {
		t.Fatalf("%d changes, want 2", len(changes))
	}
	return changes
}

func TestRejectedBatchNamesTheChange(t *testing.T) {
	api := ownedZone()
	api.changeErr = &types.InvalidChangeBatch{Messages: []string{
		"Tried to delete resource record set [name='acme.example.', type='MX'] but the values provided do not match the current values",
	}}
	p := NewWithAPI(api, Options{PollInterval: -1})
	changes := updates(t, p)
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: "s", Changes: changes})
	errs := map[string]error{}
	for _, r := range res {
		errs[r.Addr] = r.Err
		if r.Observed != nil {
			t.Errorf("%s: observed state after a failed change", r.Addr)
		}
	}
	if err := errs["record.acme.example.MX"]; err == nil || !strings.Contains(err.Error(), "do not match the current values") {
		t.Errorf("MX: %v, want Route 53's message about it", err)
	}
	var icb *types.InvalidChangeBatch
	if !errors.As(errs["record.acme.example.MX"], &icb) {
		t.Errorf("MX: the AWS error is not wrapped")
	}
	if err := errs["domain.acme.example/dmarc"]; err == nil || !strings.Contains(err.Error(), "not applied") || !strings.Contains(err.Error(), "record.acme.example.MX") {
		t.Errorf("dmarc: %v, want one saying it was not applied because of the MX change", err)
	}
	if api.calls["ChangeResourceRecordSets"] != 1 {
		t.Errorf("%d batches, want 1", api.calls["ChangeResourceRecordSets"])
	}
	// What mailform knew of the zone is forgotten: the next apply lists it again.
	before := api.calls["ListResourceRecordSets"]
	p.Apply(t.Context(), providers.ApplyRequest{Stack: "s", Changes: changes})
	if api.calls["ListResourceRecordSets"] != before+1 {
		t.Errorf("the zone was not listed again after a rejected batch")
	}
}

func TestUnnamedRejectionFailsEveryChange(t *testing.T) {
	api := ownedZone()
	api.changeErr = &types.InvalidInput{Message: aws.String("something is wrong")}
	p := NewWithAPI(api, Options{PollInterval: -1})
	for _, r := range p.Apply(t.Context(), providers.ApplyRequest{Stack: "s", Changes: updates(t, p)}) {
		if r.Err == nil || !strings.Contains(r.Err.Error(), "something is wrong") || strings.HasPrefix(r.Err.Error(), r.Addr) {
			t.Errorf("%s: %v, want Route 53's message, without the address (apply adds it)", r.Addr, r.Err)
		}
	}
}

// TestWaitsForInsync runs in a bubble, so that the default pause between two
// GetChange calls passes at once, and exactly.
func TestWaitsForInsync(t *testing.T) { synctest.Test(t, waitsForInsync) }

func waitsForInsync(t *testing.T) {
	api := ownedZone()
	api.statuses = []types.ChangeStatus{types.ChangeStatusPending, types.ChangeStatusPending, types.ChangeStatusInsync}
	p := NewWithAPI(api, Options{})
	var progress []string
	start := time.Now()
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: "s", Changes: updates(t, p), Progress: func(addr, msg string) {
		progress = append(progress, addr+": "+msg)
	}})
	for _, r := range res {
		if r.Err != nil || r.Observed == nil {
			t.Errorf("%s: %v, observed %v", r.Addr, r.Err, r.Observed)
		}
	}
	if api.calls["GetChange"] != 3 {
		t.Errorf("%d GetChange calls, want 3 (PENDING, PENDING, INSYNC)", api.calls["GetChange"])
	}
	if took := time.Since(start); took != 2*DefaultPollInterval {
		t.Errorf("the wait took %s, want two pauses of %s", took, DefaultPollInterval)
	}
	want := []string{
		"domain.acme.example/dmarc: waiting for Route 53 change /change/C0STUB to be INSYNC",
		"record.acme.example.MX: waiting for Route 53 change /change/C0STUB to be INSYNC",
	}
	sort.Strings(progress)
	if fmt.Sprint(progress) != fmt.Sprint(want) {
		t.Errorf("progress %q, want %q", progress, want)
	}
}

// TestWaitHonoursContext runs in a bubble: should Apply keep waiting out its
// hour-long poll, the minute below passes at once and the test fails at once.
func TestWaitHonoursContext(t *testing.T) { synctest.Test(t, waitHonoursContext) }

func waitHonoursContext(t *testing.T) {
	api := ownedZone()
	p := NewWithAPI(api, Options{PollInterval: time.Hour})
	changes := updates(t, p)
	ctx, cancel := context.WithCancel(t.Context())
	api.onGetChange = cancel // the change stays PENDING; the user interrupts
	done := make(chan []providers.Result)
	go func() { done <- p.Apply(ctx, providers.ApplyRequest{Stack: "s", Changes: changes}) }()
	select {
	case res := <-done:
		for _, r := range res {
			if !errors.Is(r.Err, context.Canceled) || !strings.Contains(r.Err.Error(), "accepted change") {
				t.Errorf("%s: %v, want a cancelled wait for an accepted change", r.Addr, r.Err)
			}
		}
	case <-time.After(time.Minute):
		t.Fatal("Apply did not return when its context was cancelled")
	}
}

func TestWildcardAsRoute53ReturnsIt(t *testing.T) {
	m := Marker{Stack: "s", Type: "MX", Addr: "record.*.acme.example.MX"}
	api := &stubAPI{
		zones: []types.HostedZone{hz("Z1", "acme.example.", false)},
		sets: []types.ResourceRecordSet{
			rrs(`\052.acme.example.`, "MX", 300, "10 mta1.acme.example."),
			rrs(`_mailform.\052.acme.example.`, "TXT", 300, m.Format()),
		},
		statuses: []types.ChangeStatus{types.ChangeStatusInsync},
	}
	p := NewWithAPI(api, Options{PollInterval: -1})
	want := []specs.Resource{desired(m.Addr, "acme.example.", "*.acme.example.", "MX", 300, "20 mta1.acme.example.")}
	got, err := p.Read(t.Context(), "s", want)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Attrs["name"] != "*.acme.example." || got[0].ID != "Z1/*.acme.example./MX" || !got[0].Owned("s") {
		t.Fatalf("Read = %+v", got)
	}
	for _, r := range p.Apply(t.Context(), providers.ApplyRequest{Stack: "s", Changes: diff(t, "s", want, got)}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	// The exact DELETE names the set as Route 53 listed it.
	var sent []string
	for _, c := range api.batches[0] {
		sent = append(sent, string(c.Action)+" "+aws.ToString(c.ResourceRecordSet.Name))
	}
	if want := []string{`DELETE \052.acme.example.`, "CREATE *.acme.example."}; fmt.Sprint(sent) != fmt.Sprint(want) {
		t.Errorf("batch %q, want %q", sent, want)
	}
}

// Every zone's batch goes out before any wait for INSYNC: zones propagate
// together instead of one after the other.
func TestZonesAreSentBeforeAnyWait(t *testing.T) {
	api := &stubAPI{
		zones:    []types.HostedZone{hz("Z1", "a.example.", false), hz("Z2", "b.example.", false), hz("Z3", "c.example.", false)},
		statuses: []types.ChangeStatus{types.ChangeStatusInsync, types.ChangeStatusInsync, types.ChangeStatusInsync},
	}
	sentAtFirstWait := -1
	api.onGetChange = func() {
		api.mu.Lock()
		defer api.mu.Unlock()
		if sentAtFirstWait < 0 {
			sentAtFirstWait = len(api.batches)
		}
	}
	p := NewWithAPI(api, Options{PollInterval: -1})
	var want []specs.Resource
	for _, zone := range []string{"a.example.", "b.example.", "c.example."} {
		want = append(want, desired("record."+zone+"TXT", zone, "_dmarc."+zone, "TXT", 300, `"v=DMARC1; p=reject"`))
	}
	got, err := p.Read(t.Context(), "s", want)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Apply(t.Context(), providers.ApplyRequest{Stack: "s", Changes: diff(t, "s", want, got)}) {
		if r.Err != nil {
			t.Error(r.Err)
		}
	}
	if sentAtFirstWait != 3 {
		t.Errorf("%d change batches sent when the first wait for INSYNC began, want all 3", sentAtFirstWait)
	}
	if n := api.calls["GetChange"]; n != 3 {
		t.Errorf("%d GetChange calls, want 3 (one per batch)", n)
	}
}
