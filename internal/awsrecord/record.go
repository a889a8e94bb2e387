// Package awsrecord records the answers AWS gives to mailform's calls, for
// the end-to-end suite (internal/acceptance, MAILFORM_E2E_AWS): per call the
// service, operation, region, HTTP status, AWS error code and message,
// attempts and latency; and the delays it can see in the answers (a Route 53
// change from submitted to INSYNC, an SES identity from created to
// verified). The file it writes is what the local AWS double's delays and
// error fixtures are taken from (docs/testing.md).
//
// It must never record a secret: no header, no parameter, no body, only the
// error code and message AWS returned, with anything shaped like an access
// key id and every value given to Redact replaced. It does not change a call
// or its answer.
package awsrecord

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	smithy "github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Call is one AWS call as it ended (retries included).
type Call struct {
	Source       string  `json:"source,omitempty"` // who called: Middleware's source
	Service      string  `json:"service"`
	Operation    string  `json:"operation"`
	Region       string  `json:"region"`
	Status       int     `json:"http_status,omitempty"`
	ErrorCode    string  `json:"error_code,omitempty"`
	ErrorMessage string  `json:"error_message,omitempty"`
	Attempts     int     `json:"attempts"`
	LatencyMS    float64 `json:"latency_ms"`
	At           string  `json:"at"` // RFC 3339, when the call started
}

// Delay is one delay seen in AWS's answers: Kind is "route53-insync" (a
// change batch from its SubmittedAt to the first GetChange that says INSYNC)
// or "ses-verified" (an identity from CreateEmailIdentity to the first
// GetEmailIdentity that says it may send), or a kind the suite notes itself.
type Delay struct {
	Kind    string  `json:"kind"`
	Subject string  `json:"subject"`
	Seconds float64 `json:"seconds"`
}

// OperationSummary sums up the calls of one operation: the numbers the
// double's delays and error fixtures are set from.
type OperationSummary struct {
	Service    string         `json:"service"`
	Operation  string         `json:"operation"`
	Calls      int            `json:"calls"`
	Errors     map[string]int `json:"errors,omitempty"` // by error code
	P50MS      float64        `json:"latency_p50_ms"`
	P90MS      float64        `json:"latency_p90_ms"`
	MaxMS      float64        `json:"latency_max_ms"`
	MaxAttempt int            `json:"max_attempts"`
}

// File is what WriteFile writes.
type File struct {
	Backend    string             `json:"backend"` // "aws" or "sandbox"
	Started    string             `json:"started"`
	Ended      string             `json:"ended"`
	Operations []OperationSummary `json:"operations"`
	Errors     []Call             `json:"errors"` // every call that ended in an error
	Delays     []Delay            `json:"delays"`
	Calls      []Call             `json:"calls"`
}

// Recorder collects calls from every client whose stack it is installed in.
// It is safe for concurrent use.
type Recorder struct {
	backend string
	started time.Time

	mu       sync.Mutex
	calls    []Call
	delays   []Delay
	redact   []string
	created  map[string]time.Time // SES identity -> CreateEmailIdentity
	verified map[string]bool
	insync   map[string]bool // Route 53 change ids already timed
}

// New returns an empty recorder for backend ("aws" or "sandbox").
func New(backend string) *Recorder {
	return &Recorder{backend: backend, started: time.Now(), created: map[string]time.Time{}, verified: map[string]bool{}, insync: map[string]bool{}}
}

// Redact adds values that must never be written, whatever message carries
// them (the caller's key id and secret, passwords the suite read back).
func (r *Recorder) Redact(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) >= 4 {
			r.redact = append(r.redact, v)
		}
	}
}

// Config returns a copy of cfg whose clients report to r as source.
func (r *Recorder) Config(cfg aws.Config, source string) aws.Config {
	out := cfg.Copy()
	out.APIOptions = append(slices.Clone(cfg.APIOptions), r.Middleware(source))
	return out
}

const middlewareID = "mailform.AWSRecorder"

// Install adds the recorder to a client's middleware stack (an
// aws.Config.APIOptions entry). Installing it twice is harmless.
func (r *Recorder) Install(stack *middleware.Stack) error { return r.Middleware("")(stack) }

// Middleware is Install for the calls of one source ("mailform", "suite"),
// which each recorded call names.
func (r *Recorder) Middleware(source string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		if _, ok := stack.Initialize.Get(middlewareID); ok {
			return nil
		}
		handle := func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return r.handle(source, ctx, in, next)
		}
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc(middlewareID, handle), middleware.Before)
	}
}

func (r *Recorder) handle(source string, ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	start := time.Now()
	out, md, err := next.HandleInitialize(ctx, in)
	c := Call{
		Source:    source,
		Service:   awsmiddleware.GetServiceID(ctx),
		Operation: awsmiddleware.GetOperationName(ctx),
		Region:    awsmiddleware.GetRegion(ctx),
		LatencyMS: float64(time.Since(start).Microseconds()) / 1000,
		At:        start.UTC().Format(time.RFC3339Nano),
		Attempts:  1,
	}
	if results, ok := retry.GetAttemptResults(md); ok && len(results.Results) > 0 {
		c.Attempts = len(results.Results)
	}
	if raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && raw != nil && raw.Response != nil {
		c.Status = raw.StatusCode
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) {
		c.Status = respErr.HTTPStatusCode()
	}
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr):
		c.ErrorCode, c.ErrorMessage = apiErr.ErrorCode(), apiErr.ErrorMessage()
	case err != nil && ctx.Err() != nil:
		c.ErrorCode, c.ErrorMessage = "(canceled)", ctx.Err().Error()
	case err != nil:
		c.ErrorCode, c.ErrorMessage = "(transport)", fmt.Sprintf("%T", errors.Unwrap(err))
	}
	r.add(c, in.Parameters, out.Result, start)
	return out, md, err
}

func (r *Recorder) add(c Call, params, result any, start time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c.ErrorMessage = r.scrub(c.ErrorMessage)
	r.calls = append(r.calls, c)
	if c.ErrorCode != "" {
		return
	}
	switch p := params.(type) {
	case *sesv2.CreateEmailIdentityInput:
		if _, seen := r.created[aws.ToString(p.EmailIdentity)]; !seen {
			r.created[aws.ToString(p.EmailIdentity)] = start
		}
	case *sesv2.GetEmailIdentityInput:
		id := aws.ToString(p.EmailIdentity)
		o, ok := result.(*sesv2.GetEmailIdentityOutput)
		if created, seen := r.created[id]; ok && seen && o.VerifiedForSendingStatus && !r.verified[id] {
			r.verified[id] = true
			r.delays = append(r.delays, Delay{Kind: "ses-verified", Subject: id, Seconds: time.Since(created).Seconds()})
		}
	case *route53.GetChangeInput:
		o, ok := result.(*route53.GetChangeOutput)
		if !ok || o.ChangeInfo == nil || o.ChangeInfo.Status != r53types.ChangeStatusInsync || o.ChangeInfo.SubmittedAt == nil {
			return
		}
		id := aws.ToString(o.ChangeInfo.Id)
		if !r.insync[id] {
			r.insync[id] = true
			r.delays = append(r.delays, Delay{Kind: "route53-insync", Subject: id, Seconds: time.Since(*o.ChangeInfo.SubmittedAt).Seconds()})
		}
	}
}

// accessKeyID is the shape of an AWS access key id (long-term or temporary).
var accessKeyID = regexp.MustCompile(`\b(AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b`)

// maxMessage bounds a recorded message: AWS's are short; a longer one is
// cut rather than trusted.
const maxMessage = 1000

func (r *Recorder) scrub(msg string) string {
	for _, v := range r.redact {
		msg = strings.ReplaceAll(msg, v, "<redacted>")
	}
	msg = accessKeyID.ReplaceAllString(msg, "<access-key-id>")
	if len(msg) > maxMessage {
		msg = msg[:maxMessage] + "…"
	}
	return msg
}

// Note records a delay the suite measured itself (kind, what, how long).
func (r *Recorder) Note(kind, subject string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delays = append(r.delays, Delay{Kind: kind, Subject: subject, Seconds: d.Seconds()})
}

// Snapshot returns what has been recorded so far.
func (r *Recorder) Snapshot() File {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := File{
		Backend: r.backend,
		Started: r.started.UTC().Format(time.RFC3339),
		Ended:   time.Now().UTC().Format(time.RFC3339),
		Calls:   slices.Clone(r.calls),
		Delays:  slices.Clone(r.delays),
		Errors:  []Call{},
	}
	byOp := map[[2]string][]Call{}
	for _, c := range r.calls {
		k := [2]string{c.Service, c.Operation}
		byOp[k] = append(byOp[k], c)
		if c.ErrorCode != "" {
			f.Errors = append(f.Errors, c)
		}
	}
	for k, calls := range byOp {
		s := OperationSummary{Service: k[0], Operation: k[1], Calls: len(calls)}
		lat := make([]float64, 0, len(calls))
		for _, c := range calls {
			lat = append(lat, c.LatencyMS)
			s.MaxAttempt = max(s.MaxAttempt, c.Attempts)
			if c.ErrorCode != "" {
				if s.Errors == nil {
					s.Errors = map[string]int{}
				}
				s.Errors[c.ErrorCode]++
			}
		}
		slices.Sort(lat)
		s.P50MS, s.P90MS, s.MaxMS = lat[len(lat)/2], lat[len(lat)*9/10], lat[len(lat)-1]
		f.Operations = append(f.Operations, s)
	}
	slices.SortFunc(f.Operations, func(a, b OperationSummary) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Operation, b.Operation))
	})
	if f.Delays == nil {
		f.Delays = []Delay{}
	}
	return f
}

// WriteFile writes what has been recorded so far to path as indented JSON,
// readable only by its owner.
func (r *Recorder) WriteFile(path string) error {
	b, err := json.MarshalIndent(r.Snapshot(), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}
