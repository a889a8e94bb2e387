package awstest

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// TestConfigureChangesTheReviewDelay proves that the production-access
// review delay follows Configure on a running double, and Reset restores it.
func TestConfigureChangesTheReviewDelay(t *testing.T) {
	s := Shared(t)
	c := sesv2.NewFromConfig(s.Config("us-west-2"))
	submit := func() {
		t.Helper()
		if _, err := c.PutAccountDetails(t.Context(), &sesv2.PutAccountDetailsInput{
			MailType:                types.MailTypeTransactional,
			WebsiteURL:              aws.String("https://acme.example"),
			ProductionAccessEnabled: aws.Bool(true),
		}); err != nil {
			t.Fatal(err)
		}
	}
	status := func() string {
		t.Helper()
		out, err := c.GetAccount(t.Context(), &sesv2.GetAccountInput{})
		if err != nil {
			t.Fatal(err)
		}
		if out.Details == nil || out.Details.ReviewDetails == nil {
			return ""
		}
		return string(out.Details.ReviewDetails.Status)
	}

	if err := s.Configure(func(o *Options) { o.ReviewDelay = time.Hour }); err != nil {
		t.Fatal(err)
	}
	submit()
	if got := status(); got != "PENDING" {
		t.Fatalf("with a one-hour review delay, status = %q, want PENDING", got)
	}
	if err := s.Configure(func(o *Options) { o.ReviewDelay = 0 }); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != "GRANTED" {
		t.Fatalf("after Configure(ReviewDelay = 0), status = %q, want GRANTED", got)
	}
}
