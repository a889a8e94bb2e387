package sesdouble

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

func TestV1DomainVerificationAndDKIM(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	token := aws.ToString(must[*ses.VerifyDomainIdentityOutput](t)(e.v1.VerifyDomainIdentity(ctx, &ses.VerifyDomainIdentityInput{Domain: aws.String("legacy.example")})).VerificationToken)
	if len(token) != 44 {
		t.Fatalf("token %q is not 44 characters", token)
	}
	verification := func() sestypes.IdentityVerificationAttributes {
		out := must[*ses.GetIdentityVerificationAttributesOutput](t)(e.v1.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: []string{"legacy.example"}}))
		return out.VerificationAttributes["legacy.example"]
	}
	if v := verification(); v.VerificationStatus != sestypes.VerificationStatusPending || aws.ToString(v.VerificationToken) != token {
		t.Fatalf("before the TXT: %+v", v)
	}
	e.be.setRecords("_amazonses.legacy.example.", "TXT", `"`+token+`"`)
	if v := verification(); v.VerificationStatus != sestypes.VerificationStatusSuccess {
		t.Fatalf("after the TXT: %s", v.VerificationStatus)
	}
	// The same identity through v2: verified, DKIM not started.
	got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("legacy.example")}))
	if got.VerificationStatus != types.VerificationStatusSuccess || got.DkimAttributes.Status != types.DkimStatusNotStarted {
		t.Fatalf("v2 view: %s / %s", got.VerificationStatus, got.DkimAttributes.Status)
	}

	tokens := must[*ses.VerifyDomainDkimOutput](t)(e.v1.VerifyDomainDkim(ctx, &ses.VerifyDomainDkimInput{Domain: aws.String("legacy.example")})).DkimTokens
	again := must[*ses.VerifyDomainDkimOutput](t)(e.v1.VerifyDomainDkim(ctx, &ses.VerifyDomainDkimInput{Domain: aws.String("legacy.example")})).DkimTokens
	if len(tokens) != 3 || !slices.Equal(tokens, again) {
		t.Fatalf("tokens %v, then %v", tokens, again)
	}
	dkim := func() sestypes.IdentityDkimAttributes {
		out := must[*ses.GetIdentityDkimAttributesOutput](t)(e.v1.GetIdentityDkimAttributes(ctx, &ses.GetIdentityDkimAttributesInput{Identities: []string{"legacy.example"}}))
		return out.DkimAttributes["legacy.example"]
	}
	if a := dkim(); a.DkimVerificationStatus != sestypes.VerificationStatusPending || !a.DkimEnabled || !slices.Equal(a.DkimTokens, tokens) {
		t.Fatalf("DKIM before the CNAMEs: %+v", a)
	}
	e.publishDKIM("legacy.example", tokens)
	if a := dkim(); a.DkimVerificationStatus != sestypes.VerificationStatusSuccess {
		t.Fatalf("DKIM after the CNAMEs: %s", a.DkimVerificationStatus)
	}
	must[*ses.SetIdentityDkimEnabledOutput](t)(e.v1.SetIdentityDkimEnabled(ctx, &ses.SetIdentityDkimEnabledInput{Identity: aws.String("legacy.example"), DkimEnabled: false}))
	if a := dkim(); a.DkimEnabled {
		t.Fatal("DKIM still enabled")
	}
}

func TestV1EmailIdentityAndDelete(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*ses.VerifyEmailIdentityOutput](t)(e.v1.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("ops@acme.example")}))
	out := must[*ses.GetIdentityVerificationAttributesOutput](t)(e.v1.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: []string{"ops@acme.example", "missing@acme.example"}}))
	if len(out.VerificationAttributes) != 1 || out.VerificationAttributes["ops@acme.example"].VerificationStatus != sestypes.VerificationStatusPending {
		t.Fatalf("%+v", out.VerificationAttributes)
	}
	if err := e.d.VerifyEmail(testRegion, "ops@acme.example"); err != nil {
		t.Fatal(err)
	}
	out = must[*ses.GetIdentityVerificationAttributesOutput](t)(e.v1.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: []string{"ops@acme.example"}}))
	if out.VerificationAttributes["ops@acme.example"].VerificationStatus != sestypes.VerificationStatusSuccess {
		t.Fatalf("%+v", out.VerificationAttributes)
	}
	must[*ses.DeleteIdentityOutput](t)(e.v1.DeleteIdentity(ctx, &ses.DeleteIdentityInput{Identity: aws.String("ops@acme.example")}))
	// DeleteIdentity of a missing identity succeeds, as in AWS.
	must[*ses.DeleteIdentityOutput](t)(e.v1.DeleteIdentity(ctx, &ses.DeleteIdentityInput{Identity: aws.String("ops@acme.example")}))
	list := must[*ses.ListIdentitiesOutput](t)(e.v1.ListIdentities(ctx, &ses.ListIdentitiesInput{}))
	if len(list.Identities) != 0 {
		t.Fatalf("%v", list.Identities)
	}
}

func TestV1BatchReads(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	topic := e.be.addTopic("feedback")
	var names []string
	for i := range 101 {
		name := fmt.Sprintf("d%03d.example", i)
		names = append(names, name)
		must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(name)}))
	}
	must[*ses.SetIdentityMailFromDomainOutput](t)(e.v1.SetIdentityMailFromDomain(ctx, &ses.SetIdentityMailFromDomainInput{
		Identity: aws.String("d000.example"), MailFromDomain: aws.String("bounce.d000.example"), BehaviorOnMXFailure: sestypes.BehaviorOnMXFailureRejectMessage}))
	if err := e.setTopic(t, "d001.example", "Bounce", topic); err != nil {
		t.Fatal(err)
	}
	must[*ses.SetIdentityHeadersInNotificationsEnabledOutput](t)(e.v1.SetIdentityHeadersInNotificationsEnabled(ctx, &ses.SetIdentityHeadersInNotificationsEnabledInput{
		Identity: aws.String("d001.example"), NotificationType: sestypes.NotificationTypeComplaint, Enabled: true}))

	hundred := names[:100]
	t.Run("100 identities", func(t *testing.T) {
		v := must[*ses.GetIdentityVerificationAttributesOutput](t)(e.v1.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: hundred}))
		d := must[*ses.GetIdentityDkimAttributesOutput](t)(e.v1.GetIdentityDkimAttributes(ctx, &ses.GetIdentityDkimAttributesInput{Identities: hundred}))
		m := must[*ses.GetIdentityMailFromDomainAttributesOutput](t)(e.v1.GetIdentityMailFromDomainAttributes(ctx, &ses.GetIdentityMailFromDomainAttributesInput{Identities: hundred}))
		n := must[*ses.GetIdentityNotificationAttributesOutput](t)(e.v1.GetIdentityNotificationAttributes(ctx, &ses.GetIdentityNotificationAttributesInput{Identities: hundred}))
		if len(v.VerificationAttributes) != 100 || len(d.DkimAttributes) != 100 || len(m.MailFromDomainAttributes) != 100 || len(n.NotificationAttributes) != 100 {
			t.Fatalf("entries: %d %d %d %d", len(v.VerificationAttributes), len(d.DkimAttributes), len(m.MailFromDomainAttributes), len(n.NotificationAttributes))
		}
		if s := v.VerificationAttributes["d050.example"].VerificationStatus; s != sestypes.VerificationStatusPending {
			t.Errorf("v1 status %q, want Pending", s)
		}
		if a := d.DkimAttributes["d050.example"]; a.DkimVerificationStatus != sestypes.VerificationStatusPending || len(a.DkimTokens) != 3 || !a.DkimEnabled {
			t.Errorf("DKIM %+v", a)
		}
		if a := m.MailFromDomainAttributes["d000.example"]; aws.ToString(a.MailFromDomain) != "bounce.d000.example" ||
			a.MailFromDomainStatus != sestypes.CustomMailFromStatusPending || a.BehaviorOnMXFailure != sestypes.BehaviorOnMXFailureRejectMessage {
			t.Errorf("MAIL FROM %+v", a)
		}
		if a := m.MailFromDomainAttributes["d002.example"]; aws.ToString(a.MailFromDomain) != "" || a.BehaviorOnMXFailure != sestypes.BehaviorOnMXFailureUseDefaultValue {
			t.Errorf("MAIL FROM unset %+v", a)
		}
		if a := n.NotificationAttributes["d001.example"]; aws.ToString(a.BounceTopic) != topic || a.ComplaintTopic != nil || !a.ForwardingEnabled ||
			!a.HeadersInComplaintNotificationsEnabled || a.HeadersInBounceNotificationsEnabled {
			t.Errorf("notifications %+v", a)
		}
	})
	t.Run("101 identities", func(t *testing.T) {
		calls := map[string]func() error{
			"GetIdentityVerificationAttributes": func() error {
				_, err := e.v1.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: names})
				return err
			},
			"GetIdentityDkimAttributes": func() error {
				_, err := e.v1.GetIdentityDkimAttributes(ctx, &ses.GetIdentityDkimAttributesInput{Identities: names})
				return err
			},
			"GetIdentityMailFromDomainAttributes": func() error {
				_, err := e.v1.GetIdentityMailFromDomainAttributes(ctx, &ses.GetIdentityMailFromDomainAttributesInput{Identities: names})
				return err
			},
			"GetIdentityNotificationAttributes": func() error {
				_, err := e.v1.GetIdentityNotificationAttributes(ctx, &ses.GetIdentityNotificationAttributesInput{Identities: names})
				return err
			},
		}
		for name, call := range calls {
			if code := errorCode(t, call()); code != "ValidationError" {
				t.Errorf("%s with 101 identities: %q, want ValidationError", name, code)
			}
		}
	})
	t.Run("ListIdentities paginates and filters", func(t *testing.T) {
		must[*ses.VerifyEmailIdentityOutput](t)(e.v1.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("a@d000.example")}))
		var all []string
		p := ses.NewListIdentitiesPaginator(e.v1, &ses.ListIdentitiesInput{MaxItems: aws.Int32(40)})
		pages := 0
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			all = append(all, out.Identities...)
		}
		if len(all) != 102 || pages != 3 {
			t.Fatalf("%d identities in %d pages", len(all), pages)
		}
		emails := must[*ses.ListIdentitiesOutput](t)(e.v1.ListIdentities(ctx, &ses.ListIdentitiesInput{IdentityType: sestypes.IdentityTypeEmailAddress}))
		if !slices.Equal(emails.Identities, []string{"a@d000.example"}) {
			t.Fatalf("email identities %v", emails.Identities)
		}
	})
}

func TestV1SetterErrors(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")}))
	cases := []struct {
		name string
		call func() error
	}{
		{"topic that does not exist", func() error {
			return e.setTopic(t, "acme.example", "Bounce", "arn:aws:sns:us-west-2:123456789012:missing")
		}},
		{"topic on a missing identity", func() error {
			return e.setTopic(t, "missing.example", "Bounce", e.be.addTopic("t"))
		}},
		{"forwarding off without topics", func() error {
			_, err := e.v1.SetIdentityFeedbackForwardingEnabled(ctx, &ses.SetIdentityFeedbackForwardingEnabledInput{Identity: aws.String("acme.example"), ForwardingEnabled: false})
			if err != nil && !strings.Contains(err.Error(), "both bounces and complaints") {
				t.Errorf("refused for another reason: %v", err)
			}
			return err
		}},
		{"MAIL FROM outside the domain", func() error {
			_, err := e.v1.SetIdentityMailFromDomain(ctx, &ses.SetIdentityMailFromDomainInput{Identity: aws.String("acme.example"), MailFromDomain: aws.String("bounce.other.example")})
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if code := errorCode(t, c.call()); code != "InvalidParameterValue" {
				t.Fatalf("%q, want InvalidParameterValue", code)
			}
		})
	}
}

func TestV1UnknownActionAndWireShapes(t *testing.T) {
	e := newEnv(t)
	post := func(form url.Values) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-west-2/ses/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post(url.Values{"Action": {"CreateReceiptRuleSet"}, "Version": {"2010-12-01"}})
	if status != http.StatusBadRequest || !strings.Contains(body, "<Code>InvalidAction</Code>") ||
		!strings.Contains(body, "<Type>Sender</Type>") || !strings.Contains(body, "<RequestId>") {
		t.Fatalf("%d %s", status, body)
	}
	status, body = post(url.Values{"Action": {"GetSendQuota"}, "Version": {"2010-12-01"}})
	want := `<GetSendQuotaResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><GetSendQuotaResult><Max24HourSend>200.0</Max24HourSend><MaxSendRate>1.0</MaxSendRate><SentLast24Hours>0.0</SentLast24Hours></GetSendQuotaResult><ResponseMetadata><RequestId>`
	if status != http.StatusOK || !strings.HasPrefix(body, want) {
		t.Fatalf("%d %s", status, body)
	}

	// v2 errors: the status, the x-amzn-ErrorType header and a JSON message.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.url+"/v2/email/identities/missing.example", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Amzn-ErrorType") != "NotFoundException" ||
		!strings.HasPrefix(string(b), `{"message":`) {
		t.Fatalf("%d %q %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), b)
	}
}

func TestV1SendRawUsesHeaders(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.verifiedDomain(t, "acme.example")
	raw := "From: a@acme.example\r\nTo: someone@gmail.example\r\nSubject: x\r\n\r\nbody\r\n"
	_, err := e.v1.SendRawEmail(ctx, &ses.SendRawEmailInput{RawMessage: &sestypes.RawMessage{Data: []byte(raw)}})
	if code := errorCode(t, err); code != "MessageRejected" || !strings.Contains(err.Error(), "someone@gmail.example") {
		t.Fatalf("sandbox recipient from the To header: %v", err)
	}
	e.clock.Advance(time.Second)
	out := must[*ses.SendRawEmailOutput](t)(e.v1.SendRawEmail(ctx, &ses.SendRawEmailInput{RawMessage: &sestypes.RawMessage{Data: []byte(raw)},
		Destinations: []string{"success@simulator.amazonses.com"}}))
	if !messageIDPattern.MatchString(aws.ToString(out.MessageId)) {
		t.Fatalf("MessageId %q", aws.ToString(out.MessageId))
	}
	e.clock.Advance(time.Second)
	_, err = e.v1.SendRawEmail(ctx, &ses.SendRawEmailInput{RawMessage: &sestypes.RawMessage{Data: []byte("not a message")}})
	if code := errorCode(t, err); code != "InvalidParameterValue" {
		t.Fatalf("garbage message: %v", err)
	}
}

func TestV1SearchWindowAndRestart(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	token := aws.ToString(must[*ses.VerifyDomainIdentityOutput](t)(e.v1.VerifyDomainIdentity(ctx, &ses.VerifyDomainIdentityInput{Domain: aws.String("old.example")})).VerificationToken)
	must[*ses.VerifyEmailIdentityOutput](t)(e.v1.VerifyEmailIdentity(ctx, &ses.VerifyEmailIdentityInput{EmailAddress: aws.String("ops@old.example")}))
	must[*ses.SetIdentityMailFromDomainOutput](t)(e.v1.SetIdentityMailFromDomain(ctx, &ses.SetIdentityMailFromDomainInput{
		Identity: aws.String("ops@old.example"), MailFromDomain: aws.String("bounce.old.example")}))
	read := func() (sestypes.VerificationStatus, sestypes.CustomMailFromStatus) {
		v := must[*ses.GetIdentityVerificationAttributesOutput](t)(e.v1.GetIdentityVerificationAttributes(ctx, &ses.GetIdentityVerificationAttributesInput{Identities: []string{"old.example"}}))
		m := must[*ses.GetIdentityMailFromDomainAttributesOutput](t)(e.v1.GetIdentityMailFromDomainAttributes(ctx, &ses.GetIdentityMailFromDomainAttributesInput{Identities: []string{"ops@old.example"}}))
		return v.VerificationAttributes["old.example"].VerificationStatus, m.MailFromDomainAttributes["ops@old.example"].MailFromDomainStatus
	}
	if v, m := read(); v != sestypes.VerificationStatusPending || m != sestypes.CustomMailFromStatusPending {
		t.Fatalf("start: %s %s", v, m)
	}
	e.clock.Advance(72 * time.Hour)
	if v, m := read(); v != sestypes.VerificationStatusFailed || m != sestypes.CustomMailFromStatusFailed {
		t.Fatalf("after 72h: %s %s", v, m)
	}
	// Records published after FAILED are not seen until the setup restarts.
	e.be.setRecords("_amazonses.old.example.", "TXT", `"`+token+`"`)
	e.be.setRecords("bounce.old.example.", "MX", "10 feedback-smtp.eu-west-1.amazonses.com")
	if v, m := read(); v != sestypes.VerificationStatusFailed || m != sestypes.CustomMailFromStatusFailed {
		t.Fatalf("FAILED re-checked: %s %s", v, m)
	}
	again := aws.ToString(must[*ses.VerifyDomainIdentityOutput](t)(e.v1.VerifyDomainIdentity(ctx, &ses.VerifyDomainIdentityInput{Domain: aws.String("old.example")})).VerificationToken)
	if again == token {
		t.Fatal("restart kept the failed token")
	}
	e.be.setRecords("_amazonses.old.example.", "TXT", `"`+again+`"`)
	must[*ses.SetIdentityMailFromDomainOutput](t)(e.v1.SetIdentityMailFromDomain(ctx, &ses.SetIdentityMailFromDomainInput{
		Identity: aws.String("ops@old.example"), MailFromDomain: aws.String("bounce.old.example")}))
	if v, m := read(); v != sestypes.VerificationStatusSuccess || m != sestypes.CustomMailFromStatusSuccess {
		t.Fatalf("after restart: %s %s", v, m)
	}
}
