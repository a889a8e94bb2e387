package status

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ChartWidth is the width, in characters, of the bars of the daily chart.
const ChartWidth = 40

// Render writes the report for people: plain characters, fixed width, the
// same bytes for the same report.
func Render(w io.Writer, r *Report) error {
	var b strings.Builder
	mode := "sandbox (mail only to verified identities and the mailbox simulator)"
	if r.ProductionAccess {
		mode = "production"
	}
	fmt.Fprintf(&b, "SES account in %s, as of %s\n\n", r.Region, r.GeneratedAt)
	fmt.Fprintf(&b, "  %-20s %s\n", "access:", mode)
	if r.Review != nil {
		review := r.Review.Status
		if r.Review.CaseID != "" {
			review += " (case " + r.Review.CaseID + ")"
		}
		fmt.Fprintf(&b, "  %-20s %s\n", "production review:", review)
	}
	sending := "enabled"
	if !r.SendingEnabled {
		sending = "PAUSED"
	}
	fmt.Fprintf(&b, "  %-20s %s\n", "sending:", sending)
	fmt.Fprintf(&b, "  %-20s %s\n", "enforcement:", r.EnforcementStatus)
	quota := "unlimited"
	if r.Quota.Max24HourSend >= 0 {
		quota = number(r.Quota.Max24HourSend)
	}
	fmt.Fprintf(&b, "  %-20s %s of %s recipients\n", "sent in last 24h:", number(r.Quota.SentLast24Hours), quota)
	fmt.Fprintf(&b, "  %-20s %s per second\n", "max send rate:", number(r.Quota.MaxSendRate))
	suppression := "off"
	if len(r.SuppressedReasons) > 0 {
		suppression = strings.Join(r.SuppressedReasons, ", ")
	}
	fmt.Fprintf(&b, "  %-20s %s\n", "suppression list:", suppression)

	fmt.Fprintf(&b, "\nLast %d days (UTC): # delivered, B bounced, C complained, R rejected\n\n", Days)
	fmt.Fprintf(&b, "  %-10s  %-*s  %8s %7s %10s %7s\n", "day", ChartWidth, "", "attempts", "bounces", "complaints", "rejects")
	var peak int64
	for _, d := range r.Days {
		peak = max(peak, d.DeliveryAttempts+d.Rejects)
	}
	for _, d := range r.Days {
		fmt.Fprintf(&b, "  %-10s |%-*s| %8d %7d %10d %7d\n", d.Date, ChartWidth, bar(d, peak), d.DeliveryAttempts, d.Bounces, d.Complaints, d.Rejects)
	}
	t := r.Totals
	fmt.Fprintf(&b, "  %-10s  %-*s  %8d %7d %10d %7d\n", "total", ChartWidth, "", t.DeliveryAttempts, t.Bounces, t.Complaints, t.Rejects)

	b.WriteString("\nReputation over these days (AWS reviews the account at the first |, may pause it at the second):\n\n")
	writeRate(&b, "bounce rate", r.Bounce)
	if r.AlarmsRead {
		writeAlarms(&b, r.Bounce)
	}
	writeRate(&b, "complaint rate", r.Complaint)
	if r.AlarmsRead {
		writeAlarms(&b, r.Complaint)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// bar draws one day: its length is the day's attempts (and rejects) scaled
// to the busiest day; within it bounces, complaints and rejects are shown in
// proportion, each at least one character when there is any.
func bar(d Day, peak int64) string {
	total := d.DeliveryAttempts + d.Rejects
	if total == 0 || peak == 0 {
		return ""
	}
	length := scale(total, peak, ChartWidth)
	cells := func(n int64) int {
		if n == 0 {
			return 0
		}
		return max(1, scale(n, total, length))
	}
	bounces, complaints, rejects := cells(d.Bounces), cells(d.Complaints), cells(d.Rejects)
	for bounces+complaints+rejects > length {
		// Only on very short bars: trim the largest part.
		switch {
		case bounces >= complaints && bounces >= rejects:
			bounces--
		case complaints >= rejects:
			complaints--
		default:
			rejects--
		}
	}
	delivered := length - bounces - complaints - rejects
	return strings.Repeat("#", delivered) + strings.Repeat("B", bounces) + strings.Repeat("C", complaints) + strings.Repeat("R", rejects)
}

// scale maps n of total onto width cells, rounding up so that any activity
// shows.
func scale(n, total int64, width int) int {
	if n <= 0 || total <= 0 {
		return 0
	}
	c := int((n*int64(width) + total - 1) / total)
	return min(max(c, 1), width)
}

// writeRate writes a rate with a gauge from 0 to 1.5 times the pause
// threshold: '=' up to the rate, '|' at the review and pause marks.
func writeRate(b *strings.Builder, name string, r Rate) {
	verdict := map[Level]string{
		LevelOK:     "ok",
		LevelReview: "REVIEW THRESHOLD REACHED",
		LevelPause:  "PAUSE THRESHOLD REACHED",
		LevelNoData: "no mail sent",
	}[r.Level]
	fmt.Fprintf(b, "  %-15s %7s  (%d of %d)  review at %s, pause at %s: %s\n", name+":", percent(r.Rate), r.Count, r.Of, percent(r.Review), percent(r.Pause), verdict)
	full := r.Pause * 1.5
	pos := func(v float64) int {
		p := int(v / full * ChartWidth)
		return min(max(p, 0), ChartWidth-1)
	}
	gauge := []byte(strings.Repeat(".", ChartWidth))
	filled := 0
	if r.Rate > 0 {
		filled = max(1, min(ChartWidth, int(r.Rate/full*ChartWidth+0.5)))
	}
	for i := 0; i < filled; i++ {
		gauge[i] = '='
	}
	gauge[pos(r.Review)] = '|'
	gauge[pos(r.Pause)] = '|'
	fmt.Fprintf(b, "  %-15s [%s]\n", "", gauge)
}

// writeAlarms writes the alarms that watch a rate, or that none does.
func writeAlarms(b *strings.Builder, r Rate) {
	if len(r.Alarms) == 0 {
		fmt.Fprintf(b, "  %-15s no CloudWatch alarm watches this rate (account { alarms { ... } } in the spec adds one)\n", "")
		return
	}
	for _, a := range r.Alarms {
		fmt.Fprintf(b, "  %-15s alarm %s: %s (fires at %s)\n", "", a.Name, a.State, percent(a.Threshold))
	}
}

// percent writes a rate with two decimals ("0.10%"), or three below 0.1%.
func percent(f float64) string {
	p := f * 100
	if p != 0 && p < 0.1 {
		return strconv.FormatFloat(p, 'f', 3, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 2, 64) + "%"
}

// number writes a quota figure without a needless ".0".
func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// RenderJSON writes the report as one indented JSON document (schema
// docs/status-and-test-send.md).
func RenderJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
