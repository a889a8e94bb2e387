package route53

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

const (
	siteVerification = `"google-site-verification=rXOxyZounnZasA8Z7oaD3c14JdjS9aKSWvsR1EbUSIQ"`
	msVerification   = `"MS=ms58265932"`
)

// seedUnrelated fills the zone with 30 record sets mailform has nothing to do
// with, and an apex TXT set holding two site-verification values.
func seedUnrelated(f *fixture) {
	var sets []types.ResourceRecordSet
	for i := 0; i < 10; i++ {
		sets = append(sets, rrs(fmt.Sprintf("host%02d.%s", i, f.zone), "A", 300, fmt.Sprintf("198.51.100.%d", i+1)))
		sets = append(sets, rrs(fmt.Sprintf("alias%02d.%s", i, f.zone), "CNAME", 3600, fmt.Sprintf("host%02d.%s", i, f.zone)))
	}
	for i := 0; i < 5; i++ {
		sets = append(sets, rrs(fmt.Sprintf("txt%02d.%s", i, f.zone), "TXT", 600, fmt.Sprintf(`"unrelated %d"`, i), `"second value"`))
		sets = append(sets, rrs(fmt.Sprintf("mx%02d.%s", i, f.zone), "MX", 600, fmt.Sprintf("10 host%02d.%s", i, f.zone)))
	}
	sets = append(sets, rrs(f.zone, "TXT", 300, siteVerification, msVerification))
	f.seed(sets...)
}

// checkUnrelated fails unless every record set that is neither mailform's
// nor the apex TXT set is exactly as in before, and the apex TXT set still
// holds both site-verification values.
func checkUnrelated(t *testing.T, f *fixture, before map[string]types.ResourceRecordSet, ours func(key string) bool) {
	t.Helper()
	after := f.sets()
	n := 0
	for k, b := range before {
		if ours(k) || k == f.zone+" TXT" {
			continue
		}
		n++
		if a, ok := after[k]; !ok {
			t.Errorf("unrelated record set %s was deleted", k)
		} else if !reflect.DeepEqual(a, b) {
			t.Errorf("unrelated record set %s changed:\n  before %s\n  after  %s", k, valuesOf(b), valuesOf(a))
		}
	}
	if n < 30 {
		t.Errorf("checked only %d unrelated sets", n)
	}
	apex := valuesOf(after[f.zone+" TXT"])
	for _, v := range []string{siteVerification, msVerification} {
		found := false
		for _, a := range apex {
			found = found || a == v
		}
		if !found {
			t.Errorf("apex TXT lost %s: now %v", v, apex)
		}
	}
}

func TestLifecycleKeepsUnrelatedRecords(t *testing.T) {
	f := newFixture(t, "acme.example")
	seedUnrelated(f)
	initial := f.sets()
	const stack = "acme-prod"
	z := f.zone
	longKey := "v=DKIM1; k=rsa; p=" + strings.Repeat("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A", 12)
	spf1 := `"v=spf1 include:amazonses.com ~all"`
	spf2 := `"v=spf1 include:amazonses.com ip4:192.0.2.10 ~all"`
	steps := []struct {
		name string
		want []specs.Resource
		// what AWS must hold afterwards, read back with the SDK
		sets map[string][]string
		apex []string
	}{
		{
			name: "create",
			want: []specs.Resource{
				desired("record.acme.example.MX", z, z, "MX", 3600, "10 mta1.acme.example."),
				desired("domain.acme.example/dmarc", z, "_dmarc."+z, "TXT", 300, `"v=DMARC1; p=quarantine"`),
				desired("domain.acme.example/dkim[0]", z, "tok1._domainkey."+z, "CNAME", 1800, "tok1.dkim.amazonses.com."),
				sharedDesired("domain.acme.example/spf", z, z, "TXT", 300, spf1),
				desired("mta.mta1/a", z, "mta1."+z, "A", 300, "192.0.2.10"),
				desired("dkim_key.mta1/txt", z, "mta1._domainkey."+z, "TXT", 300, specs.QuoteTXT(longKey)),
				desired("record.*.acme.example.MX", z, "*."+z, "MX", 300, "10 mta1.acme.example."),
			},
			sets: map[string][]string{
				z + " MX":                         {"10 mta1.acme.example."},
				"_dmarc." + z + " TXT":            {`"v=DMARC1; p=quarantine"`},
				"tok1._domainkey." + z + " CNAME": {"tok1.dkim.amazonses.com."},
				"mta1." + z + " A":                {"192.0.2.10"},
				"mta1._domainkey." + z + " TXT":   {specs.QuoteTXT(longKey)},
			},
			apex: []string{msVerification, siteVerification, spf1},
		},
		{
			name: "update",
			want: []specs.Resource{
				desired("record.acme.example.MX", z, z, "MX", 1800, "10 mta1.acme.example."),
				desired("domain.acme.example/dmarc", z, "_dmarc."+z, "TXT", 300, `"v=DMARC1; p=reject"`),
				desired("domain.acme.example/dkim[0]", z, "tok1._domainkey."+z, "CNAME", 1800, "tok1.dkim.amazonses.com."),
				sharedDesired("domain.acme.example/spf", z, z, "TXT", 300, spf2),
				desired("mta.mta1/a", z, "mta1."+z, "A", 300, "192.0.2.11"),
				desired("dkim_key.mta1/txt", z, "mta1._domainkey."+z, "TXT", 300, specs.QuoteTXT(longKey)),
				desired("record.*.acme.example.MX", z, "*."+z, "MX", 300, "20 mta1.acme.example."),
			},
			sets: map[string][]string{
				z + " MX":                         {"10 mta1.acme.example."},
				"_dmarc." + z + " TXT":            {`"v=DMARC1; p=reject"`},
				"tok1._domainkey." + z + " CNAME": {"tok1.dkim.amazonses.com."},
				"mta1." + z + " A":                {"192.0.2.11"},
			},
			apex: []string{msVerification, siteVerification, spf2},
		},
		{
			name: "delete",
			want: nil,
			sets: map[string][]string{},
			apex: []string{msVerification, siteVerification},
		},
	}
	ours := func(k string) bool {
		name := strings.Fields(k)[0]
		for _, n := range []string{z, "_dmarc." + z, "tok1._domainkey." + z, "mta1." + z, "mta1._domainkey." + z, "*." + z, `\052.` + z} {
			if name == n || name == MarkerName(n) {
				return true
			}
		}
		return strings.HasPrefix(name, markerLabel)
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			p := NewWithAPI(f.client, Options{PollInterval: -1, Zones: []ZoneRef{{Name: z}}})
			var changes []plan.Change
			sets := len(f.sets())
			calls := f.counting(func() { changes = converge(t, p, stack, step.want) })
			t.Logf("zone of %d sets, %d changes: calls %v", sets, len(changes), calls)
			if len(changes) == 0 {
				t.Fatal("no changes to apply")
			}
			// One zone lookup, two reads (one listing each) and one batch;
			// the apply works from what the first read saw.
			wantCalls := map[string]int{"ListHostedZonesByName": 1, "ListResourceRecordSets": 2, "ChangeResourceRecordSets": 1}
			delete(calls, "GetChange") // 0 while the double answers INSYNC at once
			if !reflect.DeepEqual(calls, wantCalls) {
				t.Errorf("calls %v, want %v", calls, wantCalls)
			}
			got := f.sets()
			for k, want := range step.sets {
				if v := valuesOf(got[k]); !reflect.DeepEqual(v, want) {
					t.Errorf("%s holds %q, want %q", k, v, want)
				}
			}
			if v := valuesOf(got[z+" TXT"]); !reflect.DeepEqual(v, step.apex) {
				t.Errorf("apex TXT holds %q, want %q", v, step.apex)
			}
			checkUnrelated(t, f, initial, ours)
			markers := 0
			for k := range got {
				if strings.HasPrefix(k, markerLabel) {
					markers++
				}
			}
			if step.name == "delete" && markers != 0 {
				t.Errorf("%d marker sets left after deleting everything", markers)
			}
			if step.name == "create" && markers != 6 {
				t.Errorf("%d marker sets, want 6 (one per owned name)", markers)
			}
		})
		if t.Failed() {
			return
		}
	}
}

// The delete step above reads with no desired records; a real run declares
// its zones, which is how Read finds what to delete.
func TestDeleteFindsRecordsThroughDeclaredZones(t *testing.T) {
	f := newFixture(t, "acme.example")
	const stack = "acme-prod"
	want := []specs.Resource{desired("domain.acme.example/dmarc", f.zone, "_dmarc."+f.zone, "TXT", 300, `"v=DMARC1; p=none"`)}
	converge(t, f.provider(), stack, want)
	withoutZones := f.provider()
	got, err := withoutZones.Read(t.Context(), stack, nil)
	if err != nil || len(got) != 0 {
		t.Errorf("Read without zones = %v, %v; want nothing", got, err)
	}
	p := NewWithAPI(f.client, Options{PollInterval: -1, Zones: []ZoneRef{{Name: "acme.example"}}})
	converge(t, p, stack, nil)
	if s, ok := f.sets()["_dmarc."+f.zone+" TXT"]; ok {
		t.Errorf("_dmarc still there: %v", valuesOf(s))
	}
}

func TestOwnership(t *testing.T) {
	f := newFixture(t, "acme.example")
	z := f.zone
	other := Marker{Stack: "other-stack", Type: "TXT", Addr: "domain.acme.example/dmarc"}
	otherWWW := Marker{Stack: "other-stack", Type: "A", Addr: "record.www.acme.example.A"}
	f.seed(
		rrs(z, "MX", 300, "10 mail.elsewhere.example."), // nobody's
		rrs("_dmarc."+z, "TXT", 300, `"v=DMARC1; p=none"`),
		rrs(MarkerName("_dmarc."+z), "TXT", 300, other.Format()),
		rrs("www."+z, "A", 300, "198.51.100.80"),
		rrs(MarkerName("www."+z), "TXT", 300, otherWWW.Format()),
	)
	before := f.sets()
	const stack = "acme-prod"
	want := []specs.Resource{
		desired("record.acme.example.MX", z, z, "MX", 300, "10 mta1.acme.example."),
		desired("domain.acme.example/dmarc", z, "_dmarc."+z, "TXT", 300, `"v=DMARC1; p=reject"`),
	}
	p := f.provider()
	got, err := p.Read(t.Context(), stack, want)
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]string{}
	for _, o := range got {
		owners[o.Addr] = o.Owner
	}
	wantOwners := map[string]string{"record.acme.example.MX": "", "domain.acme.example/dmarc": "other-stack"}
	if !reflect.DeepEqual(owners, wantOwners) {
		t.Errorf("owners %v, want %v (another stack's www must not be returned)", owners, wantOwners)
	}

	// Whatever a plan says, the provider never changes a set it does not own.
	var forced []plan.Change
	for _, o := range got {
		forced = append(forced,
			plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Update, ID: o.ID, Before: o.Attrs, After: want[0].Attrs},
			plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs},
		)
	}
	forced = append(forced, plan.Change{Addr: want[0].Addr, Kind: want[0].Kind, Action: plan.Create, After: want[0].Attrs})
	forced = append(forced, plan.Change{Addr: want[1].Addr, Kind: want[1].Kind, Action: plan.Create, After: want[1].Attrs})
	var res []providers.Result
	calls := f.counting(func() {
		res = p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Changes: forced})
	})
	for _, r := range res {
		if r.Err == nil {
			t.Errorf("%s: a forced change of a set the stack does not own succeeded", r.Addr)
		} else if !strings.Contains(r.Err.Error(), "not owned") && !strings.Contains(r.Err.Error(), "no ownership marker") {
			t.Errorf("%s: error %q does not say the set is not owned", r.Addr, r.Err)
		}
	}
	if calls["ChangeResourceRecordSets"] != 0 {
		t.Errorf("%d change batches sent for changes that must all be refused", calls["ChangeResourceRecordSets"])
	}
	if after := f.sets(); !reflect.DeepEqual(after, before) {
		t.Errorf("the zone changed")
	}
}

func TestSharedSetBetweenStacks(t *testing.T) {
	f := newFixture(t, "acme.example")
	seedUnrelated(f)
	initial := f.sets()
	z := f.zone
	spf := `"v=spf1 include:amazonses.com ~all"`
	bValue := `"b-stack-verification=42"`
	a := []specs.Resource{sharedDesired("domain.acme.example/spf", z, z, "TXT", 300, spf)}
	b := []specs.Resource{sharedDesired("record.acme.example.TXT", z, z, "TXT", 300, bValue)}
	converge(t, f.provider(), "stack-a", a)
	converge(t, f.provider(), "stack-b", b)
	if got, want := valuesOf(f.sets()[z+" TXT"]), []string{msVerification, siteVerification, bValue, spf}; !reflect.DeepEqual(got, want) {
		sort.Strings(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("apex TXT %q, want %q", got, want)
		}
	}
	// Stack b may not add a second SPF value.
	p := f.provider()
	bSPF := []specs.Resource{sharedDesired("domain.acme.example/spf", z, z, "TXT", 300, `"v=spf1 include:_spf.example.net ~all"`)}
	got, err := p.Read(t.Context(), "stack-b", bSPF)
	if err != nil {
		t.Fatal(err)
	}
	changes := diff(t, "stack-b", append(bSPF, b...), got)
	res := p.Apply(t.Context(), providers.ApplyRequest{Stack: "stack-b", Changes: changes})
	for _, r := range res {
		if r.Addr == "domain.acme.example/spf" && (r.Err == nil || !strings.Contains(r.Err.Error(), "only one SPF record")) {
			t.Errorf("second SPF value: error %v, want one saying a name has only one SPF record", r.Err)
		}
	}
	// Stack a removes its value; b's value and marker stay.
	converge(t, f.provider(), "stack-a", nil)
	pa := NewWithAPI(f.client, Options{PollInterval: -1, Zones: []ZoneRef{{Name: z}}})
	converge(t, pa, "stack-a", nil)
	sets := f.sets()
	want := []string{msVerification, siteVerification, bValue}
	sort.Strings(want)
	if got := valuesOf(sets[z+" TXT"]); !reflect.DeepEqual(got, want) {
		t.Errorf("apex TXT %q, want %q", got, want)
	}
	marks := valuesOf(sets[MarkerName(z)+" TXT"])
	if len(marks) != 1 || !strings.Contains(marks[0], "stack=stack-b") {
		t.Errorf("apex markers %q, want only stack-b's", marks)
	}
	checkUnrelated(t, f, initial, func(k string) bool { return strings.HasPrefix(k, markerLabel) })
	// And b still has nothing to do.
	converge(t, f.provider(), "stack-b", b)
}

func TestManyRecords(t *testing.T) {
	f := newFixture(t, "bulk.example")
	const n = 1200
	const stack = "bulk"
	var want []specs.Resource
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("h%04d.%s", i, f.zone)
		want = append(want, desired("record."+name+"A", f.zone, name, "A", 300, "192.0.2.1"))
	}
	rec := &recordingAPI{API: f.client}
	p := NewWithAPI(rec, Options{PollInterval: -1})
	var changes []plan.Change
	calls := f.counting(func() {
		got, err := p.Read(t.Context(), stack, want)
		if err != nil {
			t.Fatal(err)
		}
		changes = diff(t, stack, want, got)
		apply(t, p, stack, changes)
	})
	if len(changes) != n {
		t.Fatalf("%d changes, want %d", len(changes), n)
	}
	// Every name is one unit: its A set and its marker.
	markerChars := len(Marker{Stack: stack, Type: "A", Addr: "record.h0000." + f.zone + "A", Region: "us-east-1"}.Format())
	unitChars := len("192.0.2.1") + markerChars
	perBatch := min(MaxBatchRecords/2, MaxBatchValueChars/unitChars)
	wantBatches := (n + perBatch - 1) / perBatch
	t.Logf("%d names, %d characters each with its marker: %d names per batch, %d batches", n, unitChars, perBatch, wantBatches)
	if len(rec.batches) != wantBatches || calls["ChangeResourceRecordSets"] != wantBatches {
		t.Errorf("%d batches (%d calls), want %d", len(rec.batches), calls["ChangeResourceRecordSets"], wantBatches)
	}
	checkLimits(t, rec.batches)
	if calls["ListResourceRecordSets"] != 1 {
		t.Errorf("%d listings of a fresh zone, want 1", calls["ListResourceRecordSets"])
	}

	// A fresh read pages through 300 sets at a time: the records, their
	// markers, NS and SOA.
	total := len(f.sets())
	if total != 2*n+2 {
		t.Fatalf("zone holds %d sets, want %d", total, 2*n+2)
	}
	var got []plan.Observed
	calls = f.counting(func() {
		var err error
		got, err = f.provider().Read(t.Context(), stack, want)
		if err != nil {
			t.Fatal(err)
		}
	})
	if wantCalls := (total + listPageSize - 1) / listPageSize; calls["ListResourceRecordSets"] != wantCalls {
		t.Errorf("%d ListResourceRecordSets calls for %d sets, want %d", calls["ListResourceRecordSets"], total, wantCalls)
	}
	if len(got) != n || len(diff(t, stack, want, got)) != 0 {
		t.Errorf("read %d observed, %d changes left", len(got), len(diff(t, stack, want, got)))
	}

}

func checkLimits(t *testing.T, batches [][]types.Change) {
	t.Helper()
	for i, b := range batches {
		records, chars := 0, 0
		for _, c := range b {
			w := 1
			if c.Action == types.ChangeActionUpsert {
				w = 2
			}
			for _, r := range c.ResourceRecordSet.ResourceRecords {
				records += w
				chars += w * len(aws.ToString(r.Value))
			}
		}
		if records > MaxBatchRecords || chars > MaxBatchValueChars {
			t.Errorf("batch %d: %d records, %d characters: over Route 53's limits", i, records, chars)
		}
	}
}

func TestOutOfBandChangeFailsCleanly(t *testing.T) {
	f := newFixture(t, "acme.example")
	z := f.zone
	const stack = "acme-prod"
	v1 := []specs.Resource{
		desired("record.acme.example.MX", z, z, "MX", 300, "10 mta1.acme.example."),
		desired("domain.acme.example/dmarc", z, "_dmarc."+z, "TXT", 300, `"v=DMARC1; p=none"`),
	}
	strict := strictDeletes(t, f)
	converge(t, f.provider(), stack, v1)
	v2 := []specs.Resource{
		desired("record.acme.example.MX", z, z, "MX", 300, "20 mta2.acme.example."),
		desired("domain.acme.example/dmarc", z, "_dmarc."+z, "TXT", 300, `"v=DMARC1; p=reject"`),
	}
	p := f.provider()
	got, err := p.Read(t.Context(), stack, v2)
	if err != nil {
		t.Fatal(err)
	}
	changes := diff(t, stack, v2, got)
	// Someone edits the MX set between plan and apply.
	f.change(types.ChangeActionDelete, rrs(z, "MX", 300, "10 mta1.acme.example."))
	f.seed(rrs(z, "MX", 300, "5 hand-edited.acme.example."))
	edited := f.sets()

	t.Run("same run: Route 53 rejects the batch", func(t *testing.T) {
		if !strict {
			t.Skip("the local AWS double accepts a DELETE whose values do not match (moto 5.2.1); TestRejectedBatchNamesTheChange covers the provider's side with a stub")
		}
		res := p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Changes: changes})
		want := map[string][]string{
			"record.acme.example.MX":    {"Route 53 rejected this change", "do not match the current values"},
			"domain.acme.example/dmarc": {"not applied", "because of record.acme.example.MX"},
		}
		for _, r := range res {
			if r.Err == nil {
				t.Errorf("%s: applied over an out-of-band change", r.Addr)
				continue
			}
			for _, w := range want[r.Addr] {
				if !strings.Contains(r.Err.Error(), w) {
					t.Errorf("%s: error %q does not say %q", r.Addr, r.Err, w)
				}
			}
		}
		if !reflect.DeepEqual(f.sets(), edited) {
			t.Errorf("the zone changed although the batch failed")
		}
	})
	t.Run("saved plan: refused before sending", func(t *testing.T) {
		fresh := f.provider()
		var res []providers.Result
		calls := f.counting(func() {
			res = fresh.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Changes: changes})
		})
		byAddr := map[string]error{}
		for _, r := range res {
			byAddr[r.Addr] = r.Err
		}
		if err := byAddr["record.acme.example.MX"]; err == nil || !strings.Contains(err.Error(), "changed outside mailform") {
			t.Errorf("MX: error %v, want one saying it changed outside mailform", err)
		}
		if err := byAddr["domain.acme.example/dmarc"]; err != nil {
			t.Errorf("dmarc, which nobody touched: %v", err)
		}
		if calls["ChangeResourceRecordSets"] != 1 {
			t.Errorf("%d batches, want 1 (the dmarc change only)", calls["ChangeResourceRecordSets"])
		}
		if v := valuesOf(f.sets()[z+" MX"]); !reflect.DeepEqual(v, []string{"5 hand-edited.acme.example."}) {
			t.Errorf("MX %q: the out-of-band value was overwritten", v)
		}
	})
}

func TestKilledApplyConverges(t *testing.T) {
	f := newFixture(t, "acme.example")
	seedUnrelated(f)
	z := f.zone
	const stack = "acme-prod"
	var want []specs.Resource
	for i := 0; i < 9; i++ {
		name := fmt.Sprintf("r%d.%s", i, z)
		want = append(want, desired("record."+name+"TXT", z, name, "TXT", 300, fmt.Sprintf(`"value %d"`, i)))
	}
	want = append(want, sharedDesired("domain.acme.example/spf", z, z, "TXT", 300, `"v=spf1 include:amazonses.com ~all"`))
	p := f.provider()
	got, err := p.Read(t.Context(), stack, want)
	if err != nil {
		t.Fatal(err)
	}
	changes := diff(t, stack, want, got)
	// The first run dies after half of its changes reached Route 53.
	apply(t, p, stack, changes[:len(changes)/2])
	// The next run starts from scratch.
	next := converge(t, f.provider(), stack, want)
	if len(next) != len(changes)-len(changes)/2 {
		t.Errorf("the re-run made %d changes, want the %d left", len(next), len(changes)-len(changes)/2)
	}
	for _, c := range next {
		if c.Action != plan.Create {
			t.Errorf("re-run: %s %s, want only creates", c.Action, c.Addr)
		}
	}
	sets := f.sets()
	if len(sets) != 31+2+9+9+1 {
		t.Errorf("%d record sets, want %d (30 unrelated, apex TXT, NS, SOA, 9 records, 9 markers, apex marker)", len(sets), 31+2+9+9+1)
	}
}

func TestZoneResolution(t *testing.T) {
	f := newFixture(t, "acme.example")
	_, otherID := f.createZone("other.example")
	const stack = "s"
	rec := func(zone, zoneID string) specs.Resource {
		r := desired("record."+zone+"TXT", zone, "x."+specs.Fqdn(zone), "TXT", 300, `"x"`)
		if zoneID != "" {
			r.Attrs["zone_id"] = zoneID
		}
		return r
	}
	tests := []struct {
		name    string
		want    []specs.Resource
		calls   map[string]int
		wantErr string
	}{
		{name: "by name", want: []specs.Resource{rec("acme.example.", "")}, calls: map[string]int{"ListHostedZonesByName": 1, "ListResourceRecordSets": 1}},
		// acme.example and other.example sit in one page of the account's
		// zone list, so one call resolves both.
		{name: "two zones", want: []specs.Resource{rec("acme.example.", ""), rec("other.example.", "")}, calls: map[string]int{"ListHostedZonesByName": 1, "ListResourceRecordSets": 2}},
		{name: "pinned", want: []specs.Resource{rec("other.example.", "/hostedzone/"+otherID)}, calls: map[string]int{"GetHostedZone": 1, "ListResourceRecordSets": 1}},
		{name: "missing", want: []specs.Resource{rec("nope.example.", "")}, wantErr: "zone nope.example.: no public hosted zone"},
		{name: "pinned to the wrong zone", want: []specs.Resource{rec("acme.example.", otherID)}, wantErr: "is named other.example."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			calls := f.counting(func() { _, err = f.provider().Read(t.Context(), stack, tt.want) })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(calls, tt.calls) {
				t.Errorf("calls %v, want %v", calls, tt.calls)
			}
		})
	}
}

// strictDeletes reports whether the double rejects a DELETE whose values do
// not match the set, as Route 53 does. It leaves the zone as it found it.
func strictDeletes(t *testing.T, f *fixture) bool {
	t.Helper()
	name := "strictness-probe." + f.zone
	// moto checks a DELETE against the values the set ever had, not the
	// values it has: probe with values that were there once.
	f.seed(rrs(name, "TXT", 300, `"a"`))
	f.change(types.ChangeActionDelete, rrs(name, "TXT", 300, `"a"`))
	f.seed(rrs(name, "TXT", 300, `"b"`))
	wrong := rrs(name, "TXT", 300, `"a"`)
	_, err := f.client.ChangeResourceRecordSets(t.Context(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(f.zoneID),
		ChangeBatch:  &types.ChangeBatch{Changes: []types.Change{{Action: types.ChangeActionDelete, ResourceRecordSet: &wrong}}},
	})
	if err == nil {
		f.change(types.ChangeActionCreate, rrs(name, "TXT", 300, `"b"`)) // the probe deleted it
		f.change(types.ChangeActionDelete, rrs(name, "TXT", 300, `"b"`))
		return false
	}
	f.change(types.ChangeActionDelete, rrs(name, "TXT", 300, `"b"`))
	return true
}

func TestRenameMovesSetAndMarkerInOneBatch(t *testing.T) {
	f := newFixture(t, "acme.example")
	z := f.zone
	const stack = "acme-prod"
	const addr = "domain.acme.example/dkim[0]"
	p := NewWithAPI(f.client, Options{PollInterval: -1, Zones: []ZoneRef{{Name: z}}})
	converge(t, p, stack, []specs.Resource{desired(addr, z, "tok1._domainkey."+z, "CNAME", 1800, "tok1.dkim.amazonses.com.")})

	// The DKIM token is known only after apply: until then the name is a
	// placeholder, and Read still finds the set by its marker.
	unknown := desired(addr, z, "x", "CNAME", 1800, "x")
	unknown.Attrs["name"] = specs.Deferred("${domain.acme.example#dkim_tokens[0]}._domainkey.acme.example.")
	unknown.Attrs["values"] = []any{specs.Deferred("${domain.acme.example#dkim_tokens[0]}.dkim.amazonses.com.")}
	got, err := p.Read(t.Context(), stack, []specs.Resource{unknown})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Addr != addr || got[0].Attrs["name"] != "tok1._domainkey."+z {
		t.Fatalf("Read with an unknown name = %+v", got)
	}

	rec := &recordingAPI{API: f.client}
	p2 := NewWithAPI(rec, Options{PollInterval: -1, Zones: []ZoneRef{{Name: z}}})
	converge(t, p2, stack, []specs.Resource{desired(addr, z, "tok2._domainkey."+z, "CNAME", 1800, "tok2.dkim.amazonses.com.")})
	if len(rec.batches) != 1 || len(rec.batches[0]) != 4 {
		t.Errorf("batches %v, want one of 4 changes (set and marker out, set and marker in)", rec.batches)
	}
	sets := f.sets()
	for _, gone := range []string{"tok1._domainkey." + z + " CNAME", MarkerName("tok1._domainkey."+z) + " TXT"} {
		if _, ok := sets[gone]; ok {
			t.Errorf("%s is still there", gone)
		}
	}
	for _, there := range []string{"tok2._domainkey." + z + " CNAME", MarkerName("tok2._domainkey."+z) + " TXT"} {
		if _, ok := sets[there]; !ok {
			t.Errorf("%s is missing", there)
		}
	}
}

// callOrder records the order of a provider's Route 53 calls that change
// or wait.
type callOrder struct {
	API
	mu    sync.Mutex
	calls []string
}

func (c *callOrder) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, op)
}

func (c *callOrder) ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error) {
	c.add("ChangeResourceRecordSets")
	return c.API.ChangeResourceRecordSets(ctx, in, optFns...)
}

func (c *callOrder) GetChange(ctx context.Context, in *route53.GetChangeInput, optFns ...func(*route53.Options)) (*route53.GetChangeOutput, error) {
	c.add("GetChange")
	return c.API.GetChange(ctx, in, optFns...)
}

// TestBatchesOfAZoneDoNotWaitForEachOther: a zone's batches go out one
// after the other without waiting for INSYNC (a PENDING change does not
// refuse the next); PriorRequestNotComplete, answered while Route 53 is
// still processing the previous batch, is retried; every batch is waited
// for at the end.
func TestBatchesOfAZoneDoNotWaitForEachOther(t *testing.T) {
	f := newFixture(t, "acme.example")
	// Changes stay PENDING for 100ms; for 20ms after each change the zone
	// answers PriorRequestNotComplete.
	if err := f.s.Configure(func(o *awstest.Options) {
		o.ChangeDelay = 30 * time.Second
		o.ChangeProcessing = 6 * time.Second
		o.TimeScale = 300
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.s.Reset(context.WithoutCancel(t.Context())) })
	const stack = "acme-prod"
	// Values near Route 53's 4,000-character maximum: 7 names fill a batch.
	text := strings.Repeat("k", 3900)
	var want []specs.Resource
	for i := 0; i < 20; i++ {
		name := fmt.Sprintf("s%02d._domainkey.%s", i, f.zone)
		want = append(want, desired("dkim_key.s"+fmt.Sprint(i)+"/txt", f.zone, name, "TXT", 300, specs.QuoteTXT(text)))
	}
	// The SDK retries PriorRequestNotComplete, as mailform's client does.
	client := route53.NewFromConfig(f.s.Config("us-east-1"), func(o *route53.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = awscfg.MaxAttempts
			so.RateLimiter = ratelimit.None
		})
	})
	order := &callOrder{API: client}
	p := NewWithAPI(order, Options{PollInterval: 10 * time.Millisecond})
	got, err := p.Read(t.Context(), stack, want)
	if err != nil {
		t.Fatal(err)
	}
	changes := diff(t, stack, want, got)
	var mu sync.Mutex
	progress := map[string]int{}
	var res []providers.Result
	calls := f.counting(func() {
		res = p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Changes: changes, Progress: func(addr, msg string) {
			mu.Lock()
			defer mu.Unlock()
			if strings.Contains(msg, "INSYNC") {
				progress[addr]++
			}
		}})
	})
	for _, r := range res {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Addr, r.Err)
		}
	}
	if calls["ChangeResourceRecordSets"] < 3 {
		t.Errorf("%d ChangeResourceRecordSets calls, want 3 batches", calls["ChangeResourceRecordSets"])
	}
	// No batch waited for the previous one (the second usually meets
	// PriorRequestNotComplete, which the SDK retries).
	if first := slices.Index(order.calls, "GetChange"); first >= 0 && slices.Contains(order.calls[first:], "ChangeResourceRecordSets") {
		t.Errorf("a batch waited for the previous one to be INSYNC: calls %v", order.calls)
	}
	if calls["GetChange"] < 3 {
		t.Errorf("%d GetChange calls for 3 PENDING batches", calls["GetChange"])
	}
	if len(progress) != len(want) {
		t.Errorf("progress reported for %d of %d records", len(progress), len(want))
	}
	if again, err := f.provider().Read(t.Context(), stack, want); err != nil || len(diff(t, stack, want, again)) != 0 {
		t.Errorf("not converged: %v", err)
	}
}

func TestAdopt(t *testing.T) {
	f := newFixture(t, "acme.example")
	z := f.zone
	const stack = "acme-prod"
	f.seed(
		rrs(z, "MX", 300, "10 mail.acme.example."),         // made by hand, same as the spec
		rrs("_dmarc."+z, "TXT", 300, `"v=DMARC1; p=none"`), // made by hand, to be changed
		rrs("www."+z, "A", 300, "198.51.100.80"),           // another stack's
		rrs(MarkerName("www."+z), "TXT", 300, Marker{Stack: "other", Type: "A", Addr: "record.www.acme.example.A"}.Format()),
	)
	want := []specs.Resource{
		desired("record.acme.example.MX", z, z, "MX", 300, "10 mail.acme.example."),
		desired("domain.acme.example/dmarc", z, "_dmarc."+z, "TXT", 300, `"v=DMARC1; p=reject"`),
		desired("record.www.acme.example.A", z, "www."+z, "A", 300, "198.51.100.81"),
	}
	rec := &recordingAPI{API: f.client}
	p := NewWithAPI(rec, Options{PollInterval: -1})
	got, err := p.Read(t.Context(), stack, want)
	if err != nil {
		t.Fatal(err)
	}
	// What plan makes of "-adopt": an update with Adopt set, from the
	// unowned set's observed state.
	var changes []plan.Change
	for _, o := range got {
		for _, d := range want {
			if d.Addr == o.Addr {
				changes = append(changes, plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Update, ID: o.ID, Before: o.Attrs, After: d.Attrs, Adopt: true})
			}
		}
	}
	if len(changes) != 3 {
		t.Fatalf("%d observed collisions, want 3: %+v", len(changes), got)
	}
	errs := map[string]error{}
	for _, r := range p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Changes: changes}) {
		errs[r.Addr] = r.Err
	}
	if errs["record.acme.example.MX"] != nil || errs["domain.acme.example/dmarc"] != nil {
		t.Errorf("adopting: %v", errs)
	}
	if err := errs["record.www.acme.example.A"]; err == nil || !strings.Contains(err.Error(), "cannot be adopted") {
		t.Errorf("adopting another stack's set: %v, want a refusal", err)
	}
	if len(rec.batches) != 1 {
		t.Fatalf("%d batches, want 1", len(rec.batches))
	}
	var sent []string
	for _, c := range rec.batches[0] {
		sent = append(sent, string(c.Action)+" "+aws.ToString(c.ResourceRecordSet.Name)+" "+string(c.ResourceRecordSet.Type))
	}
	wantSent := []string{
		"DELETE _dmarc.acme.example. TXT",
		"CREATE _dmarc.acme.example. TXT",
		"CREATE _mailform._dmarc.acme.example. TXT",
		"CREATE _mailform.acme.example. TXT", // the MX set itself is left as it is
	}
	if !reflect.DeepEqual(sent, wantSent) {
		t.Errorf("batch %q, want %q", sent, wantSent)
	}
	// From now on both are the stack's.
	converge(t, f.provider(), stack, want[:2])
	if v := valuesOf(f.sets()["www."+z+" A"]); !reflect.DeepEqual(v, []string{"198.51.100.80"}) {
		t.Errorf("another stack's set changed: %q", v)
	}
}

func TestRecordDeletedByHand(t *testing.T) {
	f := newFixture(t, "acme.example")
	z := f.zone
	const stack = "acme-prod"
	want := []specs.Resource{
		desired("record.acme.example.MX", z, z, "MX", 300, "10 mta1.acme.example."),
		desired("domain.acme.example/dmarc", z, "_dmarc."+z, "TXT", 300, `"v=DMARC1; p=none"`),
	}
	p := NewWithAPI(f.client, Options{PollInterval: -1, Zones: []ZoneRef{{Name: z}}})
	converge(t, p, stack, want)
	// Someone deletes both sets, leaving the markers.
	f.change(types.ChangeActionDelete, rrs(z, "MX", 300, "10 mta1.acme.example."), rrs("_dmarc."+z, "TXT", 300, `"v=DMARC1; p=none"`))

	// moto refuses to CREATE a set identical to one created before in the
	// zone's history when any set sorts after it, so the MX comes back with
	// another value.
	want[0] = desired("record.acme.example.MX", z, z, "MX", 300, "20 mta2.acme.example.")
	got, err := p.Read(t.Context(), stack, want[:1])
	if err != nil {
		t.Fatal(err)
	}
	changes := diff(t, stack, want[:1], got)
	var actions []string
	for _, c := range changes {
		actions = append(actions, string(c.Action)+" "+c.Addr)
	}
	// The MX is still declared: it comes back. The DMARC record is not: its
	// marker goes.
	if wantActions := []string{"delete domain.acme.example/dmarc", "update record.acme.example.MX"}; !reflect.DeepEqual(actions, wantActions) {
		t.Fatalf("changes %q, want %q", actions, wantActions)
	}
	apply(t, p, stack, changes)
	sets := f.sets()
	if v := valuesOf(sets[z+" MX"]); !reflect.DeepEqual(v, []string{"20 mta2.acme.example."}) {
		t.Errorf("MX %q", v)
	}
	if _, ok := sets[MarkerName("_dmarc."+z)+" TXT"]; ok {
		t.Errorf("the DMARC marker is still there")
	}
	converge(t, p, stack, want[:1])
}
