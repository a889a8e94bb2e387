package sesdouble

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/smithy-go"
)

const (
	testRegion  = "us-west-2"
	testAccount = "123456789012"
)

// stubBackend is an in-memory Route 53 record map and SNS topic set that
// records what is published.
type stubBackend struct {
	mu         sync.Mutex
	records    map[string][]string // "name type" -> values
	topics     map[string]bool
	published  []published
	failTopics map[string]bool // Publish to these fails
	lookups    int
}

type published struct {
	Topic   string
	Message string
}

func newStubBackend() *stubBackend {
	return &stubBackend{records: map[string][]string{}, topics: map[string]bool{}, failTopics: map[string]bool{}}
}

func (b *stubBackend) LookupRecords(ctx context.Context, name, rtype string) ([]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lookups++
	return append([]string(nil), b.records[name+" "+rtype]...), nil
}

func (b *stubBackend) Publish(ctx context.Context, topicARN, message string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.topics[topicARN] || b.failTopics[topicARN] {
		return fmt.Errorf("publish to %s: topic does not exist", topicARN)
	}
	b.published = append(b.published, published{topicARN, message})
	return nil
}

func (b *stubBackend) TopicExists(ctx context.Context, topicARN string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.topics[topicARN], nil
}

func (b *stubBackend) lookupCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lookups
}

func (b *stubBackend) setRecords(name, rtype string, values ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(values) == 0 {
		delete(b.records, name+" "+rtype)
		return
	}
	b.records[name+" "+rtype] = values
}

func (b *stubBackend) addTopic(name string) string {
	arn := "arn:aws:sns:" + testRegion + ":" + testAccount + ":" + name
	b.mu.Lock()
	defer b.mu.Unlock()
	b.topics[arn] = true
	return arn
}

func (b *stubBackend) takePublished() []published {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.published
	b.published = nil
	return p
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a Double served over HTTP and the real SDK clients pointed at it.
type env struct {
	d     *Double
	be    *stubBackend
	clock *fakeClock
	url   string
	v2    *sesv2.Client
	v1    *ses.Client
}

func newEnv(t testing.TB, opts ...func(*Options)) *env {
	t.Helper()
	be := newStubBackend()
	clock := &fakeClock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	o := Options{AccountID: testAccount, Now: clock.Now, ReviewDelay: time.Hour}
	for _, f := range opts {
		f(&o)
	}
	d := New(be, o)
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	e := &env{d: d, be: be, clock: clock, url: srv.URL}
	e.v2, e.v1 = clients(srv.URL, testRegion)
	return e
}

// clients builds sesv2 and ses clients for region that never retry, so a
// throttling error reaches the test.
func clients(endpoint, region string) (*sesv2.Client, *ses.Client) {
	cfg := aws.Config{
		Region: region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "not-a-secret"}, nil
		}),
		Retryer:    func() aws.Retryer { return aws.NopRetryer{} },
		HTTPClient: ownBodyClient{awshttp.NewBuildableClient()},
	}
	v2 := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) { o.BaseEndpoint = aws.String(endpoint) })
	v1 := ses.NewFromConfig(cfg, func(o *ses.Options) { o.BaseEndpoint = aws.String(endpoint) })
	return v2, v1
}

// ownBodyClient gives the transport its own copy of each request body. The
// SDK closes the request body as soon as the response headers arrive; a local
// server answers so fast that the transport may still be making its final
// check for the end of the body, which then fails and makes it drop the
// connection while the response is being read ("use of closed network
// connection"). With its own copy the transport never sees that close.
type ownBodyClient struct{ next aws.HTTPClient }

func (c ownBodyClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return c.next.Do(r)
}

// errorCode returns the AWS error code of err, or "" when err is nil.
func errorCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error is not an AWS API error: %v", err)
	}
	return ae.ErrorCode()
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// publishDKIM publishes the 3 Easy DKIM CNAMEs of tokens for domain.
func (e *env) publishDKIM(domain string, tokens []string) {
	for _, tok := range tokens {
		e.be.setRecords(tok+"._domainkey."+domain+".", "CNAME", tok+".dkim.amazonses.com")
	}
}

// setTopic sets (or, with arn "", clears) a v1 identity notification topic.
func (e *env) setTopic(t *testing.T, identity, typ, arn string) error {
	in := &ses.SetIdentityNotificationTopicInput{Identity: aws.String(identity), NotificationType: sestypes.NotificationType(typ)}
	if arn != "" {
		in.SnsTopic = aws.String(arn)
	}
	_, err := e.v1.SetIdentityNotificationTopic(t.Context(), in)
	return err
}
