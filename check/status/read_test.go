package status_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	sesv1types "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/check/status"
)

type stubAccount struct {
	out *sesv2.GetAccountOutput
	err error
}

func (s stubAccount) GetAccount(context.Context, *sesv2.GetAccountInput, ...func(*sesv2.Options)) (*sesv2.GetAccountOutput, error) {
	return s.out, s.err
}

type stubStats struct {
	out *sesv1.GetSendStatisticsOutput
	err error
}

func (s stubStats) GetSendStatistics(context.Context, *sesv1.GetSendStatisticsInput, ...func(*sesv1.Options)) (*sesv1.GetSendStatisticsOutput, error) {
	return s.out, s.err
}

func TestReadShowsWhatSESSays(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	production := &sesv2.GetAccountOutput{
		ProductionAccessEnabled: true,
		SendingEnabled:          false,
		EnforcementStatus:       aws.String("PROBATION"),
		SendQuota:               &types.SendQuota{Max24HourSend: -1, MaxSendRate: 14, SentLast24Hours: 1234},
		Details:                 &types.AccountDetails{ReviewDetails: &types.ReviewDetails{Status: types.ReviewStatusGranted, CaseId: aws.String("case-42")}},
		SuppressionAttributes:   &types.SuppressionAttributes{SuppressedReasons: []types.SuppressionListReason{"COMPLAINT", "BOUNCE"}},
	}
	stats := &sesv1.GetSendStatisticsOutput{SendDataPoints: []sesv1types.SendDataPoint{
		{Timestamp: aws.Time(now.Add(-time.Hour)), DeliveryAttempts: 10000, Bounces: 600, Complaints: 5, Rejects: 3},
	}}
	tests := []struct {
		name    string
		account stubAccount
		stats   stubStats
		want    []string
		wantErr string
	}{
		{
			name: "production, paused, under probation", account: stubAccount{out: production}, stats: stubStats{out: stats},
			want: []string{"access:              production", "production review:   GRANTED (case case-42)", "sending:             PAUSED",
				"enforcement:         PROBATION", "1234 of unlimited recipients", "14 per second", "BOUNCE, COMPLAINT",
				"bounce rate:      6.00%  (600 of 10000)", "REVIEW THRESHOLD REACHED", "complaint rate:  0.050%  (5 of 10000)", ": ok"},
		},
		{name: "GetAccount refused", account: stubAccount{err: errors.New("AccessDenied")}, wantErr: "reading the SES account in eu-west-1: AccessDenied"},
		{name: "statistics refused", account: stubAccount{out: production}, stats: stubStats{err: errors.New("Throttling")}, wantErr: "reading SES sending statistics in eu-west-1: Throttling"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := status.Read(t.Context(), tc.account, tc.stats, "eu-west-1", now)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := status.Render(&b, r); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}
