package ses

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// AccountDetailsAPI lists the SES v2 calls that read the account's sending
// status and submit the production-access request. *sesv2.Client satisfies it.
type AccountDetailsAPI interface {
	GetAccount(context.Context, *sesv2.GetAccountInput, ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error)
	PutAccountDetails(context.Context, *sesv2.PutAccountDetailsInput, ...func(*sesv2.Options)) (*sesv2.PutAccountDetailsOutput, error)
}

// SendStatisticsAPI is the SES v1 call that reports sending activity of the
// last two weeks (v2 has no equivalent). *ses.Client satisfies it.
type SendStatisticsAPI interface {
	GetSendStatistics(context.Context, *sesv1.GetSendStatisticsInput, ...func(*sesv1.Options)) (*sesv1.GetSendStatisticsOutput, error)
}

// SubscriptionsAPI lists who is subscribed to an SNS topic SES publishes
// feedback to. *sns.Client satisfies it.
type SubscriptionsAPI interface {
	ListSubscriptionsByTopic(context.Context, *sns.ListSubscriptionsByTopicInput, ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
}

// Account reads what AWS looks at before it lets an account out of the SES
// sandbox (sending status, quota, suppression, recent sends, who receives
// bounce and complaint feedback) and submits the production-access request.
// It reads and submits; it does not decide whether a request should be sent.
type Account struct {
	v2     AccountDetailsAPI
	stats  SendStatisticsAPI
	subs   SubscriptionsAPI
	region string
}

// NewAccount builds an Account over SES v2, SES v1 and SNS clients from cfg,
// in cfg's region.
func NewAccount(cfg aws.Config) *Account {
	return NewAccountWithClients(cfg.Region, sesv2.NewFromConfig(cfg), sesv1.NewFromConfig(cfg), sns.NewFromConfig(cfg))
}

// NewAccountWithClients builds an Account over the given clients, for region.
func NewAccountWithClients(region string, v2 AccountDetailsAPI, stats SendStatisticsAPI, subs SubscriptionsAPI) *Account {
	return &Account{v2: v2, stats: stats, subs: subs, region: region}
}

// AccountStatus is the SES account of one region as GetAccount and
// GetSendStatistics report it.
type AccountStatus struct {
	Region            string
	ProductionAccess  bool
	SendingEnabled    bool
	EnforcementStatus string   // HEALTHY, PROBATION or SHUTDOWN
	Max24HourSend     float64  // -1: unlimited
	MaxSendRate       float64  // messages per second
	SentLast24Hours   float64  // recipients
	SuppressedReasons []string // account-level suppression list reasons, sorted
	// SendsLast14Days is the number of delivery attempts in GetSendStatistics
	// (which covers the last two weeks).
	SendsLast14Days int64
	// SendPoints are the 15-minute data points of GetSendStatistics, in the
	// order SES gave them.
	SendPoints []SendPoint
	// Request is the production-access request last submitted, or nil.
	Request *SubmittedRequest
}

// SubmittedRequest is what the account holds of a production-access request
// and the state of its review.
type SubmittedRequest struct {
	MailType           string
	WebsiteURL         string
	ContactLanguage    string
	UseCase            string
	AdditionalContacts []string
	// Reviewed is true when the account holds review details: a review
	// was opened (its status may be "" while AWS has not reported it).
	Reviewed     bool
	ReviewStatus string // PENDING, FAILED, GRANTED, DENIED, or "" when none was opened
	CaseID       string
}

// SendPoint is one 15-minute data point of GetSendStatistics.
type SendPoint struct {
	Timestamp        time.Time
	DeliveryAttempts int64
	Bounces          int64
	Complaints       int64
	Rejects          int64
}

// Status reads the account: one GetAccount and one GetSendStatistics.
func (a *Account) Status(ctx context.Context) (AccountStatus, error) {
	return ReadAccountStatus(ctx, a.v2, a.stats, a.region)
}

// GetAccountAPI is the one SES v2 call that reads the account.
// *sesv2.Client satisfies it.
type GetAccountAPI interface {
	GetAccount(context.Context, *sesv2.GetAccountInput, ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error)
}

// ReadAccountStatus reads the SES account of region with its sending
// statistics: one GetAccount and one GetSendStatistics. It is the one reader
// of the account: status, requests and test-send render what it returns.
func ReadAccountStatus(ctx context.Context, v2 GetAccountAPI, stats SendStatisticsAPI, region string) (AccountStatus, error) {
	st, err := ReadAccount(ctx, v2, region)
	if err != nil {
		return AccountStatus{}, err
	}
	out, err := stats.GetSendStatistics(ctx, &sesv1.GetSendStatisticsInput{})
	if err != nil {
		return AccountStatus{}, fmt.Errorf("reading SES sending statistics in %s: %w", region, err)
	}
	st.SendPoints = []SendPoint{}
	for _, p := range out.SendDataPoints {
		st.SendsLast14Days += p.DeliveryAttempts
		st.SendPoints = append(st.SendPoints, SendPoint{
			Timestamp:        aws.ToTime(p.Timestamp),
			DeliveryAttempts: p.DeliveryAttempts,
			Bounces:          p.Bounces,
			Complaints:       p.Complaints,
			Rejects:          p.Rejects,
		})
	}
	return st, nil
}

// ReadAccount reads the SES account of region without its statistics: one
// GetAccount. SendPoints is nil and SendsLast14Days 0.
func ReadAccount(ctx context.Context, v2 GetAccountAPI, region string) (AccountStatus, error) {
	out, err := v2.GetAccount(ctx, &sesv2.GetAccountInput{})
	if err != nil {
		return AccountStatus{}, fmt.Errorf("reading the SES account in %s: %w", region, err)
	}
	return accountStatus(region, out), nil
}

// accountStatus is what GetAccount said of the account of region.
func accountStatus(region string, out *sesv2.GetAccountOutput) AccountStatus {
	st := AccountStatus{
		Region:            region,
		ProductionAccess:  out.ProductionAccessEnabled,
		SendingEnabled:    out.SendingEnabled,
		EnforcementStatus: aws.ToString(out.EnforcementStatus),
		SuppressedReasons: []string{},
	}
	if q := out.SendQuota; q != nil {
		st.Max24HourSend, st.MaxSendRate, st.SentLast24Hours = q.Max24HourSend, q.MaxSendRate, q.SentLast24Hours
	}
	if s := out.SuppressionAttributes; s != nil {
		for _, r := range s.SuppressedReasons {
			st.SuppressedReasons = append(st.SuppressedReasons, string(r))
		}
		sort.Strings(st.SuppressedReasons)
	}
	if d := out.Details; d != nil {
		req := &SubmittedRequest{
			MailType:           string(d.MailType),
			WebsiteURL:         aws.ToString(d.WebsiteURL),
			ContactLanguage:    string(d.ContactLanguage),
			UseCase:            aws.ToString(d.UseCaseDescription),
			AdditionalContacts: append([]string(nil), d.AdditionalContactEmailAddresses...),
		}
		if r := d.ReviewDetails; r != nil {
			req.Reviewed = true
			req.ReviewStatus = string(r.Status)
			req.CaseID = aws.ToString(r.CaseId)
		}
		st.Request = req
	}
	return st
}

// Subscribers counts the subscriptions of one SNS topic.
type Subscribers struct {
	Confirmed int
	Pending   int // waiting for the endpoint to confirm
}

// TopicSubscribers lists the subscriptions of each topic, following pages.
// A topic that does not exist is reported with no subscribers.
func (a *Account) TopicSubscribers(ctx context.Context, topicARNs []string) (map[string]Subscribers, error) {
	out := map[string]Subscribers{}
	arns := append([]string(nil), topicARNs...)
	sort.Strings(arns)
	for _, arn := range arns {
		if _, done := out[arn]; done || arn == "" {
			continue
		}
		var s Subscribers
		var token *string
		for {
			page, err := a.subs.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn), NextToken: token})
			if err != nil {
				if isCode(err, "NotFound", "NotFoundException") {
					break
				}
				return nil, fmt.Errorf("listing the subscriptions of %s: %w", arn, err)
			}
			for _, sub := range page.Subscriptions {
				if strings.HasPrefix(aws.ToString(sub.SubscriptionArn), "arn:") {
					s.Confirmed++
				} else {
					s.Pending++
				}
			}
			token = page.NextToken
			if aws.ToString(token) == "" {
				break
			}
		}
		out[arn] = s
	}
	return out, nil
}

// ProductionAccessRequest holds the fields of PutAccountDetails.
type ProductionAccessRequest struct {
	MailType           string // TRANSACTIONAL or MARKETING
	WebsiteURL         string
	ContactLanguage    string // EN or JA
	UseCase            string
	AdditionalContacts []string
}

// ErrReviewPending is returned by Submit when AWS refuses new details
// because the review of an earlier request is still in progress.
var ErrReviewPending = errors.New("a production-access review is already in progress; AWS accepts no new details until it ends")

// Submit sends the production-access request: one PutAccountDetails with
// ProductionAccessEnabled set. It does not look first whether a review is
// under way; callers read Status for that.
func (a *Account) Submit(ctx context.Context, req ProductionAccessRequest) error {
	in := &sesv2.PutAccountDetailsInput{
		MailType:                types.MailType(req.MailType),
		WebsiteURL:              aws.String(req.WebsiteURL),
		ProductionAccessEnabled: aws.Bool(true),
	}
	if req.ContactLanguage != "" {
		in.ContactLanguage = types.ContactLanguage(req.ContactLanguage)
	}
	if req.UseCase != "" {
		in.UseCaseDescription = aws.String(req.UseCase)
	}
	if len(req.AdditionalContacts) > 0 {
		in.AdditionalContactEmailAddresses = append([]string(nil), req.AdditionalContacts...)
	}
	if _, err := a.v2.PutAccountDetails(ctx, in); err != nil {
		var conflict *types.ConflictException
		if errors.As(err, &conflict) || isCode(err, "ConflictException") {
			return fmt.Errorf("submitting the production-access request in %s: %w", a.region, ErrReviewPending)
		}
		return fmt.Errorf("submitting the production-access request in %s: %w", a.region, err)
	}
	return nil
}
