package ses

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
)

// progressLog collects Wait's progress lines.
type progressLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *progressLog) add(id, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, id+": "+msg)
}

func (l *progressLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestWaitTimesOutWithTheRecordsSESExpects(t *testing.T) {
	e := newEnv(t)
	r := domain("acme.example", map[string]any{"mail_from_domain": "bounce.acme.example", "mail_from_on_mx_failure": "USE_DEFAULT_VALUE"})
	tokens := toStrings(e.apply(createOf(r)).Observed.Attrs["dkim_tokens"])

	var log progressLog
	results, err := e.provider.Wait(t.Context(), []string{"acme.example"}, 100*time.Millisecond, log.add)
	if !errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("err = %v, want ErrWaitTimeout", err)
	}
	if !strings.Contains(err.Error(), "acme.example") {
		t.Errorf("timeout error does not name the identity: %v", err)
	}
	var cnames []ExpectedRecord
	for _, tok := range tokens {
		cnames = append(cnames, ExpectedRecord{Name: tok + "._domainkey.acme.example.", Type: "CNAME", Value: tok + ".dkim.amazonses.com."})
	}
	want := []WaitResult{{
		Identity: "acme.example",
		Pending: []PendingCheck{
			{Check: CheckDKIM, Status: "PENDING", Expect: cnames, Explain: statusExplain("PENDING")},
			{Check: CheckMailFrom, Status: "PENDING", Expect: []ExpectedRecord{
				{Name: "bounce.acme.example.", Type: "MX", Value: "10 feedback-smtp.us-west-2.amazonses.com."},
				{Name: "bounce.acme.example.", Type: "TXT", Value: `"v=spf1 include:amazonses.com ~all"`},
			}, Explain: statusExplain("PENDING")},
		},
	}}
	if diff := cmp.Diff(want, results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if !strings.Contains(log.String(), "acme.example: DKIM PENDING, MAIL FROM PENDING") {
		t.Errorf("progress lines:\n%s", log.String())
	}

	t.Run("the records in the zone make it succeed", func(t *testing.T) {
		for _, rec := range append(want[0].Pending[0].Expect, want[0].Pending[1].Expect...) {
			e.upsert(rec.Name, rec.Type, rec.Value)
		}
		var log progressLog
		results, err := e.provider.Wait(t.Context(), []string{"acme.example"}, 5*time.Second, log.add)
		if err != nil {
			t.Fatalf("wait: %v\n%s", err, log.String())
		}
		if diff := cmp.Diff([]WaitResult{{Identity: "acme.example", Verified: true}}, results); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
		if !strings.Contains(log.String(), "acme.example: verified") || !strings.Contains(log.String(), ": 1 of 1 SES identities verified") {
			t.Errorf("progress lines:\n%s", log.String())
		}
		o := e.read(r)["domain.acme.example"]
		if o.Attrs["dkim_status"] != "SUCCESS" || o.Attrs["mail_from_status"] != "SUCCESS" || o.Attrs["verification_status"] != "SUCCESS" {
			t.Errorf("statuses after verification: %v", o.Attrs)
		}
	})
}

func TestWaitTurnsSuccessWhileWaiting(t *testing.T) {
	e := newEnv(t)
	tokens := toStrings(e.apply(createOf(domain("acme.example", nil))).Observed.Attrs["dkim_tokens"])
	var once sync.Once
	progress := func(id, msg string) {
		// The first poll saw PENDING: publish the records, as apply does
		// in the same run, and let a later poll see them.
		if id == "acme.example" && strings.Contains(msg, "PENDING") {
			once.Do(func() {
				for _, rec := range EasyDKIMRecords("acme.example", tokens) {
					e.upsert(rec.Name, rec.Type, rec.Value)
				}
			})
		}
	}
	results, err := e.provider.Wait(t.Context(), []string{"acme.example"}, 10*time.Second, progress)
	if err != nil || !results[0].Verified {
		t.Fatalf("wait: %v %+v", err, results)
	}
}

func TestWaitEmailAddress(t *testing.T) {
	e := newEnv(t)
	e.apply(createOf(identityResource("email.alerts@partner.example", map[string]any{"identity": "alerts@partner.example", "type": "EMAIL_ADDRESS"})))
	results, err := e.provider.Wait(t.Context(), []string{"alerts@partner.example"}, 50*time.Millisecond, nil)
	if !errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("err = %v", err)
	}
	p := results[0].Pending
	if len(p) != 1 || p[0].Check != CheckVerification || p[0].Status != "PENDING" || len(p[0].Expect) != 0 ||
		!strings.Contains(p[0].Explain, "verification link to alerts@partner.example") {
		t.Errorf("pending = %+v", p)
	}
	if err := e.double.verifyEmail("alerts@partner.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.provider.Wait(t.Context(), []string{"alerts@partner.example"}, 5*time.Second, nil); err != nil {
		t.Fatalf("after the link was followed: %v", err)
	}
}

func TestWaitMissingIdentityFailsAtOnce(t *testing.T) {
	e := newEnv(t)
	results, err := e.provider.Wait(t.Context(), []string{"nowhere.example"}, time.Minute, nil)
	if !errors.Is(err, ErrVerificationFailed) {
		t.Fatalf("err = %v, want ErrVerificationFailed", err)
	}
	if len(results) != 1 || results[0].Pending[0].Check != CheckExists || results[0].Pending[0].Status != "NOT_FOUND" {
		t.Errorf("results = %+v", results)
	}
}

// With many identities Wait reads the v1 batch attributes, 100 identities
// per call, instead of one GetEmailIdentity each.
func TestWaitBatchesManyIdentities(t *testing.T) {
	e := newEnv(t)
	var changes []plan.Change
	var names []string
	for i := range 120 {
		name := fmt.Sprintf("d%03d.acme.example", i)
		var extra map[string]any
		if i < 5 {
			extra = map[string]any{"mail_from_domain": "bounce." + name}
		}
		changes = append(changes, createOf(domain(name, extra)))
		names = append(names, name)
	}
	changes = append(changes, createOf(identityResource("email.ops@acme.example", map[string]any{"identity": "ops@acme.example"})))
	names = append(names, "ops@acme.example")
	for _, res := range e.provider.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Changes: changes}) {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	e.resetCounts()
	// A timeout shorter than the poll interval: exactly one poll.
	p := NewWithClients(testRegion, e.v2, e.v1, nil, nil, Options{AccountID: "123456789012", PollInterval: time.Hour})
	results, err := p.Wait(t.Context(), names, 200*time.Millisecond, nil)
	if !errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("err = %v", err)
	}
	want := map[string]int{
		"GetIdentityDkimAttributes":           2, // 120 domains
		"GetIdentityVerificationAttributes":   1, // the email address
		"GetIdentityMailFromDomainAttributes": 2, // 121 identities, MAIL FROM not known yet
	}
	if diff := cmp.Diff(want, e.sesCalls()); diff != "" {
		t.Errorf("SES calls of one poll (-want +got):\n%s", diff)
	}
	if len(results) != 121 {
		t.Fatalf("%d results", len(results))
	}
	byName := map[string]WaitResult{}
	for _, r := range results {
		byName[r.Identity] = r
	}
	if got := byName["d000.acme.example"].Pending; len(got) != 2 || got[0].Check != CheckDKIM || len(got[0].Expect) != 3 || got[1].Check != CheckMailFrom {
		t.Errorf("d000 pending = %+v", got)
	}
	if got := byName["d100.acme.example"].Pending; len(got) != 1 || got[0].Check != CheckDKIM {
		t.Errorf("d100 pending = %+v", got)
	}
	if got := byName["ops@acme.example"].Pending; len(got) != 1 || got[0].Check != CheckVerification {
		t.Errorf("ops@ pending = %+v", got)
	}
	// The expected CNAMEs read through v1 are the same as through v2.
	out, _ := e.getIdentity("d000.acme.example")
	if diff := cmp.Diff(EasyDKIMRecords("d000.acme.example", out.DkimAttributes.Tokens), byName["d000.acme.example"].Pending[0].Expect); diff != "" {
		t.Errorf("expected records (-v2 +v1):\n%s", diff)
	}
}

func TestWaitRespectsCancellation(t *testing.T) {
	e := newEnv(t)
	e.apply(createOf(domain("acme.example", nil)))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := e.provider.Wait(ctx, []string{"acme.example"}, time.Minute, nil)
	if err == nil || errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("err = %v, want the cancellation", err)
	}
}

func TestV2Status(t *testing.T) {
	for in, want := range map[string]string{
		"Pending": "PENDING", "Success": "SUCCESS", "Failed": "FAILED",
		"TemporaryFailure": "TEMPORARY_FAILURE", "NotStarted": "NOT_STARTED", "": "",
	} {
		if got := v2Status(in); got != want {
			t.Errorf("v2Status(%q) = %q, want %q", in, got, want)
		}
	}
}

// SES looks for the records for 72 hours, then gives up: Wait stops at once
// and says so.
func TestWaitStopsWhenSESGivesUp(t *testing.T) {
	e := newEnv(t)
	e.apply(createOf(domain("acme.example", map[string]any{"mail_from_domain": "bounce.acme.example"})))
	e.clock.Advance(73 * time.Hour)
	results, err := e.provider.Wait(t.Context(), []string{"acme.example"}, time.Minute, nil)
	if !errors.Is(err, ErrVerificationFailed) {
		t.Fatalf("err = %v, want ErrVerificationFailed", err)
	}
	var statuses []string
	for _, p := range results[0].Pending {
		statuses = append(statuses, p.Check+" "+p.Status)
		if p.Status == "FAILED" && !strings.Contains(p.Explain, "stopped looking") {
			t.Errorf("explanation of %s: %q", p.Check, p.Explain)
		}
	}
	if diff := cmp.Diff([]string{"DKIM FAILED", "MAIL FROM FAILED"}, statuses); diff != "" {
		t.Errorf("pending checks (-want +got):\n%s", diff)
	}
}

func TestWaitZeroTimeoutReadsOnce(t *testing.T) {
	e := newEnv(t)
	e.apply(createOf(domain("acme.example", nil)))
	e.resetCounts()
	results, err := e.provider.Wait(t.Context(), []string{"acme.example"}, 0, nil)
	if !errors.Is(err, ErrWaitTimeout) {
		t.Fatalf("err = %v", err)
	}
	if diff := cmp.Diff(map[string]int{"GetEmailIdentity": 1}, e.sesCalls()); diff != "" {
		t.Errorf("SES calls (-want +got):\n%s", diff)
	}
	if len(results[0].Pending) != 1 || results[0].Pending[0].Check != CheckDKIM || results[0].Pending[0].Status != "PENDING" {
		t.Errorf("pending = %+v", results[0].Pending)
	}
}
