package awstest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/mailform/mailform/internal/dnsvalue"
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
	StoredName    string // as moto holds it
	Type          string
	SetIdentifier string
	TTL           int64
	Values        []string
	AliasZoneID   string
	AliasDNSName  string // canonical; "" when not an alias
}

// route53Mirror mirrors moto's Route 53 state for the double's own reads
// (DNS answers, LookupRecords, change validation), since reading a large
// zone back from moto takes seconds. Zones and their record sets are read
// from moto on first need; the double then keeps them current itself:
// every change to Route 53 goes through it (moto's own endpoint is not
// published), and each change batch it validates yields the zone's new
// record sets. What it cannot follow exactly, it forgets, to be read again.
type route53Mirror struct {
	mu         sync.Mutex  // held across reads from moto: readers queue
	zones      []zoneState // without Sets
	zonesKnown bool
	sets       map[string][]recordSet // zone id -> record sets, never mutated in place
}

func newRoute53Mirror() *route53Mirror {
	return &route53Mirror{sets: map[string][]recordSet{}}
}

// forget drops everything: the next read goes to moto.
func (m *route53Mirror) forget() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.zones, m.zonesKnown = nil, false
	m.sets = map[string][]recordSet{}
}

// forgetZones drops the list of zones (their names or privacy may have
// changed), keeping record sets.
func (m *route53Mirror) forgetZones() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.zones, m.zonesKnown = nil, false
}

// forgetRecords drops one zone's record sets.
func (m *route53Mirror) forgetRecords(zoneID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sets, zoneID)
}

// addZone records a zone just created.
func (m *route53Mirror) addZone(z zoneState) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.zonesKnown {
		m.zones = append(m.zones, z)
	}
}

// removeZone records a zone just deleted.
func (m *route53Mirror) removeZone(zoneID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.zones = slices.DeleteFunc(m.zones, func(z zoneState) bool { return z.ID == zoneID })
	delete(m.sets, zoneID)
}

// setRecords records a zone's record sets after a change moto accepted.
func (m *route53Mirror) setRecords(zoneID string, sets []recordSet) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sets[zoneID] = sets
}

// records returns one zone's record sets.
func (s *Server) zoneRecords(ctx context.Context, zoneID string) ([]recordSet, error) {
	m := s.r53State
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.recordsLocked(ctx, s, zoneID)
}

func (m *route53Mirror) recordsLocked(ctx context.Context, s *Server, zoneID string) ([]recordSet, error) {
	if sets, ok := m.sets[zoneID]; ok {
		return sets, nil
	}
	sets, err := readRecordSets(ctx, route53.NewFromConfig(s.motoConfig("us-east-1")), zoneID)
	if err != nil {
		return nil, err
	}
	m.sets[zoneID] = sets
	return sets, nil
}

// publicZone returns, with its record sets, the most specific public zone
// holding name (canonical), as the public name servers would choose it;
// nil when there is none.
// zonesLocked makes sure the mirror knows the hosted zones. m.mu must be held.
func (m *route53Mirror) zonesLocked(ctx context.Context, s *Server) error {
	if m.zonesKnown {
		return nil
	}
	zones, err := readZones(ctx, route53.NewFromConfig(s.motoConfig("us-east-1")))
	if err != nil {
		return err
	}
	m.zones, m.zonesKnown = zones, true
	return nil
}

// zoneByID returns the hosted zone with that ID (without /hostedzone/), or
// nil when there is none.
func (s *Server) zoneByID(ctx context.Context, zoneID string) (*zoneState, error) {
	m := s.r53State
	m.mu.Lock()
	defer m.mu.Unlock()
	find := func() *zoneState {
		for i := range m.zones {
			if m.zones[i].ID == zoneID {
				z := m.zones[i]
				return &z
			}
		}
		return nil
	}
	if err := m.zonesLocked(ctx, s); err != nil {
		return nil, err
	}
	if z := find(); z != nil {
		return z, nil
	}
	// The list may predate the zone: ask moto again before calling it
	// unknown.
	m.zonesKnown = false
	if err := m.zonesLocked(ctx, s); err != nil {
		return nil, err
	}
	return find(), nil
}

func (s *Server) publicZone(ctx context.Context, name string) (*zoneState, error) {
	m := s.r53State
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.zonesLocked(ctx, s); err != nil {
		return nil, err
	}
	var best *zoneState
	for i := range m.zones {
		z := m.zones[i]
		if z.Private || !inZone(name, z.Name) {
			continue
		}
		if best == nil || len(z.Name) > len(best.Name) || (len(z.Name) == len(best.Name) && z.ID < best.ID) {
			best = &z
		}
	}
	if best == nil {
		return nil, nil
	}
	sets, err := m.recordsLocked(ctx, s, best.ID)
	if err != nil {
		return nil, err
	}
	best.Sets = sets
	return best, nil
}

// readZones reads the list of hosted zones.
func readZones(ctx context.Context, client *route53.Client) ([]zoneState, error) {
	var out []zoneState
	zones := route53.NewListHostedZonesPaginator(client, &route53.ListHostedZonesInput{})
	for zones.HasMorePages() {
		page, err := zones.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading hosted zones from moto: %w", err)
		}
		for _, z := range page.HostedZones {
			out = append(out, zoneState{
				ID:      strings.TrimPrefix(aws.ToString(z.Id), "/hostedzone/"),
				Name:    dnsvalue.Name(aws.ToString(z.Name)),
				Private: z.Config != nil && z.Config.PrivateZone,
			})
		}
	}
	return out, nil
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
				Name:          dnsvalue.Name(aws.ToString(rr.Name)),
				StoredName:    aws.ToString(rr.Name),
				Type:          string(rr.Type),
				SetIdentifier: aws.ToString(rr.SetIdentifier),
				TTL:           aws.ToInt64(rr.TTL),
			}
			for _, v := range rr.ResourceRecords {
				set.Values = append(set.Values, unwrapMotoValue(aws.ToString(v.Value)))
			}
			if rr.AliasTarget != nil {
				set.AliasZoneID = aws.ToString(rr.AliasTarget.HostedZoneId)
				set.AliasDNSName = dnsvalue.Name(aws.ToString(rr.AliasTarget.DNSName))
			}
			out = append(out, set)
		}
	}
	return out, nil
}

// inZone tells whether name (canonical) is zone (canonical) or below it.
func inZone(name, zone string) bool {
	return name == zone || strings.HasSuffix(name, "."+zone) || zone == "."
}

// LookupRecords returns the values of the record sets of type rtype named
// name in the most specific public zone of the double's Route 53 state
// holding that name, in Route 53's stored form (TXT values quoted, MX
// values "10 host."). It follows no CNAME and returns no values (and no
// error) when nothing matches.
func (s *Server) LookupRecords(ctx context.Context, name, rtype string) ([]string, error) {
	name = dnsvalue.Name(name)
	z, err := s.publicZone(ctx, name)
	if err != nil || z == nil {
		return nil, err
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
