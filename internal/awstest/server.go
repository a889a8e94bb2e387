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

// Options configure a double.
type Options struct {
	// Addr is the loopback address to listen on; "" or "127.0.0.1:0" picks a free port.
	Addr string
	// Python is the interpreter that runs moto; default "python3".
	Python string
}

// Server is a running double.
type Server struct {
	opts     Options
	moto     *motoProcess
	motoURL  *url.URL
	proxy    *httputil.ReverseProxy
	listener net.Listener
	http     *http.Server

	mu       sync.Mutex
	counts   map[string]map[string]int // service -> operation -> calls
	handlers map[string]http.Handler   // service -> handler that replaces moto for it
}

// Start starts moto and the double in front of it. Close stops both.
func Start(ctx context.Context, opts Options) (*Server, error) {
	m, err := startMoto(ctx, opts.Python)
	if err != nil {
		return nil, err
	}
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
	s := &Server{
		opts:     opts,
		moto:     m,
		motoURL:  mu,
		listener: l,
		counts:   map[string]map[string]int{},
		handlers: map[string]http.Handler{},
	}
	s.proxy = httputil.NewSingleHostReverseProxy(mu)
	s.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		writeAWSError(w, http.StatusBadGateway, "ServiceUnavailable", "the local AWS double could not reach moto: "+err.Error())
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(l) }()
	return s, nil
}

// URL is the endpoint to give the AWS SDK (BaseEndpoint) or the AWS CLI (--endpoint-url).
func (s *Server) URL() string { return "http://" + s.listener.Addr().String() }

// Addr is the address the double listens on.
func (s *Server) Addr() string { return s.listener.Addr().String() }

// MotoURL is moto's own endpoint, for the double's internal use and its tests.
func (s *Server) MotoURL() string { return s.moto.url }

// Close stops the double and its moto.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	s.moto.stop()
	return err
}

// Reset forgets all AWS state and all call counts.
func (s *Server) Reset(ctx context.Context) error {
	s.mu.Lock()
	s.counts = map[string]map[string]int{}
	s.mu.Unlock()
	return s.moto.reset(ctx)
}

// Handle makes h serve every request for service (the SigV4 signing name,
// e.g. "ses") instead of moto.
func (s *Server) Handle(service string, h http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[service] = h
}

// Counts returns calls per service and operation since the last reset.
func (s *Server) Counts() map[string]map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]map[string]int, len(s.counts))
	for svc, ops := range s.counts {
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

// adminPrefix is where the double's own endpoints live.
const adminPrefix = "/_awstest/"

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
	s.mu.Lock()
	if s.counts[service] == nil {
		s.counts[service] = map[string]int{}
	}
	s.counts[service][op]++
	h := s.handlers[service]
	s.mu.Unlock()
	if h != nil {
		h.ServeHTTP(w, r)
		return
	}
	s.proxy.ServeHTTP(w, r)
}

// serveAdmin answers the double's own endpoints:
//
//	GET  /_awstest/counts  calls per service and operation (JSON)
//	POST /_awstest/reset   forget all state and counts
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, adminPrefix) {
	case "counts":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.Counts())
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
	if service == "ses" && strings.HasPrefix(r.URL.Path, "/v2/") {
		return sesv2Operation(r.Method, r.URL.Path), nil
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

// sesv2Operation maps SES v2 REST paths to operation names.
func sesv2Operation(method, path string) string {
	p := strings.TrimPrefix(path, "/v2/email/")
	seg := strings.Split(strings.Trim(p, "/"), "/")
	verb := map[string]string{http.MethodGet: "Get", http.MethodPost: "Create", http.MethodPut: "Put", http.MethodDelete: "Delete"}[method]
	switch {
	case seg[0] == "identities" && len(seg) == 1:
		if method == http.MethodGet {
			return "ListEmailIdentities"
		}
		return "CreateEmailIdentity"
	case seg[0] == "identities" && len(seg) == 2:
		return verb + "EmailIdentity"
	case seg[0] == "identities" && len(seg) >= 3:
		return "PutEmailIdentity" + pascal(strings.Join(seg[2:], "-")) + "Attributes"
	case seg[0] == "configuration-sets" && len(seg) == 1:
		if method == http.MethodGet {
			return "ListConfigurationSets"
		}
		return "CreateConfigurationSet"
	case seg[0] == "configuration-sets" && len(seg) == 2:
		return verb + "ConfigurationSet"
	case seg[0] == "configuration-sets" && len(seg) >= 3 && seg[2] == "event-destinations":
		if len(seg) == 3 {
			if method == http.MethodGet {
				return "GetConfigurationSetEventDestinations"
			}
			return "CreateConfigurationSetEventDestination"
		}
		if method == http.MethodPut {
			return "UpdateConfigurationSetEventDestination"
		}
		return verb + "ConfigurationSetEventDestination"
	case seg[0] == "configuration-sets" && len(seg) == 3:
		return "PutConfigurationSet" + pascal(seg[2]) + "Options"
	case seg[0] == "account" && len(seg) == 1:
		return "GetAccount"
	case seg[0] == "account" && len(seg) == 2:
		return "PutAccount" + pascal(seg[1]) + "Attributes"
	case seg[0] == "outbound-emails":
		return "SendEmail"
	case seg[0] == "outbound-bulk-emails":
		return "SendBulkEmail"
	case seg[0] == "suppression":
		if len(seg) == 2 && method == http.MethodGet && seg[1] == "addresses" {
			return "ListSuppressedDestinations"
		}
		return verb + "SuppressedDestination"
	case seg[0] == "tags":
		switch method {
		case http.MethodGet:
			return "ListTagsForResource"
		case http.MethodDelete:
			return "UntagResource"
		}
		return "TagResource"
	}
	return method + " " + path
}

func pascal(kebab string) string {
	var b strings.Builder
	for _, w := range strings.Split(kebab, "-") {
		if w == "" {
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
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
