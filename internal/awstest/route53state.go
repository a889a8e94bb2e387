package awstest

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
)

// zoneState is one hosted zone as moto holds it.
type zoneState struct {
	ID      string // without the /hostedzone/ prefix
	Name    string // canonical: lower case, trailing dot
	Private bool
	Sets    []recordSet
}

// recordSet is one resource record set in Route 53's stored form.
type recordSet struct {
	Name          string // canonical
	Type          string
	SetIdentifier string
	TTL           int64
	Values        []string
	AliasZoneID   string
	AliasDNSName  string // canonical; "" when not an alias
}

// route53Snapshot is the Route 53 state of the double at one moment.
type route53Snapshot struct {
	Zones []zoneState
}

// route53StateCache keeps the last snapshot read from moto. A change of a
// zone's record sets through the double makes only that zone stale: the
// next read lists that zone again and keeps the others, so that an
// account with a thousand zones is not read whole after every change.
// Creating or deleting a zone (or a Reset) invalidates everything.
type route53StateCache struct {
	mu              sync.Mutex
	generation      uint64            // bumped when the zone list may have changed
	zoneVersion     map[string]uint64 // zone ID -> bumped when its record sets change
	snapshot        *route53Snapshot
	snapGen         uint64
	snapZoneVersion map[string]uint64 // the zone versions the snapshot holds
}

func (c *route53StateCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	c.snapshot = nil
}

// invalidateZone marks the record sets of one zone as changed.
func (c *route53StateCache) invalidateZone(zoneID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.zoneVersion == nil {
		c.zoneVersion = map[string]uint64{}
	}
	c.zoneVersion[strings.TrimPrefix(zoneID, "/hostedzone/")]++
}

// route53State returns the current Route 53 state, read from moto.
func (s *Server) route53State(ctx context.Context) (*route53Snapshot, error) {
	c := s.r53State
	c.mu.Lock()
	gen := c.generation
	versions := make(map[string]uint64, len(c.zoneVersion))
	for id, v := range c.zoneVersion {
		versions[id] = v
	}
	base := c.snapshot
	if base != nil && c.snapGen != gen {
		base = nil
	}
	var stale []int
	if base != nil {
		for i, z := range base.Zones {
			if versions[z.ID] != c.snapZoneVersion[z.ID] {
				stale = append(stale, i)
			}
		}
		if len(stale) == 0 {
			c.mu.Unlock()
			return base, nil
		}
	}
	c.mu.Unlock()

	client := route53.NewFromConfig(s.motoConfig("us-east-1"))
	var snap *route53Snapshot
	if base == nil {
		var err error
		if snap, err = readRoute53(ctx, client); err != nil {
			return nil, err
		}
	} else {
		snap = &route53Snapshot{Zones: append([]zoneState(nil), base.Zones...)}
		for _, i := range stale {
			sets, err := readRecordSets(ctx, client, snap.Zones[i].ID)
			if err != nil {
				return nil, err
			}
			snap.Zones[i].Sets = sets
		}
	}
	c.mu.Lock()
	if c.generation == gen {
		c.snapshot, c.snapGen, c.snapZoneVersion = snap, gen, versions
	}
	c.mu.Unlock()
	return snap, nil
}

// readRoute53 reads every zone and record set.
func readRoute53(ctx context.Context, client *route53.Client) (*route53Snapshot, error) {
	snap := &route53Snapshot{}
	zones := route53.NewListHostedZonesPaginator(client, &route53.ListHostedZonesInput{})
	for zones.HasMorePages() {
		page, err := zones.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading hosted zones from moto: %w", err)
		}
		for _, z := range page.HostedZones {
			zs := zoneState{
				ID:      strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"),
				Name:    canonicalName(aws.ToString(z.Name)),
				Private: z.Config != nil && z.Config.PrivateZone,
			}
			sets, err := readRecordSets(ctx, client, zs.ID)
			if err != nil {
				return nil, err
			}
			zs.Sets = sets
			snap.Zones = append(snap.Zones, zs)
		}
	}
	sort.Slice(snap.Zones, func(i, j int) bool { return snap.Zones[i].ID < snap.Zones[j].ID })
	return snap, nil
}

// readRecordSets reads every record set of one zone.
func readRecordSets(ctx context.Context, client *route53.Client, zoneID string) ([]recordSet, error) {
	var out []recordSet
	p := route53.NewListResourceRecordSetsPaginator(client, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading record sets of zone %s from moto: %w", zoneID, err)
		}
		for _, rr := range page.ResourceRecordSets {
			set := recordSet{
				Name:          canonicalName(aws.ToString(rr.Name)),
				Type:          string(rr.Type),
				SetIdentifier: aws.ToString(rr.SetIdentifier),
				TTL:           aws.ToInt64(rr.TTL),
			}
			for _, v := range rr.ResourceRecords {
				set.Values = append(set.Values, unwrapMotoValue(aws.ToString(v.Value)))
			}
			if rr.AliasTarget != nil {
				set.AliasZoneID = aws.ToString(rr.AliasTarget.HostedZoneId)
				set.AliasDNSName = canonicalName(aws.ToString(rr.AliasTarget.DNSName))
			}
			out = append(out, set)
		}
	}
	return out, nil
}

// canonicalName lower-cases a DNS name, gives it a trailing dot and turns
// Route 53's octal escape for '*' back into '*'.
func canonicalName(name string) string {
	name = strings.ToLower(strings.ReplaceAll(name, `\052`, "*"))
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// inZone tells whether name (canonical) is zone (canonical) or below it.
func inZone(name, zone string) bool {
	return name == zone || strings.HasSuffix(name, "."+zone) || zone == "."
}

// publicZoneFor returns the most specific public zone holding name, as
// the public name servers would choose it.
func (snap *route53Snapshot) publicZoneFor(name string) *zoneState {
	var best *zoneState
	for i := range snap.Zones {
		z := &snap.Zones[i]
		if z.Private || !inZone(name, z.Name) {
			continue
		}
		if best == nil || len(z.Name) > len(best.Name) {
			best = z
		}
	}
	return best
}

// LookupRecords returns the values of the record sets of type rtype named
// name in the most specific public zone of the double's Route 53 state
// holding that name, in Route 53's stored form (TXT values quoted, MX
// values "10 host."). It follows no CNAME and returns no values (and no
// error) when nothing matches.
func (s *Server) LookupRecords(ctx context.Context, name, rtype string) ([]string, error) {
	snap, err := s.route53State(ctx)
	if err != nil {
		return nil, err
	}
	name = canonicalName(name)
	z := snap.publicZoneFor(name)
	if z == nil {
		return nil, nil
	}
	var out []string
	for _, set := range z.Sets {
		if set.Name == name && strings.EqualFold(set.Type, rtype) {
			out = append(out, set.Values...)
		}
	}
	return out, nil
}

// motoWrappedValue matches a value moto 5.2.1 stores as a Python dict's
// text (the SOA of a new zone: "{'Value': 'ns-2048... 86400'}"), in plain
// or XML-escaped form.
var motoWrappedValue = regexp.MustCompile(`^\{(?:'|&#x27;|&#39;|&apos;)Value(?:'|&#x27;|&#39;|&apos;): (?:'|&#x27;|&#39;|&apos;)(.*)(?:'|&#x27;|&#39;|&apos;)\}$`)

// unwrapMotoValue gives a value in Route 53's form.
func unwrapMotoValue(v string) string {
	if m := motoWrappedValue.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return v
}

// motoWrappedXMLValue finds such values in a ListResourceRecordSets answer.
var motoWrappedXMLValue = regexp.MustCompile(`<Value>(\{[^<]*\})</Value>`)

// fixMotoValues rewrites the wrapped values of a moto answer.
func fixMotoValues(body []byte) []byte {
	return motoWrappedXMLValue.ReplaceAllFunc(body, func(m []byte) []byte {
		inner := motoWrappedXMLValue.FindSubmatch(m)[1]
		return []byte("<Value>" + unwrapMotoValue(string(inner)) + "</Value>")
	})
}
