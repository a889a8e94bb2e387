package ses

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	taggingtypes "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// foreignIdentities creates identities that are not acme-prod's but look like
// it: names sharing the declared name as prefix or suffix, the stack's tag
// keys with other values, a stack whose name starts with acme-prod, a key
// that differs only in case.
func (e *env) foreignIdentities() {
	e.createDirect("acme.example.other.example", nil)
	e.createDirect("mail.acme.example", map[string]string{specs.TagStack: "other-stack", specs.TagAddr: "domain.mail.acme.example"})
	e.createDirect("acme.examples", map[string]string{specs.TagStack: "acme-prod-2", specs.TagAddr: "domain.acme.examples"})
	e.createDirect("addr-only.example", map[string]string{specs.TagAddr: "domain.addr-only.example"})
	e.createDirect("case.example", map[string]string{"Mailform:Stack": testStack})
	e.createDirect("empty.example", map[string]string{specs.TagStack: ""})
	for i := range 20 {
		e.createDirect(fmt.Sprintf("customer%02d.example", i), map[string]string{"customer": "yes"})
	}
}

func TestReadDescribesOnlyDeclaredAndMarkedIdentities(t *testing.T) {
	e := newEnv(t)
	e.foreignIdentities()
	e.createDirect(testZone, map[string]string{specs.TagStack: testStack, specs.TagAddr: "domain." + testZone})
	e.createDirect("old.acme.example", map[string]string{specs.TagStack: testStack, specs.TagAddr: "domain.old.acme.example"})

	t.Run("a spec that declares one identity", func(t *testing.T) {
		e.resetCounts()
		obs := e.read(domain(testZone, nil))
		if len(obs) != 2 || obs["domain."+testZone].Owner != testStack || obs["domain.old.acme.example"].Owner != testStack {
			t.Errorf("read %v, want the declared identity and the stack's undeclared one", keysOf(obs))
		}
		if n := e.sesCalls()["GetEmailIdentity"]; n != 2 {
			t.Errorf("%d GetEmailIdentity calls, want 2 (none for the 26 foreign identities): %v", n, e.sesCalls())
		}
	})

	t.Run("a spec without SES identities lists none", func(t *testing.T) {
		e.resetCounts()
		obs := e.read()
		if len(obs) != 2 {
			t.Errorf("read %v, want the stack's two identities (to delete them)", keysOf(obs))
		}
		calls := e.sesCalls()
		if calls["ListEmailIdentities"] != 0 || calls["GetEmailIdentity"] != 2 {
			t.Errorf("SES calls %v, want 2 GetEmailIdentity and no list", calls)
		}
	})
}

func TestReadFollowsShortTaggingPages(t *testing.T) {
	e := newEnv(t)
	e.foreignIdentities()
	const owned = 130 // more than one page of 100, and the double answers fewer than asked
	for i := range owned {
		name := fmt.Sprintf("d%03d.acme.example", i)
		e.createDirect(name, map[string]string{specs.TagStack: testStack, specs.TagAddr: "domain." + name})
	}
	e.srv.ResetCounts()
	obs := e.read()
	if len(obs) != owned {
		t.Fatalf("read %d identities, want the stack's %d", len(obs), owned)
	}
	if n := e.srv.Counts()["tagging"]["GetResources"]; n < 2 {
		t.Errorf("%d GetResources calls for %d marked identities: pages not followed", n, owned)
	}
}

// staleTags is a tag index that lags behind SES: it names identities as
// marked by the stack that no longer are, or no longer exist.
type staleTags struct{ arns []string }

func (s staleTags) GetResources(context.Context, *resourcegroupstaggingapi.GetResourcesInput, ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error) {
	out := &resourcegroupstaggingapi.GetResourcesOutput{}
	for _, a := range s.arns {
		out.ResourceTagMappingList = append(out.ResourceTagMappingList, taggingtypes.ResourceTagMapping{
			ResourceARN: aws.String(a),
			Tags:        []taggingtypes.Tag{{Key: aws.String(specs.TagStack), Value: aws.String(testStack)}},
		})
	}
	return out, nil
}

func TestReadVerifiesTheTagIndexWithSES(t *testing.T) {
	e := newEnv(t)
	e.createDirect("lost.example", map[string]string{specs.TagStack: "other-stack"}) // re-marked since the index saw it
	e.createDirect("never.example", nil)                                             // never marked
	arn := func(name string) string {
		return "arn:aws:ses:" + testRegion + ":" + awstest.AccountID + ":identity/" + name
	}
	e.provider.opts.Tags = staleTags{[]string{arn("lost.example"), arn("never.example"), arn("gone.example"),
		"arn:aws:ses:eu-west-1:" + awstest.AccountID + ":identity/elsewhere.example"}}
	obs := e.read()
	if len(obs) != 0 {
		t.Errorf("read %v: identities the index named but SES does not show as the stack's were taken", keysOf(obs))
	}
}

func TestIdentityNameOfARN(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:ses:us-west-2:123456789012:identity/acme.example":          "acme.example",
		"arn:aws-us-gov:ses:us-west-2:123456789012:identity/a@acme.example": "a@acme.example",
		"arn:aws:ses:eu-west-1:123456789012:identity/acme.example":          "",
		"arn:aws:ses:us-west-2:123456789012:configuration-set/acme":         "",
		"arn:aws:sns:us-west-2:123456789012:identity/acme.example":          "",
		"arn:aws:ses:us-west-2:123456789012:identity/":                      "",
	} {
		got, ok := identityNameOfARN(arn, testRegion)
		if got != want || ok != (want != "") {
			t.Errorf("identityNameOfARN(%q) = %q, %v; want %q", arn, got, ok, want)
		}
	}
}

func keysOf(m map[string]plan.Observed) []string { return slices.Sorted(maps.Keys(m)) }

// progressV2 notes the provider's ReadProgress at every GetEmailIdentity.
type progressV2 struct {
	*stubV2
	seen func()
}

func (s progressV2) GetEmailIdentity(ctx context.Context, in *sesv2.GetEmailIdentityInput, o ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error) {
	s.seen()
	return s.stubV2.GetEmailIdentity(ctx, in, o...)
}

func TestReadProgressCountsDescribedIdentities(t *testing.T) {
	stub := &stubV2{owner: map[string]string{}}
	for i := range 30 {
		stub.identities = append(stub.identities, fmt.Sprintf("d%02d.example", i))
	}
	var (
		mu      sync.Mutex
		totals  = map[int]bool{}
		maxDone int
	)
	var p *Provider
	v2 := progressV2{stub, func() {
		done, total := p.ReadProgress()
		mu.Lock()
		defer mu.Unlock()
		totals[total] = true
		maxDone = max(maxDone, done)
	}}
	p = NewWithClients(testRegion, v2, &stubV1{}, nil, nil, Options{AccountID: "123456789012"})
	if _, err := p.Read(t.Context(), testStack, nil); err != nil {
		t.Fatal(err)
	}
	if len(totals) != 1 || !totals[30] || maxDone < 20 || maxDone > 29 {
		t.Errorf("progress during the read: totals %v, largest done %d; want total 30 and done counting up", totals, maxDone)
	}
	if done, total := p.ReadProgress(); total != 0 {
		t.Errorf("after the read: %d/%d, want total 0 (nothing under way)", done, total)
	}
}
