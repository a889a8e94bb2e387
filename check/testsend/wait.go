package testsend

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/mailform/mailform/internal/awscfg"
)

// notification is the part of an SES notification or event test-send reads.
type notification struct {
	NotificationType string `json:"notificationType"`
	EventType        string `json:"eventType"`
	Mail             struct {
		MessageID   string   `json:"messageId"`
		Destination []string `json:"destination"`
	} `json:"mail"`
	Bounce *struct {
		BounceType        string `json:"bounceType"`
		BounceSubType     string `json:"bounceSubType"`
		BouncedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
	Delivery *struct {
		Recipients []string `json:"recipients"`
	} `json:"delivery"`
	Send *struct{} `json:"send"`
}

// parseNotification reads an SQS message body: an SNS envelope whose
// Message is the SES JSON, or (with raw message delivery) the SES JSON itself.
func parseNotification(body string) (notification, bool) {
	var envelope struct {
		Type    string
		Message string
	}
	if json.Unmarshal([]byte(body), &envelope) == nil && envelope.Type == "Notification" && envelope.Message != "" {
		body = envelope.Message
	}
	var n notification
	if json.Unmarshal([]byte(body), &n) != nil || n.Mail.MessageID == "" {
		return notification{}, false
	}
	return n, true
}

// form returns the notification's form and type.
func (n notification) form() (form, typ string) {
	if n.NotificationType != "" {
		return "notificationType", n.NotificationType
	}
	return "eventType", n.EventType
}

// shapeProblem says how n differs from what e expects of a message to
// recipient, or "" when it has the documented shape.
func (n notification) shapeProblem(e Expectation, recipient string) string {
	switch e.Type {
	case "Bounce":
		if n.Bounce == nil {
			return "the notification has no bounce object"
		}
		if n.Bounce.BounceType != e.BounceType || n.Bounce.BounceSubType != e.BounceSubType {
			return fmt.Sprintf("bounce %s/%s, want %s/%s", n.Bounce.BounceType, n.Bounce.BounceSubType, e.BounceType, e.BounceSubType)
		}
		for _, r := range n.Bounce.BouncedRecipients {
			if r.EmailAddress == recipient {
				return ""
			}
		}
		return "bouncedRecipients does not name " + recipient
	case "Complaint":
		if n.Complaint == nil {
			return "the notification has no complaint object"
		}
		for _, r := range n.Complaint.ComplainedRecipients {
			if r.EmailAddress == recipient {
				return ""
			}
		}
		return "complainedRecipients does not name " + recipient
	case "Delivery":
		if n.Delivery == nil {
			return "the notification has no delivery object"
		}
		if !slices.Contains(n.Delivery.Recipients, recipient) {
			return "delivery.recipients does not name " + recipient
		}
	case "Send":
		if n.Send == nil {
			return "the event has no send object"
		}
	}
	return ""
}

// waiter consumes the queues until every expectation with an intact chain
// has been met.
type waiter struct {
	sqs     SQSAPI
	ch      *chain
	byID    map[string]*sent // message ID -> what was sent
	queues  map[string]bool  // queue names to read
	foreign map[string][]string
}

type sent struct {
	recipient string
	expected  []Expectation // aliases the report's slice
}

func newWaiter(api SQSAPI, ch *chain) *waiter {
	return &waiter{sqs: api, ch: ch, byID: map[string]*sent{}, queues: map[string]bool{}, foreign: map[string][]string{}}
}

func (w *waiter) expect(messageID, recipient string, exps []Expectation) {
	w.byID[messageID] = &sent{recipient: recipient, expected: exps}
	for _, e := range exps {
		if e.Queue != "" && w.ch.queueURL[e.Queue] != "" {
			w.queues[e.Queue] = true
		}
	}
}

// outstanding counts expectations not yet received whose chain is intact
// (those with a broken link are not waited for: they cannot arrive).
func (w *waiter) outstanding() int {
	n := 0
	for _, s := range w.byID {
		for _, e := range s.expected {
			if !e.Received && e.Problem == "" && w.ch.intact(e.chain) {
				n++
			}
		}
	}
	return n
}

func (w *waiter) wait(ctx context.Context, timeout time.Duration, progress func(string)) error {
	deadline := time.Now().Add(timeout)
	defer w.release(context.WithoutCancel(ctx))
	queues := slices.Sorted(maps.Keys(w.queues))
	lastReport := time.Now()
	for w.outstanding() > 0 {
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return nil
		}
		wait := int32(min(remaining, 20*time.Second) / time.Second)
		if len(queues) > 1 {
			wait = min(wait, 1)
		}
		got := 0
		for _, q := range queues {
			n, err := w.receive(ctx, q, wait)
			if err != nil {
				return err
			}
			got += n
		}
		if got == 0 {
			if err := awscfg.Sleep(ctx, min(250*time.Millisecond, max(0, time.Until(deadline)))); err != nil {
				return err
			}
		}
		if time.Since(lastReport) >= 10*time.Second {
			progress(fmt.Sprintf("waiting for %d notifications, %s left", w.outstanding(), time.Until(deadline).Round(time.Second)))
			lastReport = time.Now()
		}
	}
	return nil
}

// receive reads one batch from a queue, deletes the messages that belong to
// the test messages and marks what they satisfy. It returns how many of ours
// it consumed.
func (w *waiter) receive(ctx context.Context, queue string, waitSeconds int32) (int, error) {
	url := w.ch.queueURL[queue]
	out, err := w.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, VisibilityTimeout: 30,
	})
	if err != nil {
		return 0, fmt.Errorf("receiving from queue %s: %w", queue, err)
	}
	ours := 0
	for _, m := range out.Messages {
		n, ok := parseNotification(aws.ToString(m.Body))
		s := w.byID[n.Mail.MessageID]
		if !ok || s == nil {
			w.foreign[url] = append(w.foreign[url], aws.ToString(m.ReceiptHandle))
			continue
		}
		ours++
		form, typ := n.form()
		for i := range s.expected {
			e := &s.expected[i]
			if e.Queue != queue || e.Form != form || e.Type != typ || e.Received {
				continue
			}
			e.Received = true
			if p := n.shapeProblem(*e, s.recipient); p != "" {
				e.Problem = "received with the wrong shape: " + p
			} else {
				e.ShapeOK = true
			}
			break
		}
		if _, err := w.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
			return ours, fmt.Errorf("deleting a test notification from queue %s: %w", queue, err)
		}
	}
	return ours, nil
}

// release makes the messages that are not test-send's visible again at once,
// for the application that consumes the queue.
func (w *waiter) release(ctx context.Context) {
	for url, handles := range w.foreign {
		for _, h := range handles {
			_, _ = w.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String(h), VisibilityTimeout: 0})
		}
	}
}
