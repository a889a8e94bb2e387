package sesdouble

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Backend is what the SES double needs from the rest of the double.
type Backend interface {
	// LookupRecords returns the values of the record set (name fully qualified with trailing dot,
	// type) in the Route 53 zones of the double, in Route 53's stored form (TXT values quoted).
	LookupRecords(ctx context.Context, name, rtype string) ([]string, error)
	// Publish publishes message (a JSON string) to an SNS topic ARN.
	Publish(ctx context.Context, topicARN, message string) error
	// TopicExists reports whether the SNS topic exists (SES refuses unknown topics).
	TopicExists(ctx context.Context, topicARN string) (bool, error)
}

// Options tune the double.
type Options struct {
	AccountID   string           // "123456789012" (moto's) when empty
	Now         func() time.Time // clock; default time.Now
	ReviewDelay time.Duration    // production-access review: PENDING for this long, then GRANTED
	// ReviewDelayFunc, when set, is asked for the review delay each time it
	// matters instead of ReviewDelay, so that the settings of a running
	// double can change it.
	ReviewDelayFunc func() time.Duration
	VerifyInterval  time.Duration // how often a pending identity's DNS may be re-checked (0 = every read)
	// VerifyDelayFunc, when set, says how long DKIM, domain-verification and
	// MAIL FROM records must have been seen before SES counts them as found
	// (0: at once). It is asked at each check, so that the settings of a
	// running double can change it.
	VerifyDelayFunc func() time.Duration
	// ListLagFunc, when set, says how long a new identity may be left out of
	// ListEmailIdentities and ListIdentities (0: listed at once). It is
	// asked at each list.
	ListLagFunc func() time.Duration
}

// DefaultAccountID is the account the double reports when Options.AccountID is empty.
const DefaultAccountID = "123456789012"

// searchWindow is how long SES keeps looking for DNS records of a PENDING or
// TEMPORARY_FAILURE identity before it gives up with FAILED.
const searchWindow = 72 * time.Hour

// Double is an in-memory Amazon SES. It implements http.Handler.
type Double struct {
	backend Backend
	opts    Options

	mu      sync.Mutex
	regions map[string]*regionState
}

// New returns a Double with empty state that uses b for DNS and SNS.
func New(b Backend, o Options) *Double {
	if o.AccountID == "" {
		o.AccountID = DefaultAccountID
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Double{backend: b, opts: o, regions: map[string]*regionState{}}
}

// Reset forgets all state: identities, configuration sets, account settings,
// suppression lists and send history, in every region.
func (d *Double) Reset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.regions = map[string]*regionState{}
}

// VerifyEmail marks the email-address identity address in region verified, as
// if its owner had clicked the link SES mails to it. It is a test hook: AWS has
// no API for it. It fails when the identity does not exist.
func (d *Double) VerifyEmail(region, address string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	rs := d.region(region)
	id := rs.identities[identityKey(address)]
	if id == nil || id.isDomain {
		return fmt.Errorf("verify email %q in %s: no such email-address identity", address, region)
	}
	id.emailVerified = true
	return nil
}

// reviewDelay is how long a production-access review stays PENDING.
func (d *Double) reviewDelay() time.Duration {
	if d.opts.ReviewDelayFunc != nil {
		return d.opts.ReviewDelayFunc()
	}
	return d.opts.ReviewDelay
}

// verifyDelay is how long records must have been seen before they count.
func (d *Double) verifyDelay() time.Duration {
	if d.opts.VerifyDelayFunc != nil {
		return d.opts.VerifyDelayFunc()
	}
	return 0
}

// listed reports whether a list at now shows an identity: one created
// within the list lag is left out, as an eventually consistent list may.
func (d *Double) listed(id *identity, now time.Time) bool {
	if d.opts.ListLagFunc == nil {
		return true
	}
	return !now.Before(id.createdAt.Add(d.opts.ListLagFunc()))
}

// now is the double's clock, in UTC.
func (d *Double) now() time.Time { return d.opts.Now().UTC() }

// region returns the state of region, creating it. d.mu must be held.
func (d *Double) region(name string) *regionState {
	rs := d.regions[name]
	if rs == nil {
		rs = newRegionState(name)
		d.regions[name] = rs
	}
	return rs
}

// ServeHTTP answers one SES request, v2 (REST-JSON) or v1 (Query).
func (d *Double) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	region := RequestRegion(r)
	if strings.HasPrefix(r.URL.Path, "/v2/") {
		d.serveV2(w, r, region)
		return
	}
	d.serveV1(w, r, region)
}

var credentialScope = regexp.MustCompile(`Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/`)

// RequestRegion returns the region of the SigV4 credential scope of r
// ("us-east-1" when the request is not signed).
func RequestRegion(r *http.Request) string {
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	if c := r.URL.Query().Get("X-Amz-Credential"); c != "" {
		if parts := strings.Split(c, "/"); len(parts) >= 3 {
			return parts[2]
		}
	}
	return "us-east-1"
}

// identityKey is the map key of an identity: SES treats identity names
// case-insensitively.
func identityKey(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// randomToken returns an Easy DKIM token: 32 lower-case base32 characters.
func randomToken() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return strings.ToLower(base32.StdEncoding.EncodeToString(b))
}

// randomVerificationToken returns a v1 domain verification token: base64 of 32 bytes.
func randomVerificationToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// newUUID returns a random RFC 4122 version 4 UUID.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newMessageID returns an ID in the form SES gives message and feedback IDs:
// "0100" + 12 hex digits of the millisecond clock, a UUID, and "-000000".
func newMessageID(t time.Time) string {
	return fmt.Sprintf("0100%012x-%s-000000", t.UnixMilli(), newUUID())
}
