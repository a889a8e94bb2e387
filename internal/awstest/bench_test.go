package awstest

import (
	"fmt"
	"testing"

	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// BenchmarkChangeInLargeZone measures one validated change batch in a zone
// of 1000 record sets (the double reads the whole zone from moto first).
func BenchmarkChangeInLargeZone(b *testing.B) {
	s := Shared(b)
	c := route53Client(s)
	zoneID := func() string {
		out, err := c.CreateHostedZone(b.Context(), createZoneInput("acme.example"))
		if err != nil {
			b.Fatal(err)
		}
		return trimZoneID(out.HostedZone.Id)
	}()
	for batch := range 2 {
		var changes []r53types.Change
		for i := range 500 {
			changes = append(changes, change(r53types.ChangeActionCreate, rrset(fmt.Sprintf("d%d-%d.acme.example", batch, i), r53types.RRTypeTxt, 300, `"v=spf1 -all"`)))
		}
		if _, err := c.ChangeResourceRecordSets(b.Context(), changeInput(zoneID, changes)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		set := rrset(fmt.Sprintf("bench%d.acme.example", i), r53types.RRTypeA, 300, "192.0.2.1")
		if _, err := c.ChangeResourceRecordSets(b.Context(), changeInput(zoneID, []r53types.Change{change(r53types.ChangeActionCreate, set)})); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatchInBusyZone measures a batch of 1000 changes (500 exact
// DELETEs, 500 CREATEs) in a zone of 13,000 record sets, the size of the
// one-zone benchmark scenario at 1000 domains (docs/performance.md): moto
// checks each change against the zone's whole change journal unless the
// double indexes it (moto_route53.py).
func BenchmarkBatchInBusyZone(b *testing.B) {
	s := Shared(b)
	c := route53Client(s)
	out, err := c.CreateHostedZone(b.Context(), createZoneInput("busy.example"))
	if err != nil {
		b.Fatal(err)
	}
	zoneID := trimZoneID(out.HostedZone.Id)
	name := func(i int) string { return fmt.Sprintf("r%d.busy.example", i) }
	for start := 0; start < 13000; start += 1000 {
		var changes []r53types.Change
		for i := start; i < start+1000; i++ {
			changes = append(changes, change(r53types.ChangeActionCreate, rrset(name(i), r53types.RRTypeTxt, 300, `"v0"`)))
		}
		if _, err := c.ChangeResourceRecordSets(b.Context(), changeInput(zoneID, changes)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for round := range b.N {
		var changes []r53types.Change
		for i := range 500 {
			changes = append(changes,
				change(r53types.ChangeActionDelete, rrset(name(i), r53types.RRTypeTxt, 300, fmt.Sprintf(`"v%d"`, round))),
				change(r53types.ChangeActionCreate, rrset(name(i), r53types.RRTypeTxt, 300, fmt.Sprintf(`"v%d"`, round+1))))
		}
		if _, err := c.ChangeResourceRecordSets(b.Context(), changeInput(zoneID, changes)); err != nil {
			b.Fatal(err)
		}
	}
}
