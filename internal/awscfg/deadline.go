package awscfg

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// Deadlines of one attempt of one AWS call. An endpoint that accepts the
// connection and never answers (a stopped sandbox behind a port forward, a
// proxy holding the request) fails the attempt instead of hanging the run.
// AttemptTimeout leaves room for the longest call mailform makes on purpose:
// an SQS ReceiveMessage that long-polls for 20 seconds.
const (
	DialTimeout    = 10 * time.Second // opening the TCP connection
	AttemptTimeout = 30 * time.Second // from sending the request to the response headers
	BodyTimeout    = 60 * time.Second // the whole attempt, reading the body included
)

// UnansweredAttempts is how many times a call is tried when its endpoint
// refuses the connection or does not answer in time. Throttles and 5xx
// answers keep MaxAttempts; an endpoint that is not there does not come back
// within a run's patience, so a plan against one fails in about a minute.
const UnansweredAttempts = 2

// httpClient is the HTTP client of every AWS call: the SDK's own, with the
// given deadlines (DialTimeout, AttemptTimeout, BodyTimeout).
func httpClient(dial, attempt, body time.Duration) aws.HTTPClient {
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = dial }).
		WithTransportOptions(func(tr *http.Transport) { tr.ResponseHeaderTimeout = attempt }).
		WithTimeout(body)
}

// unansweredLimit stops retrying a call after UnansweredAttempts attempts
// whose endpoint refused or did not answer; other errors follow the
// wrapped retryer.
type unansweredLimit struct {
	aws.RetryerV2
}

func (r unansweredLimit) RetryDelay(attempt int, err error) (time.Duration, error) {
	if attempt >= UnansweredAttempts && unanswered(err) {
		return 0, err
	}
	return r.RetryerV2.RetryDelay(attempt, err)
}

// unanswered reports whether err says the endpoint refused the connection or
// did not answer in time.
func unanswered(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// UnreachableError says that an AWS endpoint refused the connection or did
// not answer in time. Its message is one line that names the service and the
// endpoint and says what to check, without the SDK's chain of wrapped errors.
type UnreachableError struct {
	Service   string // the SDK's service ID, "STS"
	Operation string
	Endpoint  string // scheme://host[:port]
	Refused   bool   // the connection was refused; otherwise no answer came in time
	Err       error
}

func (e *UnreachableError) Error() string {
	if e.Refused {
		return fmt.Sprintf("cannot connect to AWS %s at %s: connection refused (%s). Check the endpoint: is -endpoint-url or AWS_ENDPOINT_URL right, and is 'mailform sandbox' running there?",
			e.Service, e.Endpoint, e.Operation)
	}
	return fmt.Sprintf("AWS %s at %s did not answer %s within %s (%d attempts). Is a proxy or firewall holding the connection (HTTPS_PROXY), or is -endpoint-url or AWS_ENDPOINT_URL something other than AWS or a running 'mailform sandbox'?",
		e.Service, e.Endpoint, e.Operation, AttemptTimeout, UnansweredAttempts)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// unreachable returns the UnreachableError that err is, or nil.
func unreachable(err error) *UnreachableError {
	var op *smithy.OperationError
	if !unanswered(err) || !errors.As(err, &op) {
		return nil
	}
	u := &UnreachableError{Service: op.ServiceID, Operation: op.OperationName, Refused: errors.Is(err, syscall.ECONNREFUSED), Err: err}
	var ue *url.Error
	if errors.As(err, &ue) {
		if parsed, perr := url.Parse(ue.URL); perr == nil {
			u.Endpoint = parsed.Scheme + "://" + parsed.Host
		}
	}
	if u.Endpoint == "" {
		u.Endpoint = "its endpoint"
	}
	return u
}
