package testsend

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mailform/mailform/internal/golden"
	"github.com/mailform/mailform/specs"
)

func loadSpec(t *testing.T, src string) *specs.Spec {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, diags := specs.Load(dir, specs.LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("spec: %v", diags)
	}
	return spec
}

const twoIdentities = `
mailform {
  stack  = "acme-prod"
  region = "eu-west-1"
}
topic "feedback" {
  queue {}
}
topic "events" {}
configuration_set "default" {
  event_destination "all" {
    types = ["SEND", "DELIVERY", "BOUNCE"]
    topic = topic.events
  }
  event_destination "off" {
    types   = ["COMPLAINT"]
    topic   = topic.feedback
    enabled = false
  }
}
domain "acme.example" {
  configuration_set = configuration_set.default
  notifications {
    bounce    = topic.feedback
    complaint = topic.feedback
  }
}
domain "news.acme.example" {}
email "alerts@partner.example" {}
smtp_user "webapp" {
  credentials = "ssm:/acme/smtp"
}
`

func TestFromSpec(t *testing.T) {
	spec := loadSpec(t, twoIdentities)
	tests := []struct {
		name    string
		from    string
		want    Setup
		wantErr string
	}{
		{
			name: "default sender at the first domain",
			want: Setup{
				Region: "eu-west-1", Identity: "acme.example", From: "mailform-test-send@acme.example",
				ConfigurationSet:  "acme-prod-default",
				IdentityTopics:    map[string]string{"Bounce": "acme-prod-feedback", "Complaint": "acme-prod-feedback"},
				EventDestinations: []EventDestination{{Name: "all", Types: []string{"BOUNCE", "DELIVERY", "SEND"}, Topic: "acme-prod-events"}},
			},
		},
		{
			name: "the most specific domain covers -from",
			from: "Ops <ops@news.acme.example>",
			want: Setup{Region: "eu-west-1", Identity: "news.acme.example", From: "ops@news.acme.example", IdentityTopics: map[string]string{}},
		},
		{
			name: "a subdomain without its own identity is covered by its parent",
			from: "x@mail.acme.example",
			want: Setup{
				Region: "eu-west-1", Identity: "acme.example", From: "x@mail.acme.example",
				ConfigurationSet:  "acme-prod-default",
				IdentityTopics:    map[string]string{"Bounce": "acme-prod-feedback", "Complaint": "acme-prod-feedback"},
				EventDestinations: []EventDestination{{Name: "all", Types: []string{"BOUNCE", "DELIVERY", "SEND"}, Topic: "acme-prod-events"}},
			},
		},
		{
			name: "an email identity",
			from: "alerts@partner.example",
			want: Setup{Region: "eu-west-1", Identity: "alerts@partner.example", From: "alerts@partner.example", IdentityTopics: map[string]string{}},
		},
		{name: "not covered", from: "a@elsewhere.example", wantErr: "no domain or email block of the spec covers -from a@elsewhere.example"},
		{name: "not an address", from: "nonsense", wantErr: `-from "nonsense" is not an email address`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromSpec(spec, tc.from)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Queues = map[string]string{"acme-prod-feedback": "acme-prod-feedback-feedback"}
			tc.want.SMTPUsers = []SMTPUser{{Label: "webapp", UserName: "acme-prod-smtp-webapp", Credentials: "ssm:/acme/smtp"}}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Without -from, the sender is the first identity SES says is verified:
// domains first, then email addresses, by name; the first when none is.
func TestFromSpecVerifiedChoosesAVerifiedIdentity(t *testing.T) {
	spec := loadSpec(t, twoIdentities)
	for _, tc := range []struct {
		verified           []string
		identity, from     string
		wantAsked, wantErr string
	}{
		{verified: []string{"news.acme.example", "alerts@partner.example"}, identity: "news.acme.example", from: "mailform-test-send@news.acme.example", wantAsked: "acme.example news.acme.example"},
		{verified: []string{"alerts@partner.example"}, identity: "alerts@partner.example", from: "alerts@partner.example", wantAsked: "acme.example news.acme.example alerts@partner.example"},
		{verified: nil, identity: "acme.example", from: "mailform-test-send@acme.example", wantAsked: "acme.example news.acme.example alerts@partner.example"},
		{verified: []string{"error"}, wantErr: "AccessDenied", wantAsked: "acme.example"},
	} {
		var asked []string
		got, err := FromSpecVerified(spec, "", func(identity string) (bool, error) {
			asked = append(asked, identity)
			if slices.Contains(tc.verified, "error") {
				return false, errors.New("AccessDenied")
			}
			return slices.Contains(tc.verified, identity), nil
		})
		if strings.Join(asked, " ") != tc.wantAsked {
			t.Errorf("verified %v: asked about %v, want %s", tc.verified, asked, tc.wantAsked)
		}
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("verified %v: err = %v, want %s", tc.verified, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got.Identity != tc.identity || got.From != tc.from {
			t.Errorf("verified %v: identity %q from %q (err %v), want %q from %q", tc.verified, got.Identity, got.From, err, tc.identity, tc.from)
		}
	}
}

func TestFromSpecWithoutIdentities(t *testing.T) {
	spec := loadSpec(t, "mailform {\n  stack = \"x\"\n  region = \"us-east-1\"\n}\n")
	if _, err := FromSpec(spec, ""); err == nil || !strings.Contains(err.Error(), "no SES identity") {
		t.Errorf("err = %v", err)
	}
}

// TestExpectations: a topic without a queue cannot be observed, and says so;
// the event form covers Send when the destination has SEND.
func TestExpectations(t *testing.T) {
	setup, err := FromSpec(loadSpec(t, twoIdentities), "")
	if err != nil {
		t.Fatal(err)
	}
	ch := &chain{byID: map[string]int{}}
	var got []string
	for _, e := range expectations(setup, ch, "bounce", "bounce@"+SimulatorDomain) {
		got = append(got, e.Form+" "+e.Type+" "+e.BounceType+"/"+e.BounceSubType+" queue="+e.Queue+" problem="+e.Problem)
	}
	want := []string{
		"notificationType Bounce Permanent/General queue=acme-prod-feedback-feedback problem=",
		"eventType Send / queue= problem=topic acme-prod-events has no queue in the spec (a queue {} block): test-send cannot observe it",
		"eventType Bounce Permanent/General queue= problem=topic acme-prod-events has no queue in the spec (a queue {} block): test-send cannot observe it",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPolicyAllows(t *testing.T) {
	topic := "arn:aws:sns:us-west-2:123456789012:acme-prod-feedback"
	tests := []struct {
		name, policy string
		want         bool
	}{
		{"mailform's policy", `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-west-2:123456789012:q","Condition":{"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}]}`, true},
		{"single statement object, list of actions", `{"Statement":{"Effect":"Allow","Principal":"*","Action":["sqs:GetQueueUrl","sqs:SendMessage"],"Resource":"*"}}`, true},
		{"ArnLike wildcard", `{"Statement":[{"Effect":"Allow","Principal":{"Service":["sns.amazonaws.com"]},"Action":"sqs:*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-west-2:123456789012:acme-*"}}}]}`, true},
		{"another topic", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-west-2:123456789012:other"}}}]}`, false},
		{"another principal", `{"Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sqs:SendMessage"}]}`, false},
		{"another action", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:ReceiveMessage"}]}`, false},
		{"allowed then denied", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage"},{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage"}]}`, false},
		{"no policy", ``, false},
		{"not JSON", `{`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := policyAllows(tc.policy, topic); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNotificationShape(t *testing.T) {
	const rcpt = "bounce@simulator.amazonses.com"
	envelope := func(inner string) string {
		b, _ := jsonString(inner)
		return `{"Type":"Notification","MessageId":"x","TopicArn":"t","Message":` + b + `}`
	}
	bounce := `{"notificationType":"Bounce","mail":{"messageId":"m1","destination":["` + rcpt + `"]},"bounce":{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"` + rcpt + `"}]}}`
	tests := []struct {
		name, body  string
		exp         Expectation
		parses      bool
		wantProblem string
	}{
		{"SNS envelope", envelope(bounce), Expectation{Form: "notificationType", Type: "Bounce", BounceType: "Permanent", BounceSubType: "General"}, true, ""},
		{"raw delivery", bounce, Expectation{Form: "notificationType", Type: "Bounce", BounceType: "Permanent", BounceSubType: "General"}, true, ""},
		{"wrong subtype", bounce, Expectation{Form: "notificationType", Type: "Bounce", BounceType: "Permanent", BounceSubType: "Suppressed"}, true, "bounce Permanent/General, want Permanent/Suppressed"},
		{"complaint without recipient", `{"eventType":"Complaint","mail":{"messageId":"m1"},"complaint":{"complainedRecipients":[]}}`, Expectation{Form: "eventType", Type: "Complaint"}, true, "complainedRecipients does not name " + rcpt},
		{"delivery without object", `{"eventType":"Delivery","mail":{"messageId":"m1"}}`, Expectation{Form: "eventType", Type: "Delivery"}, true, "the notification has no delivery object"},
		{"not SES", `{"hello":"world"}`, Expectation{}, false, ""},
		{"moto's canned type is not a type", `{"notificationType":"Bounce, Complaint, or Delivery.","mail":{"messageId":"m1"}}`, Expectation{Form: "notificationType", Type: "Bounce"}, true, "the notification has no bounce object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, ok := parseNotification(tc.body)
			if ok != tc.parses {
				t.Fatalf("parsed %v, want %v", ok, tc.parses)
			}
			if !ok {
				return
			}
			if got := n.shapeProblem(tc.exp, rcpt); got != tc.wantProblem {
				t.Errorf("problem %q, want %q", got, tc.wantProblem)
			}
		})
	}
}

func jsonString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// TestRenderGolden renders a report with every kind of line.
func TestRenderGolden(t *testing.T) {
	r := &Report{
		Region: "us-west-2", Identity: "acme.example", From: "mailform-test-send@acme.example", ConfigurationSet: "acme-prod-default",
		Chain: []Link{
			{ID: "identity", OK: true, Detail: "identity acme.example is verified for sending"},
			{ID: "subscription:t->q", OK: false, Detail: "queue q is not subscribed to topic t: run 'mailform apply'"},
		},
		Paths: []PathResult{
			{Path: "success", Recipient: "success@simulator.amazonses.com", Sent: true, MessageID: "0100-a", Expected: nil},
			{Path: "bounce", Recipient: "bounce@simulator.amazonses.com", Sent: true, MessageID: "0100-b", Expected: []Expectation{
				{Queue: "q", Topic: "t", Via: "identity notifications", Form: "notificationType", Type: "Bounce", BounceType: "Permanent", BounceSubType: "General", Received: true, ShapeOK: true},
				{Queue: "q", Topic: "t", Via: "event destination feedback", Form: "eventType", Type: "Bounce", BounceType: "Permanent", BounceSubType: "General", Received: true, Problem: "received with the wrong shape: bouncedRecipients does not name bounce@simulator.amazonses.com"},
			}},
			{Path: "complaint", Recipient: "complaint@simulator.amazonses.com", Sent: true, MessageID: "0100-c", Expected: []Expectation{
				{Queue: "q", Topic: "t", Via: "identity notifications", Form: "notificationType", Type: "Complaint", Problem: "not received: queue q is not subscribed to topic t: run 'mailform apply'"},
			}},
			{Path: "ooto", Recipient: "ooto@simulator.amazonses.com", SendError: "SES refused the message: MessageRejected"},
		},
		SMTP: []SMTPResult{
			{User: "webapp", Username: "AKIAEXAMPLE", Endpoint: "email-smtp.us-west-2.amazonaws.com:587", Authenticated: true, Sent: true, MessageID: "0100-d"},
			{User: "batch", Endpoint: "email-smtp.us-west-2.amazonaws.com:587", Error: "AUTH as AKIAOTHER refused: 535 Authentication Credentials Invalid"},
		},
	}
	var b bytes.Buffer
	if err := Render(&b, r); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "report.txt"), b.Bytes())
}
