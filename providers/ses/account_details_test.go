package ses

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	sesv1types "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/google/go-cmp/cmp"
)

type accountStub struct {
	get     *sesv2.GetAccountOutput
	getErr  error
	put     []*sesv2.PutAccountDetailsInput
	putErr  error
	points  []sesv1types.SendDataPoint
	pages   map[string][]*sns.ListSubscriptionsByTopicOutput // topic -> pages
	listErr map[string]error
	listed  []string
}

func (s *accountStub) GetAccount(context.Context, *sesv2.GetAccountInput, ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error) {
	return s.get, s.getErr
}

func (s *accountStub) PutAccountDetails(_ context.Context, in *sesv2.PutAccountDetailsInput, _ ...func(*sesv2.Options)) (*sesv2.PutAccountDetailsOutput, error) {
	s.put = append(s.put, in)
	return &sesv2.PutAccountDetailsOutput{}, s.putErr
}

func (s *accountStub) GetSendStatistics(context.Context, *sesv1.GetSendStatisticsInput, ...func(*sesv1.Options)) (*sesv1.GetSendStatisticsOutput, error) {
	return &sesv1.GetSendStatisticsOutput{SendDataPoints: s.points}, nil
}

func (s *accountStub) ListSubscriptionsByTopic(_ context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	arn := aws.ToString(in.TopicArn)
	s.listed = append(s.listed, arn+"@"+aws.ToString(in.NextToken))
	if err := s.listErr[arn]; err != nil {
		return nil, err
	}
	i := 0
	if t := aws.ToString(in.NextToken); t != "" {
		i = int(t[0] - '0')
	}
	return s.pages[arn][i], nil
}

func newAccountStub() *accountStub { return &accountStub{} }

func TestAccountStatus(t *testing.T) {
	points := []SendPoint{{DeliveryAttempts: 2}, {DeliveryAttempts: 3, Bounces: 1}}
	tests := []struct {
		name string
		get  *sesv2.GetAccountOutput
		want AccountStatus
	}{
		{
			name: "sandbox, no request yet",
			get: &sesv2.GetAccountOutput{
				SendingEnabled:        true,
				EnforcementStatus:     aws.String("HEALTHY"),
				SendQuota:             &types.SendQuota{Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 3},
				SuppressionAttributes: &types.SuppressionAttributes{SuppressedReasons: []types.SuppressionListReason{"COMPLAINT", "BOUNCE"}},
			},
			want: AccountStatus{Region: "us-west-2", SendingEnabled: true, EnforcementStatus: "HEALTHY",
				Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 3, SuppressedReasons: []string{"BOUNCE", "COMPLAINT"}, SendsLast14Days: 5, SendPoints: points},
		},
		{
			name: "review granted",
			get: &sesv2.GetAccountOutput{
				ProductionAccessEnabled: true,
				SendingEnabled:          true,
				EnforcementStatus:       aws.String("HEALTHY"),
				Details: &types.AccountDetails{
					MailType: types.MailTypeTransactional, WebsiteURL: aws.String("https://acme.example"),
					ContactLanguage: types.ContactLanguageEn, UseCaseDescription: aws.String("receipts"),
					AdditionalContactEmailAddresses: []string{"ops@acme.example"},
					ReviewDetails:                   &types.ReviewDetails{Status: types.ReviewStatusGranted, CaseId: aws.String("1234")},
				},
			},
			want: AccountStatus{Region: "us-west-2", ProductionAccess: true, SendingEnabled: true, EnforcementStatus: "HEALTHY",
				SuppressedReasons: []string{}, SendsLast14Days: 5, SendPoints: points,
				Request: &SubmittedRequest{MailType: "TRANSACTIONAL", WebsiteURL: "https://acme.example", ContactLanguage: "EN",
					UseCase: "receipts", AdditionalContacts: []string{"ops@acme.example"}, Reviewed: true, ReviewStatus: "GRANTED", CaseID: "1234"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stub := newAccountStub()
			stub.get = tt.get
			stub.points = []sesv1types.SendDataPoint{{DeliveryAttempts: 2}, {DeliveryAttempts: 3, Bounces: 1}}
			got, err := NewAccountWithClients("us-west-2", stub, stub, stub).Status(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Status (-want +got):\n%s", d)
			}
		})
	}
}

func TestAccountStatusWrapsErrors(t *testing.T) {
	stub := newAccountStub()
	stub.getErr = errors.New("boom")
	_, err := NewAccountWithClients("eu-west-1", stub, stub, stub).Status(t.Context())
	if err == nil || err.Error() != "reading the SES account in eu-west-1: boom" {
		t.Fatalf("err = %v", err)
	}
}

func TestTopicSubscribers(t *testing.T) {
	stub := newAccountStub()
	a, b, gone := "arn:aws:sns:us-west-2:1:a", "arn:aws:sns:us-west-2:1:b", "arn:aws:sns:us-west-2:1:gone"
	stub.pages = map[string][]*sns.ListSubscriptionsByTopicOutput{
		a: {
			{Subscriptions: []snstypes.Subscription{{SubscriptionArn: aws.String(a + ":s1")}, {SubscriptionArn: aws.String("PendingConfirmation")}}, NextToken: aws.String("1")},
			{Subscriptions: []snstypes.Subscription{{SubscriptionArn: aws.String(a + ":s2")}}},
		},
		b: {{Subscriptions: []snstypes.Subscription{{SubscriptionArn: aws.String("PendingConfirmation")}}}},
	}
	stub.listErr = map[string]error{gone: &snstypes.NotFoundException{Message: aws.String("Topic does not exist")}}
	got, err := NewAccountWithClients("us-west-2", stub, stub, stub).TopicSubscribers(t.Context(), []string{b, a, gone, a})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Subscribers{a: {Confirmed: 2, Pending: 1}, b: {Pending: 1}, gone: {}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("TopicSubscribers (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{a + "@", a + "@1", b + "@", gone + "@"}, stub.listed); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
}

func TestSubmit(t *testing.T) {
	req := ProductionAccessRequest{MailType: "TRANSACTIONAL", WebsiteURL: "https://acme.example", ContactLanguage: "EN",
		UseCase: "receipts", AdditionalContacts: []string{"ops@acme.example"}}
	t.Run("sends every field and asks for production access", func(t *testing.T) {
		stub := newAccountStub()
		if err := NewAccountWithClients("us-west-2", stub, stub, stub).Submit(t.Context(), req); err != nil {
			t.Fatal(err)
		}
		if len(stub.put) != 1 {
			t.Fatalf("PutAccountDetails calls = %d, want 1", len(stub.put))
		}
		in := stub.put[0]
		if in.MailType != types.MailTypeTransactional || aws.ToString(in.WebsiteURL) != req.WebsiteURL || in.ContactLanguage != types.ContactLanguageEn ||
			aws.ToString(in.UseCaseDescription) != "receipts" || !cmp.Equal(in.AdditionalContactEmailAddresses, req.AdditionalContacts) || !aws.ToBool(in.ProductionAccessEnabled) {
			t.Errorf("PutAccountDetails input = %+v", in)
		}
	})
	t.Run("a review in progress is ErrReviewPending", func(t *testing.T) {
		stub := newAccountStub()
		stub.putErr = &types.ConflictException{Message: aws.String("review in progress")}
		err := NewAccountWithClients("us-west-2", stub, stub, stub).Submit(t.Context(), req)
		if !errors.Is(err, ErrReviewPending) {
			t.Fatalf("err = %v, want ErrReviewPending", err)
		}
	})
	t.Run("other errors are wrapped", func(t *testing.T) {
		stub := newAccountStub()
		stub.putErr = &types.BadRequestException{Message: aws.String("Invalid WebsiteURL")}
		err := NewAccountWithClients("us-west-2", stub, stub, stub).Submit(t.Context(), req)
		var bad *types.BadRequestException
		if !errors.As(err, &bad) || errors.Is(err, ErrReviewPending) {
			t.Fatalf("err = %v", err)
		}
	})
}
