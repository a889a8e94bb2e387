package testsend

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/secrets"
	"github.com/mailform/mailform/providers/ses"
)

// SESv2API is the part of the SES v2 client test-send uses.
type SESv2API interface {
	GetAccount(ctx context.Context, in *sesv2.GetAccountInput, optFns ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error)
	GetEmailIdentity(ctx context.Context, in *sesv2.GetEmailIdentityInput, optFns ...func(*sesv2.Options)) (*sesv2.GetEmailIdentityOutput, error)
	GetConfigurationSetEventDestinations(ctx context.Context, in *sesv2.GetConfigurationSetEventDestinationsInput, optFns ...func(*sesv2.Options)) (*sesv2.GetConfigurationSetEventDestinationsOutput, error)
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, optFns ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SESv1API reads the identity notification topics, which v2 does not have.
type SESv1API interface {
	GetIdentityNotificationAttributes(ctx context.Context, in *sesv1.GetIdentityNotificationAttributesInput, optFns ...func(*sesv1.Options)) (*sesv1.GetIdentityNotificationAttributesOutput, error)
}

// SNSAPI is the part of the SNS client test-send uses.
type SNSAPI interface {
	ListTopics(ctx context.Context, in *sns.ListTopicsInput, optFns ...func(*sns.Options)) (*sns.ListTopicsOutput, error)
	ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, optFns ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
}

// SQSAPI is the part of the SQS client test-send uses.
type SQSAPI interface {
	GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, optFns ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, optFns ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, optFns ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// Clients are the AWS clients of one region.
type Clients struct {
	SESv2   SESv2API
	SESv1   SESv1API
	SNS     SNSAPI
	SQS     SQSAPI
	Secrets secrets.Store // for SMTP credentials; only with Options.SMTP
}

// Options tune a run.
type Options struct {
	Timeout time.Duration // how long to wait for notifications; default 2 minutes
	Paths   []string      // simulator paths to send to; default Paths

	SMTP         bool           // also send through the SMTP interface with each smtp_user's credentials
	SMTPEndpoint string         // HOST:PORT; default the credentials' host, port 587
	SMTPRootCAs  *x509.CertPool // nil: the system's

	// Progress, when set, is told what happens while Run waits.
	Progress func(message string)
}

// DefaultTimeout is how long Run waits for notifications by default.
const DefaultTimeout = 2 * time.Minute

// Run checks the chain, sends one message per path (and, with SMTP, one per
// smtp_user), waits on the queues until every expected notification arrived
// or the timeout passed, and reports. The error is for failures to talk to
// AWS at all; what did not work is in the Report (Report.OK false).
func Run(ctx context.Context, c Clients, setup Setup, opts Options) (*Report, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if len(opts.Paths) == 0 {
		opts.Paths = Paths
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	r := &Report{Region: setup.Region, Identity: setup.Identity, From: setup.From, ConfigurationSet: setup.ConfigurationSet}
	ch, err := inspectChain(ctx, c, setup)
	if err != nil {
		return nil, err
	}
	r.Chain = ch.links

	interval, err := sendInterval(ctx, c.SESv2, setup.Region)
	if err != nil {
		return nil, err
	}
	sender := &pacedSender{interval: interval}
	for _, path := range opts.Paths {
		pr := PathResult{Path: path, Recipient: path + "@" + SimulatorDomain}
		pr.Expected = expectations(setup, ch, path, pr.Recipient)
		if !ch.verified {
			pr.SendError = ch.link(linkIdentity).Detail
		} else {
			id, err := sender.send(ctx, func() (string, error) { return sendSimulator(ctx, c.SESv2, setup, pr.Recipient) })
			if err != nil {
				pr.SendError = err.Error()
			} else {
				pr.Sent, pr.MessageID = true, id
				progress(fmt.Sprintf("sent to %s: message %s", pr.Recipient, id))
			}
		}
		r.Paths = append(r.Paths, pr)
	}
	if opts.SMTP {
		for _, u := range setup.SMTPUsers {
			res := sendSMTP(ctx, c.Secrets, u, setup, opts, sender)
			if res.Sent {
				res.Expected = expectations(setup, ch, "success", "success@"+SimulatorDomain)
				progress(fmt.Sprintf("sent through SMTP as smtp_user.%s: message %s", u.Label, res.MessageID))
			}
			r.SMTP = append(r.SMTP, res)
		}
	}

	w := newWaiter(c.SQS, ch)
	for i := range r.Paths {
		if r.Paths[i].Sent {
			w.expect(r.Paths[i].MessageID, r.Paths[i].Recipient, r.Paths[i].Expected)
		}
	}
	for i := range r.SMTP {
		if r.SMTP[i].Sent {
			w.expect(r.SMTP[i].MessageID, "success@"+SimulatorDomain, r.SMTP[i].Expected)
		}
	}
	if err := w.wait(ctx, opts.Timeout, progress); err != nil {
		return nil, err
	}
	r.OK = judge(r, ch)
	return r, nil
}

// judge fills the problems of what did not arrive and says whether all is well.
func judge(r *Report, ch *chain) bool {
	ok := true
	for _, l := range r.Chain {
		ok = ok && l.OK
	}
	mark := func(exps []Expectation) {
		for i := range exps {
			e := &exps[i]
			if e.Received && e.ShapeOK {
				continue
			}
			ok = false
			if e.Problem != "" {
				continue
			}
			if !e.Received {
				e.Problem = "not received"
				if broken := ch.firstBroken(e.chain); broken != nil {
					e.Problem += ": " + broken.Detail
				} else {
					e.Problem += " in time, although every link of the chain looks right"
				}
			}
		}
	}
	for i := range r.Paths {
		p := &r.Paths[i]
		if !p.Sent {
			ok = false
			continue
		}
		mark(p.Expected)
	}
	for i := range r.SMTP {
		s := &r.SMTP[i]
		if !s.Sent {
			ok = false
			continue
		}
		mark(s.Expected)
	}
	return ok
}

// outcome is what the mailbox simulator does with a path: the events SES
// reports, and the bounce's type and subtype.
type outcome struct {
	events                    []string // Delivery, Bounce, Complaint (in SES's notificationType spelling)
	bounceType, bounceSubType string
}

func simulatorOutcome(path string) outcome {
	switch path {
	case "bounce":
		return outcome{events: []string{"Bounce"}, bounceType: "Permanent", bounceSubType: "General"}
	case "suppressionlist":
		return outcome{events: []string{"Bounce"}, bounceType: "Permanent", bounceSubType: "Suppressed"}
	case "complaint":
		return outcome{events: []string{"Delivery", "Complaint"}}
	default: // success, ooto
		return outcome{events: []string{"Delivery"}}
	}
}

// expectations lists the notifications the spec says a message to recipient
// (a simulator path) should produce, and where.
func expectations(setup Setup, ch *chain, path, recipient string) []Expectation {
	oc := simulatorOutcome(path)
	out := []Expectation{}
	add := func(e Expectation, links ...string) {
		if e.Type == "Bounce" {
			e.BounceType, e.BounceSubType = oc.bounceType, oc.bounceSubType
		}
		e.Queue = setup.Queues[e.Topic]
		e.chain = append([]string{linkIdentity}, links...)
		e.chain = append(e.chain, linkTopic(e.Topic))
		if e.Queue == "" {
			e.Problem = fmt.Sprintf("topic %s has no queue in the spec (a queue {} block): test-send cannot observe it", e.Topic)
		} else {
			e.chain = append(e.chain, linkQueue(e.Queue), linkSubscription(e.Topic, e.Queue), linkPolicy(e.Topic, e.Queue))
		}
		out = append(out, e)
	}
	for _, ev := range oc.events {
		if topic := setup.IdentityTopics[ev]; topic != "" {
			add(Expectation{Topic: topic, Via: "identity notifications", Form: "notificationType", Type: ev}, linkIdentityTopic(ev))
		}
	}
	for _, ed := range setup.EventDestinations {
		for _, ev := range append([]string{"Send"}, oc.events...) {
			if slices.Contains(ed.Types, strings.ToUpper(ev)) {
				add(Expectation{Topic: ed.Topic, Via: "event destination " + ed.Name, Form: "eventType", Type: ev}, linkDestination(ed.Name))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Form != out[j].Form {
			return out[i].Form > out[j].Form // notificationType first
		}
		return false
	})
	return out
}

// sendInterval is the pause between two sends that keeps within the
// account's maximum send rate.
func sendInterval(ctx context.Context, v2 SESv2API, region string) (time.Duration, error) {
	acct, err := ses.ReadAccount(ctx, v2, region)
	if err != nil {
		return 0, err
	}
	rate := 1.0
	if acct.MaxSendRate > 0 {
		rate = acct.MaxSendRate
	}
	return time.Duration(float64(time.Second)/rate) + 50*time.Millisecond, nil
}

// pacedSender keeps sends apart by the account's send interval, and tries a
// send again once when SES says the rate was exceeded.
type pacedSender struct {
	interval time.Duration
	last     time.Time
}

// errRateExceeded marks a send SES refused for the sending rate.
var errRateExceeded = errors.New("maximum sending rate exceeded")

func (p *pacedSender) send(ctx context.Context, f func() (string, error)) (string, error) {
	for attempt := 0; ; attempt++ {
		if !p.last.IsZero() {
			if d := p.interval - time.Since(p.last); d > 0 {
				if err := awscfg.Sleep(ctx, d); err != nil {
					return "", err
				}
			}
		}
		id, err := f()
		p.last = time.Now()
		if errors.Is(err, errRateExceeded) && attempt < 2 {
			continue
		}
		return id, err
	}
}

// sendSimulator sends one test message through SES v2 SendEmail.
func sendSimulator(ctx context.Context, v2 SESv2API, setup Setup, recipient string) (string, error) {
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(setup.From),
		Destination:      &sestypes.Destination{ToAddresses: []string{recipient}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("mailform test-send: " + recipient)},
			Body: &sestypes.Body{Text: &sestypes.Content{Data: aws.String(
				"A test message from mailform test-send to the Amazon SES mailbox simulator.\n")}},
		}},
	}
	if setup.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(setup.ConfigurationSet)
	}
	out, err := v2.SendEmail(ctx, in, func(o *sesv2.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		var tooMany *sestypes.TooManyRequestsException
		if errors.As(err, &tooMany) {
			return "", fmt.Errorf("%w: %v", errRateExceeded, err)
		}
		return "", fmt.Errorf("SES refused the message: %w", err)
	}
	return aws.ToString(out.MessageId), nil
}
