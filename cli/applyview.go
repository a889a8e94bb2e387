package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailform/mailform/apply"
	"github.com/mailform/mailform/check"
	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/render"
	"github.com/mailform/mailform/providers/ses"
)

// applyView shows a run of apply in one output form: lines for a person, or
// JSON lines for a program (-json). The apply command and its wait for SES
// decide what happens; the view decides only how it looks, so that each
// form is written in one place.
type applyView interface {
	// Plan shows the plan apply made and is about to carry out.
	Plan(p *plan.Plan) error
	// Event shows one step of apply.Run as it happens.
	Event(ev apply.Event)
	// Outcome shows what the run did.
	Outcome(o *apply.Outcome)
	// NothingToApply says the plan changes nothing.
	NothingToApply()
	// Waiting says apply waits up to timeout for SES to verify n identities.
	Waiting(timeout time.Duration, n int)
	// WaitProgress shows a message of the wait about identity ("" for the
	// wait as a whole), elapsed after it began.
	WaitProgress(identity, message string, elapsed time.Duration)
	// Verified says SES verified all n identities.
	Verified(results []ses.WaitResult, n int, elapsed time.Duration)
	// NotVerified says SES gave up on some identity, or the wait broke.
	NotVerified(results []ses.WaitResult)
	// NotYetVerified says SES had not verified some identities when the
	// wait ended, with what DNS serves for the records SES looks for.
	NotYetVerified(results []ses.WaitResult, served []check.PendingRecord, waited time.Duration)
}

// newApplyView returns the view of apply's output form.
func newApplyView(io IO, asJSON, color bool) applyView {
	if asJSON {
		return jsonApplyView{out: io.Stdout}
	}
	return humanApplyView{io: io, color: color}
}

// humanApplyView writes progress lines for a terminal or a CI log.
type humanApplyView struct {
	io    IO
	color bool
}

func (v humanApplyView) Plan(p *plan.Plan) error {
	return render.Human(v.io.Stdout, p, render.HumanOptions{Color: v.color})
}

func (v humanApplyView) Event(ev apply.Event) {
	out := v.io.Stdout
	verb := map[plan.Action][2]string{
		plan.Create:  {"Creating", "Created"},
		plan.Update:  {"Updating", "Updated"},
		plan.Replace: {"Replacing", "Replaced"},
		plan.Delete:  {"Deleting", "Deleted"},
	}[ev.Action]
	if verb[0] == "" {
		verb = [2]string{"Changing", "Changed"}
	}
	elapsed := ""
	if ev.Elapsed >= time.Second {
		elapsed = fmt.Sprintf(" [%s]", ev.Elapsed.Round(time.Second))
	}
	switch ev.Phase {
	case apply.Started:
		fmt.Fprintf(out, "%s: %s...\n", ev.Addr, verb[0])
	case apply.Progress:
		fmt.Fprintf(out, "%s: %s%s\n", ev.Addr, ev.Message, elapsed)
	case apply.Done:
		fmt.Fprintf(out, "%s: %s%s\n", ev.Addr, verb[1], elapsed)
	case apply.Failed:
		fmt.Fprintf(out, "%s: FAILED: %s\n", ev.Addr, ev.Message)
	case apply.Skipped:
		fmt.Fprintf(out, "%s: skipped (%s)\n", ev.Addr, ev.Message)
	case apply.Interrupted:
		fmt.Fprintf(out, "%s: %s\n", ev.Addr, ev.Message)
	}
}

func (v humanApplyView) Outcome(o *apply.Outcome) {
	out := v.io.Stdout
	for _, m := range o.Messages {
		fmt.Fprintf(out, "Note: %s\n", m)
	}
	if len(o.Interrupted) > 0 {
		fmt.Fprintf(out, "\nApply interrupted: %d changed, %d failed, %d not attempted because something they need failed, %d not attempted (interrupted).\n",
			len(o.Applied), len(o.Failed), len(o.Skipped), len(o.Interrupted))
		return
	}
	fmt.Fprintf(out, "\nApply complete: %d changed, %d failed, %d not attempted.\n", len(o.Applied), len(o.Failed), len(o.Skipped))
}

func (v humanApplyView) NothingToApply() { fmt.Fprintln(v.io.Stdout, "Nothing to apply.") }

func (v humanApplyView) Waiting(timeout time.Duration, n int) {
	fmt.Fprintf(v.io.Stdout, "\nWaiting up to %s for SES to verify %d identities...\n", timeout, n)
}

func (v humanApplyView) WaitProgress(identity, message string, elapsed time.Duration) {
	if identity == "" {
		fmt.Fprintf(v.io.Stdout, "  [%s] %s\n", elapsed.Round(time.Second), message)
	} else {
		fmt.Fprintf(v.io.Stdout, "  %s: %s\n", identity, message)
	}
}

func (v humanApplyView) Verified(_ []ses.WaitResult, n int, elapsed time.Duration) {
	fmt.Fprintf(v.io.Stdout, "All %d identities are verified [%s].\n", n, elapsed.Round(time.Second))
}

// NotVerified writes to stderr: the error and its hint follow there.
func (v humanApplyView) NotVerified(results []ses.WaitResult) {
	for _, r := range results {
		if r.Verified {
			continue
		}
		fmt.Fprintf(v.io.Stderr, "%s is not verified:\n", r.Identity)
		for _, pc := range r.Pending {
			fmt.Fprintf(v.io.Stderr, "  %s: %s. %s\n", pc.Check, pc.Status, pc.Explain)
			for _, e := range pc.Expect {
				fmt.Fprintf(v.io.Stderr, "    SES expects %s %s %s\n", e.Name, e.Type, e.Value)
			}
		}
	}
}

func (v humanApplyView) NotYetVerified(results []ses.WaitResult, served []check.PendingRecord, waited time.Duration) {
	out := v.io.Stdout
	pending := notVerified(results)
	fmt.Fprintf(out, "\nApplied; not yet verified: SES has not verified %d of %d identities after %s (%s).\n",
		len(pending), len(results), waited.Round(time.Second), strings.Join(pending, ", "))
	i := 0
	for _, r := range results {
		if r.Verified {
			continue
		}
		fmt.Fprintf(out, "%s is not verified yet:\n", r.Identity)
		for _, pc := range r.Pending {
			fmt.Fprintf(out, "  %s: %s. %s\n", pc.Check, pc.Status, pc.Explain)
			for range pc.Expect {
				fmt.Fprintf(out, "    %s\n", servedLine(served[i]))
				i++
			}
		}
	}
	fmt.Fprintln(out, "SES searches DNS for up to 72 hours. Follow up with 'mailform check' (it exits non-zero until every identity is verified) or 'mailform status'.")
}

// jsonApplyView writes one JSON object a line, each with its format_version
// and type: "progress", "summary", "wait" and "verification".
type jsonApplyView struct{ out io.Writer }

func (v jsonApplyView) Plan(*plan.Plan) error { return nil } // the events say what apply does

func (v jsonApplyView) Event(ev apply.Event) {
	_ = json.NewEncoder(v.out).Encode(struct {
		FormatVersion string `json:"format_version"`
		Type          string `json:"type"`
		apply.Event
		ElapsedSeconds float64 `json:"elapsed_seconds,omitempty"`
	}{JSONFormatVersion, "progress", ev, ev.Elapsed.Seconds()})
}

func (v jsonApplyView) Outcome(o *apply.Outcome) {
	var failed []map[string]string
	for _, f := range o.Failed {
		failed = append(failed, map[string]string{"address": f.Addr, "error": awscfg.Explain(f.Err).Error()})
	}
	_ = writeJSONLine(v.out, map[string]any{
		"format_version": JSONFormatVersion, "type": "summary", "applied": len(o.Applied), "failed": failed, "skipped": o.Skipped, "interrupted": nonNilStrings(o.Interrupted), "messages": o.Messages,
	})
}

func (v jsonApplyView) NothingToApply() {} // the absence of events says it

func (v jsonApplyView) Waiting(time.Duration, int) {}

func (v jsonApplyView) WaitProgress(identity, message string, elapsed time.Duration) {
	_ = writeJSONLine(v.out, map[string]any{"format_version": JSONFormatVersion, "type": "wait", "identity": identity, "message": message, "elapsed_seconds": elapsed.Seconds()})
}

func (v jsonApplyView) Verified(results []ses.WaitResult, _ int, _ time.Duration) {
	_ = writeJSONLine(v.out, map[string]any{"format_version": JSONFormatVersion, "type": "verification", "status": verificationVerified, "results": results})
}

func (v jsonApplyView) NotVerified(results []ses.WaitResult) {
	_ = writeJSONLine(v.out, map[string]any{"format_version": JSONFormatVersion, "type": "verification", "status": verificationFailed, "results": results})
}

func (v jsonApplyView) NotYetVerified(results []ses.WaitResult, served []check.PendingRecord, _ time.Duration) {
	_ = writeJSONLine(v.out, map[string]any{
		"format_version": JSONFormatVersion, "type": "verification", "status": verificationNotYetVerified,
		"not_yet_verified": notVerified(results), "dns": served, "results": results,
		"follow_up": "mailform check (exits non-zero until verified) or mailform status",
	})
}

// notVerified returns the identities SES has not verified.
func notVerified(results []ses.WaitResult) []string {
	var pending []string
	for _, r := range results {
		if !r.Verified {
			pending = append(pending, r.Identity)
		}
	}
	return pending
}
