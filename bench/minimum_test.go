package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMinimumCalls(t *testing.T) {
	oneZonePerDomain := func(n, setsEach int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = setsEach
		}
		return out
	}
	// 13 record sets per domain once applied (7 records, 6 markers), plus NS and SOA.
	cases := []struct {
		name string
		w    world
		want map[string]int // per service
		ops  map[string]int // selected operations
	}{
		{
			name: "s1 apply from empty, 1000 domains",
			w: world{Domains: 1000, AccountZones: 1000, DeclaredZoneSets: oneZonePerDomain(1000, 2), Writes: true,
				IdentitiesToCreate: 1000, ZoneChanges: zoneChangesEach(1000, 14, 900)},
			want: map[string]int{"route53": 10 + 1000 + 1000, "ses": 10 + 1 + 1 + 4000 + 2},
			ops:  map[string]int{"ses:GetEmailIdentity": 0, "ses:SetIdentityNotificationTopic": 2000, "route53:ChangeResourceRecordSets": 1000},
		},
		{
			name: "s1 plan, 1000 domains",
			w: world{Domains: 1000, AccountZones: 1000, DeclaredZoneSets: oneZonePerDomain(1000, 15),
				IdentitiesBefore: 1000, DesiredIdentities: 1000, ConfigSetExists: true, TopicExists: true},
			want: map[string]int{"route53": 10 + 1000, "ses": 4*10 + 3 + 1},
			ops:  map[string]int{"route53:ChangeResourceRecordSets": 0, "ssm:PutParameter": 0},
		},
		{
			name: "s2 plan, 1000 domains",
			w: world{Domains: 1000, AccountZones: 1, DeclaredZoneSets: []int{13002},
				IdentitiesBefore: 1000, DesiredIdentities: 1000, ConfigSetExists: true, TopicExists: true},
			want: map[string]int{"route53": 1 + 44, "ses": 44},
		},
		{
			name: "s2 DMARC change, 1000 domains: the characters decide the batches",
			w: world{Domains: 1000, AccountZones: 1, DeclaredZoneSets: []int{13002}, Writes: true,
				IdentitiesBefore: 1000, DesiredIdentities: 1000, ConfigSetExists: true, TopicExists: true,
				ZoneChanges: map[string]zoneChange{"brands.example.": {Records: 2000, Chars: 130000}}},
			want: map[string]int{"route53": 1 + 44 + 5, "ses": 44, "ssm": 4},
		},
		{
			name: "records decide the batches",
			w: world{Domains: 1, AccountZones: 1, DeclaredZoneSets: []int{0}, Writes: true,
				ZoneChanges: map[string]zoneChange{"a.": {Records: 2500, Chars: 100}, "b.": {}}},
			ops: map[string]int{"route53:ChangeResourceRecordSets": 3, "route53:ListResourceRecordSets": 1},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lines := minimumCalls(tc.w)
			got := totals(lines)
			for svc, want := range tc.want {
				if got[svc] != want {
					t.Errorf("%s: %d calls, want %d", svc, got[svc], want)
				}
			}
			byOp := map[string]int{}
			for _, l := range lines {
				if l.Calls <= 0 || l.Why == "" {
					t.Errorf("line %+v: want a positive count and a reason", l)
				}
				byOp[l.Service+":"+l.Operation] += l.Calls
			}
			for op, want := range tc.ops {
				if byOp[op] != want {
					t.Errorf("%s: %d calls, want %d", op, byOp[op], want)
				}
			}
		})
	}
}

func zoneChangesEach(n, records, chars int) map[string]zoneChange {
	out := map[string]zoneChange{}
	for i := range n {
		out[string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676))] = zoneChange{Records: records, Chars: chars}
	}
	return out
}

func TestFloorTime(t *testing.T) {
	cases := []struct {
		name    string
		calls   map[string]int
		scale   float64
		latency time.Duration
		want    time.Duration
	}{
		{"SES sets the floor", map[string]int{"ses": 1015, "route53": 45, "sns": 5}, 1, 0, 1014 * time.Second},
		{"Route 53 sets the floor", map[string]int{"ses": 100, "route53": 2010}, 1, 0, 401 * time.Second},
		{"scaled, with latency", map[string]int{"ses": 101}, 20, 20 * time.Millisecond, 5*time.Second + time.Millisecond},
		{"within the burst", map[string]int{"route53": 5}, 1, 0, 0},
		{"unlimited services only cost latency", map[string]int{"sqs": 50}, 1, 20 * time.Millisecond, 20 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := floorTime(tc.calls, tc.scale, tc.latency); got != tc.want {
				t.Errorf("floor %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDiffZones(t *testing.T) {
	before := zoneSnapshot{"a.": {
		"_dmarc.a. TXT": {TTL: 300, Values: []string{`"v=DMARC1; p=quarantine"`}},
		"a. NS":         {TTL: 172800, Values: []string{"ns1.", "ns2."}},
		"old.a. TXT":    {TTL: 300, Values: []string{`"gone"`}},
	}}
	after := zoneSnapshot{"a.": {
		"_dmarc.a. TXT": {TTL: 300, Values: []string{`"v=DMARC1; p=reject"`}},
		"a. NS":         {TTL: 172800, Values: []string{"ns1.", "ns2."}},
		"new.a. CNAME":  {TTL: 1800, Values: []string{"x.dkim.amazonses.com."}},
	}, "b.": {"b. TXT": {TTL: 60, Values: []string{`"x"`}}}}
	got := diffZones(before, after)
	want := map[string]zoneChange{
		// DELETE + CREATE of the DMARC set, DELETE of old.a., CREATE of new.a.
		"a.": {Records: 4, Chars: len(`"v=DMARC1; p=quarantine"`) + len(`"v=DMARC1; p=reject"`) + len(`"gone"`) + len("x.dkim.amazonses.com.")},
		"b.": {Records: 1, Chars: 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if got := diffZones(after, after); len(got) != 0 {
		t.Errorf("no change gave %v", got)
	}
}
