package requests

import (
	"sort"
	"strings"

	"github.com/mailform/mailform/check/status"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers/ses"
	"github.com/mailform/mailform/specs"
	"github.com/mailform/mailform/specs/kinds"
)

// Facts are what the command line observed in AWS for one spec. The
// documents are built from the spec and these, and from nothing else.
type Facts struct {
	// Region is the region the facts were read in.
	Region string
	// Observed is what the providers' Read returned for the spec's resources.
	Observed []plan.Observed
	// Account is the SES account of Region. Only the production-access
	// document needs it; nil elsewhere.
	Account *ses.AccountStatus
	// Subscribers counts the subscriptions of each SNS topic (by ARN) that
	// SES sends bounce or complaint feedback to (see FeedbackTopics).
	Subscribers map[string]ses.Subscribers
	// Alarms lists, by SES reputation metric (Reputation.BounceRate,
	// Reputation.ComplaintRate), the CloudWatch alarms that watch it,
	// whoever made them. Nil when they were not read: the checklist then
	// leaves the alarms item out.
	Alarms map[string][]status.Alarm
}

// world is the spec and the facts, with live state indexed once
// (plan.Live), for the checks.
type world struct {
	spec   *specs.Spec
	facts  Facts
	live   *plan.Live
	region string
}

func newWorld(spec *specs.Spec, facts Facts) *world {
	w := &world{
		spec:   spec,
		facts:  facts,
		live:   plan.NewLive(spec.Stack, spec.Resources(), facts.Observed),
		region: facts.Region,
	}
	if w.region == "" {
		w.region = spec.Region
	}
	return w
}

// find returns the observed resource of kind at addr.
func (w *world) find(kind specs.Kind, addr string) (plan.Observed, bool) {
	return w.live.Find(kind, addr)
}

// str returns a string attribute of an observed resource.
func str(o plan.Observed, attr string) string {
	return kinds.StringOf(o.Kind, o.Attrs, attr)
}

// record returns the live values of a record set (TXT values unquoted) and
// whether mailform can see it: false for a name whose DNS is not in a
// declared Route 53 zone ("DNS elsewhere").
func (w *world) record(name, typ string) (values []string, visible bool) {
	return w.live.RecordValues(name, typ), w.inDeclaredZone(name)
}

// inDeclaredZone reports whether name falls in a zone block of the spec.
func (w *world) inDeclaredZone(name string) bool {
	n := strings.TrimSuffix(specs.Fqdn(name), ".")
	for _, z := range w.spec.Zones {
		zn := strings.TrimSuffix(specs.Fqdn(z.Name), ".")
		if n == zn || strings.HasSuffix(n, "."+zn) {
			return true
		}
	}
	return false
}

// desiredValues returns the values a desired record should have, as text
// (TXT unquoted), and whether all of them are known now.
func (w *world) desiredValues(addr string) (values []string, known bool) {
	r, ok := w.live.Desired(addr)
	if !ok {
		return nil, false
	}
	typ := kinds.StringOf(r.Kind, r.Attrs, "type")
	list, _ := r.Attrs["values"].([]any)
	known = true
	for _, v := range list {
		s, isText := v.(string)
		if !isText {
			known = false
			continue
		}
		if strings.EqualFold(typ, "TXT") {
			s = specs.UnquoteTXT(s)
		}
		values = append(values, s)
	}
	sort.Strings(values)
	return values, known && len(values) > 0
}

// orNone joins values for evidence, or says there are none.
func orNone(values []string, none string) string {
	if len(values) == 0 {
		return none
	}
	return strings.Join(values, ", ")
}
