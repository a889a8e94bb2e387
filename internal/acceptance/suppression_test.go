package acceptance

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestConfigurationSetSuppressionFollowsTheSpec: `suppression = []` is an
// override that suppresses nothing (SES delivers to an address on the
// account's list); removing `suppression` makes the set follow the account's
// list again, which SES allows only by re-creating the set, so the plan
// shows a replace, and then the address is suppressed. The double's send
// path decides, as SES does, from the set's SuppressionOptions.
func TestConfigurationSetSuppressionFollowsTheSpec(t *testing.T) {
	e := applied(t)
	v2 := sesv2.NewFromConfig(e.cfg())
	const gone = "gone@acme.example"
	if _, err := v2.PutSuppressedDestination(e.ctx(), &sesv2.PutSuppressedDestinationInput{
		EmailAddress: aws.String(gone), Reason: sesv2types.SuppressionListReasonBounce,
	}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(e.cfg())
	queue, err := q.GetQueueUrl(e.ctx(), &sqs.GetQueueUrlInput{QueueName: aws.String("acme-prod-feedback-feedback")})
	if err != nil {
		t.Fatal(err)
	}
	// send mails gone@ through the set and returns the event types its
	// event destination published.
	send := func(t *testing.T) []string {
		t.Helper()
		time.Sleep(1100 * time.Millisecond) // the sandbox's sending rate: one message a second
		if _, err := v2.SendEmail(e.ctx(), &sesv2.SendEmailInput{
			FromEmailAddress:     aws.String("noreply@acme.example"),
			Destination:          &sesv2types.Destination{ToAddresses: []string{gone}},
			ConfigurationSetName: aws.String("acme-prod-default"),
			Content: &sesv2types.EmailContent{Simple: &sesv2types.Message{
				Subject: &sesv2types.Content{Data: aws.String("suppression")},
				Body:    &sesv2types.Body{Text: &sesv2types.Content{Data: aws.String("hello")}},
			}},
		}); err != nil {
			t.Fatalf("SendEmail: %v", err)
		}
		var events []string
		for range 5 {
			out, err := q.ReceiveMessage(e.ctx(), &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range out.Messages {
				var envelope struct{ Message string }
				var event struct{ EventType string }
				if json.Unmarshal([]byte(aws.ToString(m.Body)), &envelope) == nil && json.Unmarshal([]byte(envelope.Message), &event) == nil && event.EventType != "" {
					events = append(events, event.EventType)
				}
				if _, err := q.DeleteMessage(e.ctx(), &sqs.DeleteMessageInput{QueueUrl: queue.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
					t.Fatal(err)
				}
			}
			if len(events) > 0 {
				break
			}
		}
		slices.Sort(events)
		return events
	}
	setSuppression := func(t *testing.T) *sesv2types.SuppressionOptions {
		t.Helper()
		out, err := v2.GetConfigurationSet(e.ctx(), &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String("acme-prod-default")})
		if err != nil {
			t.Fatal(err)
		}
		return out.SuppressionOptions
	}

	t.Run("suppression = [] delivers to an address on the account's list", func(t *testing.T) {
		e.edit("main.hcl", `suppression = ["BOUNCE", "COMPLAINT"]
  tls_policy`, `suppression = []
  tls_policy`)
		e.must(0, "apply", e.dir, "-auto-approve")
		if got := setSuppression(t); got == nil || len(got.SuppressedReasons) != 0 {
			t.Fatalf("SuppressionOptions %+v, want an override with no reason", got)
		}
		if got := send(t); !slices.Contains(got, "Delivery") {
			t.Errorf("events %v, want a Delivery: the set suppresses nothing", got)
		}
	})

	t.Run("without suppression the set follows the account's list", func(t *testing.T) {
		e.edit("main.hcl", `suppression = []
  tls_policy`, `tls_policy`)
		p := e.must(0, "plan", e.dir)
		for _, want := range []string{"configuration_set.default", "SES cannot make a configuration set follow the account's suppression list again"} {
			if !strings.Contains(p.stdout, want) {
				t.Errorf("plan does not say %q:\n%s", want, p.stdout)
			}
		}
		e.must(0, "apply", e.dir, "-auto-approve")
		if got := setSuppression(t); got != nil {
			t.Errorf("SuppressionOptions %+v, want none: the set follows the account's list", got)
		}
		if got := send(t); !slices.Contains(got, "Bounce") || slices.Contains(got, "Delivery") {
			t.Errorf("events %v, want a Bounce: the account's list suppresses the address", got)
		}
		if p := e.must(0, "plan", e.dir); !strings.Contains(p.stdout, "No changes") {
			t.Errorf("re-plan after apply:\n%s", p.stdout)
		}
	})
}
