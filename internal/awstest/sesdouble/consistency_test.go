package sesdouble

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// TestVerifyDelay: SES finds DKIM and MAIL FROM records only once they have
// been visible for the verify delay, not on the next read; records that
// disappear in between start the delay again.
func TestVerifyDelay(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.VerifyDelayFunc = func() time.Duration { return 10 * time.Minute } })
	ctx := t.Context()
	created := must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("slow.example")}))
	must[*sesv2.PutEmailIdentityMailFromAttributesOutput](t)(e.v2.PutEmailIdentityMailFromAttributes(ctx, &sesv2.PutEmailIdentityMailFromAttributesInput{
		EmailIdentity: aws.String("slow.example"), MailFromDomain: aws.String("bounce.slow.example")}))
	get := func() *sesv2.GetEmailIdentityOutput {
		t.Helper()
		return must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("slow.example")}))
	}
	e.publishDKIM("slow.example", created.DkimAttributes.Tokens)
	e.be.setRecords("bounce.slow.example.", "MX", "10 feedback-smtp.us-west-2.amazonses.com.")

	steps := []struct {
		name    string
		advance time.Duration
		change  func()
		want    types.DkimStatus
		wantMF  types.MailFromDomainStatus
	}{
		{"just published", 0, nil, types.DkimStatusPending, types.MailFromDomainStatusPending},
		{"9 minutes later", 9 * time.Minute, nil, types.DkimStatusPending, types.MailFromDomainStatusPending},
		{"DKIM records gone for a read", time.Minute, func() {
			e.publishDKIM("slow.example", nil)
			e.be.setRecords(created.DkimAttributes.Tokens[0]+"._domainkey.slow.example.", "CNAME")
		}, types.DkimStatusPending, types.MailFromDomainStatusSuccess},
		{"back, seen again from now", time.Minute, func() { e.publishDKIM("slow.example", created.DkimAttributes.Tokens) }, types.DkimStatusPending, types.MailFromDomainStatusSuccess},
		{"10 minutes after they came back", 10 * time.Minute, nil, types.DkimStatusSuccess, types.MailFromDomainStatusSuccess},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			e.clock.Advance(s.advance)
			if s.change != nil {
				s.change()
			}
			got := get()
			if got.DkimAttributes.Status != s.want || got.MailFromAttributes.MailFromDomainStatus != s.wantMF {
				t.Fatalf("DKIM %s, MAIL FROM %s; want %s, %s", got.DkimAttributes.Status, got.MailFromAttributes.MailFromDomainStatus, s.want, s.wantMF)
			}
		})
	}

	// The v1 batch read sees the same delay.
	fresh := must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("fresh.example")}))
	e.publishDKIM("fresh.example", fresh.DkimAttributes.Tokens)
	v1 := must[*ses.GetIdentityDkimAttributesOutput](t)(e.v1.GetIdentityDkimAttributes(ctx, &ses.GetIdentityDkimAttributesInput{Identities: []string{"fresh.example"}}))
	if st := v1.DkimAttributes["fresh.example"].DkimVerificationStatus; st != "Pending" {
		t.Errorf("v1 status right after publication: %s, want Pending", st)
	}
}

// TestListLag: a new identity may be left out of the lists for the list lag,
// while a read of it by name finds it.
func TestListLag(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.ListLagFunc = func() time.Duration { return 10 * time.Second } })
	ctx := t.Context()
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("old.example")}))
	e.clock.Advance(time.Minute)
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("new.example")}))

	list := func() (v2, v1 []string) {
		t.Helper()
		for _, id := range must[*sesv2.ListEmailIdentitiesOutput](t)(e.v2.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{})).EmailIdentities {
			v2 = append(v2, aws.ToString(id.IdentityName))
		}
		v1 = must[*ses.ListIdentitiesOutput](t)(e.v1.ListIdentities(ctx, &ses.ListIdentitiesInput{})).Identities
		return v2, v1
	}
	if v2, v1 := list(); len(v2) != 1 || v2[0] != "old.example" || len(v1) != 1 || v1[0] != "old.example" {
		t.Errorf("lists right after the create: v2 %v, v1 %v; want only old.example", v2, v1)
	}
	must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("new.example")}))
	e.clock.Advance(10 * time.Second)
	if v2, v1 := list(); len(v2) != 2 || len(v1) != 2 {
		t.Errorf("lists after the lag: v2 %v, v1 %v; want both", v2, v1)
	}
}

// The Tagging API's index shows an identity's tags as they were before a
// change, for the list lag.
func TestTagIndexLag(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.ListLagFunc = func() time.Duration { return 10 * time.Second } })
	ctx := t.Context()
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{
		EmailIdentity: aws.String("acme.example"), Tags: []types.Tag{{Key: aws.String("mailform:stack"), Value: aws.String("acme-prod")}},
	}))
	e.clock.Advance(time.Minute)
	stackTag := func() string {
		t.Helper()
		for _, r := range e.d.TaggedResources(testRegion, []string{"ses:identity"}) {
			return r.Tags["mailform:stack"]
		}
		return "(not shown)"
	}
	if got := stackTag(); got != "acme-prod" {
		t.Fatalf("index before any change: %q", got)
	}
	arn := "arn:aws:ses:" + testRegion + ":" + testAccount + ":identity/acme.example"
	must[*sesv2.UntagResourceOutput](t)(e.v2.UntagResource(ctx, &sesv2.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"mailform:stack"}}))
	e.clock.Advance(5 * time.Second)
	must[*sesv2.TagResourceOutput](t)(e.v2.TagResource(ctx, &sesv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("mailform:stack"), Value: aws.String("other")}}}))
	if got := stackTag(); got != "acme-prod" {
		t.Errorf("index within the lag of two changes: %q, want the tags before them", got)
	}
	e.clock.Advance(10 * time.Second)
	if got := stackTag(); got != "other" {
		t.Errorf("index after the lag: %q, want other", got)
	}
}
