package main

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
)

// zoneSnapshot is every record set of every hosted zone of the account:
// zone name -> "name TYPE" -> values. The benchmark reads it between
// operations (outside the measured window) to derive how many change
// batches an operation needs at least.
type zoneSnapshot map[string]map[string]recordSet

type recordSet struct {
	TTL    int64
	Values []string
}

// createZones creates the public hosted zones named.
func createZones(ctx context.Context, client *route53.Client, names []string) error {
	for _, name := range names {
		_, err := client.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{
			Name: aws.String(name), CallerReference: aws.String("bench-" + name),
		})
		if err != nil {
			return fmt.Errorf("creating hosted zone %s: %w", name, err)
		}
	}
	return nil
}

// readZones lists every zone of the account and every record set in it.
func readZones(ctx context.Context, client *route53.Client) (zoneSnapshot, error) {
	snap := zoneSnapshot{}
	zones := route53.NewListHostedZonesPaginator(client, &route53.ListHostedZonesInput{})
	for zones.HasMorePages() {
		page, err := zones.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing hosted zones: %w", err)
		}
		for _, z := range page.HostedZones {
			sets := map[string]recordSet{}
			rrs := route53.NewListResourceRecordSetsPaginator(client, &route53.ListResourceRecordSetsInput{
				HostedZoneId: z.Id, MaxItems: aws.Int32(300),
			})
			for rrs.HasMorePages() {
				p, err := rrs.NextPage(ctx)
				if err != nil {
					return nil, fmt.Errorf("listing the record sets of %s: %w", aws.ToString(z.Name), err)
				}
				for _, rs := range p.ResourceRecordSets {
					var values []string
					for _, rr := range rs.ResourceRecords {
						values = append(values, aws.ToString(rr.Value))
					}
					sort.Strings(values)
					sets[strings.ToLower(aws.ToString(rs.Name))+" "+string(rs.Type)] = recordSet{TTL: aws.ToInt64(rs.TTL), Values: values}
				}
			}
			snap[strings.ToLower(aws.ToString(z.Name))] = sets
		}
	}
	return snap, nil
}

// zoneChange is what a change to one zone must send to Route 53 at least:
// an exact DELETE of every set that went away or changed and a CREATE of
// every set that appeared or changed, measured in Route 53's two batch
// limits (ResourceRecord elements and characters of values).
type zoneChange struct {
	Records int
	Chars   int
}

// diffZones compares two snapshots zone by zone.
func diffZones(before, after zoneSnapshot) map[string]zoneChange {
	out := map[string]zoneChange{}
	add := func(zone string, rs recordSet) {
		c := out[zone]
		c.Records += len(rs.Values)
		for _, v := range rs.Values {
			c.Chars += len(v)
		}
		out[zone] = c
	}
	for zone, sets := range after {
		old := before[zone]
		for key, rs := range sets {
			prev, ok := old[key]
			if ok && prev.TTL == rs.TTL && slices.Equal(prev.Values, rs.Values) {
				continue
			}
			if ok {
				add(zone, prev)
			}
			add(zone, rs)
		}
		for key, prev := range old {
			if _, ok := sets[key]; !ok {
				add(zone, prev)
			}
		}
	}
	return out
}
