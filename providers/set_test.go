package providers

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// kindsOnly is a provider of some kinds that records what Read was given.
type kindsOnly struct {
	kinds []specs.Kind
	got   []string
	err   error
}

func (k *kindsOnly) Kinds() []specs.Kind { return k.kinds }
func (k *kindsOnly) Read(_ context.Context, _ string, desired []specs.Resource) ([]plan.Observed, error) {
	var out []plan.Observed
	for _, r := range desired {
		k.got = append(k.got, r.Addr)
		out = append(out, plan.Observed{Addr: r.Addr, Kind: r.Kind})
	}
	return out, k.err
}
func (k *kindsOnly) Apply(context.Context, ApplyRequest) []Result { return nil }

func TestSetRoutesByKind(t *testing.T) {
	dns := &kindsOnly{kinds: []specs.Kind{specs.KindRoute53Record}}
	ec2 := &kindsOnly{kinds: []specs.Kind{specs.KindEIP, specs.KindReverseDNS}}
	set := NewSet(dns, ec2)
	if set.For(specs.KindRoute53Record) != dns || set.For(specs.KindReverseDNS) != ec2 {
		t.Errorf("For routes a kind to the wrong provider")
	}
	if set.For(specs.KindSNSTopic) != nil {
		t.Errorf("For(%s) = a provider, want nil: none lists that kind", specs.KindSNSTopic)
	}
	if !slices.Equal(set.All(), []Provider{dns, ec2}) {
		t.Errorf("All() = %v, want the providers in the order given", set.All())
	}
}

func TestSetReadGivesEachProviderItsKinds(t *testing.T) {
	refused := errors.New("AccessDenied")
	dns := &kindsOnly{kinds: []specs.Kind{specs.KindRoute53Record}}
	ec2 := &kindsOnly{kinds: []specs.Kind{specs.KindEIP, specs.KindReverseDNS}, err: refused}
	desired := []specs.Resource{
		{Addr: "ec2.eip.mta", Kind: specs.KindEIP},
		{Addr: "route53.record.mx", Kind: specs.KindRoute53Record},
		{Addr: "ec2.reverse_dns.mta", Kind: specs.KindReverseDNS},
		{Addr: "sns.topic.bounces", Kind: specs.KindSNSTopic},
	}
	answers := NewSet(dns, ec2).Read(context.Background(), "prod", desired)
	if len(answers) != 2 || answers[0].Provider != dns || answers[1].Provider != ec2 {
		t.Fatalf("answers = %+v, want one per provider in the order of All", answers)
	}
	if !slices.Equal(dns.got, []string{"route53.record.mx"}) {
		t.Errorf("the Route 53 provider read %v", dns.got)
	}
	if !slices.Equal(ec2.got, []string{"ec2.eip.mta", "ec2.reverse_dns.mta"}) {
		t.Errorf("the EC2 provider read %v", ec2.got)
	}
	if answers[0].Err != nil || !errors.Is(answers[1].Err, refused) {
		t.Errorf("errors = %v, %v; want each provider's own", answers[0].Err, answers[1].Err)
	}
	if len(answers[1].Observed) != 2 {
		t.Errorf("the EC2 answer lost its observed state beside its error: %+v", answers[1].Observed)
	}
}
