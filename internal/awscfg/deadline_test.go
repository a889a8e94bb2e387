package awscfg

import (
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// stsAt returns an STS client for endpoint with the mailform retryer and
// the given per-attempt deadline.
func stsAt(endpoint string, attempt time.Duration) *sts.Client {
	return sts.New(sts.Options{
		Region:       "us-west-2",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		HTTPClient:   httpClient(time.Second, attempt, 2*attempt),
		Retryer:      newRetryer(),
	})
}

// TestSilentEndpointFailsAfterItsDeadline: an endpoint that accepts the
// connection and never answers fails the call after UnansweredAttempts
// attempts, each ended by its deadline, with one line that names the service
// and the endpoint and says what to check.
func TestSilentEndpointFailsAfterItsDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			conns = append(conns, c) // held open, never answered
		}
	}()
	endpoint := "http://" + ln.Addr().String()
	start := time.Now()
	_, err = stsAt(endpoint, 300*time.Millisecond).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	took := time.Since(start)
	if err == nil {
		t.Fatal("a silent endpoint answered")
	}
	if took > 10*time.Second {
		t.Errorf("the call took %s", took)
	}
	if n := accepted.Load(); n != UnansweredAttempts {
		t.Errorf("%d attempts, want %d", n, UnansweredAttempts)
	}
	var u *UnreachableError
	if !errors.As(Explain(err), &u) || u.Refused {
		t.Fatalf("Explain(%v) = %v, want an UnreachableError for no answer", err, Explain(err))
	}
	msg := Explain(err).Error()
	for _, want := range []string{"AWS STS at " + endpoint, "did not answer GetCallerIdentity", "proxy"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("message is not one line: %s", msg)
	}
}

// TestRefusedConnectionIsOneLine: a port nothing listens on gives one line
// naming the endpoint, after UnansweredAttempts attempts rather than MaxAttempts.
func TestRefusedConnectionIsOneLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + ln.Addr().String()
	ln.Close()
	start := time.Now()
	_, err = stsAt(endpoint, time.Second).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err == nil {
		t.Fatal("a closed port answered")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the call took %s: it retried a refused connection as often as a throttle", took)
	}
	var u *UnreachableError
	if !errors.As(Explain(err), &u) || !u.Refused {
		t.Fatalf("Explain(%v) = %v, want an UnreachableError for a refused connection", err, Explain(err))
	}
	msg := Explain(err).Error()
	if !strings.Contains(msg, "cannot connect to AWS STS at "+endpoint+": connection refused") || strings.Contains(msg, "\n") || !strings.Contains(msg, "mailform sandbox") {
		t.Errorf("message: %s", msg)
	}
}
