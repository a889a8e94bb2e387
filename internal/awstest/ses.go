package awstest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/mailform/mailform/internal/awstest/sesdouble"
)

// sesBackend gives the SES emulation the double's Route 53 state for DNS
// and moto's SNS for notifications.
type sesBackend struct{ s *Server }

func (b sesBackend) LookupRecords(ctx context.Context, name, rtype string) ([]string, error) {
	return b.s.LookupRecords(ctx, name, rtype)
}

// snsClient talks to moto's SNS in the region of a topic ARN.
func (b sesBackend) snsClient(topicARN string) (*sns.Client, error) {
	parts := strings.Split(topicARN, ":")
	if len(parts) < 6 || parts[0] != "arn" || parts[2] != "sns" {
		return nil, fmt.Errorf("%q is not an SNS topic ARN", topicARN)
	}
	return sns.NewFromConfig(b.s.motoConfig(parts[3])), nil
}

func (b sesBackend) Publish(ctx context.Context, topicARN, message string) error {
	c, err := b.snsClient(topicARN)
	if err != nil {
		return err
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topicARN), Message: aws.String(message)}); err != nil {
		return fmt.Errorf("publishing to %s: %w", topicARN, err)
	}
	return nil
}

func (b sesBackend) TopicExists(ctx context.Context, topicARN string) (bool, error) {
	c, err := b.snsClient(topicARN)
	if err != nil {
		return false, nil
	}
	_, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
	var notFound *snstypes.NotFoundException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &notFound):
		return false, nil
	default:
		return false, fmt.Errorf("reading topic %s: %w", topicARN, err)
	}
}

// startSES registers the SES emulation for the service "ses", its reset,
// and its admin hook:
//
//	POST /_awstest/verify-email  form fields region, address: mark an
//	                             email-address identity verified, as if its
//	                             owner had clicked SES's link
func (s *Server) startSES() {
	ses := sesdouble.New(sesBackend{s}, sesdouble.Options{
		AccountID: AccountID,
		Now:       s.clock,
		// Asked on each use, so that Configure changes it on a running double.
		ReviewDelayFunc: func() time.Duration { return s.delay(func(o Options) time.Duration { return o.ReviewDelay }) },
		VerifyDelayFunc: func() time.Duration { return s.delay(func(o Options) time.Duration { return o.VerifyDelay }) },
		ListLagFunc:     func() time.Duration { return s.delay(func(o Options) time.Duration { return o.ListLag }) },
	})
	s.Handle("ses", ses)
	// GetResources of the Tagging API for SES resources (tagging.go).
	s.Handle("tagging", taggingDouble{s})
	s.OnReset(func(context.Context) error {
		ses.Reset()
		return nil
	})
	s.handleSESReputation() // sesmetrics.go
	s.HandleAdmin("verify-email", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		region, address := r.FormValue("region"), r.FormValue("address")
		if region == "" {
			region = "us-east-1"
		}
		if address == "" {
			http.Error(w, "want the form field address (and region)", http.StatusBadRequest)
			return
		}
		if err := ses.VerifyEmail(region, address); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
}
