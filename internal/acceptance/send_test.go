package acceptance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	sesv1types "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/mailform/mailform/check/testsend"
)

// applied copies examples/ses-domain, creates its zone and applies it,
// waiting for SES to verify the domain.
func applied(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, "ses-domain", "acme.example")
	e.must(0, "apply", e.dir, "-auto-approve", "-wait=30s")
	return e
}

// testSend runs mailform test-send against the double.
func (e *env) testSend(want int, args ...string) result {
	e.t.Helper()
	full := append([]string{"test-send", e.dir, "-endpoint-url", e.s.URL(), "-timeout", "20s"}, args...)
	return e.must(want, full...)
}

// TestTestSendAllPaths: after apply, every simulator path is sent and every
// notification the spec sets up arrives with SES's documented shape.
func TestTestSendAllPaths(t *testing.T) {
	e := applied(t)
	// A notification of the application's own mail waits on the queue.
	if _, err := sns.NewFromConfig(e.cfg()).Publish(e.ctx(), &sns.PublishInput{
		TopicArn: aws.String("arn:aws:sns:us-west-2:123456789012:acme-prod-feedback"),
		Message:  aws.String(`{"notificationType":"Bounce","mail":{"messageId":"not-from-test-send"}}`),
	}); err != nil {
		t.Fatal(err)
	}
	e.s.ResetCounts()
	start := time.Now()
	r := e.testSend(0, "-json")
	t.Logf("test-send of 5 paths took %s; calls: %s", time.Since(start).Round(100*time.Millisecond), countsReport(e.s.Counts()))
	var report testsend.Report
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatalf("test-send -json: %v\n%s", err, r.stdout)
	}
	if !report.OK || report.From != "mailform-test-send@acme.example" || report.ConfigurationSet != "acme-prod-default" {
		t.Errorf("report: ok %v from %q set %q", report.OK, report.From, report.ConfigurationSet)
	}
	// What each path must bring back, on the one queue of the example:
	// identity notifications (bounce and complaint topics) and the event
	// destination's BOUNCE, COMPLAINT and DELIVERY events.
	want := map[string][]string{
		"success":         {"eventType Delivery"},
		"ooto":            {"eventType Delivery"},
		"bounce":          {"notificationType Bounce Permanent/General", "eventType Bounce Permanent/General"},
		"suppressionlist": {"notificationType Bounce Permanent/Suppressed", "eventType Bounce Permanent/Suppressed"},
		"complaint":       {"notificationType Complaint", "eventType Delivery", "eventType Complaint"},
	}
	if len(report.Paths) != 5 {
		t.Fatalf("paths = %d, want 5", len(report.Paths))
	}
	for _, p := range report.Paths {
		var got []string
		for _, x := range p.Expected {
			s := x.Form + " " + x.Type
			if x.BounceType != "" {
				s += " " + x.BounceType + "/" + x.BounceSubType
			}
			got = append(got, s)
			if !x.Received || !x.ShapeOK || x.Queue != "acme-prod-feedback-feedback" {
				t.Errorf("%s: %s received %v shape %v queue %q: %s", p.Path, s, x.Received, x.ShapeOK, x.Queue, x.Problem)
			}
		}
		if strings.Join(got, "; ") != strings.Join(want[p.Path], "; ") {
			t.Errorf("%s expected %q, want %q", p.Path, got, want[p.Path])
		}
		if !p.Sent || !strings.HasPrefix(p.MessageID, "0100") {
			t.Errorf("%s: sent %v id %q (%s)", p.Path, p.Sent, p.MessageID, p.SendError)
		}
	}
	// Its own notifications are consumed; the queue is left empty.
	q := sqs.NewFromConfig(e.cfg())
	url, err := q.GetQueueUrl(e.ctx(), &sqs.GetQueueUrlInput{QueueName: aws.String("acme-prod-feedback-feedback")})
	if err != nil {
		t.Fatal(err)
	}
	left, err := q.ReceiveMessage(e.ctx(), &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	// Only its own notifications are consumed: the application's stays, and
	// is visible again at once.
	if len(left.Messages) != 1 || !strings.Contains(aws.ToString(left.Messages[0].Body), "not-from-test-send") {
		t.Errorf("the queue after test-send holds %d messages, want only the application's", len(left.Messages))
	}

	// The human form says the same.
	h := e.testSend(0)
	for _, line := range []string{
		"ok   queue acme-prod-feedback-feedback is subscribed to topic acme-prod-feedback",
		"ok      notificationType Bounce Permanent/Suppressed on queue acme-prod-feedback-feedback (identity notifications)",
		"Every message was sent and every expected notification arrived",
	} {
		if !strings.Contains(h.stdout, line) {
			t.Errorf("test-send output lacks %q:\n%s", line, h.stdout)
		}
	}
}

// TestTestSendNamesTheMissingLink: a queue that is not subscribed to its
// topic is named, and nothing is waited for in vain.
func TestTestSendNamesTheMissingLink(t *testing.T) {
	e := applied(t)
	topicARN := "arn:aws:sns:us-west-2:123456789012:acme-prod-feedback"
	c := sns.NewFromConfig(e.cfg())
	subs, err := c.ListSubscriptionsByTopic(e.ctx(), &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	if err != nil || len(subs.Subscriptions) != 1 {
		t.Fatalf("subscriptions: %v %v", subs, err)
	}
	if _, err := c.Unsubscribe(e.ctx(), &sns.UnsubscribeInput{SubscriptionArn: subs.Subscriptions[0].SubscriptionArn}); err != nil {
		t.Fatal(err)
	}
	r := e.testSend(1)
	for _, want := range []string{
		"FAIL queue acme-prod-feedback-feedback is not subscribed to topic acme-prod-feedback: run 'mailform apply'",
		"MISSING notificationType Bounce Permanent/General on queue acme-prod-feedback-feedback (identity notifications): not received: queue acme-prod-feedback-feedback is not subscribed to topic acme-prod-feedback",
		"bounce           sent, message 0100",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestTestSendSMTP: -smtp authenticates with the password apply stored and
// its message comes back like the API's; a wrong stored password gets 535.
// Neither the password nor the key's secret appears in any output.
func TestTestSendSMTP(t *testing.T) {
	e := applied(t)
	smtpArgs := []string{"-smtp", "-smtp-endpoint", e.s.SMTPAddr(), "-smtp-ca", e.s.SMTPCAFile()}
	r := e.testSend(0, append(smtpArgs, "-json")...)
	var report testsend.Report
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(report.SMTP) != 1 {
		t.Fatalf("SMTP results = %+v", report.SMTP)
	}
	s := report.SMTP[0]
	if !s.Authenticated || !s.Sent || !strings.HasPrefix(s.Username, "AKIA") || !strings.HasPrefix(s.MessageID, "0100") {
		t.Errorf("SMTP result = %+v", s)
	}
	if len(s.Expected) != 1 || !s.Expected[0].Received || !s.Expected[0].ShapeOK || s.Expected[0].Type != "Delivery" {
		t.Errorf("SMTP message feedback = %+v", s.Expected)
	}

	// The stored password, read with the SDK, and the key's secret.
	ssmc := ssm.NewFromConfig(e.cfg())
	param, err := ssmc.GetParameter(e.ctx(), &ssm.GetParameterInput{Name: aws.String("/acme/mail/smtp/webapp"), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var creds map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(param.Parameter.Value)), &creds); err != nil {
		t.Fatal(err)
	}
	password, _ := creds["password"].(string)
	secret, _ := e.s.AccessKeySecret(s.Username)
	if password == "" || secret == "" {
		t.Fatalf("stored password or key secret missing")
	}

	// A wrong password in the store: 535, and the run fails.
	creds["password"] = "B" + strings.Repeat("x", 43)
	doc, _ := json.Marshal(creds)
	if _, err := ssmc.PutParameter(e.ctx(), &ssm.PutParameterInput{Name: aws.String("/acme/mail/smtp/webapp"), Value: aws.String(string(doc)), Type: "SecureString", Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	bad := e.testSend(1, smtpArgs...)
	if !strings.Contains(bad.stdout, "smtp_user.webapp: FAILED at "+e.s.SMTPAddr()) || !strings.Contains(bad.stdout, "refused: 535") || !strings.Contains(bad.stdout, "Authentication Credentials Invalid") {
		t.Errorf("wrong password output:\n%s", bad.stdout)
	}
	e.requireNoSecrets(nil, password, secret, string(creds["password"].(string)))
}

// TestTestSendDiagnoses: each broken link of the chain is named, with the
// notifications it keeps from arriving.
func TestTestSendDiagnoses(t *testing.T) {
	topicARN := "arn:aws:sns:us-west-2:123456789012:acme-prod-feedback"
	tests := []struct {
		name      string
		args      []string
		spec      string // an extra spec file
		breakLink func(e *env)
		want      []string
	}{
		{
			name: "identity not verified",
			spec: "email \"alerts@partner.example\" {}\n",
			args: []string{"-from", "alerts@partner.example"},
			want: []string{
				"FAIL identity alerts@partner.example is not verified (verification PENDING",
				"success          NOT SENT: identity alerts@partner.example is not verified",
			},
		},
		{
			name: "no bounce topic on the identity",
			breakLink: func(e *env) {
				if _, err := sesv1.NewFromConfig(e.cfg()).SetIdentityNotificationTopic(e.ctx(), &sesv1.SetIdentityNotificationTopicInput{
					Identity: aws.String("acme.example"), NotificationType: sesv1types.NotificationTypeBounce}); err != nil {
					e.t.Fatal(err)
				}
			},
			want: []string{
				"FAIL identity acme.example has no topic for bounce notifications (SES emails them to the sender instead): run 'mailform apply'",
				"MISSING notificationType Bounce Permanent/General on queue acme-prod-feedback-feedback (identity notifications): not received: identity acme.example has no topic for bounce notifications",
				"ok      eventType Bounce Permanent/General on queue acme-prod-feedback-feedback (event destination feedback)",
			},
		},
		{
			name: "event destination lacks event types",
			breakLink: func(e *env) {
				if _, err := sesv2.NewFromConfig(e.cfg()).UpdateConfigurationSetEventDestination(e.ctx(), &sesv2.UpdateConfigurationSetEventDestinationInput{
					ConfigurationSetName: aws.String("acme-prod-default"), EventDestinationName: aws.String("feedback"),
					EventDestination: &sesv2types.EventDestinationDefinition{
						Enabled:            true,
						MatchingEventTypes: []sesv2types.EventType{sesv2types.EventTypeBounce},
						SnsDestination:     &sesv2types.SnsDestination{TopicArn: aws.String(topicARN)},
					}}); err != nil {
					e.t.Fatal(err)
				}
			},
			want: []string{
				"FAIL event destination feedback of configuration set acme-prod-default lacks the event types COMPLAINT, DELIVERY, REJECT: run 'mailform apply'",
				"MISSING eventType Delivery on queue acme-prod-feedback-feedback (event destination feedback): not received: event destination feedback of configuration set acme-prod-default lacks the event types",
			},
		},
		{
			name: "queue policy does not let the topic send",
			breakLink: func(e *env) {
				q := sqs.NewFromConfig(e.cfg())
				url, err := q.GetQueueUrl(e.ctx(), &sqs.GetQueueUrlInput{QueueName: aws.String("acme-prod-feedback-feedback")})
				if err != nil {
					e.t.Fatal(err)
				}
				policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"*","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-west-2:123456789012:other"}}}]}`
				if _, err := q.SetQueueAttributes(e.ctx(), &sqs.SetQueueAttributesInput{QueueUrl: url.QueueUrl, Attributes: map[string]string{"Policy": policy}}); err != nil {
					e.t.Fatal(err)
				}
			},
			want: []string{
				"FAIL the policy of queue acme-prod-feedback-feedback does not let topic acme-prod-feedback send",
				"MISSING eventType Delivery on queue acme-prod-feedback-feedback (event destination feedback): not received: the policy of queue",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, "ses-domain", "acme.example")
			if tc.spec != "" {
				e.write("extra.hcl", tc.spec)
			}
			e.must(0, "apply", e.dir, "-auto-approve")
			if tc.breakLink != nil {
				tc.breakLink(e)
			}
			r := e.testSend(1, tc.args...)
			for _, want := range tc.want {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("output lacks %q:\n%s", want, r.stdout)
				}
			}
		})
	}
}

// TestStatusAfterTestSend: status shows the sandbox account and the
// messages test-send sent, as text and JSON.
func TestStatusAfterTestSend(t *testing.T) {
	e := applied(t)
	e.testSend(0)
	r := e.must(0, "status", e.dir, "-endpoint-url", e.s.URL())
	for _, want := range []string{
		"SES account in us-west-2",
		"access:              sandbox",
		"max send rate:       1 per second",
		"suppression list:    BOUNCE, COMPLAINT",
		"bounce rate:     40.00%  (2 of 5)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r.stdout)
		}
	}
	j := e.must(0, "status", e.dir, "-endpoint-url", e.s.URL(), "-json")
	var doc struct {
		ProductionAccess bool `json:"production_access"`
		Totals           struct {
			DeliveryAttempts int64 `json:"delivery_attempts"`
			Complaints       int64 `json:"complaints"`
		} `json:"totals"`
		Days []json.RawMessage `json:"days"`
	}
	if err := json.Unmarshal([]byte(j.stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, j.stdout)
	}
	if doc.ProductionAccess || doc.Totals.DeliveryAttempts != 5 || doc.Totals.Complaints != 1 || len(doc.Days) != 14 {
		t.Errorf("status JSON = %+v", doc)
	}
}
