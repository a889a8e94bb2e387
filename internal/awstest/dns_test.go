package awstest

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// rrLines renders records as "name TYPE rdata", without TTL and class.
func rrLines(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		h := rr.Header()
		rdata := strings.TrimPrefix(rr.String(), h.String())
		out = append(out, h.Name+" "+dns.TypeToString[h.Rrtype]+" "+rdata)
	}
	return out
}

func rrTypes(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		out = append(out, dns.TypeToString[rr.Header().Rrtype])
	}
	return out
}

func TestDNSAnswers(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	mustChange(t, c, zoneID,
		change(r53types.ChangeActionCreate, rrset("acme.example", r53types.RRTypeTxt, 300, `"v=spf1 include:amazonses.com ~all"`, `"site-verification=abc"`)),
		change(r53types.ChangeActionCreate, rrset("acme.example", r53types.RRTypeMx, 300, "10 feedback-smtp.us-west-2.amazonses.com")),
		change(r53types.ChangeActionCreate, rrset("sel._domainkey.acme.example", r53types.RRTypeTxt, 300, `"p=first" "second"`)),
		change(r53types.ChangeActionCreate, rrset("www.acme.example", r53types.RRTypeCname, 300, "web.acme.example")),
		change(r53types.ChangeActionCreate, rrset("web.acme.example", r53types.RRTypeA, 300, "192.0.2.10")),
		change(r53types.ChangeActionCreate, rrset("ext.acme.example", r53types.RRTypeCname, 300, "target.elsewhere.example")),
		change(r53types.ChangeActionCreate, rrset("deep.sub.acme.example", r53types.RRTypeA, 300, "192.0.2.11")),
		change(r53types.ChangeActionCreate, rrset("*.wild.acme.example", r53types.RRTypeTxt, 300, `"wild"`)),
		change(r53types.ChangeActionCreate, rrset("child.acme.example", r53types.RRTypeNs, 300, "ns1.other.example")),
		change(r53types.ChangeActionCreate, &r53types.ResourceRecordSet{Name: aws.String("alias.acme.example"), Type: r53types.RRTypeA,
			AliasTarget: &r53types.AliasTarget{HostedZoneId: aws.String(zoneID), DNSName: aws.String("web.acme.example"), EvaluateTargetHealth: false}}),
	)

	cases := []struct {
		name      string
		qname     string
		qtype     uint16
		rcode     int
		aa        bool
		answer    []string
		authority []string // types
	}{
		{name: "apex TXT", qname: "acme.example", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, aa: true,
			answer: []string{`acme.example. TXT "v=spf1 include:amazonses.com ~all"`, `acme.example. TXT "site-verification=abc"`}},
		{name: "MX", qname: "ACME.example", qtype: dns.TypeMX, rcode: dns.RcodeSuccess, aa: true,
			answer: []string{"acme.example. MX 10 feedback-smtp.us-west-2.amazonses.com."}},
		{name: "TXT of several strings", qname: "sel._domainkey.acme.example", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, aa: true,
			answer: []string{`sel._domainkey.acme.example. TXT "p=first" "second"`}},
		{name: "CNAME chased within the zone", qname: "www.acme.example", qtype: dns.TypeA, rcode: dns.RcodeSuccess, aa: true,
			answer: []string{"www.acme.example. CNAME web.acme.example.", "web.acme.example. A 192.0.2.10"}},
		{name: "CNAME asked for", qname: "www.acme.example", qtype: dns.TypeCNAME, rcode: dns.RcodeSuccess, aa: true,
			answer: []string{"www.acme.example. CNAME web.acme.example."}},
		{name: "CNAME out of the zone", qname: "ext.acme.example", qtype: dns.TypeA, rcode: dns.RcodeSuccess, aa: true,
			answer: []string{"ext.acme.example. CNAME target.elsewhere.example."}},
		{name: "NXDOMAIN", qname: "nothing.acme.example", qtype: dns.TypeA, rcode: dns.RcodeNameError, aa: true,
			authority: []string{"SOA"}},
		{name: "NODATA", qname: "web.acme.example", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, aa: true,
			authority: []string{"SOA"}},
		{name: "empty non-terminal is NODATA", qname: "sub.acme.example", qtype: dns.TypeA, rcode: dns.RcodeSuccess, aa: true,
			authority: []string{"SOA"}},
		{name: "wildcard", qname: "x.wild.acme.example", qtype: dns.TypeTXT, rcode: dns.RcodeSuccess, aa: true,
			answer: []string{`x.wild.acme.example. TXT "wild"`}},
		{name: "delegated child: referral", qname: "host.child.acme.example", qtype: dns.TypeA, rcode: dns.RcodeSuccess, aa: false,
			authority: []string{"NS"}},
		{name: "alias to a name of the zone", qname: "alias.acme.example", qtype: dns.TypeA, rcode: dns.RcodeSuccess, aa: true,
			answer: []string{"alias.acme.example. A 192.0.2.10"}},
		{name: "apex SOA", qname: "acme.example", qtype: dns.TypeSOA, rcode: dns.RcodeSuccess, aa: true},
		{name: "name outside every zone", qname: "example.org", qtype: dns.TypeA, rcode: dns.RcodeRefused, aa: false},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, tc := range cases {
			t.Run(network+"/"+tc.name, func(t *testing.T) {
				q := new(dns.Msg)
				q.SetQuestion(dns.Fqdn(tc.qname), tc.qtype)
				client := &dns.Client{Net: network}
				in, _, err := client.ExchangeContext(t.Context(), q, s.DNSAddr())
				if err != nil {
					t.Fatal(err)
				}
				if in.Rcode != tc.rcode || in.Authoritative != tc.aa {
					t.Errorf("rcode %s AA %v, want %s AA %v", dns.RcodeToString[in.Rcode], in.Authoritative, dns.RcodeToString[tc.rcode], tc.aa)
				}
				if tc.qtype == dns.TypeSOA {
					if got := rrTypes(in.Answer); len(got) != 1 || got[0] != "SOA" {
						t.Errorf("answer %v, want one SOA", rrLines(in.Answer))
					}
					return
				}
				if diff := cmp.Diff(tc.answer, rrLines(in.Answer)); diff != "" {
					t.Errorf("answer (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tc.authority, rrTypes(in.Ns)); diff != "" {
					t.Errorf("authority types (-want +got):\n%s", diff)
				}
			})
		}
	}
}

func TestDNSFollowsChanges(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	ask := func() []string {
		t.Helper()
		in, err := s.QueryDNS(t.Context(), "mta1.acme.example", dns.TypeA)
		if err != nil {
			t.Fatal(err)
		}
		return rrLines(in.Answer)
	}
	if got := ask(); len(got) != 0 {
		t.Fatalf("before the change: %v", got)
	}
	mustChange(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("mta1.acme.example", r53types.RRTypeA, 300, "192.0.2.1")))
	if diff := cmp.Diff([]string{"mta1.acme.example. A 192.0.2.1"}, ask()); diff != "" {
		t.Errorf("after the change (-want +got):\n%s", diff)
	}
	mustChange(t, c, zoneID, change(r53types.ChangeActionUpsert, rrset("mta1.acme.example", r53types.RRTypeA, 300, "192.0.2.2")))
	if diff := cmp.Diff([]string{"mta1.acme.example. A 192.0.2.2"}, ask()); diff != "" {
		t.Errorf("after the UPSERT (-want +got):\n%s", diff)
	}
}

func TestLookupRecords(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	subID := createZone(t, c, "mail.acme.example")
	mustChange(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("_dmarc.acme.example", r53types.RRTypeTxt, 300, `"v=DMARC1; p=none"`)))
	mustChange(t, c, subID, change(r53types.ChangeActionCreate, rrset("mail.acme.example", r53types.RRTypeMx, 300, "10 feedback-smtp.us-west-2.amazonses.com")))
	cases := []struct {
		name, rtype string
		want        []string
	}{
		{"_dmarc.acme.example", "TXT", []string{`"v=DMARC1; p=none"`}},
		{"_DMARC.acme.example.", "txt", []string{`"v=DMARC1; p=none"`}},
		{"mail.acme.example", "MX", []string{"10 feedback-smtp.us-west-2.amazonses.com"}},
		{"_dmarc.acme.example", "CNAME", nil},
		{"nothing.acme.example", "A", nil},
		{"acme.other", "A", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+tc.rtype, func(t *testing.T) {
			got, err := s.LookupRecords(t.Context(), tc.name, tc.rtype)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLargeAnswersAreTruncatedOverUDP(t *testing.T) {
	s := Shared(t)
	c := route53Client(s)
	zoneID := createZone(t, c, "acme.example")
	part := `"` + strings.Repeat("k", 255) + `"`
	key := strings.Join([]string{part, part, part, part}, " ") // about 1 KB
	mustChange(t, c, zoneID, change(r53types.ChangeActionCreate, rrset("big._domainkey.acme.example", r53types.RRTypeTxt, 300, key)))
	cases := []struct {
		name      string
		network   string
		edns      uint16
		truncated bool
	}{
		{"UDP without EDNS", "udp", 0, true},
		{"UDP with EDNS 4096", "udp", 4096, false},
		{"UDP with EDNS 1232", "udp", 1232, false},
		{"TCP", "tcp", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := new(dns.Msg)
			q.SetQuestion("big._domainkey.acme.example.", dns.TypeTXT)
			if tc.edns > 0 {
				q.SetEdns0(tc.edns, false)
			}
			client := &dns.Client{Net: tc.network, UDPSize: 65535}
			in, _, err := client.ExchangeContext(t.Context(), q, s.DNSAddr())
			if err != nil {
				t.Fatal(err)
			}
			if in.Truncated != tc.truncated {
				t.Errorf("TC = %v, want %v", in.Truncated, tc.truncated)
			}
			if !tc.truncated {
				if len(in.Answer) != 1 || len(in.Answer[0].(*dns.TXT).Txt) != 4 {
					t.Errorf("answer %v, want the TXT of 4 strings", rrLines(in.Answer))
				}
			}
			if tc.edns > 0 && in.IsEdns0() == nil {
				t.Error("EDNS(0) question answered without EDNS(0)")
			}
		})
	}
}
