package ses

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// V2API lists the SES v2 client methods the provider calls. *sesv2.Client
// satisfies it.
type V2API interface {
	ListEmailIdentities(context.Context, *sesv2.ListEmailIdentitiesInput, ...func(*sesv2.Options)) (*sesv2.ListEmailIdentitiesOutput, error)
	GetEmailIdentity(context.Context, *sesv2.GetEmailIdentityInput, ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error)
	CreateEmailIdentity(context.Context, *sesv2.CreateEmailIdentityInput, ...func(*sesv2.Options)) (*sesv2.CreateEmailIdentityOutput, error)
	DeleteEmailIdentity(context.Context, *sesv2.DeleteEmailIdentityInput, ...func(*sesv2.Options)) (*sesv2.DeleteEmailIdentityOutput, error)
	PutEmailIdentityDkimAttributes(context.Context, *sesv2.PutEmailIdentityDkimAttributesInput, ...func(*sesv2.Options)) (*sesv2.PutEmailIdentityDkimAttributesOutput, error)
	PutEmailIdentityDkimSigningAttributes(context.Context, *sesv2.PutEmailIdentityDkimSigningAttributesInput, ...func(*sesv2.Options)) (*sesv2.PutEmailIdentityDkimSigningAttributesOutput, error)
	PutEmailIdentityMailFromAttributes(context.Context, *sesv2.PutEmailIdentityMailFromAttributesInput, ...func(*sesv2.Options)) (*sesv2.PutEmailIdentityMailFromAttributesOutput, error)
	PutEmailIdentityFeedbackAttributes(context.Context, *sesv2.PutEmailIdentityFeedbackAttributesInput, ...func(*sesv2.Options)) (*sesv2.PutEmailIdentityFeedbackAttributesOutput, error)
	PutEmailIdentityConfigurationSetAttributes(context.Context, *sesv2.PutEmailIdentityConfigurationSetAttributesInput, ...func(*sesv2.Options)) (*sesv2.PutEmailIdentityConfigurationSetAttributesOutput, error)
	TagResource(context.Context, *sesv2.TagResourceInput, ...func(*sesv2.Options)) (*sesv2.TagResourceOutput, error)
	UntagResource(context.Context, *sesv2.UntagResourceInput, ...func(*sesv2.Options)) (*sesv2.UntagResourceOutput, error)

	ListConfigurationSets(context.Context, *sesv2.ListConfigurationSetsInput, ...func(*sesv2.Options)) (*sesv2.ListConfigurationSetsOutput, error)
	GetConfigurationSet(context.Context, *sesv2.GetConfigurationSetInput, ...func(*sesv2.Options)) (*sesv2.GetConfigurationSetOutput, error)
	CreateConfigurationSet(context.Context, *sesv2.CreateConfigurationSetInput, ...func(*sesv2.Options)) (*sesv2.CreateConfigurationSetOutput, error)
	DeleteConfigurationSet(context.Context, *sesv2.DeleteConfigurationSetInput, ...func(*sesv2.Options)) (*sesv2.DeleteConfigurationSetOutput, error)
	PutConfigurationSetSuppressionOptions(context.Context, *sesv2.PutConfigurationSetSuppressionOptionsInput, ...func(*sesv2.Options)) (*sesv2.PutConfigurationSetSuppressionOptionsOutput, error)
	PutConfigurationSetReputationOptions(context.Context, *sesv2.PutConfigurationSetReputationOptionsInput, ...func(*sesv2.Options)) (*sesv2.PutConfigurationSetReputationOptionsOutput, error)
	PutConfigurationSetDeliveryOptions(context.Context, *sesv2.PutConfigurationSetDeliveryOptionsInput, ...func(*sesv2.Options)) (*sesv2.PutConfigurationSetDeliveryOptionsOutput, error)
	GetConfigurationSetEventDestinations(context.Context, *sesv2.GetConfigurationSetEventDestinationsInput, ...func(*sesv2.Options)) (*sesv2.GetConfigurationSetEventDestinationsOutput, error)
	CreateConfigurationSetEventDestination(context.Context, *sesv2.CreateConfigurationSetEventDestinationInput, ...func(*sesv2.Options)) (*sesv2.CreateConfigurationSetEventDestinationOutput, error)
	UpdateConfigurationSetEventDestination(context.Context, *sesv2.UpdateConfigurationSetEventDestinationInput, ...func(*sesv2.Options)) (*sesv2.UpdateConfigurationSetEventDestinationOutput, error)
	DeleteConfigurationSetEventDestination(context.Context, *sesv2.DeleteConfigurationSetEventDestinationInput, ...func(*sesv2.Options)) (*sesv2.DeleteConfigurationSetEventDestinationOutput, error)

	GetAccount(context.Context, *sesv2.GetAccountInput, ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error)
	PutAccountSuppressionAttributes(context.Context, *sesv2.PutAccountSuppressionAttributesInput, ...func(*sesv2.Options)) (*sesv2.PutAccountSuppressionAttributesOutput, error)
}

// V1API lists the SES v1 client methods the provider calls: identity
// notification topics, which v2 lacks, and the batch reads (100 identities per
// call) that Wait uses. *ses.Client satisfies it.
type V1API interface {
	GetIdentityNotificationAttributes(context.Context, *sesv1.GetIdentityNotificationAttributesInput, ...func(*sesv1.Options)) (*sesv1.GetIdentityNotificationAttributesOutput, error)
	SetIdentityNotificationTopic(context.Context, *sesv1.SetIdentityNotificationTopicInput, ...func(*sesv1.Options)) (*sesv1.SetIdentityNotificationTopicOutput, error)
	SetIdentityHeadersInNotificationsEnabled(context.Context, *sesv1.SetIdentityHeadersInNotificationsEnabledInput, ...func(*sesv1.Options)) (*sesv1.SetIdentityHeadersInNotificationsEnabledOutput, error)
	GetIdentityDkimAttributes(context.Context, *sesv1.GetIdentityDkimAttributesInput, ...func(*sesv1.Options)) (*sesv1.GetIdentityDkimAttributesOutput, error)
	GetIdentityMailFromDomainAttributes(context.Context, *sesv1.GetIdentityMailFromDomainAttributesInput, ...func(*sesv1.Options)) (*sesv1.GetIdentityMailFromDomainAttributesOutput, error)
	GetIdentityVerificationAttributes(context.Context, *sesv1.GetIdentityVerificationAttributesInput, ...func(*sesv1.Options)) (*sesv1.GetIdentityVerificationAttributesOutput, error)
}

// TagsAPI finds resources by tag in bulk: the Resource Groups Tagging API,
// whose GetResources returns the ARN and tags of up to 100 resources per call
// and is not paced with SES. *resourcegroupstaggingapi.Client satisfies it.
type TagsAPI interface {
	GetResources(context.Context, *resourcegroupstaggingapi.GetResourcesInput, ...func(*resourcegroupstaggingapi.Options)) (*resourcegroupstaggingapi.GetResourcesOutput, error)
}

// AccountAPI tells which account the credentials act in, to build identity
// ARNs. *sts.Client satisfies it.
type AccountAPI interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// SecretReader reads a secret (a BYODKIM private key) from the location a spec
// names ("ssm:/path", "secretsmanager:name", "file:path"). found is false when
// nothing is stored there. The value is handed to SES and to nothing else.
type SecretReader interface {
	Get(ctx context.Context, location string) (value []byte, found bool, err error)
}

// Limiter paces SES control-plane calls (AWS allows 1 request per second per
// account and region). *rate.Limiter from golang.org/x/time/rate satisfies it.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Options tune a Provider.
type Options struct {
	// AccountID is the AWS account, for identity ARNs. When empty it is asked
	// of STS once, on the first Read.
	AccountID string
	// Partition goes with AccountID ("aws" when empty); when the account is
	// asked of STS, so is the partition.
	Partition string
	// Limiter, when set, paces every SES call (v1 and v2 share it, as they
	// share AWS's limit), including retries.
	Limiter Limiter
	// PollInterval is how often Wait reads the verification statuses;
	// default 15 seconds.
	PollInterval time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Tags, when set, tells Read which undeclared identities carry the
	// stack's mark, so that it describes only those and the declared ones
	// (identity_read.go). When nil, Read describes every identity of the
	// region.
	Tags TagsAPI
}

// DefaultPollInterval is how often Wait polls SES when Options.PollInterval is zero.
const DefaultPollInterval = 15 * time.Second

// Provider reads and changes SES identities, configuration sets and account
// settings in one region. It implements providers.Provider.
type Provider struct {
	v2      V2API
	v1      V1API
	account AccountAPI
	secrets SecretReader
	region  string
	opts    Options

	accountMu sync.Mutex
	accountID string
	partition string // of the account, from STS ("aws", "aws-us-gov", "aws-cn")

	// described and toDescribe count the identities the running Read has
	// described and has to (ReadProgress).
	described, toDescribe atomic.Int64

	// refresh is the Refresh of the following Reads (SetRefresh).
	refresh atomic.Value
}

// ReadProgress tells how many identities the running Read has described with
// GetEmailIdentity, of how many: the SES read that grows with the spec one
// call per identity at SES's pace (every identity with RefreshFull; few
// otherwise, the rest being read 100 a call). total is 0 when no Read is
// describing any.
func (p *Provider) ReadProgress() (done, total int) {
	return int(p.described.Load()), int(p.toDescribe.Load())
}

var _ providers.Provider = (*Provider)(nil)

// New builds a Provider with real SES v2, SES v1 and STS clients from cfg.
// secrets reads BYODKIM private keys; it may be nil when no spec uses BYODKIM.
func New(cfg aws.Config, secrets SecretReader, opts Options) *Provider {
	var v2Opts []func(*sesv2.Options)
	var v1Opts []func(*sesv1.Options)
	if opts.Limiter != nil {
		mw := limitMiddleware(opts.Limiter)
		v2Opts = append(v2Opts, func(o *sesv2.Options) { o.APIOptions = append(o.APIOptions, mw) })
		v1Opts = append(v1Opts, func(o *sesv1.Options) { o.APIOptions = append(o.APIOptions, mw) })
	}
	if opts.Tags == nil {
		opts.Tags = resourcegroupstaggingapi.NewFromConfig(cfg)
	}
	return NewWithClients(cfg.Region,
		sesv2.NewFromConfig(cfg, v2Opts...),
		sesv1.NewFromConfig(cfg, v1Opts...),
		sts.NewFromConfig(cfg),
		secrets, opts)
}

// NewWithClients builds a Provider over the given clients, for region. Tests
// use it with small hand-written stubs; account may be nil when
// opts.AccountID is set.
func NewWithClients(region string, v2 V2API, v1 V1API, account AccountAPI, secrets SecretReader, opts Options) *Provider {
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	partition := opts.Partition
	if partition == "" {
		partition = "aws"
	}
	return &Provider{v2: v2, v1: v1, account: account, secrets: secrets, region: region, opts: opts, accountID: opts.AccountID, partition: partition}
}

// Kinds lists the kinds the provider manages.
func (p *Provider) Kinds() []specs.Kind {
	return []specs.Kind{specs.KindSESIdentity, specs.KindSESConfigSet, specs.KindSESAccount}
}

// Read returns the identities and configuration sets that carry stack's mark
// or that desired names, and the account settings when desired declares them.
func (p *Provider) Read(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	var identities, sets []specs.Resource
	var wantAccount *specs.Resource
	for i, r := range desired {
		switch r.Kind {
		case specs.KindSESIdentity:
			identities = append(identities, r)
		case specs.KindSESConfigSet:
			sets = append(sets, r)
		case specs.KindSESAccount:
			wantAccount = &desired[i]
		}
	}
	// The three reads are independent; run together, their calls keep the
	// region's pace busy while each waits for its answers.
	parts := make([][]plan.Observed, 3)
	err := awscfg.Each(ctx, len(parts), func(ctx context.Context, i int) error {
		var err error
		switch i {
		case 0:
			parts[i], err = p.readIdentities(ctx, stack, identities)
		case 1:
			parts[i], err = p.readConfigSets(ctx, stack, sets)
		case 2:
			if wantAccount != nil {
				var acct plan.Observed
				if acct, err = p.readAccount(ctx, wantAccount.Addr); err == nil {
					parts[i] = []plan.Observed{acct}
				}
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []plan.Observed
	for _, part := range parts {
		out = append(out, part...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Addr != out[j].Addr {
			return out[i].Addr < out[j].Addr
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Apply carries out changes of the provider's kinds. The changes handed over
// together are independent of each other (apply's scheduler sees to that),
// so awscfg.InFlight of them run at once: SES allows one control-plane call
// per second, and the shared pacer keeps them to it, while each change's own
// calls (create, MAIL FROM, notification topics) stay in order.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) []providers.Result {
	results := make([]providers.Result, len(req.Changes))
	_ = awscfg.Each(ctx, len(req.Changes), func(_ context.Context, i int) error {
		// The parent context, not Each's: one change's failure must not
		// cancel the others.
		results[i] = p.applyOne(ctx, req, req.Changes[i])
		return nil
	})
	return results
}

// applyOne carries out one change.
func (p *Provider) applyOne(ctx context.Context, req providers.ApplyRequest, c plan.Change) providers.Result {
	if req.Region != "" && req.Region != p.region {
		return providers.Result{Addr: c.Addr, Err: fmt.Errorf("not applied: the change is for region %s, but this SES provider works in %s", req.Region, p.region)}
	}
	if err := ctx.Err(); err != nil {
		return providers.Result{Addr: c.Addr, Err: fmt.Errorf("not applied: %w", err)}
	}
	switch c.Kind {
	case specs.KindSESIdentity:
		return p.applyIdentity(ctx, req, c)
	case specs.KindSESConfigSet:
		return p.applyConfigSet(ctx, req, c)
	case specs.KindSESAccount:
		return p.applyAccount(ctx, c)
	}
	return providers.Result{Addr: c.Addr, Err: fmt.Errorf("the SES provider does not manage kind %s", c.Kind)}
}

// identityARN returns the ARN of an identity, or "" when the account is not known.
func (p *Provider) identityARN(name string) string {
	p.accountMu.Lock()
	defer p.accountMu.Unlock()
	if p.accountID == "" {
		return ""
	}
	return p.arnLocked("identity/" + name)
}

// arnLocked builds the ARN of an SES resource ("identity/NAME",
// "configuration-set/NAME") in the partition and account STS named; the
// caller holds accountMu.
func (p *Provider) arnLocked(resource string) string {
	return fmt.Sprintf("arn:%s:ses:%s:%s:%s", p.partition, p.region, p.accountID, resource)
}

// ensureAccountID asks STS for the account once, when it was not given.
func (p *Provider) ensureAccountID(ctx context.Context) error {
	p.accountMu.Lock()
	defer p.accountMu.Unlock()
	if p.accountID != "" || p.account == nil {
		return nil
	}
	out, err := p.account.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("finding the AWS account for SES identity ARNs: %w", err)
	}
	caller := awscfg.CallerOf(out)
	p.accountID, p.partition = caller.Account, caller.Partition
	return nil
}

// limitMiddleware makes every attempt of every call wait for the limiter.
func limitMiddleware(l Limiter) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		mw := middleware.FinalizeMiddlewareFunc("MailformSESRateLimit",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if err := l.Wait(ctx); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, fmt.Errorf("waiting for the SES rate limit: %w", err)
				}
				return next.HandleFinalize(ctx, in)
			})
		if _, ok := stack.Finalize.Get("Retry"); ok {
			return stack.Finalize.Insert(mw, "Retry", middleware.After)
		}
		return stack.Finalize.Add(mw, middleware.Before)
	}
}
