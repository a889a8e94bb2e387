package ses

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/internal/awstest/sesdouble"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const (
	testRegion = "us-west-2"
	testStack  = "acme-prod"
	testZone   = "acme.example"
)

// env is one test's view of the local AWS double with the SES emulation
// wired in: the provider under test, plain SDK clients to check what AWS
// holds, and the SES calls counted per operation.
type env struct {
	t        *testing.T
	srv      *awstest.Server
	double   *sesdoubleHandle
	backend  *doubleBackend
	cfg      aws.Config
	v2       *sesv2.Client
	v1       *sesv1.Client
	r53      *route53.Client
	sns      *sns.Client
	zoneID   string
	secrets  *memSecrets
	clock    *fakeClock
	provider *Provider
}

// newEnv resets the double, wires a fresh SES emulation with a clock the
// test controls, and creates the Route 53 zone acme.example.
func newEnv(t *testing.T) *env {
	t.Helper()
	srv := awstest.Shared(t)
	clock := &fakeClock{now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	cfg := srv.Config(testRegion)
	e := &env{
		t:       t,
		srv:     srv,
		cfg:     cfg,
		v2:      sesv2.NewFromConfig(cfg),
		v1:      sesv1.NewFromConfig(cfg),
		r53:     route53.NewFromConfig(cfg),
		sns:     sns.NewFromConfig(cfg),
		secrets: &memSecrets{values: map[string][]byte{}},
		clock:   clock,
	}
	e.backend = &doubleBackend{r53: e.r53, sns: e.sns}
	e.double = wireSESDouble(srv, e.backend, clock.Now)
	out, err := e.r53.CreateHostedZone(t.Context(), &route53.CreateHostedZoneInput{
		Name:            aws.String(testZone),
		CallerReference: aws.String(t.Name()),
	})
	if err != nil {
		t.Fatalf("creating the test zone: %v", err)
	}
	e.zoneID = strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
	e.provider = New(cfg, e.secrets, Options{PollInterval: 10 * time.Millisecond, Now: clock.Now})
	return e
}

// sesCalls returns the SES calls (v1 and v2) per operation since the last resetCounts.
func (e *env) sesCalls() map[string]int { return e.double.counts() }

func (e *env) resetCounts() { e.double.resetCounts() }

// apply runs one change through the provider and fails the test on error.
func (e *env) apply(c plan.Change) providers.Result {
	e.t.Helper()
	res := e.applyResult(c)
	if res.Err != nil {
		e.t.Fatalf("apply %s %s: %v", c.Action, c.Addr, res.Err)
	}
	return res
}

func (e *env) applyResult(c plan.Change) providers.Result {
	e.t.Helper()
	rs := e.provider.Apply(e.t.Context(), providers.ApplyRequest{Stack: testStack, Region: testRegion, Changes: []plan.Change{c}})
	if len(rs) != 1 {
		e.t.Fatalf("apply %s: %d results, want 1", c.Addr, len(rs))
	}
	if rs[0].Addr != c.Addr {
		e.t.Fatalf("apply %s: result for %s", c.Addr, rs[0].Addr)
	}
	return rs[0]
}

// read runs Read and indexes the result by address.
func (e *env) read(desired ...specs.Resource) map[string]plan.Observed {
	e.t.Helper()
	obs, err := e.provider.Read(e.t.Context(), testStack, desired)
	if err != nil {
		e.t.Fatalf("read: %v", err)
	}
	m := map[string]plan.Observed{}
	for _, o := range obs {
		if _, dup := m[o.Addr]; dup {
			e.t.Fatalf("read: two observed resources at %s", o.Addr)
		}
		m[o.Addr] = o
	}
	return m
}

// createTopic creates an SNS topic and returns its ARN.
func (e *env) createTopic(name string) string {
	e.t.Helper()
	out, err := e.sns.CreateTopic(e.t.Context(), &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		e.t.Fatalf("creating topic %s: %v", name, err)
	}
	return aws.ToString(out.TopicArn)
}

// upsert writes a record set into the test zone.
func (e *env) upsert(name, rtype string, values ...string) {
	e.t.Helper()
	var rrs []r53types.ResourceRecord
	for _, v := range values {
		rrs = append(rrs, r53types.ResourceRecord{Value: aws.String(v)})
	}
	_, err := e.r53.ChangeResourceRecordSets(e.t.Context(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(e.zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action: r53types.ChangeActionUpsert,
			ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: aws.String(name), Type: r53types.RRType(rtype), TTL: aws.Int64(300), ResourceRecords: rrs,
			},
		}}},
	})
	if err != nil {
		e.t.Fatalf("writing %s %s: %v", name, rtype, err)
	}
	e.backend.forget()
}

// getIdentity reads an identity with the plain SDK client.
func (e *env) getIdentity(name string) (*sesv2.GetEmailIdentityOutput, bool) {
	e.t.Helper()
	out, err := e.v2.GetEmailIdentity(e.t.Context(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(name)})
	if isNotFound(err) {
		return nil, false
	}
	if err != nil {
		e.t.Fatalf("GetEmailIdentity %s: %v", name, err)
	}
	return out, true
}

// fakeClock is the time of the SES emulation and of the provider.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// memSecrets is a SecretReader over a map.
type memSecrets struct {
	mu     sync.Mutex
	values map[string][]byte
	reads  int
}

func (m *memSecrets) Get(ctx context.Context, loc string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	v, ok := m.values[loc]
	return append([]byte(nil), v...), ok, nil
}

// doubleBackend lets the SES emulation read the Route 53 zones of the double
// and publish to its SNS topics, through the real SDK clients. It lists each
// zone once and keeps the records until forget is called (env.upsert does),
// so that SES reads stay fast in tests with many identities.
type doubleBackend struct {
	r53 *route53.Client
	sns *sns.Client

	mu      sync.Mutex
	records map[string][]string // "name TYPE" -> values; nil until listed
}

func (b *doubleBackend) forget() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.records = nil
}

func (b *doubleBackend) LookupRecords(ctx context.Context, name, rtype string) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.records == nil {
		records := map[string][]string{}
		zones, err := b.r53.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
		if err != nil {
			return nil, err
		}
		for _, z := range zones.HostedZones {
			pager := route53.NewListResourceRecordSetsPaginator(b.r53, &route53.ListResourceRecordSetsInput{HostedZoneId: z.Id})
			for pager.HasMorePages() {
				page, err := pager.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				for _, rrs := range page.ResourceRecordSets {
					key := specs.Fqdn(aws.ToString(rrs.Name)) + " " + string(rrs.Type)
					for _, rr := range rrs.ResourceRecords {
						records[key] = append(records[key], aws.ToString(rr.Value))
					}
				}
			}
		}
		b.records = records
	}
	return append([]string(nil), b.records[specs.Fqdn(name)+" "+rtype]...), nil
}

func (b *doubleBackend) Publish(ctx context.Context, topicARN, message string) error {
	_, err := b.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topicARN), Message: aws.String(message)})
	return err
}

func (b *doubleBackend) TopicExists(ctx context.Context, topicARN string) (bool, error) {
	_, err := b.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
	var nf *snstypes.NotFoundException
	if errors.As(err, &nf) || isCode(err, "NotFound", "NotFoundException") {
		return false, nil
	}
	return err == nil, err
}

// countingHandler counts SES requests per operation before serving them.
type countingHandler struct {
	next http.Handler
	mu   sync.Mutex
	n    map[string]int
}

// TaggedResources passes the Tagging API's view on to the emulation
// (awstest.TaggedSource).
func (h *countingHandler) TaggedResources(region string, types []string) []sesdouble.Tagged {
	return h.next.(awstest.TaggedSource).TaggedResources(region, types)
}

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, err := sesOperation(r)
	if err != nil {
		op = r.Method + " " + r.URL.Path
	}
	h.mu.Lock()
	h.n[op]++
	h.mu.Unlock()
	h.next.ServeHTTP(w, r)
}
