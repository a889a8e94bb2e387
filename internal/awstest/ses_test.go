package awstest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	sestypes "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sesv2types "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestBounceReachesTheQueue sends from a domain verified through its DKIM
// records in the double's Route 53 to the mailbox simulator's bounce
// address, and reads the bounce notification from an SQS queue subscribed
// to the identity's SNS topic.
func TestBounceReachesTheQueue(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	const region = "us-west-2"
	cfg := s.Config(region)
	r53 := route53Client(s)
	v2 := sesv2.NewFromConfig(cfg)

	zoneID := createZone(t, r53, "acme.example")
	id, err := v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	if id.VerifiedForSendingStatus {
		t.Fatal("a new domain identity is verified before its DKIM records exist")
	}
	var cnames []r53types.Change
	for _, token := range id.DkimAttributes.Tokens {
		cnames = append(cnames, change(r53types.ChangeActionCreate,
			rrset(token+"._domainkey.acme.example", r53types.RRTypeCname, 1800, token+".dkim.amazonses.com")))
	}
	mustChange(t, r53, zoneID, cnames...)
	got, err := v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	if !got.VerifiedForSendingStatus || got.DkimAttributes.Status != sesv2types.DkimStatusSuccess {
		t.Fatalf("with the DKIM CNAMEs in Route 53: verified %v, DKIM %s", got.VerifiedForSendingStatus, got.DkimAttributes.Status)
	}

	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("feedback")})
	if err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	queue, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("feedback")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ses.NewFromConfig(cfg).SetIdentityNotificationTopic(ctx, &ses.SetIdentityNotificationTopicInput{
		Identity: aws.String("acme.example"), NotificationType: sestypes.NotificationTypeBounce, SnsTopic: topic.TopicArn,
	}); err != nil {
		t.Fatal(err)
	}

	sent, err := v2.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("sender@acme.example"),
		Destination:      &sesv2types.Destination{ToAddresses: []string{"bounce@simulator.amazonses.com"}},
		Content: &sesv2types.EmailContent{Simple: &sesv2types.Message{
			Subject: &sesv2types.Content{Data: aws.String("hello")},
			Body:    &sesv2types.Body{Text: &sesv2types.Content{Data: aws.String("a bounce, please")}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}

	var body string
	deadline := time.Now().Add(10 * time.Second)
	for body == "" && time.Now().Before(deadline) {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			body = aws.ToString(out.Messages[0].Body)
		}
	}
	if body == "" {
		t.Fatal("no notification reached the queue")
	}
	var envelope struct {
		Type     string
		TopicArn string
		Message  string
	}
	if err := json.Unmarshal([]byte(body), &envelope); err != nil {
		t.Fatalf("the queue message is not an SNS envelope: %v\n%s", err, body)
	}
	if envelope.Type != "Notification" || envelope.TopicArn != aws.ToString(topic.TopicArn) {
		t.Errorf("envelope Type %q TopicArn %q", envelope.Type, envelope.TopicArn)
	}
	var n struct {
		NotificationType string `json:"notificationType"`
		Mail             struct {
			MessageID   string   `json:"messageId"`
			Source      string   `json:"source"`
			Destination []string `json:"destination"`
		} `json:"mail"`
		Bounce struct {
			BounceType        string `json:"bounceType"`
			BounceSubType     string `json:"bounceSubType"`
			BouncedRecipients []struct {
				EmailAddress string `json:"emailAddress"`
				Status       string `json:"status"`
			} `json:"bouncedRecipients"`
		} `json:"bounce"`
	}
	if err := json.Unmarshal([]byte(envelope.Message), &n); err != nil {
		t.Fatalf("the notification is not JSON: %v\n%s", err, envelope.Message)
	}
	if n.NotificationType != "Bounce" || n.Bounce.BounceType != "Permanent" || n.Mail.MessageID != aws.ToString(sent.MessageId) {
		t.Errorf("notification %+v, want a Permanent Bounce of message %s", n, aws.ToString(sent.MessageId))
	}
	if len(n.Bounce.BouncedRecipients) != 1 || n.Bounce.BouncedRecipients[0].EmailAddress != "bounce@simulator.amazonses.com" || !strings.HasPrefix(n.Bounce.BouncedRecipients[0].Status, "5.") {
		t.Errorf("bounced recipients %+v", n.Bounce.BouncedRecipients)
	}
}

func TestVerifyEmailAdminHook(t *testing.T) {
	s := Shared(t)
	ctx := t.Context()
	v2 := sesv2.NewFromConfig(s.Config("eu-west-1"))
	if _, err := v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("ops@acme.example")}); err != nil {
		t.Fatal(err)
	}
	post := func(form url.Values) int {
		t.Helper()
		resp, err := http.PostForm(s.URL()+"/_awstest/verify-email", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(url.Values{"region": {"eu-west-1"}, "address": {"nobody@acme.example"}}); got != http.StatusNotFound {
		t.Errorf("unknown identity: HTTP %d, want 404", got)
	}
	if got := post(url.Values{"region": {"eu-west-1"}, "address": {"ops@acme.example"}}); got != http.StatusNoContent {
		t.Fatalf("HTTP %d, want 204", got)
	}
	got, err := v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("ops@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	if !got.VerifiedForSendingStatus {
		t.Error("the identity is not verified after the hook")
	}
	// Reset forgets SES state too.
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("ops@acme.example")}); errorCode(err) != "NotFoundException" {
		t.Errorf("after Reset: err = %v, want NotFoundException", err)
	}
}
