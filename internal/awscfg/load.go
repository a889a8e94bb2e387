// Package awscfg builds the aws.Config that every mailform provider uses: the
// default credential chain with the -profile, -region and -endpoint-url
// overrides, a retryer that keeps trying through throttling, client-side
// pacing that keeps mailform under each service's account-wide rate limit
// (Route 53 5 requests/s, SES control plane 1 request/s), Explain, which
// turns AWS errors into messages that say what to do, and Debug, a log of
// every call (for -debug) that never holds a secret.
//
// It must not read or change any AWS resource itself, print on its own, or
// exit: it returns configuration and errors to its caller, and Debug writes
// only to the writer its caller gives.
package awscfg

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// Settings are the user's choices about how to reach AWS. Every field is
// optional: empty means the AWS default chain decides (environment, shared
// config files, instance or container role).
type Settings struct {
	Profile     string // -profile, or the spec's mailform.profile
	Region      string // -region, or the spec's mailform.region
	EndpointURL string // -endpoint-url; AWS_ENDPOINT_URL is honoured by the SDK itself
}

// MaxAttempts is how many times a call is tried before its error is returned.
// Pacing keeps throttling rare; the retries absorb what remains (another tool
// using the same account, PriorRequestNotComplete from Route 53).
const MaxAttempts = 8

// ErrNoRegion is returned by Load when no region is set anywhere.
var ErrNoRegion = errors.New("no AWS region: set region in the mailform block, pass -region, or set AWS_REGION (or region in the AWS profile)")

// ErrNoCredentials is wrapped by the error Load returns when the credential
// chain finds nothing usable.
var ErrNoCredentials = errors.New("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass -profile (or set AWS_PROFILE) naming a profile in ~/.aws/config, or run where an IAM role is available")

// Load resolves the AWS configuration for s: the default credential chain
// with s's overrides, the mailform retryer, and DefaultPacing with Headroom. It checks that a
// region and credentials are available, so that a missing one is reported
// before any plan work starts, saying what to set.
func Load(ctx context.Context, s Settings) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer { return newRetryer() }),
		config.WithHTTPClient(httpClient(DialTimeout, AttemptTimeout, BodyTimeout)),
	}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if s.EndpointURL != "" {
		if err := checkEndpointURL(s.EndpointURL); err != nil {
			return aws.Config{}, err
		}
		opts = append(opts, config.WithBaseEndpoint(s.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var missing config.SharedConfigProfileNotExistError
		if errors.As(err, &missing) {
			return aws.Config{}, fmt.Errorf("AWS profile %q is not defined in ~/.aws/config or ~/.aws/credentials (or the files AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name): %w", missing.Profile, err)
		}
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, ErrNoRegion
	}
	if cfg.BaseEndpoint != nil {
		if err := checkEndpointURL(*cfg.BaseEndpoint); err != nil {
			return aws.Config{}, fmt.Errorf("AWS_ENDPOINT_URL: %w", err)
		}
	}
	if cfg.Credentials == nil {
		return aws.Config{}, ErrNoCredentials
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("%w (%v)", ErrNoCredentials, err)
	}
	return Pace(cfg, DefaultPacing.WithHeadroom(Headroom)), nil
}

func checkEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("endpoint URL %q: want http://HOST[:PORT] or https://HOST[:PORT]", raw)
	}
	return nil
}

// newRetryer is the standard retryer with MaxAttempts attempts (UnansweredAttempts
// when the endpoint refuses or does not answer) and the SDK's
// throttle codes, without the client-side retry quota (pacing does that job
// more predictably), and not retrying SES v2's LimitExceededException, which
// is a resource-count limit rather than a throttle.
func newRetryer(extra ...func(*retry.StandardOptions)) aws.Retryer {
	return unansweredLimit{retry.NewStandard(append([]func(*retry.StandardOptions){func(o *retry.StandardOptions) {
		o.MaxAttempts = MaxAttempts
		o.MaxBackoff = 20 * time.Second
		o.RateLimiter = ratelimit.None
		o.Retryables = append([]retry.IsErrorRetryable{sesv2LimitIsFinal{}}, o.Retryables...)
		o.Throttles = append([]retry.IsErrorThrottle{sesv2LimitIsFinal{}}, o.Throttles...)
	}}, extra...)...)}
}

// sesv2LimitIsFinal says that SES v2's LimitExceededException (too many
// identities, configuration sets...) is neither retryable nor a throttle,
// whatever the SDK's default code list says.
type sesv2LimitIsFinal struct{}

func (sesv2LimitIsFinal) IsErrorRetryable(err error) aws.Ternary { return sesv2Limit(err) }
func (sesv2LimitIsFinal) IsErrorThrottle(err error) aws.Ternary  { return sesv2Limit(err) }

func sesv2Limit(err error) aws.Ternary {
	// The retryer sees the error before the SDK wraps it with the service
	// name, so the SES v2 type itself is what tells it apart.
	var limit *sesv2types.LimitExceededException
	if errors.As(err, &limit) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}

// NoRetry is a per-call option for ec2.AllocateAddress, which has no client
// token: a retried allocation after a lost response would leak an Elastic IP.
// The caller looks the address up by its tag after an ambiguous failure
// instead. Use: client.AllocateAddress(ctx, in, awscfg.NoRetry).
func NoRetry(o *ec2.Options) {
	o.Retryer = aws.NopRetryer{}
}
