package awstest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// listSets renders a zone's record sets as sorted "name type ttl values" lines.
func listSets(t *testing.T, c *route53.Client, zoneID string) []string {
	t.Helper()
	out, err := c.ListResourceRecordSets(t.Context(), &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, s := range out.ResourceRecordSets {
		var vals []string
		for _, v := range s.ResourceRecords {
			vals = append(vals, aws.ToString(v.Value))
		}
		lines = append(lines, fmt.Sprintf("%s %s %d %s", aws.ToString(s.Name), s.Type, aws.ToInt64(s.TTL), strings.Join(vals, "|")))
	}
	sort.Strings(lines)
	return lines
}

func TestChangeBatchStrictness(t *testing.T) {
	long := strings.Repeat("a", 256)
	max := strings.Repeat("b", 255)
	existing := []r53types.Change{
		change(r53types.ChangeActionCreate, rrset("txt.acme.example", r53types.RRTypeTxt, 300, `"one"`, `"two"`)),
		change(r53types.ChangeActionCreate, rrset("www.acme.example", r53types.RRTypeCname, 300, "acme.example")),
	}
	manyValues := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		}
		return out
	}
	cases := []struct {
		name    string
		changes []r53types.Change
		want    []string // the InvalidChangeBatch messages; nil: accepted
	}{
		{
			name:    "TXT string of 255 characters is accepted",
			changes: []r53types.Change{change(r53types.ChangeActionCreate, rrset("dkim.acme.example", r53types.RRTypeTxt, 300, `"`+max+`" "rest"`))},
		},
		{
			name: "TXT string over 255 characters",
			changes: []r53types.Change{
				change(r53types.ChangeActionCreate, rrset("ok.acme.example", r53types.RRTypeTxt, 300, `"fine"`)),
				change(r53types.ChangeActionCreate, rrset("dkim.acme.example", r53types.RRTypeTxt, 300, `"`+long+`"`)),
			},
			want: []string{`Invalid Resource Record: 'FATAL problem: CharacterStringTooLong (Value is too long) encountered with '"` + long + `"''`},
		},
		{
			name:    "TXT value without quotes",
			changes: []r53types.Change{change(r53types.ChangeActionCreate, rrset("spf.acme.example", r53types.RRTypeTxt, 300, "v=spf1 -all"))},
			want:    []string{`Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'v=spf1 -all''`},
		},
		{
			name:    "TXT value half quoted",
			changes: []r53types.Change{change(r53types.ChangeActionCreate, rrset("spf.acme.example", r53types.RRTypeTxt, 300, `"v=spf1" -all`))},
			want:    []string{`Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '"v=spf1" -all''`},
		},
		{
			name:    "TXT value with an escaped quote",
			changes: []r53types.Change{change(r53types.ChangeActionCreate, rrset("q.acme.example", r53types.RRTypeTxt, 300, `"say \"hi\"" "x"`))},
		},
		{
			name:    "DELETE of a set that does not exist",
			changes: []r53types.Change{change(r53types.ChangeActionDelete, rrset("nothing.acme.example", r53types.RRTypeTxt, 300, `"x"`))},
			want:    []string{"Tried to delete resource record set [name='nothing.acme.example.', type='TXT'] but it was not found"},
		},
		{
			name:    "DELETE with another TTL",
			changes: []r53types.Change{change(r53types.ChangeActionDelete, rrset("txt.acme.example", r53types.RRTypeTxt, 60, `"one"`, `"two"`))},
			want:    []string{"Tried to delete resource record set [name='txt.acme.example.', type='TXT'] but the values provided do not match the current values"},
		},
		{
			name:    "DELETE with fewer values",
			changes: []r53types.Change{change(r53types.ChangeActionDelete, rrset("txt.acme.example", r53types.RRTypeTxt, 300, `"one"`))},
			want:    []string{"Tried to delete resource record set [name='txt.acme.example.', type='TXT'] but the values provided do not match the current values"},
		},
		{
			name:    "exact DELETE, values in another order",
			changes: []r53types.Change{change(r53types.ChangeActionDelete, rrset("TXT.acme.example.", r53types.RRTypeTxt, 300, `"two"`, `"one"`))},
		},
		{
			name:    "CREATE over an existing set with other values",
			changes: []r53types.Change{change(r53types.ChangeActionCreate, rrset("txt.acme.example", r53types.RRTypeTxt, 300, `"three"`))},
			want:    []string{"Tried to create resource record set [name='txt.acme.example.', type='TXT'] but it already exists"},
		},
		{
			name: "DELETE then CREATE in one batch replaces",
			changes: []r53types.Change{
				change(r53types.ChangeActionDelete, rrset("txt.acme.example", r53types.RRTypeTxt, 300, `"one"`, `"two"`)),
				change(r53types.ChangeActionCreate, rrset("txt.acme.example", r53types.RRTypeTxt, 300, `"three"`)),
			},
		},
		{
			name: "the same DELETE twice in one batch",
			changes: []r53types.Change{
				change(r53types.ChangeActionDelete, rrset("txt.acme.example", r53types.RRTypeTxt, 300, `"one"`, `"two"`)),
				change(r53types.ChangeActionDelete, rrset("txt.acme.example", r53types.RRTypeTxt, 300, `"one"`, `"two"`)),
			},
			want: []string{"Tried to delete resource record set [name='txt.acme.example.', type='TXT'] but it was not found"},
		},
		{
			name:    "CNAME beside other data",
			changes: []r53types.Change{change(r53types.ChangeActionCreate, rrset("txt.acme.example", r53types.RRTypeCname, 300, "acme.example"))},
			want:    []string{"RRSet of type CNAME with DNS name txt.acme.example. is not permitted as it conflicts with other records with the same DNS name in zone acme.example."},
		},
		{
			name:    "other data beside a CNAME",
			changes: []r53types.Change{change(r53types.ChangeActionUpsert, rrset("www.acme.example", r53types.RRTypeTxt, 300, `"x"`))},
			want:    []string{"RRSet of type TXT with DNS name www.acme.example. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone acme.example."},
		},
		{
			name: "a name outside the zone refuses the whole batch",
			changes: []r53types.Change{
				change(r53types.ChangeActionCreate, rrset("first.acme.example", r53types.RRTypeA, 300, "192.0.2.1")),
				change(r53types.ChangeActionCreate, rrset("www.other.example", r53types.RRTypeA, 300, "192.0.2.2")),
			},
			want: []string{"RRSet with DNS name www.other.example. is not permitted in zone acme.example."},
		},
		{
			name:    "1000 records are accepted",
			changes: []r53types.Change{change(r53types.ChangeActionCreate, rrset("many.acme.example", r53types.RRTypeA, 300, manyValues(1000)...))},
		},
		{
			name:    "more than 1000 records",
			changes: []r53types.Change{change(r53types.ChangeActionCreate, rrset("many.acme.example", r53types.RRTypeA, 300, manyValues(1001)...))},
			want:    []string{"Number of records limit of 1000 exceeded."},
		},
		{
			name:    "UPSERT counts twice toward the record limit",
			changes: []r53types.Change{change(r53types.ChangeActionUpsert, rrset("many.acme.example", r53types.RRTypeA, 300, manyValues(501)...))},
			want:    []string{"Number of records limit of 1000 exceeded."},
		},
		{
			name: "UPSERT counts twice toward the 32000 characters",
			changes: []r53types.Change{change(r53types.ChangeActionUpsert, rrset("big.acme.example", r53types.RRTypeTxt, 300,
				strings.Repeat(`"`+max+`"`, 15), strings.Repeat(`"`+max+`"`, 15), strings.Repeat(`"`+max+`"`, 15), strings.Repeat(`"`+max+`"`, 15), strings.Repeat(`"`+max+`"`, 15)))},
			want: []string{"RDATA character limit of 32000 exceeded."},
		},
		{
			name: "every problem of the batch is reported",
			changes: []r53types.Change{
				change(r53types.ChangeActionDelete, rrset("nothing.acme.example", r53types.RRTypeTxt, 300, `"x"`)),
				change(r53types.ChangeActionCreate, rrset("txt.acme.example", r53types.RRTypeTxt, 300, `"y"`)),
			},
			want: []string{
				"Tried to delete resource record set [name='nothing.acme.example.', type='TXT'] but it was not found",
				"Tried to create resource record set [name='txt.acme.example.', type='TXT'] but it already exists",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Shared(t)
			c := route53Client(s)
			zoneID := createZone(t, c, "acme.example")
			mustChange(t, c, zoneID, existing...)
			before := listSets(t, c, zoneID)

			_, err := changeRecords(t, c, zoneID, tc.changes...)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var batchErr *r53types.InvalidChangeBatch
			if !errors.As(err, &batchErr) {
				t.Fatalf("err = %v, want InvalidChangeBatch", err)
			}
			// Route 53's form since 2024: one Message "[m1, m2]", no Messages.
			if diff := cmp.Diff("["+strings.Join(tc.want, ", ")+"]", aws.ToString(batchErr.Message)); diff != "" || len(batchErr.Messages) != 0 {
				t.Errorf("message (-want +got):\n%s\nMessages: %q", diff, batchErr.Messages)
			}
			if diff := cmp.Diff(before, listSets(t, c, zoneID)); diff != "" {
				t.Errorf("a refused batch changed the zone (-before +after):\n%s", diff)
			}
		})
	}
}

func TestChangeGoesPendingThenInSync(t *testing.T) {
	s := Shared(t)
	clock := freezeClock(t, s)
	configure(t, s, func(o *Options) { o.ChangeDelay = 60 * time.Second; o.TimeScale = 2 })
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")

	first := mustChange(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("a.acme.example", r53types.RRTypeA, 300, "192.0.2.1")))
	second := mustChange(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("b.acme.example", r53types.RRTypeA, 300, "192.0.2.2")))
	if first.ChangeInfo.Id == nil || aws.ToString(first.ChangeInfo.Id) == aws.ToString(second.ChangeInfo.Id) {
		t.Fatalf("change ids %q and %q: want unique ids", aws.ToString(first.ChangeInfo.Id), aws.ToString(second.ChangeInfo.Id))
	}
	if first.ChangeInfo.Status != r53types.ChangeStatusPending {
		t.Errorf("ChangeResourceRecordSets status = %s, want PENDING", first.ChangeInfo.Status)
	}
	status := func() r53types.ChangeStatus {
		t.Helper()
		out, err := c.GetChange(t.Context(), &route53.GetChangeInput{Id: first.ChangeInfo.Id})
		if err != nil {
			t.Fatal(err)
		}
		return out.ChangeInfo.Status
	}
	// 60s at time scale 2 is 30s.
	clock.Advance(29 * time.Second)
	if got := status(); got != r53types.ChangeStatusPending {
		t.Errorf("after 29s: %s, want PENDING", got)
	}
	clock.Advance(time.Second)
	if got := status(); got != r53types.ChangeStatusInsync {
		t.Errorf("after 30s: %s, want INSYNC", got)
	}

	_, err := c.GetChange(t.Context(), &route53.GetChangeInput{Id: aws.String("/change/CNOSUCHCHANGE")})
	var noChange *r53types.NoSuchChange
	if !errors.As(err, &noChange) {
		t.Errorf("unknown change: err = %v, want NoSuchChange", err)
	}
}

func TestChangeWithoutDelayIsInSync(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	out := mustChange(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("a.acme.example", r53types.RRTypeA, 300, "192.0.2.1")))
	got, err := c.GetChange(t.Context(), &route53.GetChangeInput{Id: out.ChangeInfo.Id})
	if err != nil {
		t.Fatal(err)
	}
	if got.ChangeInfo.Status != r53types.ChangeStatusInsync {
		t.Errorf("status = %s, want INSYNC with no ChangeDelay", got.ChangeInfo.Status)
	}
}

// TestPriorRequestNotComplete: a zone refuses a change only while Route 53
// is still processing the previous request (ChangeProcessing), not while
// the previous change is PENDING.
func TestPriorRequestNotComplete(t *testing.T) {
	s := Shared(t)
	clock := freezeClock(t, s)
	configure(t, s, func(o *Options) { o.ChangeDelay = 60 * time.Second; o.ChangeProcessing = 2 * time.Second })
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	other := createZone(t, c, "other.example")

	first := mustChange(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("a.acme.example", r53types.RRTypeA, 300, "192.0.2.1")))
	_, err := changeRecords(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("b.acme.example", r53types.RRTypeA, 300, "192.0.2.2")))
	var prior *r53types.PriorRequestNotComplete
	if !errors.As(err, &prior) {
		t.Fatalf("second change while the first is processed: err = %v, want PriorRequestNotComplete", err)
	}
	// Another zone is not held up.
	mustChange(t, c, other, change(r53types.ChangeActionCreate, rrset("a.other.example", r53types.RRTypeA, 300, "192.0.2.1")))
	clock.Advance(2 * time.Second)
	got, err := c.GetChange(t.Context(), &route53.GetChangeInput{Id: first.ChangeInfo.Id})
	if err != nil || got.ChangeInfo.Status != r53types.ChangeStatusPending {
		t.Fatalf("first change: %v, %v; want still PENDING", got, err)
	}
	// PENDING does not refuse the next change.
	mustChange(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("b.acme.example", r53types.RRTypeA, 300, "192.0.2.2")))
}

// TestAWSConsistencyRefusesWhileProcessing: ConsistencyAWS sets a
// processing window.
func TestAWSConsistencyRefusesWhileProcessing(t *testing.T) {
	o, err := Options{Consistency: ConsistencyAWS}.withConsistency()
	if err != nil || o.ChangeProcessing <= 0 || o.ChangeProcessing >= o.ChangeDelay {
		t.Errorf("ChangeProcessing = %v (err %v), want a window shorter than ChangeDelay %v", o.ChangeProcessing, err, o.ChangeDelay)
	}
}

func TestCallerReferenceIsUnique(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	in := &route53.CreateHostedZoneInput{Name: aws.String("acme.example"), CallerReference: aws.String("same-ref")}
	first, err := c.CreateHostedZone(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if first.ChangeInfo == nil || first.ChangeInfo.Id == nil {
		t.Fatal("CreateHostedZone answered no ChangeInfo")
	}
	_, err = c.CreateHostedZone(t.Context(), in)
	var exists *r53types.HostedZoneAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("second CreateHostedZone with the same CallerReference: err = %v, want HostedZoneAlreadyExists", err)
	}
	zones, err := c.ListHostedZones(t.Context(), &route53.ListHostedZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(zones.HostedZones) != 1 {
		t.Errorf("%d zones, want 1", len(zones.HostedZones))
	}
}

func TestListShowsTheSOAInRoute53Form(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	out, err := c.ListResourceRecordSets(t.Context(), &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)})
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range out.ResourceRecordSets {
		if set.Type != r53types.RRTypeSoa {
			continue
		}
		v := aws.ToString(set.ResourceRecords[0].Value)
		if strings.ContainsAny(v, "{}'") || len(strings.Fields(v)) != 7 {
			t.Errorf("SOA value %q, want \"MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM\"", v)
		}
		return
	}
	t.Error("no SOA record set")
}

func TestNamesMatchCaseInsensitively(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	mustChange(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("Mixed.acme.example", r53types.RRTypeTxt, 300, `"one"`)))
	mustChange(t, c, zoneID, change(r53types.ChangeActionUpsert, rrset("mixed.ACME.example.", r53types.RRTypeTxt, 300, `"two"`)))
	values, err := s.LookupRecords(t.Context(), "mixed.acme.example", "TXT")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{`"two"`}, values); diff != "" {
		t.Fatalf("after an UPSERT in other case (-want +got):\n%s", diff)
	}
	mustChange(t, c, zoneID, change(r53types.ChangeActionDelete, rrset("MIXED.acme.example", r53types.RRTypeTxt, 300, `"two"`)))
	if values, _ := s.LookupRecords(t.Context(), "mixed.acme.example", "TXT"); len(values) != 0 {
		t.Errorf("after a DELETE in other case: %v", values)
	}
}

func TestResetForgetsRoute53Emulation(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	in := &route53.CreateHostedZoneInput{Name: aws.String("acme.example"), CallerReference: aws.String("reset-ref")}
	zone, err := c.CreateHostedZone(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetChange(t.Context(), &route53.GetChangeInput{Id: zone.ChangeInfo.Id})
	var noChange *r53types.NoSuchChange
	if !errors.As(err, &noChange) {
		t.Errorf("a change from before Reset: err = %v, want NoSuchChange", err)
	}
	if _, err := c.CreateHostedZone(t.Context(), in); err != nil {
		t.Errorf("the caller reference after Reset: %v", err)
	}
	in2, err := s.QueryDNS(t.Context(), "acme.example", dns.TypeSOA)
	if err != nil {
		t.Fatal(err)
	}
	if !in2.Authoritative || len(in2.Answer) != 1 {
		t.Errorf("DNS after Reset and a new zone: AA %v, answer %v", in2.Authoritative, in2.Answer)
	}
}

// TestMirrorFollowsMoto checks that the record sets the double keeps for
// its own reads stay what moto holds, change after change.
func TestMirrorFollowsMoto(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	batches := [][]r53types.Change{
		{
			change(r53types.ChangeActionCreate, rrset("a.acme.example", r53types.RRTypeA, 300, "192.0.2.1", "192.0.2.2")),
			change(r53types.ChangeActionCreate, rrset("Mixed.acme.example", r53types.RRTypeTxt, 60, `"one"`)),
			change(r53types.ChangeActionUpsert, rrset("acme.example.", r53types.RRTypeMx, 300, "10 mx.acme.example")),
		},
		{
			change(r53types.ChangeActionUpsert, rrset("MIXED.acme.example", r53types.RRTypeTxt, 120, `"two" "three"`)),
			change(r53types.ChangeActionDelete, rrset("a.acme.example", r53types.RRTypeA, 300, "192.0.2.2", "192.0.2.1")),
			change(r53types.ChangeActionCreate, rrset("a.acme.example", r53types.RRTypeA, 60, "192.0.2.3")),
		},
		{
			change(r53types.ChangeActionDelete, rrset("mixed.acme.example", r53types.RRTypeTxt, 120, `"two" "three"`)),
			change(r53types.ChangeActionCreate, rrset("b.acme.example", r53types.RRTypeCname, 300, "a.acme.example")),
		},
	}
	render := func(sets []recordSet) []string {
		var out []string
		for _, set := range sets {
			vals := append([]string(nil), set.Values...)
			sort.Strings(vals)
			out = append(out, fmt.Sprintf("%s %s %d %s", set.Name, set.Type, set.TTL, strings.Join(vals, "|")))
		}
		sort.Strings(out)
		return out
	}
	for i, batch := range batches {
		mustChange(t, c, zoneID, batch...)
		mirror, err := s.zoneRecords(t.Context(), zoneID)
		if err != nil {
			t.Fatal(err)
		}
		moto, err := readRecordSets(t.Context(), route53.NewFromConfig(s.motoConfig("us-east-1")), zoneID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(render(moto), render(mirror)); diff != "" {
			t.Fatalf("after batch %d the mirror differs from moto (-moto +mirror):\n%s", i+1, diff)
		}
	}
}

func TestDeletedZoneLeavesDNS(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	if in, err := s.QueryDNS(t.Context(), "acme.example", dns.TypeSOA); err != nil || in.Rcode != dns.RcodeSuccess {
		t.Fatalf("before the delete: %v, %v", in, err)
	}
	out, err := c.DeleteHostedZone(t.Context(), &route53.DeleteHostedZoneInput{Id: aws.String(zoneID)})
	if err != nil {
		t.Fatal(err)
	}
	if id := aws.ToString(out.ChangeInfo.Id); !strings.HasPrefix(id, "/change/C") || id == "/change/C2682N5HXP0BZ4" {
		t.Errorf("DeleteHostedZone change id %q, want one of the double's", id)
	}
	in, err := s.QueryDNS(t.Context(), "acme.example", dns.TypeSOA)
	if err != nil {
		t.Fatal(err)
	}
	if in.Rcode != dns.RcodeRefused {
		t.Errorf("after the delete: %s, want REFUSED", dns.RcodeToString[in.Rcode])
	}
	_, err = changeRecords(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("a.acme.example", r53types.RRTypeA, 300, "192.0.2.1")))
	var noZone *r53types.NoSuchHostedZone
	if !errors.As(err, &noZone) {
		t.Errorf("a change to the deleted zone: err = %v, want NoSuchHostedZone", err)
	}
}

func TestRecordSetPagesHoldAtMost300(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	var changes []r53types.Change
	for i := range 350 {
		changes = append(changes, change(r53types.ChangeActionCreate, rrset(fmt.Sprintf("h%03d.acme.example", i), r53types.RRTypeA, 300, "192.0.2.1")))
	}
	mustChange(t, c, zoneID, changes...)
	out, err := c.ListResourceRecordSets(t.Context(), &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), MaxItems: aws.Int32(1000)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ResourceRecordSets) != 300 || !out.IsTruncated {
		t.Errorf("MaxItems 1000: %d sets, truncated %v; want 300 and truncated", len(out.ResourceRecordSets), out.IsTruncated)
	}
	total := 0
	p := route53.NewListResourceRecordSetsPaginator(c, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), MaxItems: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		total += len(page.ResourceRecordSets)
	}
	if total != 352 { // 350 + SOA + NS
		t.Errorf("paginated: %d sets, want 352", total)
	}
}
