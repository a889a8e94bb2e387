package sesdouble

import (
	"encoding/json"
	"sort"
	"time"
)

// Status values, in the v2 spelling; v1Status gives the v1 spelling.
const (
	statusPending          = "PENDING"
	statusSuccess          = "SUCCESS"
	statusFailed           = "FAILED"
	statusTemporaryFailure = "TEMPORARY_FAILURE"
	statusNotStarted       = "NOT_STARTED"
)

// v1Status spells a v2 status the way the v1 API does.
func v1Status(s string) string {
	switch s {
	case statusPending:
		return "Pending"
	case statusSuccess:
		return "Success"
	case statusFailed:
		return "Failed"
	case statusTemporaryFailure:
		return "TemporaryFailure"
	}
	return "NotStarted"
}

// DKIM signing key lengths and origins.
const (
	keyLength1024 = "RSA_1024_BIT"
	keyLength2048 = "RSA_2048_BIT"
	originAWSSES  = "AWS_SES"
	originExtern  = "EXTERNAL"
)

// regionState is everything SES keeps for one account in one region.
type regionState struct {
	name       string
	identities map[string]*identity  // by identityKey
	configSets map[string]*configSet // by name
	account    account
	suppressed map[string]*suppressedDestination // by lower-cased address
	sends      []sendRecord                      // accepted sends of the last 24 h
	nextSendAt time.Time                         // the send-rate limit refuses sends before this
	stats      map[int64]*sendDataPoint          // 15-minute buckets, by unix seconds of their start
	pending    []publication                     // SNS messages to publish once the lock is released
}

func newRegionState(name string) *regionState {
	return &regionState{
		name:       name,
		identities: map[string]*identity{},
		configSets: map[string]*configSet{},
		account:    newAccount(),
		suppressed: map[string]*suppressedDestination{},
		stats:      map[int64]*sendDataPoint{},
	}
}

// tagList is an ordered set of tags (keys are unique; order of first setting).
type tagList []tag

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func (tl *tagList) set(key, value string) {
	for i := range *tl {
		if (*tl)[i].Key == key {
			(*tl)[i].Value = value
			return
		}
	}
	*tl = append(*tl, tag{Key: key, Value: value})
}

func (tl *tagList) remove(keys []string) {
	out := (*tl)[:0]
	for _, t := range *tl {
		keep := true
		for _, k := range keys {
			if t.Key == k {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, t)
		}
	}
	*tl = out
}

// identity is an email-address or domain identity. Both APIs share it.
type identity struct {
	name      string // as created
	isDomain  bool
	createdAt time.Time
	tags      tagList
	configSet string // default configuration set

	// indexedTags are the tags the Tagging API's index shows until
	// tagsChangedAt plus the list lag: the tags before the first change of
	// that window (tagging.go).
	indexedTags   tagList
	tagsChangedAt time.Time

	emailVerified bool // email identities: the link was "clicked"

	// DKIM (domains). dkimStatus is NOT_STARTED when DKIM was never set up
	// (a domain created by v1 VerifyDomainIdentity only).
	dkimStatus         string
	dkimSince          time.Time // start of the current PENDING or TEMPORARY_FAILURE
	dkimOrigin         string
	dkimSigningEnabled bool
	tokens             []string // Easy DKIM tokens, or the BYODKIM selector
	currentKeyLength   string
	nextKeyLength      string
	lastKeyGeneration  time.Time
	downgradeExempt    time.Time // when the free downgrade to 1024 bits was last used
	byoPublicKey       string    // base64 DER of the BYODKIM public key
	dkimError          string    // VerificationInfo.ErrorType of the last failed check

	// v1 domain verification (_amazonses TXT).
	verificationToken string
	tokenStatus       string
	tokenSince        time.Time

	// MAIL FROM.
	mailFrom       string
	mxFailure      string // USE_DEFAULT_VALUE or REJECT_MESSAGE
	mailFromStatus string
	mailFromSince  time.Time

	// v1 identity notifications.
	topics     map[string]string // Bounce/Complaint/Delivery -> topic ARN
	headersIn  map[string]bool   // Bounce/Complaint/Delivery -> headers in notifications
	forwarding bool

	lastChecked time.Time // last DNS check

	// When each check first found its records, in the run of checks that
	// found them since (zero while they are missing): SES counts them as
	// found only once they have been seen for the verify delay.
	dkimSeen, tokenSeen, mailFromSeen time.Time
	lastSuccess                       time.Time // last DNS check that found the records
}

func newIdentity(name string, isDomain bool, now time.Time) *identity {
	return &identity{
		name:       name,
		isDomain:   isDomain,
		createdAt:  now,
		dkimStatus: statusNotStarted,
		mxFailure:  "USE_DEFAULT_VALUE",
		topics:     map[string]string{},
		headersIn:  map[string]bool{},
		forwarding: true,
	}
}

// startEasyDKIM gives the identity new Easy DKIM tokens and makes DKIM PENDING.
func (id *identity) startEasyDKIM(keyLength string, now time.Time) {
	id.dkimOrigin = originAWSSES
	id.tokens = []string{randomToken(), randomToken(), randomToken()}
	id.dkimSigningEnabled = true
	id.currentKeyLength = keyLength
	id.nextKeyLength = keyLength
	id.lastKeyGeneration = now
	id.byoPublicKey = ""
	id.dkimStatus = statusPending
	id.dkimSince = now
	id.recheck()
}

// startBYODKIM records a BYODKIM selector and public key and makes DKIM PENDING.
func (id *identity) startBYODKIM(selector, publicKey string, now time.Time) {
	id.dkimOrigin = originExtern
	id.tokens = []string{selector}
	id.dkimSigningEnabled = true
	id.currentKeyLength = ""
	id.nextKeyLength = ""
	id.byoPublicKey = publicKey
	id.dkimStatus = statusPending
	id.dkimSince = now
	id.recheck()
}

// verificationStatus is the identity's v2 VerificationStatus: a domain
// follows DKIM (or the v1 _amazonses token), an email the clicked link.
func (id *identity) verificationStatus() string {
	if !id.isDomain {
		if id.emailVerified {
			return statusSuccess
		}
		return statusPending
	}
	if id.dkimStatus == statusSuccess || id.tokenStatus == statusSuccess {
		return statusSuccess
	}
	switch {
	case id.dkimStatus == statusNotStarted && id.tokenStatus == "":
		return statusNotStarted
	case id.dkimStatus == statusTemporaryFailure || id.tokenStatus == statusTemporaryFailure:
		return statusTemporaryFailure
	case id.dkimStatus == statusPending || id.tokenStatus == statusPending:
		return statusPending
	}
	return statusFailed
}

func (id *identity) verified() bool { return id.verificationStatus() == statusSuccess }

func (id *identity) identityType() string {
	if id.isDomain {
		return "DOMAIN"
	}
	return "EMAIL_ADDRESS"
}

// domain of an email identity, or the identity itself.
func (id *identity) domain() string {
	if id.isDomain {
		return identityKey(id.name)
	}
	return identityKey(domainOf(id.name))
}

// configSet is a v2 configuration set.
type configSet struct {
	name              string
	createdAt         time.Time
	tags              tagList
	tracking          json.RawMessage
	delivery          *deliveryOptions
	reputation        reputationOptions
	sendingEnabled    bool
	suppression       *suppressionOptions
	vdm               json.RawMessage
	archiving         json.RawMessage
	eventDestinations []*eventDestination
}

type deliveryOptions struct {
	TlsPolicy          string `json:"TlsPolicy,omitempty"`
	SendingPoolName    string `json:"SendingPoolName,omitempty"`
	MaxDeliverySeconds *int64 `json:"MaxDeliverySeconds,omitempty"`
}

type reputationOptions struct {
	ReputationMetricsEnabled bool     `json:"ReputationMetricsEnabled"`
	LastFreshStart           *float64 `json:"LastFreshStart,omitempty"`
}

type suppressionOptions struct {
	SuppressedReasons []string `json:"SuppressedReasons"`
}

// eventDestination is one destination of a configuration set. Destinations
// other than SNS are stored and returned as given; events reach only SNS.
type eventDestination struct {
	Name                       string          `json:"Name"`
	Enabled                    bool            `json:"Enabled"`
	MatchingEventTypes         []string        `json:"MatchingEventTypes"`
	SnsDestination             *snsDestination `json:"SnsDestination,omitempty"`
	CloudWatchDestination      json.RawMessage `json:"CloudWatchDestination,omitempty"`
	KinesisFirehoseDestination json.RawMessage `json:"KinesisFirehoseDestination,omitempty"`
	EventBridgeDestination     json.RawMessage `json:"EventBridgeDestination,omitempty"`
	PinpointDestination        json.RawMessage `json:"PinpointDestination,omitempty"`
}

type snsDestination struct {
	TopicArn string `json:"TopicArn"`
}

func (ed *eventDestination) matches(eventType string) bool {
	for _, t := range ed.MatchingEventTypes {
		if t == eventType {
			return true
		}
	}
	return false
}

// account is the account-level state of a region.
type account struct {
	sendingEnabled    bool
	suppressedReasons []string
	productionAccess  bool
	details           *accountDetails
	reviewStatus      string
	reviewCaseID      string
	reviewSubmittedAt time.Time
	max24HourSend     float64
	maxSendRate       float64
	enforcementStatus string
	dedicatedIPWarmup bool
}

func newAccount() account {
	return account{
		sendingEnabled:    true,
		suppressedReasons: []string{"BOUNCE", "COMPLAINT"},
		max24HourSend:     200,
		maxSendRate:       1,
		enforcementStatus: "HEALTHY",
	}
}

type accountDetails struct {
	MailType                        string   `json:"MailType,omitempty"`
	WebsiteURL                      string   `json:"WebsiteURL,omitempty"`
	ContactLanguage                 string   `json:"ContactLanguage,omitempty"`
	UseCaseDescription              string   `json:"UseCaseDescription,omitempty"`
	AdditionalContactEmailAddresses []string `json:"AdditionalContactEmailAddresses,omitempty"`
}

// suppressedDestination is an entry of the account-level suppression list.
type suppressedDestination struct {
	address    string
	reason     string
	updatedAt  time.Time
	messageID  string
	feedbackID string
}

// sendRecord is one accepted send, for the rolling 24-hour quota.
type sendRecord struct {
	at         time.Time
	recipients int // recipients that count against the quota (not the simulator)
}

// sendDataPoint is one 15-minute bucket of GetSendStatistics.
type sendDataPoint struct {
	start            time.Time
	deliveryAttempts int64
	bounces          int64
	complaints       int64
	rejects          int64
}

// SendDataPoint is one 15-minute interval of sending activity of a region.
type SendDataPoint struct {
	Timestamp        time.Time
	DeliveryAttempts int64
	Bounces          int64
	Complaints       int64
	Rejects          int64
}

// Stats returns the send statistics of region for the last two weeks, oldest
// first, in 15-minute intervals (the data of v1 GetSendStatistics).
func (d *Double) Stats(region string) []SendDataPoint {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.region(region).statistics(d.now())
}

func (rs *regionState) statistics(now time.Time) []SendDataPoint {
	var out []SendDataPoint
	cutoff := now.Add(-14 * 24 * time.Hour)
	for _, p := range rs.stats {
		if p.start.Before(cutoff) {
			continue
		}
		out = append(out, SendDataPoint{Timestamp: p.start, DeliveryAttempts: p.deliveryAttempts,
			Bounces: p.bounces, Complaints: p.complaints, Rejects: p.rejects})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Timestamp.Before(out[j].Timestamp) })
	return out
}

func (rs *regionState) dataPoint(t time.Time) *sendDataPoint {
	start := t.Truncate(15 * time.Minute)
	p := rs.stats[start.Unix()]
	if p == nil {
		p = &sendDataPoint{start: start}
		rs.stats[start.Unix()] = p
	}
	return p
}

// sentLast24Hours counts the recipients of the last 24 hours that count
// against the quota, dropping older records.
func (rs *regionState) sentLast24Hours(now time.Time) int {
	cutoff := now.Add(-24 * time.Hour)
	kept := rs.sends[:0]
	n := 0
	for _, s := range rs.sends {
		if s.at.After(cutoff) {
			kept = append(kept, s)
			n += s.recipients
		}
	}
	rs.sends = kept
	return n
}

// refreshAccount moves a production-access review from PENDING to GRANTED
// once reviewDelay has passed.
func (a *account) refresh(now time.Time, reviewDelay time.Duration) {
	if a.reviewStatus == "PENDING" && !now.Before(a.reviewSubmittedAt.Add(reviewDelay)) {
		a.reviewStatus = "GRANTED"
		a.productionAccess = true
		a.max24HourSend = 50000
		a.maxSendRate = 14
	}
}

// recheck makes the next read check DNS whatever VerifyInterval says: a new
// setup is looked up at once, and its records count only once seen for the
// verify delay from then.
func (id *identity) recheck() {
	id.lastChecked = time.Time{}
	id.dkimSeen, id.tokenSeen, id.mailFromSeen = time.Time{}, time.Time{}, time.Time{}
}
