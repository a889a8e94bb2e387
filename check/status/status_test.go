package status_test

import (
	"bytes"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/check/status"
	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/internal/golden"
)

func TestMain(m *testing.M) { awstest.Main(m) }

// settableClock is a clock a test moves by hand.
type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) get() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *settableClock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// TestSandboxAccountGolden sends to the mailbox simulator through the local
// double on three days, then reads and renders the account with a fixed clock.
func TestSandboxAccountGolden(t *testing.T) {
	s := awstest.Shared(t)
	clock := &settableClock{now: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	s.SetClock(clock.get)
	t.Cleanup(func() { s.SetClock(nil) })
	ctx := t.Context()
	cfg := s.Config("us-west-2")
	v2 := sesv2.NewFromConfig(cfg)
	if _, err := v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("sender@acme.example")}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(s.URL()+"/_awstest/verify-email", url.Values{"region": {"us-west-2"}, "address": {"sender@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("verify-email: %s", resp.Status)
	}
	days := []struct {
		at    time.Time
		local []string
	}{
		{time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), []string{"success", "success", "success", "bounce"}},
		{time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC), []string{"success", "success", "ooto", "complaint", "success", "success"}},
		{time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), []string{"success", "bounce", "suppressionlist", "success"}},
	}
	for _, day := range days {
		for i, local := range day.local {
			// One message per two seconds stays under the sandbox's 1/s.
			clock.set(day.at.Add(time.Duration(2*i) * time.Second))
			_, err := v2.SendEmail(ctx, &sesv2.SendEmailInput{
				FromEmailAddress: aws.String("sender@acme.example"),
				Destination:      &types.Destination{ToAddresses: []string{local + "@simulator.amazonses.com"}},
				Content: &types.EmailContent{Simple: &types.Message{
					Subject: &types.Content{Data: aws.String("status test")},
					Body:    &types.Body{Text: &types.Content{Data: aws.String("hello")}},
				}},
			})
			if err != nil {
				t.Fatalf("send to %s: %v", local, err)
			}
		}
	}
	now := time.Date(2026, 11, 30, 9, 30, 0, 0, time.UTC)
	clock.set(now)
	r, err := status.Read(ctx, v2, sesv1.NewFromConfig(cfg), "us-west-2", now)
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals.DeliveryAttempts != 14 || r.Totals.Bounces != 3 || r.Totals.Complaints != 1 {
		t.Errorf("totals = %+v, want 14 attempts, 3 bounces, 1 complaint", r.Totals)
	}
	if r.Bounce.Level != status.LevelPause || r.Complaint.Level != status.LevelPause {
		t.Errorf("levels = bounce %s complaint %s, want pause for both (3/14 and 1/14)", r.Bounce.Level, r.Complaint.Level)
	}
	var text, doc bytes.Buffer
	if err := status.Render(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := status.RenderJSON(&doc, r); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "sandbox.txt"), text.Bytes())
	golden.Check(t, filepath.Join("testdata", "sandbox.json"), doc.Bytes())
	for _, line := range strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n") {
		if len(line) > 100 {
			t.Errorf("line wider than 100 characters: %q", line)
		}
	}
}

func TestRates(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name                  string
		attempts, bounces, cp int64
		bounce, complaint     status.Level
	}{
		{"nothing sent", 0, 0, 0, status.LevelNoData, status.LevelNoData},
		{"clean", 1000, 10, 0, status.LevelOK, status.LevelOK},
		{"just below review", 10000, 499, 9, status.LevelOK, status.LevelOK},
		{"at review", 10000, 500, 10, status.LevelReview, status.LevelReview},
		{"at pause", 10000, 1000, 50, status.LevelPause, status.LevelPause},
		{"bounces only high", 100, 7, 0, status.LevelReview, status.LevelOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r status.Report
			r.Summarise([]status.Point{{Timestamp: at, DeliveryAttempts: tc.attempts, Bounces: tc.bounces, Complaints: tc.cp}}, at)
			if r.Bounce.Level != tc.bounce || r.Complaint.Level != tc.complaint {
				t.Errorf("levels = %s/%s, want %s/%s", r.Bounce.Level, r.Complaint.Level, tc.bounce, tc.complaint)
			}
		})
	}
}

// TestWindow: points are added up per UTC day; points older than 14 days or
// after today are left out.
func TestWindow(t *testing.T) {
	now := time.Date(2026, 11, 30, 0, 10, 0, 0, time.UTC)
	points := []status.Point{
		{Timestamp: time.Date(2026, 11, 16, 23, 45, 0, 0, time.UTC), DeliveryAttempts: 100}, // 15 days back: out
		{Timestamp: time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC), DeliveryAttempts: 1},     // first day
		{Timestamp: time.Date(2026, 11, 29, 23, 45, 0, 0, time.UTC), DeliveryAttempts: 2},
		{Timestamp: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), DeliveryAttempts: 3, Rejects: 1},
		{Timestamp: time.Date(2026, 11, 30, 0, 0, 0, 0, time.FixedZone("x", 3600)), DeliveryAttempts: 4}, // 2026-11-29T23:00Z
		{Timestamp: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), DeliveryAttempts: 50},                  // future: out
	}
	var r status.Report
	r.Summarise(points, now)
	if len(r.Days) != status.Days || r.Days[0].Date != "2026-11-17" || r.Days[13].Date != "2026-11-30" {
		t.Fatalf("days = %+v", r.Days)
	}
	got := []int64{r.Days[0].DeliveryAttempts, r.Days[12].DeliveryAttempts, r.Days[13].DeliveryAttempts, r.Days[13].Rejects, r.Totals.DeliveryAttempts}
	if diff := cmp.Diff([]int64{1, 6, 3, 1, 10}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestRenderIsFixedWidth: every chart row has the same width whatever the
// numbers, and a bar never overflows.
func TestRenderIsFixedWidth(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var points []status.Point
	for i, n := range []int64{1, 3, 999999, 2, 0, 40, 41, 7} {
		points = append(points, status.Point{Timestamp: now.AddDate(0, 0, -i), DeliveryAttempts: n, Bounces: n / 3, Complaints: n / 5, Rejects: n % 2})
	}
	r := &status.Report{Region: "eu-west-1", EnforcementStatus: "HEALTHY", Quota: status.Quota{Max24HourSend: -1, MaxSendRate: 14}}
	r.Summarise(points, now)
	var b bytes.Buffer
	if err := status.Render(&b, r); err != nil {
		t.Fatal(err)
	}
	width := -1
	for _, line := range strings.Split(b.String(), "\n") {
		if !strings.HasPrefix(line, "  2026-") {
			continue
		}
		open, close := strings.Index(line, "|"), strings.LastIndex(line, "|")
		if close-open-1 != status.ChartWidth {
			t.Errorf("bar area %d wide, want %d: %q", close-open-1, status.ChartWidth, line)
		}
		if width >= 0 && len(line) != width {
			t.Errorf("row width %d, want %d: %q", len(line), width, line)
		}
		width = len(line)
	}
	if !strings.Contains(b.String(), "unlimited") {
		t.Errorf("an unlimited quota is not shown as such:\n%s", b.String())
	}
}
