package check

import (
	"fmt"
	"strings"

	"github.com/mailform/mailform/check/status"
)

// reputationAlarms warns when the account sends through SES and no
// CloudWatch alarm, whoever made it, watches its bounce or complaint rate:
// nobody would be told before AWS reviews or pauses the account.
func (c *checker) reputationAlarms() {
	if c.opts.Alarms == nil || len(c.t.Identities) == 0 {
		return
	}
	alarms, err := status.ReputationAlarms(c.ctx, c.opts.Alarms)
	if err != nil {
		c.add(Result{Group: "SES", Check: "reputation alarm", Status: Warn, Message: "could not list the CloudWatch alarms: " + err.Error()})
		return
	}
	for _, m := range []struct{ metric, what string }{{status.BounceRateMetric, "bounce"}, {status.ComplaintRateMetric, "complaint"}} {
		r := Result{Group: "SES", Check: "reputation alarm", Name: m.metric}
		list := alarms[m.metric]
		var names []string
		for _, a := range list {
			if a.Actions > 0 {
				names = append(names, fmt.Sprintf("%s (%s)", a.Name, a.State))
			}
		}
		if len(names) == 0 {
			r.Status = Warn
			r.Message = fmt.Sprintf("no CloudWatch alarm that notifies anyone watches the account's %s rate: add account { alarms { notify = [topic.alerts] } } to the spec", m.what)
		} else {
			r.Status = OK
			r.Message = "watched by " + strings.Join(names, ", ")
		}
		c.add(r)
	}
}
