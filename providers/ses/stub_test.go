package ses

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	sesv1types "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// stubV2 answers the few v2 calls a test needs; any other call fails the
// test through the nil embedded interface.
type stubV2 struct {
	V2API
	identities []string          // all identities, in list order
	owner      map[string]string // identity -> mailform:stack tag
	pageSizes  []int32
	// configSetPageSizes are the PageSize of each ListConfigurationSets call.
	configSetPageSizes []*int32
	calls              map[string]int
	createErr          error
	mu                 sync.Mutex // the provider reads several identities at once
}

func (s *stubV2) count(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[op]++
}

func (s *stubV2) ListEmailIdentities(ctx context.Context, in *sesv2.ListEmailIdentitiesInput, _ ...func(*sesv2.Options)) (*sesv2.ListEmailIdentitiesOutput, error) {
	s.count("ListEmailIdentities")
	s.pageSizes = append(s.pageSizes, aws.ToInt32(in.PageSize))
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(*in.NextToken)
	}
	end := min(start+int(aws.ToInt32(in.PageSize)), len(s.identities))
	out := &sesv2.ListEmailIdentitiesOutput{}
	for _, n := range s.identities[start:end] {
		out.EmailIdentities = append(out.EmailIdentities, types.IdentityInfo{IdentityName: aws.String(n), IdentityType: types.IdentityTypeDomain})
	}
	if end < len(s.identities) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

func (s *stubV2) GetEmailIdentity(ctx context.Context, in *sesv2.GetEmailIdentityInput, _ ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error) {
	s.count("GetEmailIdentity")
	out := &sesv2.GetEmailIdentityOutput{IdentityType: types.IdentityTypeDomain, DkimAttributes: &types.DkimAttributes{SigningEnabled: true}}
	if o := s.owner[aws.ToString(in.EmailIdentity)]; o != "" {
		out.Tags = []types.Tag{{Key: aws.String(specs.TagStack), Value: aws.String(o)}}
	}
	return out, nil
}

func (s *stubV2) ListConfigurationSets(ctx context.Context, in *sesv2.ListConfigurationSetsInput, _ ...func(*sesv2.Options)) (*sesv2.ListConfigurationSetsOutput, error) {
	s.count("ListConfigurationSets")
	s.mu.Lock()
	s.configSetPageSizes = append(s.configSetPageSizes, in.PageSize)
	s.mu.Unlock()
	return &sesv2.ListConfigurationSetsOutput{}, nil
}

func (s *stubV2) CreateEmailIdentity(ctx context.Context, in *sesv2.CreateEmailIdentityInput, _ ...func(*sesv2.Options)) (*sesv2.CreateEmailIdentityOutput, error) {
	s.count("CreateEmailIdentity")
	return nil, s.createErr
}

type stubV1 struct {
	V1API
	batches []int
	mu      sync.Mutex // batches are read several at once
}

func (s *stubV1) GetIdentityNotificationAttributes(ctx context.Context, in *sesv1.GetIdentityNotificationAttributesInput, _ ...func(*sesv1.Options)) (*sesv1.GetIdentityNotificationAttributesOutput, error) {
	s.mu.Lock()
	s.batches = append(s.batches, len(in.Identities))
	s.mu.Unlock()
	out := &sesv1.GetIdentityNotificationAttributesOutput{NotificationAttributes: map[string]sesv1types.IdentityNotificationAttributes{}}
	for _, id := range in.Identities {
		out.NotificationAttributes[id] = sesv1types.IdentityNotificationAttributes{ForwardingEnabled: true}
	}
	return out, nil
}

// Beyond one page of identities: the list follows NextToken with the largest
// page, every identity is read once for its tags, and only the stack's own
// (and the desired) are asked for their topics, 100 at a time.
func TestReadPaginatesAndBatches(t *testing.T) {
	v2 := &stubV2{owner: map[string]string{}}
	for i := range 2500 {
		name := fmt.Sprintf("d%04d.example", i)
		v2.identities = append(v2.identities, name)
		switch {
		case i%10 == 0:
			v2.owner[name] = testStack
		case i%10 == 1:
			v2.owner[name] = "other-stack"
		}
	}
	v1 := &stubV1{}
	p := NewWithClients(testRegion, v2, v1, nil, nil, Options{AccountID: "123456789012"})
	desired := []specs.Resource{domain("d0001.example", nil)} // another stack's, desired: reported
	obs, err := p.Read(t.Context(), testStack, desired)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 251 {
		t.Fatalf("read %d identities, want the stack's 250 and the desired one", len(obs))
	}
	wantCalls := map[string]int{"ListEmailIdentities": 3, "GetEmailIdentity": 2500, "ListConfigurationSets": 1}
	if diff := cmp.Diff(wantCalls, v2.calls); diff != "" {
		t.Errorf("v2 calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int32{1000, 1000, 1000}, v2.pageSizes); diff != "" {
		t.Errorf("page sizes (-want +got):\n%s", diff)
	}
	// AWS documents no maximum page size for ListConfigurationSets: asking
	// for one it might refuse would fail every plan.
	for _, size := range v2.configSetPageSizes {
		if size != nil {
			t.Errorf("ListConfigurationSets asked for PageSize %d; AWS documents no maximum, so none should be given", *size)
		}
	}
	slices.Sort(v1.batches)
	if diff := cmp.Diff([]int{51, 100, 100}, v1.batches); diff != "" {
		t.Errorf("notification batches (-want +got):\n%s", diff)
	}
	for _, o := range obs {
		switch {
		case o.ID == "d0001.example":
			if o.Addr != "domain.d0001.example" || o.Owner != "other-stack" {
				t.Errorf("desired identity of another stack: %+v", o)
			}
		case o.Owner != testStack:
			t.Errorf("identity of %q read as the stack's: %+v", o.Owner, o)
		case o.Addr != "domain."+o.ID:
			t.Errorf("owned identity without an address tag: addr %q", o.Addr)
		}
	}
}

// An API that echoes its input must not carry the private key into an error.
func TestPrivateKeyNeverInErrors(t *testing.T) {
	keyPEM := pkcs1PEM(testRSAKey(t, 2048))
	body, err := SESPrivateKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	v2 := &stubV2{createErr: errors.New("InvalidParameter: DomainSigningPrivateKey " + body + " is not accepted")}
	secrets := &memSecrets{values: map[string][]byte{"ssm:/k": keyPEM}}
	p := NewWithClients(testRegion, v2, &stubV1{}, nil, secrets, Options{AccountID: "123456789012"})
	var progress []string
	r := domain("acme.example", map[string]any{"dkim_mode": "byo", "dkim_selector": "s1", "dkim_private_key": "ssm:/k"})
	rs := p.Apply(t.Context(), providers.ApplyRequest{
		Stack: testStack, Changes: []plan.Change{createOf(r)},
		Progress: func(addr, msg string) { progress = append(progress, msg) },
	})
	if rs[0].Err == nil {
		t.Fatal("the echoed failure was lost")
	}
	if !strings.Contains(rs[0].Err.Error(), "(private key)") || !strings.Contains(rs[0].Err.Error(), "acme.example") {
		t.Errorf("err = %v", rs[0].Err)
	}
	assertNoKeyMaterial(t, rs[0].Err.Error()+rs[0].Message+strings.Join(progress, "\n"), keyPEM)
	for e := rs[0].Err; e != nil; e = errors.Unwrap(e) {
		assertNoKeyMaterial(t, e.Error(), keyPEM)
	}
}

func TestApplyRefusesAnotherRegion(t *testing.T) {
	v2 := &stubV2{}
	p := NewWithClients("eu-west-1", v2, &stubV1{}, nil, nil, Options{AccountID: "123456789012"})
	rs := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Region: "us-west-2", Changes: []plan.Change{createOf(domain("acme.example", nil))}})
	if len(rs) != 1 || rs[0].Err == nil || !strings.Contains(rs[0].Err.Error(), "region us-west-2") {
		t.Fatalf("results = %+v", rs)
	}
	if len(v2.calls) != 0 {
		t.Errorf("SES was called: %v", v2.calls)
	}
}

// An interrupted apply still answers for every change it was given, by
// address, without calling SES.
func TestApplyAnswersForEveryChangeWhenCancelled(t *testing.T) {
	v2 := &stubV2{}
	p := NewWithClients("eu-west-1", v2, &stubV1{}, nil, nil, Options{AccountID: "123456789012"})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var changes []plan.Change
	for i := range 20 {
		changes = append(changes, createOf(domain(fmt.Sprintf("d%02d.example", i), nil)))
	}
	rs := p.Apply(ctx, providers.ApplyRequest{Stack: testStack, Changes: changes})
	if len(rs) != len(changes) {
		t.Fatalf("%d results for %d changes", len(rs), len(changes))
	}
	for i, r := range rs {
		if r.Addr != changes[i].Addr || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("result %d = %s: %v, want %s not applied: context canceled", i, r.Addr, r.Err, changes[i].Addr)
		}
	}
	if len(v2.calls) != 0 {
		t.Errorf("SES was called: %v", v2.calls)
	}
}
