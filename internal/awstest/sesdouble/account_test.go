package sesdouble

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"
)

func TestGetAccountOfANewAccount(t *testing.T) {
	e := newEnv(t)
	got := must[*sesv2.GetAccountOutput](t)(e.v2.GetAccount(t.Context(), &sesv2.GetAccountInput{}))
	if got.ProductionAccessEnabled || !got.SendingEnabled || aws.ToString(got.EnforcementStatus) != "HEALTHY" || got.Details != nil {
		t.Fatalf("%+v", got)
	}
	if q := got.SendQuota; q.Max24HourSend != 200 || q.MaxSendRate != 1 || q.SentLast24Hours != 0 {
		t.Fatalf("quota %+v", q)
	}
	want := []types.SuppressionListReason{types.SuppressionListReasonBounce, types.SuppressionListReasonComplaint}
	if !cmp.Equal(got.SuppressionAttributes.SuppressedReasons, want) {
		t.Fatalf("suppression %v", got.SuppressionAttributes.SuppressedReasons)
	}
}

func validDetails() *sesv2.PutAccountDetailsInput {
	return &sesv2.PutAccountDetailsInput{
		MailType:                        types.MailTypeTransactional,
		WebsiteURL:                      aws.String("https://acme.example"),
		ContactLanguage:                 types.ContactLanguageEn,
		UseCaseDescription:              aws.String("Receipts and password resets."),
		AdditionalContactEmailAddresses: []string{"ops@acme.example"},
		ProductionAccessEnabled:         aws.Bool(true),
	}
}

func TestPutAccountDetailsValidation(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name   string
		change func(*sesv2.PutAccountDetailsInput)
	}{
		{"PROMOTIONAL is not a mail type", func(in *sesv2.PutAccountDetailsInput) { in.MailType = "PROMOTIONAL" }},
		{"JP is not a language", func(in *sesv2.PutAccountDetailsInput) { in.ContactLanguage = "JP" }},
		{"website not a URI", func(in *sesv2.PutAccountDetailsInput) { in.WebsiteURL = aws.String("acme example") }},
		{"website over 1000 characters", func(in *sesv2.PutAccountDetailsInput) {
			in.WebsiteURL = aws.String("https://acme.example/" + strings.Repeat("a", 1000))
		}},
		{"use case over 5000 characters", func(in *sesv2.PutAccountDetailsInput) {
			in.UseCaseDescription = aws.String(strings.Repeat("a", 5001))
		}},
		{"five contacts", func(in *sesv2.PutAccountDetailsInput) {
			in.AdditionalContactEmailAddresses = []string{"a@b.example", "c@b.example", "d@b.example", "e@b.example", "f@b.example"}
		}},
		{"contact without @", func(in *sesv2.PutAccountDetailsInput) {
			in.AdditionalContactEmailAddresses = []string{"ops.acme.example"}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validDetails()
			c.change(in)
			_, err := e.v2.PutAccountDetails(t.Context(), in)
			var br *types.BadRequestException
			if !errors.As(err, &br) {
				t.Fatalf("want BadRequestException, got %v", err)
			}
		})
	}
	if got := must[*sesv2.GetAccountOutput](t)(e.v2.GetAccount(t.Context(), &sesv2.GetAccountInput{})); got.Details != nil {
		t.Fatalf("refused details were stored: %+v", got.Details)
	}
}

func TestProductionAccessReview(t *testing.T) {
	e := newEnv(t) // ReviewDelay: 1h
	ctx := t.Context()
	must[*sesv2.PutAccountDetailsOutput](t)(e.v2.PutAccountDetails(ctx, validDetails()))
	got := must[*sesv2.GetAccountOutput](t)(e.v2.GetAccount(ctx, &sesv2.GetAccountInput{}))
	if got.Details == nil || got.Details.ReviewDetails == nil || got.Details.ReviewDetails.Status != types.ReviewStatusPending ||
		aws.ToString(got.Details.ReviewDetails.CaseId) == "" || got.ProductionAccessEnabled {
		t.Fatalf("after submitting: %+v", got.Details)
	}
	if got.Details.MailType != types.MailTypeTransactional || aws.ToString(got.Details.WebsiteURL) != "https://acme.example" ||
		got.Details.ContactLanguage != types.ContactLanguageEn || !cmp.Equal(got.Details.AdditionalContactEmailAddresses, []string{"ops@acme.example"}) {
		t.Fatalf("details: %+v", got.Details)
	}

	_, err := e.v2.PutAccountDetails(ctx, validDetails())
	var conflict *types.ConflictException
	if !errors.As(err, &conflict) {
		t.Fatalf("second request during the review: want ConflictException, got %v", err)
	}

	e.clock.Advance(59 * time.Minute)
	if got := must[*sesv2.GetAccountOutput](t)(e.v2.GetAccount(ctx, &sesv2.GetAccountInput{})); got.Details.ReviewDetails.Status != types.ReviewStatusPending {
		t.Fatalf("granted early: %s", got.Details.ReviewDetails.Status)
	}
	e.clock.Advance(time.Minute)
	got = must[*sesv2.GetAccountOutput](t)(e.v2.GetAccount(ctx, &sesv2.GetAccountInput{}))
	if got.Details.ReviewDetails.Status != types.ReviewStatusGranted || !got.ProductionAccessEnabled ||
		got.SendQuota.Max24HourSend != 50000 || got.SendQuota.MaxSendRate != 14 {
		t.Fatalf("after the review: %s, production %v, quota %+v", got.Details.ReviewDetails.Status, got.ProductionAccessEnabled, got.SendQuota)
	}
	// Once the review is over, details may be edited again.
	in := validDetails()
	in.MailType = types.MailTypeMarketing
	must[*sesv2.PutAccountDetailsOutput](t)(e.v2.PutAccountDetails(ctx, in))
}

func TestAccountSuppressionAndSendingAttributes(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*sesv2.PutAccountSuppressionAttributesOutput](t)(e.v2.PutAccountSuppressionAttributes(ctx, &sesv2.PutAccountSuppressionAttributesInput{
		SuppressedReasons: []types.SuppressionListReason{types.SuppressionListReasonComplaint}}))
	must[*sesv2.PutAccountSendingAttributesOutput](t)(e.v2.PutAccountSendingAttributes(ctx, &sesv2.PutAccountSendingAttributesInput{SendingEnabled: false}))
	got := must[*sesv2.GetAccountOutput](t)(e.v2.GetAccount(ctx, &sesv2.GetAccountInput{}))
	if !cmp.Equal(got.SuppressionAttributes.SuppressedReasons, []types.SuppressionListReason{types.SuppressionListReasonComplaint}) || got.SendingEnabled {
		t.Fatalf("%+v sending %v", got.SuppressionAttributes, got.SendingEnabled)
	}
	_, err := e.v2.PutAccountSuppressionAttributes(ctx, &sesv2.PutAccountSuppressionAttributesInput{SuppressedReasons: []types.SuppressionListReason{"SPAM"}})
	var br *types.BadRequestException
	if !errors.As(err, &br) {
		t.Fatalf("bad reason: %v", err)
	}
}

func TestSuppressedDestinations(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	for _, c := range []struct {
		addr   string
		reason types.SuppressionListReason
	}{{"b@x.example", types.SuppressionListReasonBounce}, {"a@x.example", types.SuppressionListReasonComplaint}, {"c@x.example", types.SuppressionListReasonBounce}} {
		must[*sesv2.PutSuppressedDestinationOutput](t)(e.v2.PutSuppressedDestination(ctx, &sesv2.PutSuppressedDestinationInput{
			EmailAddress: aws.String(c.addr), Reason: c.reason}))
	}
	got := must[*sesv2.GetSuppressedDestinationOutput](t)(e.v2.GetSuppressedDestination(ctx, &sesv2.GetSuppressedDestinationInput{EmailAddress: aws.String("a@x.example")}))
	if aws.ToString(got.SuppressedDestination.EmailAddress) != "a@x.example" || got.SuppressedDestination.Reason != types.SuppressionListReasonComplaint ||
		!got.SuppressedDestination.LastUpdateTime.Equal(e.clock.Now()) {
		t.Fatalf("%+v", got.SuppressedDestination)
	}

	list := func(in *sesv2.ListSuppressedDestinationsInput) []string {
		var out []string
		p := sesv2.NewListSuppressedDestinationsPaginator(e.v2, in)
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page.SuppressedDestinationSummaries {
				out = append(out, aws.ToString(s.EmailAddress))
			}
		}
		return out
	}
	if got := list(&sesv2.ListSuppressedDestinationsInput{PageSize: aws.Int32(1)}); !cmp.Equal(got, []string{"a@x.example", "b@x.example", "c@x.example"}) {
		t.Fatalf("all: %v", got)
	}
	if got := list(&sesv2.ListSuppressedDestinationsInput{Reasons: []types.SuppressionListReason{types.SuppressionListReasonBounce}}); !cmp.Equal(got, []string{"b@x.example", "c@x.example"}) {
		t.Fatalf("bounces: %v", got)
	}
	if got := list(&sesv2.ListSuppressedDestinationsInput{StartDate: aws.Time(e.clock.Now().Add(time.Minute))}); len(got) != 0 {
		t.Fatalf("after StartDate: %v", got)
	}

	must[*sesv2.DeleteSuppressedDestinationOutput](t)(e.v2.DeleteSuppressedDestination(ctx, &sesv2.DeleteSuppressedDestinationInput{EmailAddress: aws.String("a@x.example")}))
	var nf *types.NotFoundException
	_, err := e.v2.GetSuppressedDestination(ctx, &sesv2.GetSuppressedDestinationInput{EmailAddress: aws.String("a@x.example")})
	if !errors.As(err, &nf) {
		t.Fatalf("get deleted: %v", err)
	}
	_, err = e.v2.DeleteSuppressedDestination(ctx, &sesv2.DeleteSuppressedDestinationInput{EmailAddress: aws.String("a@x.example")})
	if !errors.As(err, &nf) {
		t.Fatalf("delete deleted: %v", err)
	}
	var br *types.BadRequestException
	_, err = e.v2.PutSuppressedDestination(ctx, &sesv2.PutSuppressedDestinationInput{EmailAddress: aws.String("nobody"), Reason: types.SuppressionListReasonBounce})
	if !errors.As(err, &br) {
		t.Fatalf("bad address: %v", err)
	}
}
