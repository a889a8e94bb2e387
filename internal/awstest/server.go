// Package awstest is the local AWS double that mailform's tests, benchmarks,
// `mailform sandbox` and `mailform demo` run the real aws-sdk-go-v2 clients
// against. It starts and owns a moto server, forwards to it what moto emulates
// faithfully, implements itself what moto lacks or gets wrong (docs/sandbox.md),
// counts calls per service and operation, and can enforce AWS's rate limits and
// inject faults.
//
// It must never be used on a user's normal path to AWS: only tests, `sandbox`
// and `demo` start it.
package awstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/mailform/mailform/internal/awstest/sesdouble"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// AccountID is the account every request to the double acts in (moto's).
const AccountID = "123456789012"

// Options configure a double. The zero value is what tests want: no rate
// limits, no faults, no emulated delays.
type Options struct {
	// Addr is the loopback address to listen on; "" or "127.0.0.1:0" picks a free port.
	Addr string
	// Python is the interpreter that runs moto; default "python3".
	Python string

	// DNSAddr is the loopback address the authoritative DNS server listens
	// on (UDP and TCP, same port); "" picks a free port.
	DNSAddr string

	// RateLimits is "off" (or "") for no limits, or "aws" for AWS's
	// per-account limits: Route 53 5 requests/s, SES control plane 1
	// request/s per region.
	RateLimits string
	// TimeScale speeds the emulated world up: rates are multiplied by it and
	// every emulated delay (ChangeDelay, PTRDelay, ReviewDelay, Latency) is
	// divided by it. 0 means 1.
	TimeScale float64
	// Latency is added to every AWS call (benchmarks use 20ms).
	Latency time.Duration
	// Consistency is ConsistencyImmediate ("" too) or ConsistencyAWS, which
	// fills every delay below left at zero from AWSDelays.
	Consistency string
	// Delays are the eventual-consistency delays (consistency.go), each
	// divided by TimeScale when used.
	Delays
	// ReviewDelay is how long the SES production-access review stays
	// PENDING before it is GRANTED. The SES emulation reads it (scaled) at
	// Start; Configure does not change it.
	ReviewDelay time.Duration
	// Faults is a fault spec (docs/sandbox.md) active from the start and
	// restored by Reset; "" injects none.
	Faults string
	// SMTPRegion is the region of the SMTP interface at SMTPAddr, which
	// accepts only passwords derived for it; "" is DefaultSMTPRegion.
	// SMTPAddrFor starts the interfaces of other regions. Read at Start.
	SMTPRegion string
	// EnforceIAM authorises every request signed with an IAM user's access
	// key against that user's identity policies (iamenforce.go); other keys
	// (the account's root credentials) are allowed everything.
	EnforceIAM bool
}

// timeScale is the effective TimeScale.
func (o Options) timeScale() float64 {
	if o.TimeScale <= 0 {
		return 1
	}
	return o.TimeScale
}

// Scaled divides an emulated delay by the time scale.
func (o Options) Scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / o.timeScale())
}

// Server is a running double.
type Server struct {
	startOpts Options // restored by Reset
	moto      *motoProcess
	motoURL   *url.URL
	proxy     *httputil.ReverseProxy
	listener  net.Listener
	http      *http.Server
	dns       *dnsServer

	// life lives as long as the server; the DNS server and background reads
	// of moto's state use it.
	life   context.Context
	finish context.CancelFunc

	limits   *limiter
	route53  *route53Double
	ec2      *ec2Double
	r53State *route53Mirror

	mu        sync.Mutex
	opts      Options                   // the active settings
	now       func() time.Time          // the clock; tests may freeze it
	counts    map[string]map[string]int // service -> operation -> calls
	throttles map[string]map[string]int // service -> operation -> calls refused by the rate limiter
	mutating  int                       // mutating calls since the last reset
	handlers  map[string]http.Handler   // service -> handler that replaces moto for it
	keys      accessKeys
	eventual  eventual // creations and deletions the consistency delays act on (eventual.go)
	faults    *faultSet
	resetters []func(context.Context) error

	adminHandlers map[string]http.Handler // /_awstest/NAME -> handler

	smtp        *smtpServer            // the SES SMTP interface of Options.SMTPRegion (smtp.go)
	smtpRegions map[string]*smtpServer // the SMTP interfaces of other regions, started by SMTPAddrFor
}

// Start starts moto and the double in front of it, and its DNS server.
// Close stops them all.
func Start(ctx context.Context, opts Options) (*Server, error) {
	switch opts.RateLimits {
	case "", "off", "aws":
	default:
		return nil, fmt.Errorf("rate limits %q: want \"aws\" or \"off\"", opts.RateLimits)
	}
	opts, err := opts.withConsistency()
	if err != nil {
		return nil, err
	}
	faults, err := ParseFaultSpec(opts.Faults)
	if err != nil {
		return nil, err
	}
	m, err := startMoto(ctx, opts.Python)
	if err != nil {
		return nil, err
	}
	warmMoto(ctx, m.url)
	mu, err := url.Parse(m.url)
	if err != nil {
		m.stop()
		return nil, err
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		m.stop()
		return nil, fmt.Errorf("listening on %s: %w", addr, err)
	}
	life, finish := context.WithCancel(context.WithoutCancel(ctx))
	s := &Server{
		startOpts: opts,
		opts:      opts,
		moto:      m,
		motoURL:   mu,
		listener:  l,
		life:      life,
		finish:    finish,
		now:       time.Now,
		counts:    map[string]map[string]int{},
		throttles: map[string]map[string]int{},
		handlers:  map[string]http.Handler{},
		faults:    newFaultSet(faults),
	}
	s.limits = newLimiter(opts.RateLimits, opts.timeScale())
	s.r53State = newRoute53Mirror()
	s.route53 = newRoute53Double(s)
	s.ec2 = newEC2Double(s)
	s.proxy = httputil.NewSingleHostReverseProxy(mu)
	s.proxy.ModifyResponse = s.keys.captureAccessKey
	s.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		writeAWSError(w, http.StatusBadGateway, "ServiceUnavailable", "the local AWS double could not reach moto: "+err.Error())
	}
	s.startSES()
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(l) }()
	d, err := startDNS(opts.DNSAddr, s)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	s.dns = d
	if s.smtp, err = startSMTP(s, opts.SMTPRegion); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// URL is the endpoint to give the AWS SDK (BaseEndpoint) or the AWS CLI (--endpoint-url).
func (s *Server) URL() string { return "http://" + s.listener.Addr().String() }

// Addr is the address the double listens on.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// MotoURL is moto's own endpoint, for the double's internal use and its tests.
func (s *Server) MotoURL() string { return s.moto.url }

// DNSAddr is the HOST:PORT on which the double answers DNS (UDP and TCP)
// for the public zones of its Route 53 state.
func (s *Server) DNSAddr() string {
	if s.dns == nil {
		return ""
	}
	return s.dns.addr
}

// Options returns the options the double was started with.
func (s *Server) Options() Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts
}

// delay returns one emulated delay of the options, divided by the time scale.
func (s *Server) delay(pick func(Options) time.Duration) time.Duration {
	o := s.Options()
	return o.Scaled(pick(o))
}

// Configure changes the emulation settings of a running double (rate
// limits, time scale, latency, delays, faults) until the next Reset, which
// restores the options it was started with. Addr, DNSAddr and Python
// cannot change.
func (s *Server) Configure(change func(*Options)) error {
	o := s.Options()
	change(&o)
	start := s.startOpts
	o.Addr, o.DNSAddr, o.Python = start.Addr, start.DNSAddr, start.Python
	if err := s.apply(o); err != nil {
		return err
	}
	return nil
}

// apply makes o the active settings.
func (s *Server) apply(o Options) error {
	switch o.RateLimits {
	case "", "off", "aws":
	default:
		return fmt.Errorf("rate limits %q: want \"aws\" or \"off\"", o.RateLimits)
	}
	o, err := o.withConsistency()
	if err != nil {
		return err
	}
	faults, err := ParseFaultSpec(o.Faults)
	if err != nil {
		return err
	}
	s.mu.Lock()
	faultsChanged := o.Faults != s.opts.Faults || s.faults == nil
	s.opts = o
	if faultsChanged {
		s.faults = newFaultSet(faults)
	}
	s.mu.Unlock()
	s.limits.configure(o.RateLimits, o.timeScale())
	return nil
}

// Close stops the double, its DNS server and its moto.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.life), 3*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if s.dns != nil {
		s.dns.shutdown()
	}
	s.mu.Lock()
	regional := s.smtpRegions
	s.smtpRegions = nil
	s.mu.Unlock()
	for _, m := range regional {
		m.close()
	}
	if s.smtp != nil {
		s.smtp.close()
	}
	s.finish()
	s.moto.stop()
	return err
}

// Reset forgets all AWS state, all counts and the state of every emulation
// (Route 53 changes, reverse DNS, handlers registered with OnReset), and
// restores the rate limits and faults the double was started with.
func (s *Server) Reset(ctx context.Context) error {
	s.mu.Lock()
	s.counts = map[string]map[string]int{}
	s.throttles = map[string]map[string]int{}
	s.mutating = 0
	s.faults = nil // rebuilt by apply
	resetters := append([]func(context.Context) error(nil), s.resetters...)
	s.mu.Unlock()
	if err := s.apply(s.startOpts); err != nil {
		return err
	}
	s.route53.reset()
	s.ec2.reset()
	s.keys.reset()
	s.eventual.reset()
	s.r53State.forget()
	if err := s.moto.reset(ctx); err != nil {
		return err
	}
	for _, r := range resetters {
		if err := r(ctx); err != nil {
			return err
		}
	}
	return nil
}

// OnReset registers f to run on every Reset, after moto's state is gone:
// emulations registered with Handle forget their state there.
func (s *Server) OnReset(f func(context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetters = append(s.resetters, f)
}

// Handle makes h serve every request for service (the SigV4 signing name,
// e.g. "ses") instead of moto. Rate limits, faults, latency and counts still
// apply in front of h.
func (s *Server) Handle(service string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[service] = h
}

// Counts returns calls per service and operation since the last reset,
// including calls refused by the rate limiter or failed by injected faults.
func (s *Server) Counts() map[string]map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyCounts(s.counts)
}

// Throttles returns the calls the rate limiter refused since the last
// reset, per service and operation.
func (s *Server) Throttles() map[string]map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyCounts(s.throttles)
}

// MutatingCalls is the number of mutating calls (any operation not named
// Get*, List*, Describe* or Receive*) since the last reset.
func (s *Server) MutatingCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mutating
}

func copyCounts(in map[string]map[string]int) map[string]map[string]int {
	out := make(map[string]map[string]int, len(in))
	for svc, ops := range in {
		out[svc] = make(map[string]int, len(ops))
		for op, n := range ops {
			out[svc][op] = n
		}
	}
	return out
}

// Count returns the number of calls of one operation since the last reset.
func (s *Server) Count(service, operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[service][operation]
}

// Config returns an SDK configuration that talks to the double with dummy
// credentials. Tests build their clients from it.
func (s *Server) Config(region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "double-secret", ""),
		BaseEndpoint: aws.String(s.URL()),
	}
}

// motoConfig is an SDK configuration that talks to moto directly, for the
// double's own reads of moto's state (never counted, limited or faulted).
func (s *Server) motoConfig(region string) aws.Config {
	cfg := s.Config(region)
	cfg.BaseEndpoint = aws.String(s.moto.url)
	return cfg
}

// clock returns the current time of the emulated world.
func (s *Server) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

// adminPrefix is where the double's own endpoints live.
const adminPrefix = "/_awstest/"

// call describes one AWS request.
type call struct {
	service   string
	operation string
	region    string
	mutating  bool
	jsonError bool // the protocol reports errors as JSON (awsJson, restJson)
	cborError bool // the protocol reports errors as CBOR (Smithy RPC v2 CBOR)
}

func (c call) String() string { return c.service + ":" + c.operation }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	service := signingService(r)
	op, err := operationName(service, r)
	if err != nil {
		writeAWSError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	c := call{
		service:   service,
		operation: op,
		region:    Region(r),
		mutating:  isMutating(op),
		jsonError: r.Header.Get("X-Amz-Target") != "" || (service == "ses" && strings.HasPrefix(r.URL.Path, "/v2/")),
		cborError: r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor",
	}
	s.mu.Lock()
	if s.counts[service] == nil {
		s.counts[service] = map[string]int{}
	}
	s.counts[service][op]++
	if c.mutating {
		s.mutating++
	}
	h := s.handlers[service]
	faults := s.faults
	now := s.now()
	s.mu.Unlock()

	if d := s.delay(func(o Options) time.Duration { return o.Latency }); d > 0 {
		if !sleep(r.Context(), d) {
			return
		}
	}
	if !s.limits.allow(c, now) {
		s.mu.Lock()
		if s.throttles[service] == nil {
			s.throttles[service] = map[string]int{}
		}
		s.throttles[service][op]++
		s.mu.Unlock()
		writeThrottle(w, c)
		return
	}
	if !s.authorize(w, r, c) {
		return
	}
	f := faults.decide(c)
	if f.latency > 0 && !sleep(r.Context(), f.latency) {
		return
	}
	switch f.kind {
	case faultThrottle:
		writeThrottle(w, c)
		return
	case fault5xx:
		if f.unavailable {
			writeServiceError(w, c, http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unavailable. Please try again (fault injected by the local AWS double).")
		} else {
			writeServiceError(w, c, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again (fault injected by the local AWS double).")
		}
		return
	case faultFail:
		status, code := failStatus(c, f.code)
		writeServiceError(w, c, status, code, "fault injected by the local AWS double")
		return
	case faultDrop:
		dropConnection(w)
		return
	case faultCut:
		// Carry the call out, then drop the connection before the answer.
		s.dispatch(&bufferedResponse{}, r, c, h)
		dropConnection(w)
		return
	}
	s.dispatch(w, r, c, h)
}

// dispatch serves an AWS call: the eventual-consistency emulation first
// (eventual.go), then forward.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, c call, h http.Handler) {
	if s.eventually(w, r, c, h) {
		return
	}
	s.forward(w, r, c, h)
}

// forward serves an AWS call: the double's own emulations first, then a
// handler registered for the service, then moto.
func (s *Server) forward(w http.ResponseWriter, r *http.Request, c call, h http.Handler) {
	switch {
	case c.service == "route53":
		s.route53.serve(w, r, c)
	case c.service == "ec2" && s.ec2.handles(c.operation):
		s.ec2.serve(w, r, c)
	case c.service == "monitoring" && cloudWatchServes(c.operation):
		s.serveCloudWatch(w, r, c)
	case h != nil:
		h.ServeHTTP(w, r)
	default:
		s.proxy.ServeHTTP(w, r)
	}
	if c.service == "iam" && c.mutating {
		s.forgetPolicies()
	}
}

// isMutating tells whether an operation may change state.
func isMutating(op string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Receive"} {
		if strings.HasPrefix(op, p) {
			return false
		}
	}
	return true
}

// sleep waits d or until ctx is done; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// The double serves HTTP/1.1 only, so this does not happen; answer
		// as a gateway that lost its upstream would.
		writeAWSError(w, http.StatusBadGateway, "ServiceUnavailable", "connection could not be dropped: "+err.Error())
		return
	}
	_ = conn.Close()
}

// bufferedResponse is a ResponseWriter that keeps the answer in memory.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header {
	if b.header == nil {
		b.header = http.Header{}
	}
	return b.header
}

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// copyTo writes the buffered answer to w, with body instead of the
// buffered one when body is not nil.
func (b *bufferedResponse) copyTo(w http.ResponseWriter, body []byte) {
	if body == nil {
		body = b.body.Bytes()
	}
	for k, v := range b.header {
		if strings.EqualFold(k, "Content-Length") {
			continue
		}
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	status := b.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// serveAdmin answers the double's own endpoints (docs/sandbox.md):
//
//	GET  /_awstest/counts     calls per service and operation (JSON)
//	GET  /_awstest/throttles  calls refused by the rate limiter (JSON)
//	GET  /_awstest/faults     the fault spec, injected faults per rule, mutating calls (JSON)
//	POST /_awstest/faults     set the fault spec (the request body; empty clears)
//	POST /_awstest/reset      forget all state and counts
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, adminPrefix)
	s.mu.Lock()
	h := s.adminHandlers[name]
	s.mu.Unlock()
	if h != nil {
		h.ServeHTTP(w, r)
		return
	}
	switch name {
	case "counts":
		writeJSON(w, s.Counts())
	case "throttles":
		writeJSON(w, s.Throttles())
	case "faults":
		switch r.Method {
		case http.MethodGet:
			s.mu.Lock()
			f := s.faults
			mutating := s.mutating
			s.mu.Unlock()
			writeJSON(w, map[string]any{"spec": f.spec.String(), "injected": f.injectedCounts(), "mutating_calls": mutating})
		case http.MethodPost:
			body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if err := s.SetFaults(strings.TrimSpace(string(body))); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
		}
	case "reset":
		if r.Method != http.MethodPost {
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		if err := s.Reset(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

// HandleAdmin serves h at /_awstest/NAME, for emulations' own hooks (for
// example the SES emulation's verify-email).
func (s *Server) HandleAdmin(name string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.adminHandlers == nil {
		s.adminHandlers = map[string]http.Handler{}
	}
	s.adminHandlers[name] = h
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// signingService reads the service name from the SigV4 credential scope
// ("Credential=AKID/20261130/us-west-2/route53/aws4_request").
func signingService(r *http.Request) string {
	_, _, service := credentialScope(r)
	return service
}

// Region returns the region of a signed request.
func Region(r *http.Request) string {
	_, region, _ := credentialScope(r)
	return region
}

func credentialScope(r *http.Request) (date, region, service string) {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return "", "", ""
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return "", "", ""
	}
	return parts[1], parts[2], parts[3]
}

// operationName names the AWS operation of a request, for counts, limits and
// faults. It leaves r.Body readable.
func operationName(service string, r *http.Request) (string, error) {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		if i := strings.LastIndexByte(target, '.'); i >= 0 {
			return target[i+1:], nil
		}
		return target, nil
	}
	if service == "route53" {
		return route53Operation(r.Method, r.URL.Path), nil
	}
	// Smithy RPC v2 CBOR: POST /service/<service>/operation/<operation>.
	if _, op, ok := strings.Cut(r.URL.Path, "/operation/"); ok && strings.HasPrefix(r.URL.Path, "/service/") {
		return op, nil
	}
	if service == "ses" {
		// The SES emulation knows every v1 and v2 operation, including the
		// POST /v2/email/list-* forms of newer SDKs.
		return sesdouble.Operation(r)
	}
	if action := r.URL.Query().Get("Action"); action != "" {
		return action, nil
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return "", fmt.Errorf("reading request: %w", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return "", fmt.Errorf("parsing request form: %w", err)
		}
		if a := form.Get("Action"); a != "" {
			return a, nil
		}
	}
	return r.Method + " " + r.URL.Path, nil
}

// route53Operation maps the Route 53 REST paths mailform and the tests use.
func route53Operation(method, path string) string {
	p := strings.TrimPrefix(path, "/2013-04-01")
	seg := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(seg) == 1 && seg[0] == "hostedzone":
		if method == http.MethodPost {
			return "CreateHostedZone"
		}
		return "ListHostedZones"
	case len(seg) == 1 && seg[0] == "hostedzonesbyname":
		return "ListHostedZonesByName"
	case len(seg) == 1 && seg[0] == "hostedzonecount":
		return "GetHostedZoneCount"
	case len(seg) == 2 && seg[0] == "hostedzone":
		switch method {
		case http.MethodDelete:
			return "DeleteHostedZone"
		case http.MethodPost:
			return "UpdateHostedZoneComment"
		}
		return "GetHostedZone"
	case len(seg) == 3 && seg[0] == "hostedzone" && seg[2] == "rrset":
		if method == http.MethodPost {
			return "ChangeResourceRecordSets"
		}
		return "ListResourceRecordSets"
	case len(seg) == 2 && seg[0] == "change":
		return "GetChange"
	case len(seg) == 3 && seg[0] == "tags":
		if method == http.MethodPost {
			return "ChangeTagsForResource"
		}
		return "ListTagsForResource"
	case len(seg) >= 1 && seg[0] == "delegationset":
		return "DelegationSet"
	}
	return method + " " + path
}

// writeAWSError writes an error in a form every SDK protocol decodes well
// enough to surface code and message.
func writeAWSError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("x-amzn-ErrorType", code)
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>awstest</RequestId></ErrorResponse>`,
		xmlEscape(code), xmlEscape(message))
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xmlEscapeTo(&b, s)
	return b.String()
}

func xmlEscapeTo(w io.Writer, s string) error {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")
	_, err := io.WriteString(w, r.Replace(s))
	return err
}

// SortedCounts lists counts as "service:Operation=N" lines, for reports.
func SortedCounts(counts map[string]map[string]int) []string {
	var out []string
	for svc, ops := range counts {
		for op, n := range ops {
			out = append(out, fmt.Sprintf("%s:%s=%d", svc, op, n))
		}
	}
	sort.Strings(out)
	return out
}
