package requests

import (
	"sort"
	"strings"

	"github.com/mailform/mailform/check/status"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers/ses"
	"github.com/mailform/mailform/specs"
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

// world indexes the spec and the facts for the checks.
type world struct {
	spec     *specs.Spec
	facts    Facts
	observed map[string]plan.Observed  // kind + " " + address -> observed
	desired  map[string]specs.Resource // address -> desired, placeholders filled from observed
	records  map[string][]string       // "name TYPE" -> every value live (unquoted text for TXT)
	sets     map[string]plan.Observed  // configuration set name -> observed
	region   string
}

func newWorld(spec *specs.Spec, facts Facts) *world {
	w := &world{
		spec:     spec,
		facts:    facts,
		observed: map[string]plan.Observed{},
		desired:  map[string]specs.Resource{},
		records:  map[string][]string{},
		sets:     map[string]plan.Observed{},
		region:   facts.Region,
	}
	if w.region == "" {
		w.region = spec.Region
	}
	// Several live resources may share an address (an unowned twin): the
	// stack's own one is preferred, then the lowest ID, for a stable answer.
	obs := append([]plan.Observed(nil), facts.Observed...)
	sort.SliceStable(obs, func(i, j int) bool {
		oi, oj := obs[i].Owned(spec.Stack), obs[j].Owned(spec.Stack)
		if oi != oj {
			return oi
		}
		return obs[i].ID < obs[j].ID
	})
	for _, o := range obs {
		key := string(o.Kind) + " " + o.Addr
		if _, seen := w.observed[key]; !seen {
			w.observed[key] = o
		}
		switch o.Kind {
		case specs.KindRoute53Record:
			name, _ := o.Attrs["name"].(string)
			typ, _ := o.Attrs["type"].(string)
			k := specs.Fqdn(name) + " " + strings.ToUpper(typ)
			for _, attr := range []string{"values", "other_values"} {
				for _, v := range textList(o.Attrs[attr]) {
					if strings.EqualFold(typ, "TXT") {
						v = specs.UnquoteTXT(v)
					}
					if !contains(w.records[k], v) {
						w.records[k] = append(w.records[k], v)
					}
				}
			}
		case specs.KindSESConfigSet:
			if name, _ := o.Attrs["name"].(string); name != "" {
				if _, seen := w.sets[name]; !seen {
					w.sets[name] = o
				}
			}
		}
	}
	for k := range w.records {
		sort.Strings(w.records[k])
	}
	for _, r := range plan.Resolve(spec.Resources(), facts.Observed) {
		w.desired[r.Addr] = r
	}
	return w
}

// find returns the observed resource of kind at addr.
func (w *world) find(kind specs.Kind, addr string) (plan.Observed, bool) {
	o, ok := w.observed[string(kind)+" "+addr]
	return o, ok
}

// str returns a string attribute of an observed resource.
func str(o plan.Observed, attr string) string {
	s, _ := o.Attrs[attr].(string)
	return s
}

// record returns the live values of a record set (TXT values unquoted) and
// whether mailform can see it: false for a name whose DNS is not in a
// declared Route 53 zone ("DNS elsewhere").
func (w *world) record(name, typ string) (values []string, visible bool) {
	return w.records[specs.Fqdn(name)+" "+strings.ToUpper(typ)], w.inDeclaredZone(name)
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
	r, ok := w.desired[addr]
	if !ok {
		return nil, false
	}
	typ, _ := r.Attrs["type"].(string)
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

func textList(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, x...)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// orNone joins values for evidence, or says there are none.
func orNone(values []string, none string) string {
	if len(values) == 0 {
		return none
	}
	return strings.Join(values, ", ")
}
