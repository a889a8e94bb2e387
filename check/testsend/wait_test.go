package testsend

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"
)

// stubQueue is one SQS queue in memory: Receive hands out what is visible.
type stubQueue struct {
	mu       sync.Mutex
	messages map[string]string // receipt handle -> body
	hidden   map[string]bool
	deleted  []string
	released []string
}

func (q *stubQueue) GetQueueUrl(context.Context, *sqs.GetQueueUrlInput, ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	return nil, nil
}

func (q *stubQueue) GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	return nil, nil
}

func (q *stubQueue) ReceiveMessage(_ context.Context, in *sqs.ReceiveMessageInput, _ ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := &sqs.ReceiveMessageOutput{}
	var handles []string
	for h := range q.messages {
		handles = append(handles, h)
	}
	sort.Strings(handles)
	for _, h := range handles {
		if q.hidden[h] || len(out.Messages) == int(in.MaxNumberOfMessages) {
			continue
		}
		q.hidden[h] = true
		out.Messages = append(out.Messages, sqstypes.Message{ReceiptHandle: aws.String(h), Body: aws.String(q.messages[h])})
	}
	return out, nil
}

func (q *stubQueue) DeleteMessage(_ context.Context, in *sqs.DeleteMessageInput, _ ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	h := aws.ToString(in.ReceiptHandle)
	delete(q.messages, h)
	q.deleted = append(q.deleted, h)
	return &sqs.DeleteMessageOutput{}, nil
}

func (q *stubQueue) ChangeMessageVisibility(_ context.Context, in *sqs.ChangeMessageVisibilityInput, _ ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	h := aws.ToString(in.ReceiptHandle)
	if in.VisibilityTimeout == 0 {
		q.hidden[h] = false
		q.released = append(q.released, h)
	}
	return &sqs.ChangeMessageVisibilityOutput{}, nil
}

// TestWaiterConsumesOnlyItsOwn: its notifications are deleted and judged,
// the application's are released, and what never comes is reported after the
// timeout.
func TestWaiterConsumesOnlyItsOwn(t *testing.T) { synctest.Test(t, waiterConsumesOnlyItsOwn) }

func waiterConsumesOnlyItsOwn(t *testing.T) {
	const rcpt = "bounce@simulator.amazonses.com"
	q := &stubQueue{hidden: map[string]bool{}, messages: map[string]string{
		"h1": `{"notificationType":"Bounce","mail":{"messageId":"ours"},"bounce":{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"` + rcpt + `"}]}}`,
		"h2": `{"eventType":"Bounce","mail":{"messageId":"ours"},"bounce":{"bounceType":"Transient","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"` + rcpt + `"}]}}`,
		"h3": `{"notificationType":"Bounce","mail":{"messageId":"the-application's"}}`,
		"h4": `not JSON at all`,
	}}
	ch := &chain{byID: map[string]int{}, queueURL: map[string]string{"q": "https://sqs/q"}}
	ch.add(linkQueue("q"), true, "queue q exists")
	links := []string{linkQueue("q")}
	exps := []Expectation{
		{Queue: "q", Form: "notificationType", Type: "Bounce", BounceType: "Permanent", BounceSubType: "General", chain: links},
		{Queue: "q", Form: "eventType", Type: "Bounce", BounceType: "Permanent", BounceSubType: "General", chain: links},
		{Queue: "q", Form: "eventType", Type: "Send", chain: links},
	}
	w := newWaiter(q, ch)
	w.expect("ours", rcpt, exps)
	// The bubble's clock is fake: the 30 seconds pass at once, exactly.
	const timeout = 30 * time.Second
	var progress []string
	start := time.Now()
	if err := w.wait(t.Context(), timeout, func(m string) { progress = append(progress, m) }); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < timeout || took > timeout+time.Second {
		t.Errorf("returned after %s, want the timeout (%s) although a notification was outstanding", took, timeout)
	}
	if len(progress) < 2 || !strings.Contains(progress[0], "waiting for 1 notifications, 20s left") {
		t.Errorf("progress %q, want a line every 10 seconds", progress)
	}
	r := &Report{Paths: []PathResult{{Path: "bounce", Sent: true, Expected: exps}}}
	ok := judge(r, ch)
	var got []string
	for _, e := range exps {
		got = append(got, e.Form+" "+e.Type+": received="+boolText(e.Received)+" shape="+boolText(e.ShapeOK)+" "+e.Problem)
	}
	want := []string{
		"notificationType Bounce: received=yes shape=yes ",
		"eventType Bounce: received=yes shape=no received with the wrong shape: bounce Transient/General, want Permanent/General",
		"eventType Send: received=no shape=no not received in time, although every link of the chain looks right",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	sort.Strings(q.deleted)
	sort.Strings(q.released)
	if diff := cmp.Diff([]string{"h1", "h2"}, q.deleted); diff != "" {
		t.Errorf("deleted (-want +got):\n%s", diff)
	}
	if strings.Join(q.released, ",") != "h3,h4" {
		t.Errorf("released %v, want the two messages that are not test-send's", q.released)
	}
	if ok {
		t.Error("judged OK despite a wrong shape and a missing event")
	}
}

func boolText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
