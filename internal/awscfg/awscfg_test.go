package awscfg

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// isolateAWSEnv clears every setting the default chain could pick up from the
// machine running the tests.
func isolateAWSEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ROUTE_53", "AWS_MAX_ATTEMPTS",
		"AWS_RETRY_MODE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
	} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	return dir
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		config     string
		settings   Settings
		wantRegion string
		wantErr    string // substring; "" = success
		wantIs     error
	}{
		{
			name:       "environment credentials and -region",
			env:        map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "do-not-print-me"},
			settings:   Settings{Region: "us-west-2"},
			wantRegion: "us-west-2",
		},
		{
			name:       "-region overrides AWS_REGION",
			env:        map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "do-not-print-me", "AWS_REGION": "eu-west-1"},
			settings:   Settings{Region: "us-east-1"},
			wantRegion: "us-east-1",
		},
		{
			name:       "profile gives region and credentials",
			config:     "[profile mail-admin]\nregion = eu-central-1\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = do-not-print-me\n",
			settings:   Settings{Profile: "mail-admin"},
			wantRegion: "eu-central-1",
		},
		{
			name:     "no region",
			env:      map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "do-not-print-me"},
			wantErr:  "-region",
			wantIs:   ErrNoRegion,
			settings: Settings{},
		},
		{
			name:     "no credentials",
			settings: Settings{Region: "us-west-2"},
			wantErr:  "AWS_ACCESS_KEY_ID",
			wantIs:   ErrNoCredentials,
		},
		{
			name:     "unknown profile",
			settings: Settings{Profile: "nope", Region: "us-west-2"},
			wantErr:  `AWS profile "nope" is not defined`,
		},
		{
			name:     "bad endpoint URL",
			env:      map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "do-not-print-me"},
			settings: Settings{Region: "us-west-2", EndpointURL: "localhost:4566"},
			wantErr:  "want http://HOST",
		},
		{
			name:     "bad AWS_ENDPOINT_URL",
			env:      map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "do-not-print-me", "AWS_ENDPOINT_URL": "127.0.0.1:4566"},
			settings: Settings{Region: "us-west-2"},
			wantErr:  "AWS_ENDPOINT_URL",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolateAWSEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if tt.config != "" {
				if err := os.WriteFile(filepath.Join(dir, "config"), []byte(tt.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := Load(t.Context(), tt.settings)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Load succeeded, want an error containing %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not contain %q", err, tt.wantErr)
				}
				if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
					t.Errorf("error %q is not %v", err, tt.wantIs)
				}
				if strings.Contains(err.Error(), "do-not-print-me") {
					t.Errorf("error reveals the secret access key: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if cfg.Region != tt.wantRegion {
				t.Errorf("region %q, want %q", cfg.Region, tt.wantRegion)
			}
			if cfg.Retryer == nil || cfg.Retryer().MaxAttempts() != MaxAttempts {
				t.Errorf("retryer does not make %d attempts", MaxAttempts)
			}
			stack := middleware.NewStack("probe", smithyhttp.NewStackRequest)
			for _, fn := range cfg.APIOptions {
				if err := fn(stack); err != nil {
					t.Fatal(err)
				}
			}
			if _, ok := stack.Finalize.Get(pacingID); !ok {
				t.Errorf("Load did not install pacing")
			}
		})
	}
}

// recorder is an HTTP server standing in for AWS: it records what reaches it
// and answers with the given status and body.
type recorder struct {
	mu       sync.Mutex
	requests []string // "METHOD PATH" or the Action/X-Amz-Target
	at       []time.Time
	clock    *fakeClock
	respond  func(n int, w http.ResponseWriter, r *http.Request)
}

func newRecorder(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) (*recorder, string) {
	rec := &recorder{respond: respond}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv.URL
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.requests = append(rec.requests, r.Method+" "+r.URL.Path)
	if rec.clock != nil {
		rec.at = append(rec.at, rec.clock.Now())
	}
	n := len(rec.requests)
	rec.mu.Unlock()
	if rec.respond != nil {
		rec.respond(n, w, r)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(`<GetHostedZoneCountResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZoneCount>1</HostedZoneCount></GetHostedZoneCountResponse>`))
}

func (rec *recorder) count() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.requests)
}

func TestEndpointOverride(t *testing.T) {
	tests := []struct {
		name       string
		envURL     bool // AWS_ENDPOINT_URL points at the "env" server
		settingURL bool // Settings.EndpointURL points at the "flag" server
		wantEnv    int
		wantFlag   int
	}{
		{name: "AWS_ENDPOINT_URL is honoured", envURL: true, wantEnv: 1},
		{name: "-endpoint-url", settingURL: true, wantFlag: 1},
		{name: "-endpoint-url wins over AWS_ENDPOINT_URL", envURL: true, settingURL: true, wantFlag: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWSEnv(t)
			t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
			envSrv, envURL := newRecorder(t, nil)
			flagSrv, flagURL := newRecorder(t, nil)
			s := Settings{Region: "us-west-2"}
			if tt.envURL {
				t.Setenv("AWS_ENDPOINT_URL", envURL)
			}
			if tt.settingURL {
				s.EndpointURL = flagURL
			}
			cfg, err := Load(t.Context(), s)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if _, err := route53.NewFromConfig(cfg).GetHostedZoneCount(t.Context(), &route53.GetHostedZoneCountInput{}); err != nil {
				t.Fatalf("GetHostedZoneCount: %v", err)
			}
			if envSrv.count() != tt.wantEnv || flagSrv.count() != tt.wantFlag {
				t.Errorf("requests reached env server %d times and flag server %d times, want %d and %d",
					envSrv.count(), flagSrv.count(), tt.wantEnv, tt.wantFlag)
			}
		})
	}
}

// fakeClock advances only when the pacer sleeps.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	return nil
}

func (c *fakeClock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

// testConfig is a config pointed at url with the mailform retryer, without
// backoff so that retries do not slow the tests.
func testConfig(url, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		BaseEndpoint: aws.String(url),
		Retryer: func() aws.Retryer {
			return newRetryer(func(o *retry.StandardOptions) {
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			})
		},
	}
}

// near compares durations of the fake clock, allowing for rate.Limiter's
// rounding to whole nanoseconds (not for time passing: nothing sleeps).
func near(got, want time.Duration) bool {
	d := got - want
	return d >= -10 && d <= 10
}

func TestPacing(t *testing.T) {
	type call func(ctx context.Context, cfg aws.Config) error
	route53Count := func(ctx context.Context, cfg aws.Config) error {
		_, err := route53.NewFromConfig(cfg).GetHostedZoneCount(ctx, &route53.GetHostedZoneCountInput{})
		return err
	}
	inRegion := func(region string, c call) call {
		return func(ctx context.Context, cfg aws.Config) error {
			cfg = cfg.Copy()
			cfg.Region = region
			return c(ctx, cfg)
		}
	}
	sesQuota := func(ctx context.Context, cfg aws.Config) error {
		_, err := ses.NewFromConfig(cfg).GetSendQuota(ctx, &ses.GetSendQuotaInput{})
		return err
	}
	sesSend := func(ctx context.Context, cfg aws.Config) error {
		_, err := ses.NewFromConfig(cfg).SendEmail(ctx, &ses.SendEmailInput{
			Source:      aws.String("a@example.com"),
			Destination: &sestypes.Destination{ToAddresses: []string{"b@example.com"}},
			Message:     &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}}},
		})
		return err
	}
	sesv2Account := func(ctx context.Context, cfg aws.Config) error {
		_, err := sesv2.NewFromConfig(cfg).GetAccount(ctx, &sesv2.GetAccountInput{})
		return err
	}
	sesv2Send := func(ctx context.Context, cfg aws.Config) error {
		_, err := sesv2.NewFromConfig(cfg).SendEmail(ctx, &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("a@example.com"),
			Destination:      &sesv2types.Destination{ToAddresses: []string{"b@example.com"}},
			Content:          &sesv2types.EmailContent{Raw: &sesv2types.RawMessage{Data: []byte("x")}},
		})
		return err
	}
	ec2Describe := func(ctx context.Context, cfg aws.Config) error {
		_, err := ec2.NewFromConfig(cfg).DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
		return err
	}
	tests := []struct {
		name      string
		pacing    Pacing
		calls     []call
		wantSlept time.Duration
	}{
		{name: "route53 5/s", pacing: DefaultPacing, calls: []call{route53Count, route53Count, route53Count, route53Count, route53Count, route53Count}, wantSlept: time.Second},
		{name: "route53 is global: regions share one limiter", pacing: DefaultPacing, calls: []call{route53Count, inRegion("eu-west-1", route53Count), inRegion("ap-south-1", route53Count)}, wantSlept: 400 * time.Millisecond},
		{name: "ses v1 and v2 share the control-plane limit", pacing: DefaultPacing, calls: []call{sesQuota, sesv2Account, sesQuota}, wantSlept: 2 * time.Second},
		{name: "ses regions are separate", pacing: DefaultPacing, calls: []call{sesQuota, inRegion("eu-west-1", sesQuota), sesQuota}, wantSlept: time.Second},
		{name: "sending calls are not paced", pacing: DefaultPacing, calls: []call{sesSend, sesSend, sesv2Send, sesv2Send}},
		{name: "other services are not paced", pacing: DefaultPacing, calls: []call{ec2Describe, ec2Describe, ec2Describe}},
		{name: "services do not share", pacing: DefaultPacing, calls: []call{route53Count, sesQuota, route53Count, sesv2Account}, wantSlept: time.Second}, // 200ms for Route 53, then the rest of SES's 1s
		{name: "time scale", pacing: DefaultPacing.Scaled(10), calls: []call{route53Count, route53Count, route53Count, sesQuota, sesQuota}, wantSlept: 40*time.Millisecond + 100*time.Millisecond},
		{name: "zero is unlimited", pacing: Pacing{}, calls: []call{route53Count, route53Count, sesQuota, sesQuota}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			rec, url := newRecorder(t, nil)
			rec.clock = clock
			cfg := withPacer(testConfig(url, "us-west-2"), newPacer(tt.pacing, clock))
			for i, c := range tt.calls {
				// Errors are expected: the recorder answers every call with one
				// body. Pacing happens before the request is sent either way.
				_ = c(t.Context(), cfg)
				if rec.count() < i+1 {
					t.Fatalf("call %d never reached the server", i)
				}
			}
			if got := clock.Slept(); !near(got, tt.wantSlept) {
				t.Errorf("paced for %v, want %v", got, tt.wantSlept)
			}
		})
	}
}

func TestPacingSharedByClientsOfOneConfig(t *testing.T) {
	clock := newFakeClock()
	rec, url := newRecorder(t, nil)
	rec.clock = clock
	cfg := withPacer(testConfig(url, "us-west-2"), newPacer(DefaultPacing, clock))
	a, b := route53.NewFromConfig(cfg), route53.NewFromConfig(cfg.Copy())
	for i := 0; i < 5; i++ {
		for _, c := range []*route53.Client{a, b} {
			if _, err := c.GetHostedZoneCount(t.Context(), &route53.GetHostedZoneCountInput{}); err != nil {
				t.Fatalf("GetHostedZoneCount: %v", err)
			}
		}
	}
	if len(rec.at) != 10 {
		t.Fatalf("%d requests, want 10", len(rec.at))
	}
	for i := 1; i < len(rec.at); i++ {
		if gap := rec.at[i].Sub(rec.at[i-1]); !near(gap, 200*time.Millisecond) {
			t.Errorf("request %d came %v after the previous one, want %v", i, gap, 200*time.Millisecond)
		}
	}
}

func TestPacingEveryAttempt(t *testing.T) {
	clock := newFakeClock()
	rec, url := newRecorder(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n <= 2 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
			return
		}
		_, _ = w.Write([]byte(`<GetHostedZoneCountResponse><HostedZoneCount>3</HostedZoneCount></GetHostedZoneCountResponse>`))
	})
	rec.clock = clock
	cfg := withPacer(testConfig(url, "us-west-2"), newPacer(DefaultPacing, clock))
	out, err := route53.NewFromConfig(cfg).GetHostedZoneCount(t.Context(), &route53.GetHostedZoneCountInput{})
	if err != nil {
		t.Fatalf("GetHostedZoneCount after two throttles: %v", err)
	}
	if aws.ToInt64(out.HostedZoneCount) != 3 {
		t.Errorf("count %d, want 3", aws.ToInt64(out.HostedZoneCount))
	}
	if rec.count() != 3 || !near(clock.Slept(), 400*time.Millisecond) {
		t.Errorf("%d attempts paced for %v, want 3 attempts paced for %v", rec.count(), clock.Slept(), 400*time.Millisecond)
	}
}

func TestPaceReplacesPacing(t *testing.T) {
	first, second := newFakeClock(), newFakeClock()
	rec, url := newRecorder(t, nil)
	cfg := withPacer(testConfig(url, "us-west-2"), newPacer(Pacing{Route53PerSecond: 1}, first))
	cfg = withPacer(cfg, newPacer(Pacing{Route53PerSecond: 2}, second))
	client := route53.NewFromConfig(cfg)
	for i := 0; i < 3; i++ {
		if _, err := client.GetHostedZoneCount(t.Context(), &route53.GetHostedZoneCountInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if rec.count() != 3 || first.Slept() != 0 || !near(second.Slept(), time.Second) {
		t.Errorf("%d calls; first pacing slept %v, second %v; want 3 calls, 0s, %v", rec.count(), first.Slept(), second.Slept(), time.Second)
	}
}

func TestPacingHonoursContext(t *testing.T) {
	clock := newFakeClock()
	rec, url := newRecorder(t, nil)
	p := newPacer(Pacing{SESPerSecond: 1}, clock)
	cfg := withPacer(testConfig(url, "us-west-2"), p)
	client := ses.NewFromConfig(cfg)
	_, _ = client.GetSendQuota(t.Context(), &ses.GetSendQuotaInput{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := client.GetSendQuota(ctx, &ses.GetSendQuotaInput{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if rec.count() != 1 {
		t.Errorf("%d requests reached AWS, want 1: the cancelled call must not be sent", rec.count())
	}
	// The cancelled call gave its token back: the next call waits one interval, not two.
	_, _ = client.GetSendQuota(t.Context(), &ses.GetSendQuotaInput{})
	if !near(clock.Slept(), time.Second) {
		t.Errorf("paced for %v, want %v", clock.Slept(), time.Second)
	}
}

func TestRetries(t *testing.T) {
	serverError := func(n int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`<Response><Errors><Error><Code>InternalError</Code><Message>boom</Message></Error></Errors><RequestID>r</RequestID></Response>`))
	}
	sesv2Limit := func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Errortype", "LimitExceededException")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"Maximum number of identities reached"}`))
	}
	tests := []struct {
		name    string
		respond func(int, http.ResponseWriter, *http.Request)
		call    func(ctx context.Context, cfg aws.Config) error
		want    int
	}{
		{name: "ec2 500 is retried", respond: serverError, want: MaxAttempts, call: func(ctx context.Context, cfg aws.Config) error {
			_, err := ec2.NewFromConfig(cfg).DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
			return err
		}},
		{name: "AllocateAddress with NoRetry is tried once", respond: serverError, want: 1, call: func(ctx context.Context, cfg aws.Config) error {
			_, err := ec2.NewFromConfig(cfg).AllocateAddress(ctx, &ec2.AllocateAddressInput{}, NoRetry)
			return err
		}},
		{name: "sesv2 LimitExceededException is final", respond: sesv2Limit, want: 1, call: func(ctx context.Context, cfg aws.Config) error {
			_, err := sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, url := newRecorder(t, tt.respond)
			if err := tt.call(t.Context(), testConfig(url, "us-west-2")); err == nil {
				t.Fatal("call succeeded, want an error")
			}
			if rec.count() != tt.want {
				t.Errorf("%d attempts, want %d", rec.count(), tt.want)
			}
		})
	}
}

func TestExplain(t *testing.T) {
	xmlError := func(status int, code string) func(int, http.ResponseWriter, *http.Request) {
		return func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>` + code + `</Code><Message>AWS said no</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
		}
	}
	tests := []struct {
		name    string
		respond func(int, http.ResponseWriter, *http.Request)
		call    func(ctx context.Context, cfg aws.Config) error
		want    string
		wantAs  any
	}{
		{
			name:    "route53 AccessDenied",
			respond: xmlError(http.StatusForbidden, "AccessDenied"),
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := route53.NewFromConfig(cfg).ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{})
				return err
			},
			want:   "missing IAM permission route53:ListHostedZonesByName",
			wantAs: new(*MissingPermissionError),
		},
		{
			name: "ec2 UnauthorizedOperation",
			respond: func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r</RequestID></Response>`))
			},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := ec2.NewFromConfig(cfg).AllocateAddress(ctx, &ec2.AllocateAddressInput{}, NoRetry)
				return err
			},
			want:   "missing IAM permission ec2:AllocateAddress",
			wantAs: new(*MissingPermissionError),
		},
		{
			name: "sesv2 AccessDeniedException",
			respond: func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Amzn-Errortype", "AccessDeniedException")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"message":"not authorized"}`))
			},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
				return err
			},
			want:   "missing IAM permission ses:CreateEmailIdentity",
			wantAs: new(*MissingPermissionError),
		},
		{
			name:    "route53 throttling after every retry",
			respond: xmlError(http.StatusBadRequest, "Throttling"),
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := route53.NewFromConfig(cfg).GetHostedZoneCount(ctx, &route53.GetHostedZoneCountInput{})
				return err
			},
			want:   "AWS Route 53 kept throttling GetHostedZoneCount after 8 attempts",
			wantAs: new(*ThrottledError),
		},
		{
			name: "sesv2 LimitExceededException is not throttling",
			respond: func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Amzn-Errortype", "LimitExceededException")
				w.WriteHeader(http.StatusBadRequest)
				_, _ = w.Write([]byte(`{"message":"Maximum number of identities reached"}`))
			},
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := sesv2.NewFromConfig(cfg).CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
				return err
			},
			want: "Maximum number of identities reached",
		},
		{
			name:    "other errors are unchanged",
			respond: xmlError(http.StatusNotFound, "NoSuchHostedZone"),
			call: func(ctx context.Context, cfg aws.Config) error {
				_, err := route53.NewFromConfig(cfg).GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String("Z1")})
				return err
			},
			want: "NoSuchHostedZone",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, url := newRecorder(t, tt.respond)
			orig := tt.call(t.Context(), testConfig(url, "us-west-2"))
			if orig == nil {
				t.Fatal("call succeeded, want an error")
			}
			got := Explain(orig)
			if !strings.Contains(got.Error(), tt.want) {
				t.Errorf("Explain = %q, want it to contain %q", got, tt.want)
			}
			if !errors.Is(got, orig) {
				t.Errorf("Explain does not wrap the original error")
			}
			if tt.wantAs != nil {
				if !errors.As(got, tt.wantAs) {
					t.Errorf("Explain = %T, want %T", got, tt.wantAs)
				}
			} else if got != orig {
				t.Errorf("Explain changed an error it has nothing to add to: %q", got)
			}
			if Explain(got) != got {
				t.Errorf("Explain is not idempotent")
			}
		})
	}
	if Explain(nil) != nil {
		t.Error("Explain(nil) != nil")
	}
}
