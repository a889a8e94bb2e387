package sesdouble

import (
	"errors"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"
)

var tokenPattern = regexp.MustCompile(`^[a-z2-7]{32}$`)

func TestDomainIdentityEasyDKIMVerifiesFromDNS(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	created := must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{
		EmailIdentity: aws.String("acme.example"),
		Tags:          []types.Tag{{Key: aws.String("mailform:stack"), Value: aws.String("acme-prod")}},
	}))
	if created.IdentityType != types.IdentityTypeDomain || created.VerifiedForSendingStatus {
		t.Fatalf("create: type %s, verified %v", created.IdentityType, created.VerifiedForSendingStatus)
	}
	dk := created.DkimAttributes
	if dk.Status != types.DkimStatusPending || len(dk.Tokens) != 3 || !dk.SigningEnabled ||
		dk.SigningAttributesOrigin != types.DkimSigningAttributesOriginAwsSes ||
		dk.CurrentSigningKeyLength != types.DkimSigningKeyLengthRsa2048Bit ||
		dk.NextSigningKeyLength != types.DkimSigningKeyLengthRsa2048Bit {
		t.Fatalf("create DKIM attributes: %+v", dk)
	}
	for _, tok := range dk.Tokens {
		if !tokenPattern.MatchString(tok) {
			t.Errorf("token %q is not 32 lower-case base32 characters", tok)
		}
	}

	steps := []struct {
		name       string
		publish    int // how many of the 3 CNAMEs exist
		wantDKIM   types.DkimStatus
		wantVerify types.VerificationStatus
	}{
		{"no records", 0, types.DkimStatusPending, types.VerificationStatusPending},
		{"two of three", 2, types.DkimStatusPending, types.VerificationStatusPending},
		{"all three", 3, types.DkimStatusSuccess, types.VerificationStatusSuccess},
		{"records removed", 0, types.DkimStatusTemporaryFailure, types.VerificationStatusTemporaryFailure},
		{"records back", 3, types.DkimStatusSuccess, types.VerificationStatusSuccess},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			for i, tok := range dk.Tokens {
				if i < s.publish {
					e.be.setRecords(tok+"._domainkey.acme.example.", "CNAME", tok+".dkim.amazonses.com.")
				} else {
					e.be.setRecords(tok+"._domainkey.acme.example.", "CNAME")
				}
			}
			got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")}))
			if got.DkimAttributes.Status != s.wantDKIM || got.VerificationStatus != s.wantVerify {
				t.Fatalf("DKIM %s, verification %s; want %s, %s", got.DkimAttributes.Status, got.VerificationStatus, s.wantDKIM, s.wantVerify)
			}
			if got.VerifiedForSendingStatus != (s.wantVerify == types.VerificationStatusSuccess) {
				t.Errorf("VerifiedForSendingStatus %v", got.VerifiedForSendingStatus)
			}
			if !cmp.Equal(got.DkimAttributes.Tokens, dk.Tokens) {
				t.Errorf("tokens changed: %v", got.DkimAttributes.Tokens)
			}
			if got.VerificationInfo == nil || got.VerificationInfo.LastCheckedTimestamp == nil {
				t.Errorf("VerificationInfo without LastCheckedTimestamp: %+v", got.VerificationInfo)
			}
		})
	}

	got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("ACME.example")}))
	if len(got.Tags) != 1 || aws.ToString(got.Tags[0].Key) != "mailform:stack" || !got.FeedbackForwardingStatus ||
		got.MailFromAttributes == nil || got.MailFromAttributes.BehaviorOnMxFailure != types.BehaviorOnMxFailureUseDefaultValue ||
		got.Policies == nil {
		t.Errorf("GetEmailIdentity (case-insensitive name): %+v", got)
	}
}

func TestDKIMPendingFailsAfter72Hours(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("late.example")}))
	e.clock.Advance(71 * time.Hour)
	got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("late.example")}))
	if got.DkimAttributes.Status != types.DkimStatusPending {
		t.Fatalf("after 71h: %s", got.DkimAttributes.Status)
	}
	if got.VerificationInfo.ErrorType != types.VerificationErrorHostNotFound {
		t.Errorf("ErrorType %q, want HOST_NOT_FOUND", got.VerificationInfo.ErrorType)
	}
	e.clock.Advance(2 * time.Hour)
	got = must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("late.example")}))
	if got.DkimAttributes.Status != types.DkimStatusFailed || got.VerificationStatus != types.VerificationStatusFailed {
		t.Fatalf("after 73h: DKIM %s, verification %s", got.DkimAttributes.Status, got.VerificationStatus)
	}
	// FAILED stops the search: records published now are not seen...
	e.publishDKIM("late.example", got.DkimAttributes.Tokens)
	got = must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("late.example")}))
	if got.DkimAttributes.Status != types.DkimStatusFailed {
		t.Fatalf("FAILED identity re-checked DNS: %s", got.DkimAttributes.Status)
	}
	// ...until the setup is started again, which issues new tokens.
	out := must[*sesv2.PutEmailIdentityDkimSigningAttributesOutput](t)(e.v2.PutEmailIdentityDkimSigningAttributes(ctx, &sesv2.PutEmailIdentityDkimSigningAttributesInput{
		EmailIdentity: aws.String("late.example"), SigningAttributesOrigin: types.DkimSigningAttributesOriginAwsSes}))
	if out.DkimStatus != types.DkimStatusPending || cmp.Equal(out.DkimTokens, got.DkimAttributes.Tokens) {
		t.Fatalf("restart: %s %v", out.DkimStatus, out.DkimTokens)
	}
}

func TestVerifyIntervalLimitsDNSChecks(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.VerifyInterval = 10 * time.Minute })
	ctx := t.Context()
	created := must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("slow.example")}))
	get := func() types.DkimStatus {
		t.Helper()
		return must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("slow.example")})).DkimAttributes.Status
	}
	if s := get(); s != types.DkimStatusPending {
		t.Fatal(s)
	}
	e.publishDKIM("slow.example", created.DkimAttributes.Tokens)
	e.clock.Advance(5 * time.Minute)
	if s := get(); s != types.DkimStatusPending {
		t.Fatalf("re-checked within the interval: %s", s)
	}
	e.clock.Advance(6 * time.Minute)
	if s := get(); s != types.DkimStatusSuccess {
		t.Fatalf("not re-checked after the interval: %s", s)
	}
}

func TestIdentityErrors(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("dup.example")}))

	_, err := e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("DUP.example")})
	var exists *types.AlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("duplicate create: %v", err)
	}
	_, err = e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("missing.example")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("get missing: %v", err)
	}
	must[*sesv2.DeleteEmailIdentityOutput](t)(e.v2.DeleteEmailIdentity(ctx, &sesv2.DeleteEmailIdentityInput{EmailIdentity: aws.String("dup.example")}))
	_, err = e.v2.DeleteEmailIdentity(ctx, &sesv2.DeleteEmailIdentityInput{EmailIdentity: aws.String("dup.example")})
	if !errors.As(err, &nf) {
		t.Errorf("delete twice: %v", err)
	}

	bad := []struct {
		name string
		in   sesv2.CreateEmailIdentityInput
	}{
		{"not a domain", sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("localhost")}},
		{"bad label", sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("-bad.example")}},
		{"bad address", sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("@acme.example")}},
		{"DKIM on an address", sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("a@acme.example"),
			DkimSigningAttributes: &types.DkimSigningAttributes{NextSigningKeyLength: types.DkimSigningKeyLengthRsa1024Bit}}},
		{"unknown key length", sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("len.example"),
			DkimSigningAttributes: &types.DkimSigningAttributes{NextSigningKeyLength: "RSA_4096_BIT"}}},
		{"unknown configuration set", sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("cs.example"), ConfigurationSetName: aws.String("nope")}},
		{"reserved tag", sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("tag.example"),
			Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}}},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.v2.CreateEmailIdentity(ctx, &c.in)
			var br *types.BadRequestException
			var nf *types.NotFoundException
			if !errors.As(err, &br) && !errors.As(err, &nf) {
				t.Fatalf("want BadRequestException or NotFoundException, got %v", err)
			}
		})
	}
}

func TestEmailIdentityVerifiedByLink(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	out := must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("alerts@partner.example")}))
	if out.IdentityType != types.IdentityTypeEmailAddress || out.VerifiedForSendingStatus {
		t.Fatalf("%+v", out)
	}
	get := func() *sesv2.GetEmailIdentityOutput {
		return must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("alerts@partner.example")}))
	}
	if g := get(); g.VerificationStatus != types.VerificationStatusPending || g.DkimAttributes.Status != types.DkimStatusNotStarted {
		t.Fatalf("before the link: %s / %s", g.VerificationStatus, g.DkimAttributes.Status)
	}
	if err := e.d.VerifyEmail("eu-west-1", "alerts@partner.example"); err == nil {
		t.Error("VerifyEmail found the identity in another region")
	}
	if err := e.d.VerifyEmail(testRegion, "nobody@partner.example"); err == nil {
		t.Error("VerifyEmail accepted an unknown address")
	}
	if err := e.d.VerifyEmail(testRegion, "alerts@partner.example"); err != nil {
		t.Fatal(err)
	}
	if g := get(); g.VerificationStatus != types.VerificationStatusSuccess || !g.VerifiedForSendingStatus {
		t.Fatalf("after the link: %s", g.VerificationStatus)
	}
}

func TestListEmailIdentitiesPaginates(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	want := []string{"a.example", "b.example", "c.example", "d.example", "e@b.example"}
	for _, n := range want {
		must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(n)}))
	}
	var got []string
	pages := 0
	p := sesv2.NewListEmailIdentitiesPaginator(e.v2, &sesv2.ListEmailIdentitiesInput{PageSize: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, id := range out.EmailIdentities {
			got = append(got, aws.ToString(id.IdentityName))
			if id.VerificationStatus != types.VerificationStatusPending || id.SendingEnabled {
				t.Errorf("%s: %s sending %v", aws.ToString(id.IdentityName), id.VerificationStatus, id.SendingEnabled)
			}
		}
	}
	if pages != 3 || !cmp.Equal(got, want) {
		t.Errorf("%d pages: %v", pages, got)
	}
	_, err := e.v2.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{NextToken: aws.String("garbage")})
	var br *types.BadRequestException
	if !errors.As(err, &br) {
		t.Errorf("bad token: %v", err)
	}
}

func TestRegionsAreSeparate(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("west.example")}))
	v2eu, _ := clients(e.url, "eu-west-1")
	_, err := v2eu.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("west.example")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("identity of us-west-2 visible in eu-west-1: %v", err)
	}
	e.d.Reset()
	_, err = e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("west.example")})
	if !errors.As(err, &nf) {
		t.Fatalf("Reset kept the identity: %v", err)
	}
}

func TestDkimKeyLengthChanges(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	created := must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("keys.example")}))
	change := func(l types.DkimSigningKeyLength) (*sesv2.PutEmailIdentityDkimSigningAttributesOutput, error) {
		return e.v2.PutEmailIdentityDkimSigningAttributes(ctx, &sesv2.PutEmailIdentityDkimSigningAttributesInput{
			EmailIdentity:           aws.String("keys.example"),
			SigningAttributesOrigin: types.DkimSigningAttributesOriginAwsSes,
			SigningAttributes:       &types.DkimSigningAttributes{NextSigningKeyLength: l},
		})
	}
	steps := []struct {
		name    string
		advance time.Duration
		length  types.DkimSigningKeyLength
		wantErr bool
	}{
		{"same length is refused", 0, types.DkimSigningKeyLengthRsa2048Bit, true},
		{"first downgrade within 24h is allowed", 0, types.DkimSigningKeyLengthRsa1024Bit, false},
		{"second change within 24h is refused", time.Hour, types.DkimSigningKeyLengthRsa2048Bit, true},
		{"change after 24h is allowed", 24 * time.Hour, types.DkimSigningKeyLengthRsa2048Bit, false},
		{"downgrade again within 24h of a change is allowed once", time.Hour, types.DkimSigningKeyLengthRsa1024Bit, false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			e.clock.Advance(s.advance)
			out, err := change(s.length)
			if s.wantErr {
				var br *types.BadRequestException
				if !errors.As(err, &br) {
					t.Fatalf("want BadRequestException, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !cmp.Equal(out.DkimTokens, created.DkimAttributes.Tokens) {
				t.Errorf("a key-length change replaced the tokens: %v", out.DkimTokens)
			}
			got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("keys.example")}))
			if got.DkimAttributes.CurrentSigningKeyLength != s.length || got.DkimAttributes.NextSigningKeyLength != s.length {
				t.Errorf("lengths %s/%s, want %s", got.DkimAttributes.CurrentSigningKeyLength, got.DkimAttributes.NextSigningKeyLength, s.length)
			}
			if got.DkimAttributes.LastKeyGenerationTimestamp == nil || !got.DkimAttributes.LastKeyGenerationTimestamp.Equal(e.clock.Now()) {
				t.Errorf("LastKeyGenerationTimestamp %v", got.DkimAttributes.LastKeyGenerationTimestamp)
			}
		})
	}

	t.Run("signing can be turned off and on", func(t *testing.T) {
		for _, on := range []bool{false, true} {
			must[*sesv2.PutEmailIdentityDkimAttributesOutput](t)(e.v2.PutEmailIdentityDkimAttributes(ctx, &sesv2.PutEmailIdentityDkimAttributesInput{
				EmailIdentity: aws.String("keys.example"), SigningEnabled: on}))
			got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("keys.example")}))
			if got.DkimAttributes.SigningEnabled != on {
				t.Errorf("SigningEnabled %v, want %v", got.DkimAttributes.SigningEnabled, on)
			}
		}
	})
}

func TestMailFromVerification(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")}))
	put := func(domain string) error {
		_, err := e.v2.PutEmailIdentityMailFromAttributes(ctx, &sesv2.PutEmailIdentityMailFromAttributesInput{
			EmailIdentity: aws.String("acme.example"), MailFromDomain: aws.String(domain),
			BehaviorOnMxFailure: types.BehaviorOnMxFailureRejectMessage})
		return err
	}
	for _, bad := range []string{"acme.example", "bounce.other.example", "notacme.example", "bad_-.acme..example"} {
		var br *types.BadRequestException
		if err := put(bad); !errors.As(err, &br) {
			t.Errorf("MAIL FROM %q: want BadRequestException, got %v", bad, err)
		}
	}
	if err := put("bounce.acme.example"); err != nil {
		t.Fatal(err)
	}
	const mx = "bounce.acme.example."
	steps := []struct {
		name   string
		values []string
		want   types.MailFromDomainStatus
	}{
		{"no MX", nil, types.MailFromDomainStatusPending},
		{"two MX", []string{"10 feedback-smtp.us-west-2.amazonses.com", "20 mx.other.example."}, types.MailFromDomainStatusPending},
		{"wrong MX", []string{"10 mx.other.example."}, types.MailFromDomainStatusPending},
		{"one SES MX", []string{"10 feedback-smtp.us-west-2.amazonses.com."}, types.MailFromDomainStatusSuccess},
		{"MX removed", nil, types.MailFromDomainStatusTemporaryFailure},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			e.be.setRecords(mx, "MX", s.values...)
			got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")}))
			mf := got.MailFromAttributes
			if aws.ToString(mf.MailFromDomain) != "bounce.acme.example" || mf.MailFromDomainStatus != s.want ||
				mf.BehaviorOnMxFailure != types.BehaviorOnMxFailureRejectMessage {
				t.Fatalf("%+v, want status %s", mf, s.want)
			}
		})
	}
	t.Run("72 hours without the MX", func(t *testing.T) {
		e.clock.Advance(72 * time.Hour)
		got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")}))
		if got.MailFromAttributes.MailFromDomainStatus != types.MailFromDomainStatusFailed {
			t.Fatalf("%s", got.MailFromAttributes.MailFromDomainStatus)
		}
	})
	t.Run("clearing", func(t *testing.T) {
		must[*sesv2.PutEmailIdentityMailFromAttributesOutput](t)(e.v2.PutEmailIdentityMailFromAttributes(ctx, &sesv2.PutEmailIdentityMailFromAttributesInput{EmailIdentity: aws.String("acme.example")}))
		got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")}))
		if got.MailFromAttributes.MailFromDomain != nil {
			t.Fatalf("MAIL FROM not cleared: %+v", got.MailFromAttributes)
		}
	})
}

func TestFeedbackForwardingRule(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("fb.example")}))
	topic := e.be.addTopic("feedback")
	off := func() error {
		_, err := e.v2.PutEmailIdentityFeedbackAttributes(ctx, &sesv2.PutEmailIdentityFeedbackAttributesInput{
			EmailIdentity: aws.String("fb.example"), EmailForwardingEnabled: false})
		return err
	}
	setTopic := func(typ, arn string) {
		t.Helper()
		if err := e.setTopic(t, "fb.example", typ, arn); err != nil {
			t.Fatal(err)
		}
	}
	var br *types.BadRequestException
	if err := off(); !errors.As(err, &br) {
		t.Fatalf("no topics: want BadRequestException, got %v", err)
	}
	setTopic("Bounce", topic)
	if err := off(); !errors.As(err, &br) {
		t.Fatalf("bounce topic only: want BadRequestException, got %v", err)
	}
	setTopic("Complaint", topic)
	if err := off(); err != nil {
		t.Fatalf("both topics: %v", err)
	}
	got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("fb.example")}))
	if got.FeedbackForwardingStatus {
		t.Fatal("forwarding still on")
	}
	// Clearing a feedback topic turns forwarding back on, since it may be off
	// only while both topics are set.
	setTopic("Complaint", "")
	got = must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("fb.example")}))
	if !got.FeedbackForwardingStatus {
		t.Fatal("forwarding still off without a complaint topic")
	}
}

func TestIdentityConfigurationSetAttributes(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*sesv2.CreateConfigurationSetOutput](t)(e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String("default")}))
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("cs.example"), ConfigurationSetName: aws.String("default")}))
	get := func() string {
		return aws.ToString(must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("cs.example")})).ConfigurationSetName)
	}
	if got := get(); got != "default" {
		t.Fatalf("default set %q", got)
	}
	must[*sesv2.PutEmailIdentityConfigurationSetAttributesOutput](t)(e.v2.PutEmailIdentityConfigurationSetAttributes(ctx, &sesv2.PutEmailIdentityConfigurationSetAttributesInput{EmailIdentity: aws.String("cs.example")}))
	if got := get(); got != "" {
		t.Fatalf("default set not cleared: %q", got)
	}
	_, err := e.v2.PutEmailIdentityConfigurationSetAttributes(ctx, &sesv2.PutEmailIdentityConfigurationSetAttributesInput{EmailIdentity: aws.String("cs.example"), ConfigurationSetName: aws.String("nope")})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("unknown set: %v", err)
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("tags.example")}))
	must[*sesv2.CreateConfigurationSetOutput](t)(e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String("set-1")}))
	prefix := "arn:aws:ses:us-west-2:123456789012:"
	for _, arn := range []string{prefix + "identity/tags.example", prefix + "configuration-set/set-1"} {
		t.Run(arn, func(t *testing.T) {
			must[*sesv2.TagResourceOutput](t)(e.v2.TagResource(ctx, &sesv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{
				{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}))
			must[*sesv2.TagResourceOutput](t)(e.v2.TagResource(ctx, &sesv2.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{
				{Key: aws.String("a"), Value: aws.String("3")}}}))
			must[*sesv2.UntagResourceOutput](t)(e.v2.UntagResource(ctx, &sesv2.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"b"}}))
			out := must[*sesv2.ListTagsForResourceOutput](t)(e.v2.ListTagsForResource(ctx, &sesv2.ListTagsForResourceInput{ResourceArn: aws.String(arn)}))
			if len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "a" || aws.ToString(out.Tags[0].Value) != "3" {
				t.Fatalf("tags %+v", out.Tags)
			}
		})
	}
	var nf *types.NotFoundException
	_, err := e.v2.ListTagsForResource(ctx, &sesv2.ListTagsForResourceInput{ResourceArn: aws.String(prefix + "identity/missing.example")})
	if !errors.As(err, &nf) {
		t.Errorf("missing identity: %v", err)
	}
	var br *types.BadRequestException
	_, err = e.v2.TagResource(ctx, &sesv2.TagResourceInput{ResourceArn: aws.String("not-an-arn"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	if !errors.As(err, &br) {
		t.Errorf("malformed ARN: %v", err)
	}
}

func TestConcurrentRequests(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	created := must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("busy.example")}))
	e.publishDKIM("busy.example", created.DkimAttributes.Tokens)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 4 {
				name := fmt.Sprintf("c%d-%d.example", i, j)
				if _, err := e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(name)}); err != nil {
					errs <- err
				}
				if _, err := e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("busy.example")}); err != nil {
					errs <- err
				}
				if _, err := e.v2.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	out := must[*sesv2.ListEmailIdentitiesOutput](t)(e.v2.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{PageSize: aws.Int32(1000)}))
	if len(out.EmailIdentities) != 33 {
		t.Fatalf("%d identities, want 33", len(out.EmailIdentities))
	}
}

func TestListReportsLastCheckedStatus(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	created := must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("list.example")}))
	e.publishDKIM("list.example", created.DkimAttributes.Tokens)
	status := func() types.VerificationStatus {
		out := must[*sesv2.ListEmailIdentitiesOutput](t)(e.v2.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{}))
		return out.EmailIdentities[0].VerificationStatus
	}
	before := e.be.lookupCount()
	if s := status(); s != types.VerificationStatusPending {
		t.Fatalf("list before any read: %s", s)
	}
	if e.be.lookupCount() != before {
		t.Fatalf("ListEmailIdentities looked up DNS %d times", e.be.lookupCount()-before)
	}
	must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("list.example")}))
	if s := status(); s != types.VerificationStatusSuccess {
		t.Fatalf("list after a read: %s", s)
	}
}
