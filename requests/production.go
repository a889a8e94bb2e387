package requests

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers/ses"
	"github.com/mailform/mailform/specs"
)

// sesIdentity is one SES identity the spec declares.
type sesIdentity struct {
	addr      string // domain.<name> or email.<address>
	name      string
	domain    *specs.Domain // nil for an email address
	configSet string        // label of the spec's configuration set, or ""
}

func (w *world) identities() []sesIdentity {
	var out []sesIdentity
	for i, d := range w.spec.Domains {
		if d.SESIdentity {
			out = append(out, sesIdentity{addr: "domain." + d.Name, name: d.Name, domain: &w.spec.Domains[i], configSet: d.ConfigurationSet})
		}
	}
	for _, e := range w.spec.Emails {
		out = append(out, sesIdentity{addr: "email." + e.Address, name: e.Address, configSet: e.ConfigurationSet})
	}
	return out
}

// FeedbackTopics returns the ARNs of the SNS topics SES sends bounce or
// complaint feedback to for the spec's identities, as observed (identity
// notification topics and configuration-set event destinations), sorted.
// The command line counts their subscribers for Facts.Subscribers.
func FeedbackTopics(spec *specs.Spec, observed []plan.Observed) []string {
	w := newWorld(spec, Facts{Region: spec.Region, Observed: observed})
	seen := map[string]bool{}
	var out []string
	for _, id := range w.identities() {
		for _, kind := range []string{"bounce", "complaint"} {
			for _, r := range w.feedbackRoutes(id, kind) {
				if !seen[r.topic] {
					seen[r.topic] = true
					out = append(out, r.topic)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// route is one way feedback of a kind reaches a topic.
type route struct {
	via   string // "identity notifications" or "configuration set NAME"
	topic string
}

// feedbackRoutes lists where SES sends feedback of kind ("bounce",
// "complaint") of an identity: its v1 notification topic, and the enabled
// SNS event destinations of its configuration set that match the kind.
func (w *world) feedbackRoutes(id sesIdentity, kind string) []route {
	o, ok := w.find(specs.KindSESIdentity, id.addr)
	if !ok {
		return nil
	}
	var out []route
	if t := str(o, kind+"_topic"); t != "" {
		out = append(out, route{via: "identity notifications", topic: t})
	}
	if name := str(o, "configuration_set"); name != "" {
		if cs, ok := w.live.ConfigSet(name); ok {
			dests, _ := cs.Attrs["event_destinations"].(map[string]any)
			for _, dn := range specs.SortedKeys(dests) {
				d, _ := dests[dn].(map[string]any)
				if enabled, ok := d["enabled"].(bool); ok && !enabled {
					continue
				}
				t, _ := d["topic_arn"].(string)
				if t != "" && slices.Contains(plan.TextList(d["types"]), strings.ToUpper(kind)) {
					out = append(out, route{via: "configuration set " + name, topic: t})
				}
			}
		}
	}
	return out
}

var errNoProductionAccess = &MissingInputError{
	What:   "account.production_access block",
	Needed: "the production-access request needs the mail type, website and use case",
	Example: `  account {
    production_access {
      mail_type           = "TRANSACTIONAL"
      website_url         = "https://example.com"
      use_case            = file("use-case.txt")
      additional_contacts = ["ops@example.com"]
    }
  }`,
}

// ProductionAccess builds the SES production-access document: the review
// status AWS reports, a readiness checklist from live state, and the
// request fields from account.production_access. facts.Account must be set.
// A spec without production_access still gets its checklist; the request
// fields then say what to add.
func ProductionAccess(spec *specs.Spec, facts Facts) (*Document, error) {
	if facts.Account == nil {
		return nil, fmt.Errorf("the production-access document needs the SES account status of %s", spec.Region)
	}
	w := newWorld(spec, facts)
	acct := facts.Account
	doc := &Document{
		Title: "Amazon SES production access (" + w.region + ")",
		Intro: []string{
			"A new SES account is in the sandbox in each region: it sends only to verified addresses and the mailbox simulator, at most 200 messages a day. AWS moves it out on request, after a human review of the request fields below; the checklist shows what the reviewers look for, as it stands in AWS now.",
			"Send the request with: mailform requests production-access -submit",
		},
	}
	doc.Sections = append(doc.Sections, reviewSection(acct))
	doc.Sections = append(doc.Sections, Section{Heading: "Readiness checklist", Items: w.readiness()})
	doc.Sections = append(doc.Sections, requestSection(spec))
	return doc, nil
}

func reviewSection(acct *ses.AccountStatus) Section {
	s := Section{Heading: "Review status"}
	access := "no (sandbox)"
	if acct.ProductionAccess {
		access = "yes"
	}
	s.Fields = append(s.Fields, Field{Label: "Production access", Value: access})
	r := acct.Request
	switch {
	case r == nil || r.ReviewStatus == "":
		s.Fields = append(s.Fields, Field{Label: "Review", Value: "no request submitted"})
	default:
		s.Fields = append(s.Fields, Field{Label: "Review", Value: r.ReviewStatus}, Field{Label: "Case ID", Value: orNone(nonEmpty(r.CaseID), "-")})
	}
	switch {
	case r != nil && r.ReviewStatus == "PENDING":
		s.Notes = []string{"AWS is reviewing the request. It answers within about 24 hours; AWS accepts no new details until the review ends."}
	case r != nil && r.ReviewStatus == "DENIED":
		s.Notes = []string{"AWS denied the request. Read the reply in the AWS Support case, address it, and submit again."}
	case r != nil && r.ReviewStatus == "FAILED":
		s.Notes = []string{"The review could not be completed. Open the AWS Support case for details, then submit again."}
	}
	return s
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func requestSection(spec *specs.Spec) Section {
	s := Section{Heading: "Request fields"}
	if spec.Account == nil || spec.Account.ProductionAccess == nil {
		s.Text = []string{"The spec has no account.production_access block, so there is nothing to submit. Add one:"}
		s.Fields = []Field{{Label: "HCL", Value: errNoProductionAccess.Example, Block: true, Verbatim: true}}
		return s
	}
	p := spec.Account.ProductionAccess
	s.Text = []string{"From account.production_access; -submit sends them with PutAccountDetails."}
	s.Fields = []Field{
		{Label: "Mail type", Value: p.MailType},
		{Label: "Website URL", Value: p.WebsiteURL},
		{Label: "Contact language", Value: p.ContactLanguage},
		{Label: "Additional contacts", Value: orNone(p.AdditionalContacts, "(none)")},
		{Label: "Use case description", Value: strings.TrimSpace(p.UseCase), Block: true},
	}
	return s
}

// readiness is the production-access checklist.
func (w *world) readiness() []Item {
	var items []Item
	ids := w.identities()
	if len(ids) == 0 {
		items = append(items, Item{Subject: "spec", Check: "the spec declares an SES identity", Status: NotMet, Required: true,
			Found: "no domain with an SES identity and no email block", Expected: "a domain or email block",
			Hint: "production access is for sending through SES; declare the identities you send from"})
	}
	for _, id := range ids {
		items = append(items, w.verifiedItem(id))
		if id.domain != nil {
			items = append(items, w.dkimItem(id), w.mailFromItem(id), w.dmarcItem(id))
		}
		items = append(items, w.feedbackItem(id))
	}
	items = append(items, w.suppressionItem())
	if w.facts.Alarms != nil {
		items = append(items, w.alarmsItem())
	}
	items = append(items, w.testSendItem(), w.sendingItem())
	return items
}

// alarmsItem: reviewers ask how bounces and complaints are handled; alarms
// on the reputation metrics show that someone hears of a climbing rate
// before AWS does.
func (w *world) alarmsItem() Item {
	it := Item{Subject: "account", Check: "CloudWatch alarms tell someone when the bounce or complaint rate climbs", Required: false,
		Expected: "an alarm with an action on Reputation.BounceRate and on Reputation.ComplaintRate"}
	var found []string
	met := true
	for _, m := range []struct{ metric, what string }{{"Reputation.BounceRate", "bounce rate"}, {"Reputation.ComplaintRate", "complaint rate"}} {
		var names []string
		for _, a := range w.facts.Alarms[m.metric] {
			if a.Actions > 0 {
				names = append(names, fmt.Sprintf("%s (%s, at %s%%)", a.Name, a.State, strconv.FormatFloat(a.Threshold*100, 'f', -1, 64)))
			}
		}
		if len(names) == 0 {
			met = false
			names = []string{"no alarm"}
		}
		found = append(found, m.what+": "+strings.Join(names, ", "))
	}
	it.Found = strings.Join(found, "; ")
	if met {
		it.Status = Met
		return it
	}
	it.Status, it.Hint = NotMet, "add account { alarms { notify = [topic.alerts] } } to the spec and run mailform apply"
	return it
}

func (w *world) verifiedItem(id sesIdentity) Item {
	it := Item{Subject: id.addr, Check: "SES has verified the identity", Required: true, Expected: "SUCCESS"}
	o, ok := w.find(specs.KindSESIdentity, id.addr)
	if !ok {
		it.Status, it.Found, it.Hint = NotMet, "SES has no identity "+id.name, "run mailform apply"
		return it
	}
	status := str(o, "verification_status")
	it.Found = orNone(nonEmpty(status), "no status")
	switch status {
	case "SUCCESS":
		it.Status = Met
	case "PENDING", "TEMPORARY_FAILURE":
		it.Status = Pending
		if id.domain == nil {
			it.Hint = "SES mailed a link to " + id.name + "; the identity is verified once someone follows it"
		} else {
			it.Hint = "SES verifies the domain once it sees its DKIM records; mailform apply -wait says what DNS answers"
		}
	default:
		it.Status, it.Hint = NotMet, "run mailform apply to start verification again"
	}
	return it
}

func (w *world) dkimItem(id sesIdentity) Item {
	it := Item{Subject: id.addr, Check: "DKIM signing is on and verified", Required: true, Expected: "signing on, status SUCCESS"}
	if id.domain.DKIM.Mode == specs.DKIMOff {
		it.Status, it.Found, it.Hint = NotMet, "the spec sets dkim { mode = \"off\" }", "sign with Easy DKIM or BYODKIM: unsigned mail fails DMARC"
		return it
	}
	o, ok := w.find(specs.KindSESIdentity, id.addr)
	if !ok {
		it.Status, it.Found, it.Hint = NotMet, "SES has no identity "+id.name, "run mailform apply"
		return it
	}
	mode, status := str(o, "dkim_mode"), str(o, "dkim_status")
	signing := "signing on"
	if mode == specs.DKIMOff {
		signing = "signing off"
	}
	it.Found = signing + ", status " + orNone(nonEmpty(status), "none")
	switch {
	case mode == specs.DKIMOff:
		it.Status, it.Hint = NotMet, "run mailform apply: it turns signing on"
	case status == "SUCCESS":
		it.Status = Met
	case status == "PENDING" || status == "TEMPORARY_FAILURE":
		it.Status, it.Hint = Pending, "SES is looking for the DKIM records; mailform apply -wait says what DNS answers"
	default:
		it.Status, it.Hint = NotMet, "publish the DKIM records, then run mailform apply to restart verification"
	}
	return it
}

func (w *world) mailFromItem(id sesIdentity) Item {
	it := Item{Subject: id.addr, Check: "a custom MAIL FROM domain is set and verified", Required: false}
	mf := id.domain.MailFrom
	if mf == nil {
		it.Status, it.Found = NotMet, "no mail_from block: SES uses a subdomain of amazonses.com"
		it.Hint = "add mail_from { subdomain = \"bounce\" } so that SPF aligns with the From domain for DMARC"
		return it
	}
	it.Expected = mf.Domain + ", status SUCCESS"
	o, ok := w.find(specs.KindSESIdentity, id.addr)
	if !ok {
		it.Status, it.Found, it.Hint = NotMet, "SES has no identity "+id.name, "run mailform apply"
		return it
	}
	domain, status := str(o, "mail_from_domain"), str(o, "mail_from_status")
	it.Found = orNone(nonEmpty(domain), "no MAIL FROM domain")
	if domain != "" {
		it.Found += ", status " + orNone(nonEmpty(status), "none")
	}
	switch {
	case !strings.EqualFold(domain, mf.Domain):
		it.Status, it.Hint = NotMet, "run mailform apply"
	case status == "SUCCESS":
		it.Status = Met
	case status == "PENDING" || status == "TEMPORARY_FAILURE":
		it.Status, it.Hint = Pending, "SES is looking for the MX record of "+mf.Domain
	default:
		it.Status, it.Hint = NotMet, "publish the MX record of "+mf.Domain+", then run mailform apply to restart verification"
	}
	return it
}

func (w *world) dmarcItem(id sesIdentity) Item {
	name := specs.Fqdn("_dmarc." + id.name)
	it := Item{Subject: id.addr, Check: "a DMARC record is published at " + name, Required: false}
	if id.domain.DMARC == nil {
		it.Status, it.Found, it.Hint = NotMet, "no dmarc block", "add dmarc { policy = \"none\" } at least: mailbox providers and AWS reviewers look for it"
		return it
	}
	want, _ := w.desiredValues("domain." + id.name + "/dmarc")
	it.Expected = strings.Join(want, ", ")
	values, visible := w.record(name, "TXT")
	if !visible {
		it.Status, it.Found, it.Hint = Unknown, name+" is not in a zone block of the spec", "publish it at your DNS provider; mailform check verifies it"
		return it
	}
	it.Found = orNone(values, "no TXT record")
	it.Status = Met
	for _, v := range want {
		if !slices.Contains(values, v) {
			it.Status, it.Hint = NotMet, "run mailform apply"
		}
	}
	return it
}

func (w *world) feedbackItem(id sesIdentity) Item {
	it := Item{Subject: id.addr, Check: "bounces and complaints reach an SNS topic with a confirmed subscriber", Required: true,
		Expected: "bounce and complaint each routed to a topic with at least 1 confirmed subscription"}
	if _, ok := w.find(specs.KindSESIdentity, id.addr); !ok {
		it.Status, it.Found, it.Hint = NotMet, "SES has no identity "+id.name, "run mailform apply"
		return it
	}
	var found []string
	ok := true
	for _, kind := range []string{"bounce", "complaint"} {
		routes := w.feedbackRoutes(id, kind)
		if len(routes) == 0 {
			found = append(found, kind+": not routed to a topic")
			ok = false
			continue
		}
		best := 0
		var parts []string
		for _, r := range routes {
			s := w.facts.Subscribers[r.topic]
			if s.Confirmed > best {
				best = s.Confirmed
			}
			part := fmt.Sprintf("%s (%s, %d confirmed", topicName(r.topic), r.via, s.Confirmed)
			if s.Pending > 0 {
				part += fmt.Sprintf(", %d pending", s.Pending)
			}
			parts = append(parts, part+")")
		}
		found = append(found, kind+" -> "+strings.Join(parts, ", "))
		if best == 0 {
			ok = false
		}
	}
	it.Found = strings.Join(found, "; ")
	if ok {
		it.Status = Met
		return it
	}
	it.Status = NotMet
	it.Hint = "set notifications { bounce = topic.X, complaint = topic.X } or a configuration set with an event destination for BOUNCE and COMPLAINT, and subscribe something to the topic (topic { queue {} })"
	return it
}

// topicName is the last part of a topic ARN.
func topicName(arn string) string {
	if i := strings.LastIndex(arn, ":"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func (w *world) suppressionItem() Item {
	a := w.facts.Account
	it := Item{Subject: "account", Check: "the account-level suppression list covers bounces and complaints", Required: true,
		Expected: "BOUNCE, COMPLAINT", Found: orNone(a.SuppressedReasons, "no reasons")}
	if slices.Contains(a.SuppressedReasons, "BOUNCE") && slices.Contains(a.SuppressedReasons, "COMPLAINT") {
		it.Status = Met
		return it
	}
	it.Status, it.Hint = NotMet, "set account { suppression = [\"BOUNCE\", \"COMPLAINT\"] } and run mailform apply"
	return it
}

func (w *world) testSendItem() Item {
	a := w.facts.Account
	it := Item{Subject: "account", Check: "test mail was sent in the last 14 days (the mailbox simulator counts)", Required: false,
		Expected: "at least 1 send", Found: fmt.Sprintf("%d delivery attempts in the SES send statistics", a.SendsLast14Days)}
	if a.SendsLast14Days > 0 {
		it.Status = Met
		return it
	}
	it.Status, it.Hint = NotMet, "send to success@simulator.amazonses.com, bounce@... and complaint@... (mailform test-send) to prove that sending and feedback work"
	return it
}

func (w *world) sendingItem() Item {
	a := w.facts.Account
	it := Item{Subject: "account", Check: "sending is enabled and the account is in good standing", Required: true,
		Expected: "sending enabled, enforcement HEALTHY"}
	enabled := "sending paused"
	if a.SendingEnabled {
		enabled = "sending enabled"
	}
	quota := "unlimited"
	if a.Max24HourSend >= 0 {
		quota = number(a.Max24HourSend) + " per 24 hours"
	}
	it.Found = fmt.Sprintf("%s, enforcement %s; quota %s at %s per second, %s sent in the last 24 hours",
		enabled, orNone(nonEmpty(a.EnforcementStatus), "unknown"), quota, number(a.MaxSendRate), number(a.SentLast24Hours))
	if a.SendingEnabled && a.EnforcementStatus == "HEALTHY" {
		it.Status = Met
		return it
	}
	it.Status, it.Hint = NotMet, "AWS reviews no request while the account is paused or under review for its bounce or complaint rate; see the SES console's reputation page"
	return it
}

// number writes a quota without a needless fraction.
func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
