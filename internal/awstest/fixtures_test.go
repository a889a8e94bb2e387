package awstest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// freezeClock gives s a clock that moves only when the test moves it.
func freezeClock(t *testing.T, s *Server) *fakeClock {
	t.Helper()
	c := &fakeClock{now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	s.mu.Lock()
	old := s.now
	s.now = c.Now
	s.mu.Unlock()
	t.Cleanup(func() {
		s.mu.Lock()
		s.now = old
		s.mu.Unlock()
	})
	return c
}

// configure changes s's settings for one test; Shared's Reset restores them.
func configure(t *testing.T, s *Server, change func(*Options)) {
	t.Helper()
	if err := s.Configure(change); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Reset(context.WithoutCancel(t.Context())); err != nil {
			t.Error(err)
		}
	})
}

// route53Client talks to the double without SDK retries, so that each
// call is exactly one request.
func route53Client(s *Server) *route53.Client {
	return route53.NewFromConfig(s.Config("us-east-1"), func(o *route53.Options) { o.RetryMaxAttempts = 1 })
}

// createZone creates a public hosted zone and returns its id.
func createZone(t *testing.T, c *route53.Client, name string) string {
	t.Helper()
	out, err := c.CreateHostedZone(t.Context(), &route53.CreateHostedZoneInput{
		Name: aws.String(name), CallerReference: aws.String("ref-" + name + "-" + time.Now().Format(time.RFC3339Nano)),
	})
	if err != nil {
		t.Fatalf("creating zone %s: %v", name, err)
	}
	return strings.TrimPrefix(aws.ToString(out.HostedZone.Id), "/hostedzone/")
}

// rrset builds a simple record set.
func rrset(name string, typ r53types.RRType, ttl int64, values ...string) *r53types.ResourceRecordSet {
	set := &r53types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl)}
	for _, v := range values {
		set.ResourceRecords = append(set.ResourceRecords, r53types.ResourceRecord{Value: aws.String(v)})
	}
	return set
}

func change(action r53types.ChangeAction, set *r53types.ResourceRecordSet) r53types.Change {
	return r53types.Change{Action: action, ResourceRecordSet: set}
}

// changeRecords submits one batch.
func changeRecords(t *testing.T, c *route53.Client, zoneID string, changes ...r53types.Change) (*route53.ChangeResourceRecordSetsOutput, error) {
	t.Helper()
	return c.ChangeResourceRecordSets(t.Context(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch:  &r53types.ChangeBatch{Changes: changes},
	})
}

// mustChange submits one batch that must succeed.
func mustChange(t *testing.T, c *route53.Client, zoneID string, changes ...r53types.Change) *route53.ChangeResourceRecordSetsOutput {
	t.Helper()
	out, err := changeRecords(t, c, zoneID, changes...)
	if err != nil {
		t.Fatalf("change batch: %v", err)
	}
	return out
}

// errorCode returns the AWS error code of err, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func createZoneInput(name string) *route53.CreateHostedZoneInput {
	return &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String("ref-" + name + "-" + time.Now().Format(time.RFC3339Nano))}
}

func trimZoneID(id *string) string { return strings.TrimPrefix(aws.ToString(id), "/hostedzone/") }

func changeInput(zoneID string, changes []r53types.Change) *route53.ChangeResourceRecordSetsInput {
	return &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: changes}}
}
