package awstest

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// TestReverseDNSServed: the double's DNS answers the in-addr.arpa name of an
// Elastic IP with its PTR once the update has taken effect, and NXDOMAIN
// before and after.
func TestReverseDNSServed(t *testing.T) {
	s := Shared(t)
	clock := freezeClock(t, s)
	configure(t, s, func(o *Options) { o.PTRDelay = 10 * time.Minute })
	ctx := t.Context()
	c := ec2Client(s)
	r53 := route53Client(s)

	eip, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	id, ip := aws.ToString(eip.AllocationId), aws.ToString(eip.PublicIp)
	reverse, err := dns.ReverseAddr(ip)
	if err != nil {
		t.Fatal(err)
	}
	zoneID := createZone(t, r53, "acme.example")
	mustChange(t, r53, zoneID, change(r53types.ChangeActionCreate, rrset("mta1.acme.example", r53types.RRTypeA, 300, ip)))

	ask := func(qtype uint16) (int, []string) {
		t.Helper()
		m, err := s.QueryDNS(ctx, reverse, qtype)
		if err != nil {
			t.Fatal(err)
		}
		return m.Rcode, rrLines(m.Answer)
	}
	steps := []struct {
		name    string
		do      func()
		qtype   uint16
		rcode   int
		answers []string
	}{
		{"no PTR set", nil, dns.TypePTR, dns.RcodeNameError, nil},
		{"set, still PENDING", func() {
			if _, err := c.ModifyAddressAttribute(ctx, &ec2.ModifyAddressAttributeInput{AllocationId: aws.String(id), DomainName: aws.String("mta1.acme.example")}); err != nil {
				t.Fatal(err)
			}
		}, dns.TypePTR, dns.RcodeNameError, nil},
		{"in effect", func() { clock.Advance(10 * time.Minute) }, dns.TypePTR, dns.RcodeSuccess, []string{reverse + " PTR mta1.acme.example."}},
		{"other type at the name", nil, dns.TypeTXT, dns.RcodeSuccess, nil},
		{"reset", func() {
			if _, err := c.ResetAddressAttribute(ctx, &ec2.ResetAddressAttributeInput{AllocationId: aws.String(id), Attribute: ec2types.AddressAttributeNameDomainName}); err != nil {
				t.Fatal(err)
			}
			clock.Advance(10 * time.Minute)
		}, dns.TypePTR, dns.RcodeNameError, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.do != nil {
				st.do()
			}
			rcode, answers := ask(st.qtype)
			if rcode != st.rcode {
				t.Errorf("rcode = %s, want %s", dns.RcodeToString[rcode], dns.RcodeToString[st.rcode])
			}
			if diff := cmp.Diff(st.answers, answers); diff != "" {
				t.Errorf("answers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReverseIPv4(t *testing.T) {
	cases := []struct{ in, want string }{
		{"25.113.0.203.in-addr.arpa.", "203.0.113.25"},
		{"25.113.0.203.IN-ADDR.ARPA.", "203.0.113.25"},
		{"113.0.203.in-addr.arpa.", ""},
		{"x.113.0.203.in-addr.arpa.", ""},
		{"acme.example.", ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := reverseIPv4(c.in); got != c.want {
				t.Errorf("reverseIPv4(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
