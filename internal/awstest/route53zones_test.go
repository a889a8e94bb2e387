package awstest

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"
)

// TestListHostedZonesByNamePages checks that the double lists zones as
// Route 53 does: ordered by reversed labels, from DNSName on, MaxItems at a
// time, with the next name to ask for.
func TestListHostedZonesByNamePages(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	ids := map[string]string{}
	for _, name := range []string{"b.example", "x.other", "www.a.example", "a.example"} {
		ids[name+"."] = createZone(t, c, name)
	}
	cases := []struct {
		name      string
		dnsName   string
		startID   string
		maxItems  int32
		want      []string
		wantNext  string
		truncated bool
	}{
		{name: "whole list in order", want: []string{"a.example.", "www.a.example.", "b.example.", "x.other."}},
		{name: "from a name", dnsName: "b.example", want: []string{"b.example.", "x.other."}},
		{name: "a page", dnsName: "a.example.", maxItems: 2, want: []string{"a.example.", "www.a.example."}, wantNext: "b.example.", truncated: true},
		{name: "from a name that has no zone", dnsName: "c.example", want: []string{"x.other."}},
		{name: "from name and zone id", dnsName: "b.example", startID: "b.example.", want: []string{"b.example.", "x.other."}},
		{name: "past the end", dnsName: "zzz", want: nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &route53.ListHostedZonesByNameInput{}
			if tc.dnsName != "" {
				in.DNSName = aws.String(tc.dnsName)
			}
			if tc.startID != "" {
				in.HostedZoneId = aws.String(ids[tc.startID])
			}
			if tc.maxItems > 0 {
				in.MaxItems = aws.Int32(tc.maxItems)
			}
			out, err := c.ListHostedZonesByName(t.Context(), in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, z := range out.HostedZones {
				got = append(got, aws.ToString(z.Name))
				if want := ids[aws.ToString(z.Name)]; strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/") != want {
					t.Errorf("zone %s has id %s, want %s", aws.ToString(z.Name), aws.ToString(z.Id), want)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("zones (-want +got):\n%s", diff)
			}
			if out.IsTruncated != tc.truncated || aws.ToString(out.NextDNSName) != tc.wantNext {
				t.Errorf("truncated %v next %q, want %v %q", out.IsTruncated, aws.ToString(out.NextDNSName), tc.truncated, tc.wantNext)
			}
			if tc.truncated && strings.TrimPrefix(aws.ToString(out.NextHostedZoneId), "/hostedzone/") != ids[tc.wantNext] {
				t.Errorf("next zone id %s, want %s", aws.ToString(out.NextHostedZoneId), ids[tc.wantNext])
			}
		})
	}
}

// TestStateFollowsChangesZoneByZone: after a change to one zone, lookups
// see it, and what the other zones hold is still right.
func TestStateFollowsChangesZoneByZone(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	a, b := createZone(t, c, "a.example"), createZone(t, c, "b.example")
	lookup := func(name string) []string {
		t.Helper()
		got, err := s.LookupRecords(t.Context(), name, "TXT")
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	mustChange(t, c, a, change(r53types.ChangeActionCreate, rrset("x.a.example", r53types.RRTypeTxt, 300, `"one"`)))
	if got := lookup("x.a.example"); !cmp.Equal(got, []string{`"one"`}) {
		t.Fatalf("x.a.example = %q after the first change", got)
	}
	mustChange(t, c, b, change(r53types.ChangeActionCreate, rrset("y.b.example", r53types.RRTypeTxt, 300, `"two"`)))
	mustChange(t, c, a, change(r53types.ChangeActionDelete, rrset("x.a.example", r53types.RRTypeTxt, 300, `"one"`)),
		change(r53types.ChangeActionCreate, rrset("x.a.example", r53types.RRTypeTxt, 300, `"three"`)))
	for name, want := range map[string][]string{"x.a.example": {`"three"`}, "y.b.example": {`"two"`}} {
		if got := lookup(name); !cmp.Equal(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	createZone(t, c, "c.example")
	if got := lookup("y.b.example"); !cmp.Equal(got, []string{`"two"`}) {
		t.Errorf("after a new zone, y.b.example = %q", got)
	}
}
