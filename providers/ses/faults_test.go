package ses

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// A run that fails half-way converges on the next run, without a second
// identity.
func TestRunStoppedHalfWayConverges(t *testing.T) {
	e := newEnv(t)
	topic := e.createTopic("acme-prod-feedback")
	want := domain("acme.example", map[string]any{
		"bounce_topic": topic, "complaint_topic": topic, "feedback_forwarding": false,
		"mail_from_domain": "bounce.acme.example", "mail_from_on_mx_failure": "USE_DEFAULT_VALUE",
	})
	if err := e.srv.SetFaults("ses:SetIdentityNotificationTopic=fail:InvalidParameterValue#2"); err != nil {
		t.Fatal(err)
	}
	res := e.applyResult(createOf(want))
	if res.Err == nil {
		t.Fatal("the injected failure was lost")
	}
	for _, s := range []string{"setting the complaint notification topic", "InvalidParameterValue"} {
		if !strings.Contains(res.Err.Error(), s) {
			t.Errorf("error %q does not say %q", res.Err, s)
		}
	}
	if res.Observed == nil || res.Observed.Attrs["bounce_topic"] != topic || res.Observed.Attrs["complaint_topic"] != nil {
		t.Errorf("the result does not show how far the change went: %+v", res.Observed)
	}
	if err := e.srv.SetFaults(""); err != nil {
		t.Fatal(err)
	}
	changes := e.replan(want)
	if len(changes) != 1 || changes[0].Action != "update" {
		t.Fatalf("second plan = %+v", changes)
	}
	e.apply(changes[0])
	e.requireNoChanges(want)
}

// CreateEmailIdentity carried out but its answer lost: the SDK retries, SES
// says the identity exists, and since it carries the stack's tag the
// provider takes it on.
func TestLostCreateAnswerTakesOnTheIdentity(t *testing.T) {
	e := newEnv(t)
	if err := e.srv.SetFaults("ses:CreateEmailIdentity=cut#1"); err != nil {
		t.Fatal(err)
	}
	want := domain("acme.example", nil)
	res := e.apply(createOf(want))
	if got := e.srv.InjectedFaults()["ses:CreateEmailIdentity=cut#1"]; got != 1 {
		t.Fatalf("fault injected %d times", got)
	}
	if !strings.Contains(res.Message, "earlier run") || len(toStrings(res.Observed.Attrs["dkim_tokens"])) != 3 {
		t.Errorf("result = %q %+v", res.Message, res.Observed)
	}
	list, err := e.v2.ListEmailIdentities(t.Context(), &sesv2.ListEmailIdentitiesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.EmailIdentities) != 1 {
		t.Errorf("%d identities", len(list.EmailIdentities))
	}
	e.requireNoChanges(want)
}

// A throttled read is retried by the SDK; the read still succeeds.
func TestThrottledReadIsRetried(t *testing.T) {
	e := newEnv(t)
	want := domain("acme.example", nil)
	e.apply(createOf(want))
	if err := e.srv.SetFaults("ses:GetIdentityDkimAttributes=throttle#1"); err != nil {
		t.Fatal(err)
	}
	e.requireNoChanges(want)
	if got := e.srv.InjectedFaults()["ses:GetIdentityDkimAttributes=throttle#1"]; got != 1 {
		t.Fatalf("fault injected %d times", got)
	}
}
