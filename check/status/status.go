// Package status reads how Amazon SES sees an account in one region (sandbox
// or production, quota, sending rate, enforcement, suppression, and the last
// 14 days of sending statistics) and renders it for people and as JSON.
//
// It only reads: it never changes anything in AWS. It prints nothing itself;
// Render and RenderJSON write to the writer they are given.
package status

import (
	"context"
	"slices"
	"time"

	"github.com/mailform/mailform/providers/ses"
)

// AWS's reputation thresholds (SES enforcement FAQ): at these rates an
// account is put under review, and at the pause rates sending may be paused.
const (
	BounceReviewRate    = 0.05
	BouncePauseRate     = 0.10
	ComplaintReviewRate = 0.001
	ComplaintPauseRate  = 0.005
)

// Days is how many days of statistics a report holds (SES keeps two weeks).
const Days = 14

// FormatVersion is the format_version of the JSON document RenderJSON writes,
// a string as in every JSON output of mailform.
const FormatVersion = "1"

// Report is the account as SES sees it in one region.
type Report struct {
	FormatVersion     string   `json:"format_version"`
	Region            string   `json:"region"`
	GeneratedAt       string   `json:"generated_at"` // RFC 3339, UTC
	ProductionAccess  bool     `json:"production_access"`
	Review            *Review  `json:"review,omitempty"`
	SendingEnabled    bool     `json:"sending_enabled"`
	EnforcementStatus string   `json:"enforcement_status"`
	Quota             Quota    `json:"quota"`
	SuppressedReasons []string `json:"suppressed_reasons"`
	Days              []Day    `json:"days"` // oldest first, exactly Days entries
	Totals            Day      `json:"totals"`
	Bounce            Rate     `json:"bounce_rate"`
	Complaint         Rate     `json:"complaint_rate"`

	// AlarmsRead is true once ReadAlarms has filled the rates' Alarms.
	AlarmsRead bool `json:"-"`
}

// Review is the production-access request, when one was made.
type Review struct {
	Status string `json:"status"` // PENDING, FAILED, GRANTED, DENIED
	CaseID string `json:"case_id,omitempty"`
}

// Quota is the account's sending quota.
type Quota struct {
	Max24HourSend   float64 `json:"max_24_hour_send"` // -1: unlimited
	SentLast24Hours float64 `json:"sent_last_24_hours"`
	MaxSendRate     float64 `json:"max_send_rate"` // messages per second
}

// Day is one UTC day of sending statistics (the 15-minute points of
// GetSendStatistics added up). Date is "" in Totals.
type Day struct {
	Date             string `json:"date,omitempty"` // YYYY-MM-DD
	DeliveryAttempts int64  `json:"delivery_attempts"`
	Bounces          int64  `json:"bounces"`
	Complaints       int64  `json:"complaints"`
	Rejects          int64  `json:"rejects"`
}

// Level says where a rate stands against AWS's thresholds.
type Level string

const (
	LevelOK     Level = "ok"
	LevelReview Level = "review" // at or above the review threshold
	LevelPause  Level = "pause"  // at or above the rate at which AWS may pause sending
	LevelNoData Level = "no-data"
)

// Rate is a bounce or complaint rate over the report's days.
type Rate struct {
	Rate   float64 `json:"rate"` // 0..1; 0 when nothing was sent
	Count  int64   `json:"count"`
	Of     int64   `json:"of"` // delivery attempts
	Review float64 `json:"review_threshold"`
	Pause  float64 `json:"pause_threshold"`
	Level  Level   `json:"level"`
	// Alarms are the CloudWatch alarms that watch this rate (ReadAlarms);
	// absent when none does.
	Alarms []Alarm `json:"alarms,omitempty"`
}

// Read asks SES for the account and its statistics (ses.ReadAccountStatus).
// now anchors the 14-day window (the last day is now's UTC date).
func Read(ctx context.Context, v2 ses.GetAccountAPI, v1 ses.SendStatisticsAPI, region string, now time.Time) (*Report, error) {
	acct, err := ses.ReadAccountStatus(ctx, v2, v1, region)
	if err != nil {
		return nil, err
	}
	return FromAccount(acct, now), nil
}

// FromAccount is the report of an account read by ses.ReadAccountStatus; now
// anchors the 14-day window.
func FromAccount(acct ses.AccountStatus, now time.Time) *Report {
	r := &Report{
		Region:            acct.Region,
		ProductionAccess:  acct.ProductionAccess,
		SendingEnabled:    acct.SendingEnabled,
		EnforcementStatus: acct.EnforcementStatus,
		Quota:             Quota{Max24HourSend: acct.Max24HourSend, SentLast24Hours: acct.SentLast24Hours, MaxSendRate: acct.MaxSendRate},
		SuppressedReasons: slices.Clone(acct.SuppressedReasons),
	}
	if r.SuppressedReasons == nil {
		r.SuppressedReasons = []string{}
	}
	if q := acct.Request; q != nil && q.Reviewed {
		r.Review = &Review{Status: q.ReviewStatus, CaseID: q.CaseID}
	}
	r.Summarise(acct.SendPoints, now)
	return r
}

// Point is one 15-minute data point of GetSendStatistics.
type Point = ses.SendPoint

// Summarise fills the days, totals and rates of r from points: the Days UTC
// days ending with now's. Points outside that window are left out.
func (r *Report) Summarise(points []Point, now time.Time) {
	r.FormatVersion = FormatVersion
	now = now.UTC()
	r.GeneratedAt = now.Format(time.RFC3339)
	last := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	first := last.AddDate(0, 0, -(Days - 1))
	r.Days = make([]Day, Days)
	for i := range r.Days {
		r.Days[i].Date = first.AddDate(0, 0, i).Format(time.DateOnly)
	}
	r.Totals = Day{}
	for _, p := range points {
		t := p.Timestamp.UTC()
		if t.Before(first) || !t.Before(last.AddDate(0, 0, 1)) {
			continue
		}
		i := int(t.Sub(first) / (24 * time.Hour))
		d := &r.Days[i]
		d.DeliveryAttempts += p.DeliveryAttempts
		d.Bounces += p.Bounces
		d.Complaints += p.Complaints
		d.Rejects += p.Rejects
		r.Totals.DeliveryAttempts += p.DeliveryAttempts
		r.Totals.Bounces += p.Bounces
		r.Totals.Complaints += p.Complaints
		r.Totals.Rejects += p.Rejects
	}
	r.Bounce = rate(r.Totals.Bounces, r.Totals.DeliveryAttempts, BounceReviewRate, BouncePauseRate)
	r.Complaint = rate(r.Totals.Complaints, r.Totals.DeliveryAttempts, ComplaintReviewRate, ComplaintPauseRate)
}

func rate(count, of int64, review, pause float64) Rate {
	r := Rate{Count: count, Of: of, Review: review, Pause: pause, Level: LevelNoData}
	if of == 0 {
		return r
	}
	r.Rate = float64(count) / float64(of)
	switch {
	case r.Rate >= pause:
		r.Level = LevelPause
	case r.Rate >= review:
		r.Level = LevelReview
	default:
		r.Level = LevelOK
	}
	return r
}
