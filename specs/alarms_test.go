package specs

import (
	"testing"
)

// TestAlarmsExpansion: an alarms block makes one alarm per reputation
// metric with the threshold as the fraction CloudWatch compares; the topics
// it notifies let CloudWatch publish; and an account block holding only
// alarms leaves the account's suppression list alone.
func TestAlarmsExpansion(t *testing.T) {
	const head = "mailform {\n  stack = \"acme\"\n  region = \"us-west-2\"\n}\ntopic \"alerts\" {}\ntopic \"feedback\" {}\n"
	load := func(account string) map[string]Resource {
		t.Helper()
		spec, diags := Load(writeSpec(t, map[string]string{"main.hcl": head + account}), LoadOptions{})
		if len(diags) > 0 {
			t.Fatalf("diagnostics: %s", renderDiags(t, spec.Files(), diags))
		}
		out := map[string]Resource{}
		for _, r := range spec.Resources() {
			out[r.Addr] = r
		}
		return out
	}
	got := load("account {\n  alarms {\n    complaint_percent = 0.07\n    bounce_percent = 3.3\n    notify = [topic.alerts]\n  }\n}\n")
	if _, ok := got["account"]; ok {
		t.Error("an account block with only alarms manages the suppression list")
	}
	for addr, want := range map[string]string{"account/bounce_alarm": "0.033", "account/complaint_alarm": "0.0007"} {
		r, ok := got[addr]
		if !ok || r.Kind != KindAlarm || r.Attrs["threshold"] != want {
			t.Errorf("%s: %+v, want threshold %s", addr, r, want)
		}
		if len(r.DependsOn) != 1 || r.DependsOn[0] != "topic.alerts" {
			t.Errorf("%s depends on %v", addr, r.DependsOn)
		}
	}
	if got["topic.alerts"].Attrs["cloudwatch_publish"] != true {
		t.Error("the notified topic does not let CloudWatch publish")
	}
	if _, ok := got["topic.feedback"].Attrs["cloudwatch_publish"]; ok {
		t.Error("a topic no alarm notifies lets CloudWatch publish")
	}

	got = load("account {\n  suppression = []\n  alarms {\n    notify = [\"arn:aws:sns:us-west-2:123456789012:oncall\"]\n  }\n}\n")
	if _, ok := got["account"]; !ok {
		t.Error("suppression = [] beside alarms is not managed")
	}
	if a := got["account/bounce_alarm"].Attrs; a["threshold"] != "0.04" || a["period"] != int64(3600) {
		t.Errorf("defaults: %v", a)
	}
	if got := load("account {}\n"); len(got["account"].Attrs) == 0 {
		t.Error("an empty account block no longer manages the suppression list")
	}
}
