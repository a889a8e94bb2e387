package sesdouble

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/internal/golden"
)

// verifiedDomain creates a domain identity and publishes its DKIM records.
func (e *env) verifiedDomain(t *testing.T, domain string) {
	t.Helper()
	out := must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(t.Context(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(domain)}))
	e.publishDKIM(domain, out.DkimAttributes.Tokens)
}

func (e *env) sendSimple(t *testing.T, from string, to ...string) (*sesv2.SendEmailOutput, error) {
	return e.v2.SendEmail(t.Context(), &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &types.Destination{ToAddresses: to},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String("Hello")},
			Body:    &types.Body{Text: &types.Content{Data: aws.String("Hello from mailform.")}},
		}},
	})
}

var messageIDPattern = regexp.MustCompile(`^0100[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000$`)

func TestSandboxSendRules(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.verifiedDomain(t, "acme.example")
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("pending.example")}))
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("friend@other.example")}))
	if err := e.d.VerifyEmail(testRegion, "friend@other.example"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		from    string
		to      []string
		wantErr string // error code, "" for success
		wantMsg string // part of the error message
	}{
		{"to the simulator", "noreply@acme.example", []string{"success@simulator.amazonses.com"}, "", ""},
		{"from a subdomain of a verified domain", "Acme <noreply@mail.acme.example>", []string{"bounce+x@simulator.amazonses.com"}, "", ""},
		{"to a verified address", "noreply@acme.example", []string{"friend@other.example"}, "", ""},
		{"to an address of a verified domain", "noreply@acme.example", []string{"ops@acme.example"}, "", ""},
		{"from a pending domain", "noreply@pending.example", []string{"success@simulator.amazonses.com"}, "MessageRejected",
			"Email address is not verified. The following identities failed the check in region US-WEST-2: noreply@pending.example"},
		{"to an unverified address", "noreply@acme.example", []string{"someone@gmail.example", "success@simulator.amazonses.com"}, "MessageRejected",
			"The following identities failed the check in region US-WEST-2: someone@gmail.example"},
		{"from an unknown domain to an unverified address", "x@unknown.example", []string{"y@gmail.example"}, "MessageRejected",
			"US-WEST-2: x@unknown.example, y@gmail.example"},
		{"too many recipients", "noreply@acme.example", strings.Split(strings.Repeat("success@simulator.amazonses.com,", 51), ",")[:51], "BadRequestException", "exceeds 50"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.clock.Advance(time.Minute) // stay under the sending rate
			out, err := e.sendSimple(t, c.from, c.to...)
			if got := errorCode(t, err); got != c.wantErr {
				t.Fatalf("error %q (%v), want %q", got, err, c.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), c.wantMsg) {
					t.Fatalf("message %q does not contain %q", err.Error(), c.wantMsg)
				}
				return
			}
			if !messageIDPattern.MatchString(aws.ToString(out.MessageId)) {
				t.Fatalf("MessageId %q is not in SES's form", aws.ToString(out.MessageId))
			}
		})
	}

	t.Run("production access lifts the recipient check", func(t *testing.T) {
		must[*sesv2.PutAccountDetailsOutput](t)(e.v2.PutAccountDetails(ctx, validDetails()))
		e.clock.Advance(2 * time.Hour)
		if _, err := e.sendSimple(t, "noreply@acme.example", "someone@gmail.example"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.sendSimple(t, "noreply@pending.example", "someone@gmail.example"); errorCode(t, err) != "MessageRejected" {
			t.Fatalf("unverified sender in production: %v", err)
		}
	})
}

func TestSendingRateAndDailyQuota(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.verifiedDomain(t, "acme.example")

	if _, err := e.sendSimple(t, "a@acme.example", "success@simulator.amazonses.com"); err != nil {
		t.Fatal(err)
	}
	_, err := e.sendSimple(t, "a@acme.example", "success@simulator.amazonses.com")
	var tooMany *types.TooManyRequestsException
	if !errors.As(err, &tooMany) || aws.ToString(tooMany.Message) != "Maximum sending rate exceeded." {
		t.Fatalf("second send in the same second: %v", err)
	}
	_, err = e.v1.SendEmail(ctx, &ses.SendEmailInput{Source: aws.String("a@acme.example"),
		Destination: &sestypes.Destination{ToAddresses: []string{"success@simulator.amazonses.com"}},
		Message:     &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}}}})
	if code := errorCode(t, err); code != "Throttling" || !strings.Contains(err.Error(), "Maximum sending rate exceeded.") {
		t.Fatalf("v1 send in the same second: %v", err)
	}

	// One message to 50 recipients uses the rate for 50 seconds.
	var fifty []string
	for i := range 50 {
		fifty = append(fifty, fmt.Sprintf("user%d@acme.example", i))
	}
	for i := range 4 {
		e.clock.Advance(50 * time.Second)
		if _, err := e.sendSimple(t, "a@acme.example", fifty...); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	e.clock.Advance(49 * time.Second)
	if _, err := e.sendSimple(t, "a@acme.example", "success@simulator.amazonses.com"); !errors.As(err, &tooMany) {
		t.Fatalf("49 s after a 50-recipient send: %v", err)
	}
	e.clock.Advance(time.Second)
	// 200 counted recipients: the quota is used up, but the simulator does not count.
	if _, err := e.sendSimple(t, "a@acme.example", "success@simulator.amazonses.com"); err != nil {
		t.Fatalf("simulator after the quota: %v", err)
	}
	e.clock.Advance(time.Second)
	_, err = e.sendSimple(t, "a@acme.example", "user1@acme.example")
	if !errors.As(err, &tooMany) || aws.ToString(tooMany.Message) != "Daily message quota exceeded." {
		t.Fatalf("201st recipient: %v", err)
	}
	acct := must[*sesv2.GetAccountOutput](t)(e.v2.GetAccount(ctx, &sesv2.GetAccountInput{}))
	quota := must[*ses.GetSendQuotaOutput](t)(e.v1.GetSendQuota(ctx, &ses.GetSendQuotaInput{}))
	if acct.SendQuota.SentLast24Hours != 200 || quota.SentLast24Hours != 200 || quota.Max24HourSend != 200 || quota.MaxSendRate != 1 {
		t.Fatalf("v2 %+v, v1 %+v", acct.SendQuota, quota)
	}
	e.clock.Advance(24 * time.Hour)
	if _, err := e.sendSimple(t, "a@acme.example", "user1@acme.example"); err != nil {
		t.Fatalf("a day later: %v", err)
	}

	stats := must[*ses.GetSendStatisticsOutput](t)(e.v1.GetSendStatistics(ctx, &ses.GetSendStatisticsInput{}))
	var attempts int64
	for _, p := range stats.SendDataPoints {
		attempts += p.DeliveryAttempts
		if p.Timestamp.Minute()%15 != 0 || p.Timestamp.Second() != 0 {
			t.Errorf("data point at %v is not on a 15-minute boundary", p.Timestamp)
		}
	}
	if attempts != 203 { // 1 + 200 + 1 simulator + 1
		t.Fatalf("GetSendStatistics counts %d delivery attempts, want 203", attempts)
	}
	if got := e.d.Stats(testRegion); len(got) != len(stats.SendDataPoints) {
		t.Fatalf("Stats has %d points, GetSendStatistics %d", len(got), len(stats.SendDataPoints))
	}
}

func TestSendRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	e.verifiedDomain(t, "acme.example")
	e.verifiedDomain(t, "strict.example")
	must[*sesv2.PutEmailIdentityMailFromAttributesOutput](t)(e.v2.PutEmailIdentityMailFromAttributes(ctx, &sesv2.PutEmailIdentityMailFromAttributesInput{
		EmailIdentity: aws.String("strict.example"), MailFromDomain: aws.String("bounce.strict.example"), BehaviorOnMxFailure: types.BehaviorOnMxFailureRejectMessage}))
	must[*sesv2.CreateConfigurationSetOutput](t)(e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{
		ConfigurationSetName: aws.String("paused"), SendingOptions: &types.SendingOptions{SendingEnabled: false}}))

	v1Send := func(from, configSet string) error {
		in := &ses.SendEmailInput{Source: aws.String(from),
			Destination: &sestypes.Destination{ToAddresses: []string{"success@simulator.amazonses.com"}},
			Message:     &sestypes.Message{Subject: &sestypes.Content{Data: aws.String("s")}, Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String("b")}}}}
		if configSet != "" {
			in.ConfigurationSetName = aws.String(configSet)
		}
		_, err := e.v1.SendEmail(ctx, in)
		return err
	}
	v2Send := func(from, configSet string) error {
		in := &sesv2.SendEmailInput{FromEmailAddress: aws.String(from),
			Destination: &types.Destination{ToAddresses: []string{"success@simulator.amazonses.com"}},
			Content:     &types.EmailContent{Simple: &types.Message{Subject: &types.Content{Data: aws.String("s")}, Body: &types.Body{Text: &types.Content{Data: aws.String("b")}}}}}
		if configSet != "" {
			in.ConfigurationSetName = aws.String(configSet)
		}
		_, err := e.v2.SendEmail(ctx, in)
		return err
	}
	cases := []struct {
		name      string
		from      string
		configSet string
		setup     func()
		wantV2    string
		wantV1    string
	}{
		{"unknown configuration set", "a@acme.example", "nope", nil, "NotFoundException", "ConfigurationSetDoesNotExist"},
		{"configuration set with sending off", "a@acme.example", "paused", nil, "SendingPausedException", "ConfigurationSetSendingPausedException"},
		{"MAIL FROM pending with REJECT_MESSAGE", "a@strict.example", "", nil, "MailFromDomainNotVerifiedException", "MailFromDomainNotVerifiedException"},
		{"MAIL FROM verified", "a@strict.example", "", func() {
			e.be.setRecords("bounce.strict.example.", "MX", "10 feedback-smtp.us-west-2.amazonses.com")
		}, "", ""},
		{"account sending disabled", "a@acme.example", "", func() {
			must[*sesv2.PutAccountSendingAttributesOutput](t)(e.v2.PutAccountSendingAttributes(ctx, &sesv2.PutAccountSendingAttributesInput{SendingEnabled: false}))
		}, "SendingPausedException", "AccountSendingPausedException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.setup != nil {
				c.setup()
			}
			e.clock.Advance(time.Minute)
			if got := errorCode(t, v2Send(c.from, c.configSet)); got != c.wantV2 {
				t.Errorf("v2: %q, want %q", got, c.wantV2)
			}
			e.clock.Advance(time.Minute)
			if got := errorCode(t, v1Send(c.from, c.configSet)); got != c.wantV1 {
				t.Errorf("v1: %q, want %q", got, c.wantV1)
			}
		})
	}
	_, err := e.v2.SendEmail(ctx, &sesv2.SendEmailInput{FromEmailAddress: aws.String("a@acme.example"),
		Destination: &types.Destination{ToAddresses: []string{"success@simulator.amazonses.com"}},
		Content:     &types.EmailContent{Template: &types.Template{TemplateName: aws.String("t")}}})
	if code := errorCode(t, err); code != "BadRequestException" {
		t.Errorf("templated send: %v", err)
	}
	enabled := must[*ses.GetAccountSendingEnabledOutput](t)(e.v1.GetAccountSendingEnabled(ctx, &ses.GetAccountSendingEnabledInput{}))
	if enabled.Enabled {
		t.Error("GetAccountSendingEnabled says enabled after PutAccountSendingAttributes(false)")
	}
}

// ---- notifications ----

var (
	normMessageID = regexp.MustCompile(`0100[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000`)
)

// normalise replaces the random IDs of published messages and pretty-prints
// them as one JSON document for a golden file.
func normalise(t *testing.T, pubs []published, messageID string) []byte {
	t.Helper()
	type entry struct {
		Topic   string          `json:"topic"`
		Message json.RawMessage `json:"message"`
	}
	var entries []entry
	for _, p := range pubs {
		msg := strings.ReplaceAll(p.Message, messageID, "MESSAGE-ID")
		msg = normMessageID.ReplaceAllString(msg, "FEEDBACK-ID")
		if !json.Valid([]byte(msg)) {
			t.Fatalf("published message is not JSON: %s", msg)
		}
		entries = append(entries, entry{Topic: p.Topic, Message: json.RawMessage(msg)})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(entries); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// notificationEnv has a verified domain whose v1 identity topics (headers on
// for bounces only) and default configuration set (SNS destination for every
// send event type) both publish to SNS.
func notificationEnv(t *testing.T) *env {
	e := newEnv(t)
	ctx := t.Context()
	identityTopic := e.be.addTopic("identity-feedback")
	eventTopic := e.be.addTopic("events")
	must[*sesv2.CreateConfigurationSetOutput](t)(e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String("events")}))
	must[*sesv2.CreateConfigurationSetEventDestinationOutput](t)(e.v2.CreateConfigurationSetEventDestination(ctx, &sesv2.CreateConfigurationSetEventDestinationInput{
		ConfigurationSetName: aws.String("events"), EventDestinationName: aws.String("all"),
		EventDestination: &types.EventDestinationDefinition{Enabled: true, SnsDestination: &types.SnsDestination{TopicArn: aws.String(eventTopic)},
			MatchingEventTypes: []types.EventType{types.EventTypeSend, types.EventTypeBounce, types.EventTypeComplaint, types.EventTypeDelivery}}}))
	must[*sesv2.CreateConfigurationSetEventDestinationOutput](t)(e.v2.CreateConfigurationSetEventDestination(ctx, &sesv2.CreateConfigurationSetEventDestinationInput{
		ConfigurationSetName: aws.String("events"), EventDestinationName: aws.String("disabled"),
		EventDestination: &types.EventDestinationDefinition{Enabled: false, SnsDestination: &types.SnsDestination{TopicArn: aws.String(eventTopic)},
			MatchingEventTypes: []types.EventType{types.EventTypeSend}}}))
	out := must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{
		EmailIdentity: aws.String("acme.example"), ConfigurationSetName: aws.String("events")}))
	e.publishDKIM("acme.example", out.DkimAttributes.Tokens)
	e.verifiedDomain(t, "rcpt.example")
	for _, typ := range []string{"Bounce", "Complaint", "Delivery"} {
		if err := e.setTopic(t, "acme.example", typ, identityTopic); err != nil {
			t.Fatal(err)
		}
	}
	must[*ses.SetIdentityHeadersInNotificationsEnabledOutput](t)(e.v1.SetIdentityHeadersInNotificationsEnabled(ctx, &ses.SetIdentityHeadersInNotificationsEnabledInput{
		Identity: aws.String("acme.example"), NotificationType: sestypes.NotificationTypeBounce, Enabled: true}))
	return e
}

func TestMailboxSimulatorNotifications(t *testing.T) {
	cases := []struct {
		name string
		to   []string
	}{
		{"success", []string{"success@simulator.amazonses.com"}},
		{"bounce", []string{"bounce@simulator.amazonses.com"}},
		{"bounce-label", []string{"bounce+user-42@simulator.amazonses.com"}},
		{"ooto", []string{"ooto@simulator.amazonses.com"}},
		{"complaint", []string{"complaint@simulator.amazonses.com"}},
		{"suppressionlist", []string{"suppressionlist@simulator.amazonses.com"}},
		{"on-account-suppression-list", []string{"gone@rcpt.example"}},
		{"mixed", []string{"success@simulator.amazonses.com", "bounce@simulator.amazonses.com", "bounce+2@simulator.amazonses.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := notificationEnv(t)
			ctx := t.Context()
			must[*sesv2.PutSuppressedDestinationOutput](t)(e.v2.PutSuppressedDestination(ctx, &sesv2.PutSuppressedDestinationInput{
				EmailAddress: aws.String("gone@rcpt.example"), Reason: types.SuppressionListReasonBounce}))
			e.be.takePublished()
			out := must[*sesv2.SendEmailOutput](t)(e.v2.SendEmail(ctx, &sesv2.SendEmailInput{
				FromEmailAddress: aws.String("Acme <noreply@acme.example>"),
				Destination:      &types.Destination{ToAddresses: c.to},
				ReplyToAddresses: []string{"help@acme.example"},
				Content: &types.EmailContent{Simple: &types.Message{
					Subject: &types.Content{Data: aws.String("Your receipt")},
					Body:    &types.Body{Text: &types.Content{Data: aws.String("Thanks.")}, Html: &types.Content{Data: aws.String("<p>Thanks.</p>")}},
				}},
				EmailTags: []types.MessageTag{{Name: aws.String("campaign"), Value: aws.String("receipts")}},
			}))
			golden.Check(t, filepath.Join("testdata", "notifications", c.name+".json"), normalise(t, e.be.takePublished(), aws.ToString(out.MessageId)))
		})
	}
}

func TestRawSendNotification(t *testing.T) {
	e := notificationEnv(t)
	ctx := t.Context()
	raw := strings.Join([]string{
		"From: Acme Billing <billing@acme.example>",
		"To: bounce@simulator.amazonses.com",
		"Subject: Invoice",
		"  42",
		"Message-ID: <invoice-42@acme.example>",
		"Date: Mon, 30 Nov 2026 09:00:00 +0000",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=UTF-8",
		"",
		"Invoice 42.",
		""}, "\r\n")
	e.be.takePublished()
	out := must[*ses.SendRawEmailOutput](t)(e.v1.SendRawEmail(ctx, &ses.SendRawEmailInput{RawMessage: &sestypes.RawMessage{Data: []byte(raw)}}))
	golden.Check(t, filepath.Join("testdata", "notifications", "raw-bounce.json"), normalise(t, e.be.takePublished(), aws.ToString(out.MessageId)))
}

func TestNotificationTopicThatFailsIsCleared(t *testing.T) {
	e := notificationEnv(t)
	ctx := t.Context()
	must[*sesv2.PutEmailIdentityFeedbackAttributesOutput](t)(e.v2.PutEmailIdentityFeedbackAttributes(ctx, &sesv2.PutEmailIdentityFeedbackAttributesInput{
		EmailIdentity: aws.String("acme.example"), EmailForwardingEnabled: false}))
	e.be.mu.Lock()
	e.be.failTopics["arn:aws:sns:us-west-2:123456789012:identity-feedback"] = true
	e.be.mu.Unlock()
	if _, err := e.sendSimple(t, "noreply@acme.example", "bounce@simulator.amazonses.com"); err != nil {
		t.Fatal(err)
	}
	attrs := must[*ses.GetIdentityNotificationAttributesOutput](t)(e.v1.GetIdentityNotificationAttributes(ctx, &ses.GetIdentityNotificationAttributesInput{Identities: []string{"acme.example"}}))
	a := attrs.NotificationAttributes["acme.example"]
	if a.BounceTopic != nil || !a.ForwardingEnabled || a.ComplaintTopic == nil {
		t.Fatalf("after a failed bounce publish: bounce %v, complaint %v, forwarding %v", a.BounceTopic, a.ComplaintTopic, a.ForwardingEnabled)
	}
}

// eventTypesOn lists the event types published to topic, in order.
func eventTypesOn(t *testing.T, pubs []published, topic string) []string {
	t.Helper()
	var out []string
	for _, p := range pubs {
		if p.Topic != topic {
			continue
		}
		var m struct {
			EventType        string `json:"eventType"`
			NotificationType string `json:"notificationType"`
		}
		if err := json.Unmarshal([]byte(p.Message), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m.EventType+m.NotificationType)
	}
	return out
}

func TestNotificationRouting(t *testing.T) {
	e := notificationEnv(t)
	ctx := t.Context()
	identityTopic := "arn:aws:sns:us-west-2:123456789012:identity-feedback"
	eventTopic := "arn:aws:sns:us-west-2:123456789012:events"
	otherTopic := e.be.addTopic("other")
	addressTopic := e.be.addTopic("address")
	must[*sesv2.CreateConfigurationSetOutput](t)(e.v2.CreateConfigurationSet(ctx, &sesv2.CreateConfigurationSetInput{
		ConfigurationSetName: aws.String("other"),
		SuppressionOptions:   &types.SuppressionOptions{SuppressedReasons: []types.SuppressionListReason{}}}))
	must[*sesv2.CreateConfigurationSetEventDestinationOutput](t)(e.v2.CreateConfigurationSetEventDestination(ctx, &sesv2.CreateConfigurationSetEventDestinationInput{
		ConfigurationSetName: aws.String("other"), EventDestinationName: aws.String("bounces"),
		EventDestination: &types.EventDestinationDefinition{Enabled: true, SnsDestination: &types.SnsDestination{TopicArn: aws.String(otherTopic)},
			MatchingEventTypes: []types.EventType{types.EventTypeBounce, types.EventTypeDelivery}}}))
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("billing@acme.example")}))
	if err := e.d.VerifyEmail(testRegion, "billing@acme.example"); err != nil {
		t.Fatal(err)
	}
	if err := e.setTopic(t, "billing@acme.example", "Bounce", addressTopic); err != nil {
		t.Fatal(err)
	}
	must[*sesv2.PutSuppressedDestinationOutput](t)(e.v2.PutSuppressedDestination(ctx, &sesv2.PutSuppressedDestinationInput{
		EmailAddress: aws.String("gone@rcpt.example"), Reason: types.SuppressionListReasonBounce}))

	send := func(from, configSet string, to ...string) []published {
		t.Helper()
		e.clock.Advance(time.Minute)
		e.be.takePublished()
		in := &sesv2.SendEmailInput{FromEmailAddress: aws.String(from), Destination: &types.Destination{ToAddresses: to},
			Content: &types.EmailContent{Simple: &types.Message{Subject: &types.Content{Data: aws.String("s")}, Body: &types.Body{Text: &types.Content{Data: aws.String("b")}}}}}
		if configSet != "" {
			in.ConfigurationSetName = aws.String(configSet)
		}
		if _, err := e.v2.SendEmail(ctx, in); err != nil {
			t.Fatal(err)
		}
		return e.be.takePublished()
	}

	t.Run("explicit configuration set replaces the identity's default", func(t *testing.T) {
		pubs := send("noreply@acme.example", "other", "bounce@simulator.amazonses.com")
		if got := eventTypesOn(t, pubs, eventTopic); len(got) != 0 {
			t.Errorf("default set still got %v", got)
		}
		if got := eventTypesOn(t, pubs, otherTopic); strings.Join(got, ",") != "Bounce" {
			t.Errorf("explicit set got %v, want [Bounce]", got)
		}
		if got := eventTypesOn(t, pubs, identityTopic); strings.Join(got, ",") != "Bounce" {
			t.Errorf("identity topic got %v", got)
		}
	})
	t.Run("a set without suppression delivers to a suppressed address", func(t *testing.T) {
		pubs := send("noreply@acme.example", "other", "gone@rcpt.example")
		if got := eventTypesOn(t, pubs, otherTopic); strings.Join(got, ",") != "Delivery" {
			t.Errorf("got %v, want [Delivery]", got)
		}
	})
	t.Run("a separately verified address uses its own topics", func(t *testing.T) {
		pubs := send("billing@acme.example", "", "bounce@simulator.amazonses.com")
		if got := eventTypesOn(t, pubs, addressTopic); strings.Join(got, ",") != "Bounce" {
			t.Errorf("address topic got %v", got)
		}
		if got := eventTypesOn(t, pubs, identityTopic); len(got) != 0 {
			t.Errorf("domain topic got %v", got)
		}
		// The address identity has no default configuration set.
		if got := eventTypesOn(t, pubs, eventTopic); len(got) != 0 {
			t.Errorf("event topic got %v", got)
		}
	})
	t.Run("statistics count bounces and complaints", func(t *testing.T) {
		send("noreply@acme.example", "", "complaint@simulator.amazonses.com")
		var bounces, complaints int64
		for _, p := range e.d.Stats(testRegion) {
			bounces += p.Bounces
			complaints += p.Complaints
		}
		if bounces != 2 || complaints != 1 {
			t.Errorf("bounces %d, complaints %d; want 2, 1", bounces, complaints)
		}
		if len(e.d.Stats("eu-west-1")) != 0 {
			t.Error("statistics leak into another region")
		}
	})
}
