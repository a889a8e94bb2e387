// Package route53 is the mailform provider for Route 53 record sets (kind
// route53.record). It reads each hosted zone with one paginated listing,
// recognises the record sets a stack owns by their ownership markers (see
// Marker), and applies all changes of a zone as one transactional change
// batch of exact DELETEs and CREATEs, so that a record changed by someone
// else since it was read makes the batch fail instead of being overwritten.
//
// It must never change or delete a record set, or a value of a shared set,
// that does not carry the stack's marker, and it does not decide what should
// change: plan does.
package route53

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/mailform/mailform/specs"
)

// API is the part of the Route 53 client the provider uses; *route53.Client
// satisfies it.
type API interface {
	ListHostedZonesByName(ctx context.Context, in *route53.ListHostedZonesByNameInput, optFns ...func(*route53.Options)) (*route53.ListHostedZonesByNameOutput, error)
	GetHostedZone(ctx context.Context, in *route53.GetHostedZoneInput, optFns ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error)
	ListResourceRecordSets(ctx context.Context, in *route53.ListResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ListResourceRecordSetsOutput, error)
	ChangeResourceRecordSets(ctx context.Context, in *route53.ChangeResourceRecordSetsInput, optFns ...func(*route53.Options)) (*route53.ChangeResourceRecordSetsOutput, error)
	GetChange(ctx context.Context, in *route53.GetChangeInput, optFns ...func(*route53.Options)) (*route53.GetChangeOutput, error)
}

// DefaultPollInterval is the pause between two GetChange calls while a change
// batch is PENDING. Route 53 reports most changes INSYNC within 60 seconds.
const DefaultPollInterval = 5 * time.Second

// ZoneRef names a hosted zone the spec declares: by name, and by ID when the
// spec pins it.
type ZoneRef struct {
	Name string // fully qualified
	ID   string // optional, with or without the "/hostedzone/" prefix
}

// Options configure a Provider.
type Options struct {
	// Zones are the zones the spec declares. Read looks for the stack's
	// record sets in these as well as in the zones of desired records, so
	// that records whose blocks were removed are found and deleted.
	Zones []ZoneRef
	// PollInterval is the pause between GetChange calls; zero means
	// DefaultPollInterval, a negative value means no pause (tests).
	PollInterval time.Duration
}

// Limits of one ChangeResourceRecordSets request (Route 53 quotas).
const (
	MaxBatchRecords    = 1000  // ResourceRecord elements, UPSERT counting twice
	MaxBatchValueChars = 32000 // characters over all Value elements, UPSERT counting twice
	listPageSize       = 300   // record sets per ListResourceRecordSets page (the maximum)
	zonesPageSize      = 100   // hosted zones per ListHostedZonesByName page (the maximum)
)

// Provider reads and changes route53.record resources.
type Provider struct {
	api  API
	opts Options

	mu     sync.Mutex
	zones  map[ZoneRef]zone      // resolved zone references
	states map[string]*zoneState // zone ID -> record sets as last read or written
}

// New builds a Provider with a Route 53 client made from cfg.
func New(cfg aws.Config, opts Options) *Provider {
	return NewWithAPI(route53.NewFromConfig(cfg), opts)
}

// NewWithAPI builds a Provider over any implementation of API.
func NewWithAPI(api API, opts Options) *Provider {
	if opts.PollInterval == 0 {
		opts.PollInterval = DefaultPollInterval
	}
	return &Provider{api: api, opts: opts, zones: map[ZoneRef]zone{}, states: map[string]*zoneState{}}
}

// Kinds implements providers.Provider.
func (p *Provider) Kinds() []specs.Kind { return []specs.Kind{specs.KindRoute53Record} }
