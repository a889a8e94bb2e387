package importer

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// mapper holds what the reads found, as blocks to write.
type mapper struct {
	opts       Options
	zones      []string    // public hosted zones, fully qualified
	setNames   []string    // every configuration set of the region
	recordSets []RecordSet // the record sets of the imported domains' zones

	domains []*domainSpec
	emails  []*emailSpec
	sets    []*setSpec
	topics  map[string]*topicSpec // by ARN
	mtas    []*mtaSpec
	smtp    []*smtpSpec
	account *accountSpec
	notes   []Note
	known   []plan.Observed // what the reads found, but record sets
	// alarmPair: both of the stack's reputation alarms exist, unmarked or
	// the stack's, and are read to be written as an alarms block.
	alarmPair bool
}

type domainSpec struct {
	name string // lower case, no trailing dot
	zone string // its hosted zone, fully qualified, or ""
	// noIdentity: a domain named by -domain that has no SES identity but a
	// hosted zone (its mail goes through the user's own servers): written
	// with ses_identity = false, its SPF and DMARC only.
	noIdentity bool

	dkimMode   string // easy, byo, off
	keyLength  int64
	selector   string
	privateKey string // BYODKIM secret location, when SES's tag names one
	tokens     []string

	setName    string // AWS name of the default configuration set
	mailFrom   string // full MAIL FROM domain
	onMX       string // USE_DEFAULT_VALUE or REJECT_MESSAGE
	topics     map[string]string
	forwarding bool

	spf        string   // the apex SPF text, unquoted
	apexTXT    []string // every value of the apex TXT set, as Route 53 has them
	apexTTL    int64
	spfRaw     bool // write the apex TXT set as a record block
	dmarc      []string
	dmarcTTL   int64
	dmarcRaw   bool
	dmarcFound bool
	// dkimKeys are the TXT records <selector>._domainkey.<domain> of the
	// user's own DKIM signers, written as record blocks.
	dkimKeys []dkimRecord
}

// dkimRecord is the public key record of a DKIM signer mailform did not
// make.
type dkimRecord struct {
	name   string // <selector>._domainkey.<domain>, no trailing dot
	ttl    int64
	values []string
}

func (k dkimRecord) addr() string { return "record." + k.name + ".TXT" }

type emailSpec struct {
	address string
	setName string
}

type setSpec struct {
	name, label  string
	suppression  []string
	override     bool
	reputation   bool
	tls          string
	destinations map[string]destSpec
}

type destSpec struct {
	types    []string
	topicARN string
	enabled  bool
}

type topicSpec struct {
	arn, name, label string
	found            bool
	queue            *int64 // retention days, when the stack's queue exists
}

// smtpSpec is an smtp_user block adopting an IAM user.
type smtpSpec struct {
	label string
	user  SMTPUser
	from  []string // allowed_from
}

// mtaSpec is an mta block adopting an Elastic IP.
type mtaSpec struct {
	label, hostname string
	eip             ElasticIP
	instanceID      string // the instance it is associated with, or ""
	interfaceID     string // the network interface, when not an instance's
	ttl             int64  // the TTL of its A record, when the read found one
	// noPTR: the address has no reverse DNS; hostname is the name of the A
	// record that points at it, and the block is written reverse_dns = false.
	noPTR bool
}

type accountSpec struct {
	suppression []string
	alarms      *alarmsSpec // the stack's pair of reputation alarms, when they map exactly
}

// alarmsSpec is an alarms block: the thresholds in percent, as the spec
// writes them, by key of specs.ReputationAlarms.
type alarmsSpec struct {
	percent           map[string]string
	periodMinutes     int64
	evaluationPeriods int64
	notify            []string // SNS topic ARNs, written as they are
}

// note records something not imported as found, once (the spec may be
// written twice).
func (m *mapper) note(addr, thing, format string, args ...any) {
	n := Note{Addr: addr, Thing: thing, Reason: fmt.Sprintf(format, args...)}
	if !slices.Contains(m.notes, n) {
		m.notes = append(m.notes, n)
	}
}

// selectIdentities keeps the identities -domain and -all ask for.
// leaveOthers returns names less the identities the tag index shows with
// another stack's mark, noting each: they are never imported, and reading
// them one by one would cost an SES call each (1 a second) in an account
// where other stacks own most identities. The index may lag: an identity
// marked moments ago is still read, and left out then by its own tags.
func (m *mapper) leaveOthers(names []string, owners map[string]string) []string {
	var out []string
	for _, n := range names {
		stack := owners[strings.ToLower(n)]
		if stack == "" || stack == m.opts.Stack {
			out = append(out, n)
			continue
		}
		lower := strings.ToLower(n)
		domain := lower
		if at := strings.LastIndex(lower, "@"); at >= 0 {
			domain = lower[at+1:]
		}
		if m.opts.All || slices.Contains(m.opts.Domain, domain) || slices.Contains(m.opts.Domain, lower) {
			addr, thing := "domain."+lower, "SES identity "+n
			if domain != lower {
				addr = "email." + lower
			}
			m.note(addr, thing, "belongs to stack %s (its mailform:stack mark, as the tag index shows it); mailform never adopts another stack's resources, so it is left out", stack)
		}
	}
	return out
}

func (m *mapper) selectIdentities(names []string) {
	want := map[string]bool{}
	for _, d := range m.opts.Domain {
		want[strings.TrimSuffix(strings.ToLower(d), ".")] = true
	}
	found := map[string]bool{}
	for _, n := range names {
		lower := strings.ToLower(n)
		if at := strings.LastIndex(lower, "@"); at >= 0 {
			if m.opts.All || want[lower[at+1:]] {
				m.emails = append(m.emails, &emailSpec{address: n})
			}
			continue
		}
		if m.opts.All || want[lower] {
			found[lower] = true
			m.domains = append(m.domains, &domainSpec{name: lower, zone: zoneOf(lower, m.zones)})
		}
	}
	for _, d := range slices.Sorted(mapsKeys(want)) {
		if found[d] {
			continue
		}
		if z := zoneOf(d, m.zones); z != "" && m.opts.DNSOnly {
			m.domains = append(m.domains, &domainSpec{name: d, zone: z, noIdentity: true, forwarding: true})
			m.note("domain."+d, "domain "+d, "has no SES identity in %s: written with ses_identity = false, its SPF and DMARC records only", m.opts.Region)
			continue
		}
		if zoneOf(d, m.zones) != "" {
			m.note("domain."+d, "domain "+d, "has no SES identity in %s; nothing of it was imported. If it sends from your own servers, not SES, give -dns-only to import its SPF and DMARC with ses_identity = false", m.opts.Region)
			continue
		}
		m.note("domain."+d, "domain "+d, "has no SES identity in %s and no hosted zone in the account; nothing of it was imported", m.opts.Region)
	}
	sort.Slice(m.domains, func(i, j int) bool { return m.domains[i].name < m.domains[j].name })
	sort.Slice(m.emails, func(i, j int) bool { return m.emails[i].address < m.emails[j].address })
}

// zoneOf is the zone with the longest suffix match of name, or "".
func zoneOf(name string, zones []string) string {
	fq := specs.Fqdn(name)
	best := ""
	for _, z := range zones {
		if (fq == z || strings.HasSuffix(fq, "."+z)) && len(z) > len(best) {
			best = z
		}
	}
	return best
}

func (m *mapper) identityProbe() []specs.Resource {
	var out []specs.Resource
	for _, d := range m.domains {
		if d.noIdentity {
			continue
		}
		out = append(out, specs.Resource{Addr: "domain." + d.name, Kind: specs.KindSESIdentity, Attrs: map[string]any{"identity": d.name, "type": "DOMAIN"}})
	}
	for _, e := range m.emails {
		out = append(out, specs.Resource{Addr: "email." + e.address, Kind: specs.KindSESIdentity, Attrs: map[string]any{"identity": e.address, "type": "EMAIL_ADDRESS"}})
	}
	return append(out, specs.Resource{Addr: "account", Kind: specs.KindSESAccount, Attrs: map[string]any{}})
}

// foreign reports (and notes) a resource another stack owns.
func (m *mapper) foreign(o plan.Observed, addr, thing string) bool {
	if o.Owner == "" || o.Owner == m.opts.Stack {
		return false
	}
	m.note(addr, thing, "belongs to stack %s (its mailform:stack mark); mailform never adopts another stack's resources, so it is left out", o.Owner)
	return true
}

func (m *mapper) mapIdentities(obs []plan.Observed) {
	byName := map[string]plan.Observed{}
	for _, o := range obs {
		switch o.Kind {
		case specs.KindSESIdentity:
			byName[strings.ToLower(str(o.Attrs["identity"]))] = o
		case specs.KindSESAccount:
			m.account = &accountSpec{suppression: strs(o.Attrs["suppression"])}
		}
	}
	var domains []*domainSpec
	for _, d := range m.domains {
		if d.noIdentity {
			domains = append(domains, d)
			continue
		}
		o, ok := byName[d.name]
		if !ok || m.foreign(o, "domain."+d.name, "SES identity "+d.name) {
			continue
		}
		a := o.Attrs
		d.dkimMode = str(a["dkim_mode"])
		d.keyLength = num(a["dkim_key_length"])
		d.selector = str(a["dkim_selector"])
		d.privateKey = str(a["dkim_private_key"])
		d.tokens = strs(a["dkim_tokens"])
		d.setName = str(a["configuration_set"])
		d.mailFrom = strings.ToLower(str(a["mail_from_domain"]))
		d.onMX = str(a["mail_from_on_mx_failure"])
		d.forwarding = a["feedback_forwarding"] != false
		d.topics = map[string]string{}
		for _, t := range []string{"bounce", "complaint", "delivery"} {
			if arn := str(a[t+"_topic"]); arn != "" {
				d.topics[t] = arn
				m.topic(arn)
			}
		}
		if d.dkimMode == "byo" && d.privateKey == "" {
			// Written without its dkim block, the domain would be adopted
			// into Easy DKIM: new keys, new records. Left out instead.
			m.note("domain."+d.name, "BYODKIM key of "+d.name, "SES signs with a key you brought (selector %q), and mailform cannot read a private key SES holds, so the domain is left out. Declare it by hand with dkim { mode = \"byo\", selector = %q, private_key = \"ssm:/...\" } naming where you keep the key, and adopt it with -adopt domain.%s", d.selector, d.selector, d.name)
			continue
		}
		domains = append(domains, d)
	}
	m.domains = domains
	var emails []*emailSpec
	for _, e := range m.emails {
		o, ok := byName[strings.ToLower(e.address)]
		if !ok || m.foreign(o, "email."+e.address, "SES identity "+e.address) {
			continue
		}
		e.setName = str(o.Attrs["configuration_set"])
		emails = append(emails, e)
	}
	m.emails = emails
}

// topic records a topic a resource uses.
func (m *mapper) topic(arn string) *topicSpec {
	if t, ok := m.topics[arn]; ok {
		return t
	}
	name := arn[strings.LastIndex(arn, ":")+1:]
	t := &topicSpec{arn: arn, name: name, label: m.label(name)}
	parts := strings.Split(arn, ":")
	if len(parts) == 6 && parts[3] != m.opts.Region {
		t.label = ""
		m.note("", "SNS topic "+arn, "is in region %s, not %s; a spec declares topics of its own region only, so what uses it is written without it", parts[3], m.opts.Region)
	} else if t.label == "" {
		m.note("", "SNS topic "+name, "is not named %s-<label> as the topics of stack %s are, so the spec cannot declare it; what uses it is written without it (adopting would detach it). Rename is not possible in SNS: create the topic %s-<label> and move subscribers, or import with -stack matching its prefix", m.opts.Stack, m.opts.Stack, m.opts.Stack)
	}
	m.topics[arn] = t
	return t
}

func (m *mapper) setProbe() []specs.Resource {
	want := map[string]bool{}
	for _, d := range m.domains {
		if d.setName != "" {
			want[d.setName] = true
		}
	}
	for _, e := range m.emails {
		if e.setName != "" {
			want[e.setName] = true
		}
	}
	if m.opts.All {
		for _, n := range m.setNames {
			want[n] = true
		}
	}
	var out []specs.Resource
	for _, n := range slices.Sorted(mapsKeys(want)) {
		l := m.label(n)
		if l == "" {
			m.note("", "SES configuration set "+n, "is not named %s-<label> as the configuration sets of stack %s are, so the spec cannot declare it; identities that use it are written without it (adopting them would detach it)", m.opts.Stack, m.opts.Stack)
			continue
		}
		m.sets = append(m.sets, &setSpec{name: n, label: l})
		out = append(out, specs.Resource{Addr: "configuration_set." + l, Kind: specs.KindSESConfigSet, Attrs: map[string]any{"name": n}})
	}
	return out
}

func (m *mapper) mapSets(obs []plan.Observed) {
	byName := map[string]plan.Observed{}
	for _, o := range obs {
		if o.Kind == specs.KindSESConfigSet {
			byName[o.ID] = o
		}
	}
	var kept []*setSpec
	for _, s := range m.sets {
		o, ok := byName[s.name]
		if !ok || m.foreign(o, "configuration_set."+s.label, "SES configuration set "+s.name) {
			continue
		}
		a := o.Attrs
		s.suppression = strs(a["suppression"])
		s.override = a["suppression_override"] == true
		s.reputation = a["reputation_metrics"] == true
		s.tls = str(a["tls_policy"])
		s.destinations = map[string]destSpec{}
		if dests, ok := a["event_destinations"].(map[string]any); ok {
			for name, v := range dests {
				dm, _ := v.(map[string]any)
				d := destSpec{types: strs(dm["types"]), topicARN: str(dm["topic_arn"]), enabled: dm["enabled"] != false}
				if d.topicARN == "" {
					m.note("configuration_set."+s.label, "event destination "+name+" of "+s.name, "does not publish to SNS (CloudWatch, Firehose, EventBridge or Pinpoint); mailform declares SNS destinations only, so adopting the set would remove it")
					continue
				}
				m.topic(d.topicARN)
				s.destinations[name] = d
			}
		}
		kept = append(kept, s)
	}
	m.sets = kept
}

func (m *mapper) topicProbe() []specs.Resource {
	var out []specs.Resource
	for _, arn := range slices.Sorted(mapsKeys(m.topics)) {
		t := m.topics[arn]
		if t.label == "" {
			continue
		}
		out = append(out,
			specs.Resource{Addr: "topic." + t.label, Kind: specs.KindSNSTopic, Attrs: map[string]any{"name": t.name}},
			specs.Resource{Addr: "topic." + t.label + "/queue", Kind: specs.KindSQSQueue, Attrs: map[string]any{"name": t.name + "-feedback", "topic_arn": t.arn}})
	}
	return out
}

func (m *mapper) mapTopics(obs []plan.Observed) {
	byAddr := map[string]plan.Observed{}
	for _, o := range obs {
		byAddr[o.Addr] = o
	}
	for _, t := range m.topics {
		if t.label == "" {
			continue
		}
		addr := "topic." + t.label
		o, ok := byAddr[addr]
		if !ok || m.foreign(o, addr, "SNS topic "+t.name) {
			t.label = ""
			continue
		}
		if str(o.Attrs["arn"]) != "" && str(o.Attrs["arn"]) != t.arn {
			m.note(addr, "SNS topic "+t.name, "the topic in use is %s, and %s is another; left out", t.arn, str(o.Attrs["arn"]))
			t.label = ""
			continue
		}
		t.found = true
		if q, ok := byAddr[addr+"/queue"]; ok && !m.foreign(q, addr+"/queue", "SQS queue "+t.name+"-feedback") {
			if str(q.Attrs["topic_arn"]) == t.arn {
				days := num(q.Attrs["retention_days"])
				t.queue = &days
			} else {
				m.note(addr+"/queue", "SQS queue "+t.name+"-feedback", "is not subscribed to topic %s as a topic's queue block is; left out", t.name)
			}
		}
	}
}

func (m *mapper) recordProbe() []specs.Resource {
	var out []specs.Resource
	rec := func(addr, zone, name, typ string, shared bool) {
		out = append(out, specs.Resource{Addr: addr, Kind: specs.KindRoute53Record, Attrs: map[string]any{
			"zone": zone, "name": name, "type": typ, "ttl": int64(specs.DefaultTTL), "shared": shared,
		}})
	}
	for _, d := range m.domains {
		if d.zone == "" {
			m.note("domain."+d.name, "DNS of "+d.name, "no public hosted zone of the account holds it; plan lists its records for you to publish where its DNS is")
			continue
		}
		addr := "domain." + d.name
		rec(addr+"/dmarc", d.zone, "_dmarc."+d.name+".", "TXT", false)
		rec(addr+"/spf", d.zone, d.name+".", "TXT", true)
		for _, k := range d.dkimKeys {
			rec(k.addr(), d.zone, k.name+".", "TXT", false)
		}
	}
	for _, t := range m.mtas {
		if z := zoneOf(t.hostname, m.zones); z != "" {
			rec("mta."+t.label+"/a", z, specs.Fqdn(t.hostname), "A", false)
		}
	}
	return out
}

func (m *mapper) mapRecords(obs []plan.Observed) {
	byAddr := observedByAddr(obs, specs.KindRoute53Record)
	m.mapMTARecords(byAddr)
	for _, d := range m.domains {
		var kept []dkimRecord
		for _, k := range d.dkimKeys {
			if o, ok := byAddr[k.addr()]; ok && m.foreign(o, k.addr(), "DKIM key record "+k.name) {
				continue
			}
			m.note(k.addr(), "DKIM key record "+k.name, "is the public key of a DKIM signer of yours, written as a record block: mailform cannot read the private key your signer holds, so it declares no dkim_key block, which would make a new key pair. Declare one (with a new selector) when mailform should make and keep your signer's key")
			kept = append(kept, k)
		}
		d.dkimKeys = kept
	}
	for _, d := range m.domains {
		addr := "domain." + d.name
		if o, ok := byAddr[addr+"/dmarc"]; ok && !m.foreign(o, addr+"/dmarc", "DMARC record of "+d.name) {
			if routed(o) {
				m.note(addr+"/dmarc", "DMARC record of "+d.name, "is an alias or has a routing policy, which mailform does not manage; left out")
			} else {
				d.dmarcFound, d.dmarc, d.dmarcTTL = true, strs(o.Attrs["values"]), num(o.Attrs["ttl"])
			}
		}
		if o, ok := byAddr[addr+"/spf"]; ok {
			if routed(o) {
				m.note(addr+"/spf", "apex TXT records of "+d.name, "are an alias or have a routing policy, which mailform does not manage; left out")
				continue
			}
			all := append(strs(o.Attrs["values"]), strs(o.Attrs["other_values"])...)
			sort.Strings(all)
			d.apexTXT, d.apexTTL = all, num(o.Attrs["ttl"])
			var spfs []string
			for _, v := range all {
				if t := specs.UnquoteTXT(v); strings.HasPrefix(strings.ToLower(t), "v=spf1") {
					spfs = append(spfs, t)
				}
			}
			switch len(spfs) {
			case 0:
			case 1:
				d.spf = spfs[0]
			default:
				m.note(addr+"/spf", "SPF of "+d.name, "the apex holds %d SPF values, and receivers treat that as a permanent error (RFC 7208 4.5); the spec leaves SPF out until one is removed", len(spfs))
			}
		}
	}
}

// mapMTARecords keeps the TTL of each MTA's A record, which the mta
// block's ttl writes.
func (m *mapper) mapMTARecords(byAddr map[string]plan.Observed) {
	for _, t := range m.mtas {
		if o, ok := byAddr["mta."+t.label+"/a"]; ok && !routed(o) {
			t.ttl = num(o.Attrs["ttl"])
		}
	}
}

// keepSendingMTAs leaves out the mta blocks of addresses without reverse
// DNS that no SPF value of an imported domain names: an A record alone (a
// web server's) does not make an address an MTA's.
func (m *mapper) keepSendingMTAs() {
	named := map[string]bool{}
	for _, d := range m.domains {
		if spf, ok := parseSPF(d.spf); ok {
			for _, ip := range spf.ip4 {
				named[ip] = true
			}
		}
	}
	m.mtas = slices.DeleteFunc(m.mtas, func(t *mtaSpec) bool {
		if !t.noPTR || named[t.eip.PublicIP] {
			return false
		}
		m.note("", "Elastic IP "+t.eip.PublicIP+" ("+t.eip.AllocationID+")", "has no reverse DNS, and no SPF value of an imported domain names it, so the A record %s that points at it does not make it an MTA's address; left out. If it sends mail, declare mta %q { hostname = %q, reverse_dns = false, allocation_id = %q } by hand and adopt it with -adopt mta.%s", t.hostname, t.label, t.hostname, t.eip.AllocationID, t.label)
		return true
	})
}

func routed(o plan.Observed) bool { return str(o.Attrs["routing"]) != "" }

// fallBack switches the DMARC and SPF of the domains whose blocks would
// change the live value to record blocks that write it exactly, and reports
// whether it switched any.
func (m *mapper) fallBack(p *plan.Plan) bool {
	changed := false
	for _, c := range p.Changes {
		if c.Adopt && len(c.Diffs) == 0 {
			continue
		}
		if c.Kind == specs.KindSMTPUser {
			if i := slices.IndexFunc(m.smtp, func(u *smtpSpec) bool { return "smtp_user."+u.label == c.Addr }); i >= 0 {
				u := m.smtp[i]
				m.smtp, changed = slices.Delete(m.smtp, i, i+1), true
				m.note(c.Addr, "IAM user "+u.user.Name, "is left out: adopting it as an smtp_user would %s it (%s)%s", c.Action, diffNames(c), smtpHint(c))
			}
			continue
		}
		if c.Kind == specs.KindAlarm && m.account != nil && m.account.alarms != nil {
			m.account.alarms, changed = nil, true
			m.note("account", "CloudWatch alarms "+m.alarmName("bounce")+" and "+m.alarmName("complaint"), "are left out: an alarms block would %s %s (%s), since mailform writes its alarms with its own description, statistic Average, comparison GreaterThanOrEqualToThreshold and missing data ignored; declare the block by hand to have mailform rewrite them", c.Action, c.Addr, diffNames(c))
			continue
		}
		for _, d := range m.domains {
			switch c.Addr {
			case "domain." + d.name + "/dmarc":
				if d.dmarcFound && !d.dmarcRaw {
					d.dmarcRaw, changed = true, true
					m.note(c.Addr, "DMARC record of "+d.name, "a dmarc block would %s it (%s), so the spec declares it as a record block, which keeps its value exactly", c.Action, diffNames(c))
				}
			case "domain." + d.name + "/spf":
				if d.spf != "" && !d.spfRaw {
					d.spfRaw, changed = true, true
					m.note(c.Addr, "SPF value of "+d.name, "a spf block would %s it (%s), so the spec declares the whole apex TXT set as a record block, which keeps its values exactly and makes every value in it the stack's to manage", c.Action, diffNames(c))
				}
			}
		}
	}
	return changed
}

// smtpHint says what a change of an adopted SMTP user's password means.
func smtpHint(c plan.Change) string {
	for _, d := range c.Diffs {
		if d.Name == "password" {
			return ": mailform keeps an adopted user's access key only when it has exactly one, active, so it would issue a new key and password, and the one in use would stop working. Declare the block by hand when your applications can take the new password from the credentials location"
		}
	}
	return ""
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int32:
		return int64(n)
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}

func strs(v any) []string {
	var out []string
	switch l := v.(type) {
	case []string:
		out = append(out, l...)
	case []any:
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func diffNames(c plan.Change) string {
	if len(c.Diffs) == 0 {
		return "no attribute differs"
	}
	var names []string
	for _, d := range c.Diffs {
		names = append(names, d.Name)
	}
	return strings.Join(names, ", ")
}

// smtpUsers selects the SMTP users (IAM users whose inline policy allows
// ses:SendRawEmail) of the domains imported (every one with -all), not
// another stack's, as smtp_user blocks: user_name, path, and allowed_from
// from the policy's ses:FromAddress condition. Adopting one keeps its access
// key, whose password mailform cannot know (providers/iam, kept key); the
// check of the written spec leaves out a user whose policy the block cannot
// write exactly, or whose keys adopting would change.
func (m *mapper) smtpUsers(users []SMTPUser) {
	slices.SortFunc(users, func(a, b SMTPUser) int { return strings.Compare(a.Name, b.Name) })
	labels := map[string]bool{}
	for _, u := range users {
		if u.Owner == m.opts.Stack {
			continue
		}
		mentioned := m.opts.All
		for _, d := range m.opts.Domain {
			mentioned = mentioned || strings.Contains(strings.ToLower(u.Policy), strings.ToLower(strings.TrimSuffix(d, ".")))
		}
		if !mentioned {
			continue
		}
		thing := "IAM user " + u.Name
		if u.Owner != "" {
			m.note("", thing, "belongs to stack %s (its mailform:stack mark); left out", u.Owner)
			continue
		}
		if len(u.Policies) != 1 {
			m.note("", thing, "sends with SES under %d inline policies, and an smtp_user has one; left out. Merge them into one, then import again", len(u.Policies))
			continue
		}
		from, ok := allowedFrom(u.Policies[0])
		if !ok {
			m.note("", thing, "sends with SES under a policy an smtp_user cannot write (allowed_from limits ses:FromAddress only); left out")
			continue
		}
		base, _ := strings.CutPrefix(u.Name, m.opts.Stack+"-smtp-")
		label := identifier(base, "smtp_", labels)
		labels[label] = true
		m.smtp = append(m.smtp, &smtpSpec{label: label, user: u, from: from})
	}
}

// allowedFrom reads the ses:FromAddress values a sending policy limits
// ses:SendRawEmail to (none: any sender), or false when its statements say
// something else.
func allowedFrom(doc string) ([]string, bool) {
	var d struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &d) != nil {
		return nil, false
	}
	var stmts []map[string]any
	if json.Unmarshal(d.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(d.Statement, &one) != nil {
			return nil, false
		}
		stmts = []map[string]any{one}
	}
	if len(stmts) != 1 {
		return nil, false
	}
	cond, _ := stmts[0]["Condition"].(map[string]any)
	if len(cond) == 0 {
		return nil, true
	}
	like, _ := cond["StringLike"].(map[string]any)
	if len(cond) != 1 || len(like) != 1 {
		return nil, false
	}
	var out []string
	switch v := like["ses:FromAddress"].(type) {
	case string:
		out = []string{v}
	case []any:
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
	default:
		return nil, false
	}
	sort.Strings(out)
	return out, true
}

// identifier is name as a block label: lower case, other characters than
// letters, digits and _ as _, prefix before one that starts with a digit,
// unique among taken.
func identifier(name, prefix string, taken map[string]bool) string {
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, strings.ToLower(name))
	if id == "" || id[0] >= '0' && id[0] <= '9' {
		id = prefix + id
	}
	label := id
	for i := 2; taken[label]; i++ {
		label = fmt.Sprintf("%s_%d", id, i)
	}
	return label
}

// smtpCredentials is the credentials location of an smtp_user block.
func (m *mapper) smtpCredentials(label string) string {
	prefix := m.opts.SMTPCredentials
	if prefix == "" {
		prefix = "ssm:/" + m.opts.Stack + "/smtp/"
	}
	return prefix + label
}

// smtpProbe is the smtp_user of each user selected, for the IAM provider to
// read as one to adopt.
func (m *mapper) smtpProbe() []specs.Resource {
	var out []specs.Resource
	for _, u := range m.smtp {
		out = append(out, specs.Resource{Addr: "smtp_user." + u.label, Kind: specs.KindSMTPUser, Attrs: map[string]any{
			"user_name": u.user.Name, "credentials": m.smtpCredentials(u.label), "region": m.opts.Region,
		}})
	}
	return out
}

// mapSMTPUsers keeps the users the read found, not another stack's.
func (m *mapper) mapSMTPUsers(obs []plan.Observed) {
	byAddr := observedByAddr(obs, specs.KindSMTPUser)
	var kept []*smtpSpec
	for _, u := range m.smtp {
		addr := "smtp_user." + u.label
		o, ok := byAddr[addr]
		if !ok {
			m.note(addr, "IAM user "+u.user.Name, "was not found when read again; left out")
			continue
		}
		if m.foreign(o, addr, "IAM user "+u.user.Name) {
			continue
		}
		kept = append(kept, u)
	}
	m.smtp = kept
}

// elasticIPs selects the Elastic IPs whose reverse DNS names a host of an
// imported domain (every one with -all), not another stack's, as mta blocks
// that name the address to adopt (allocation_id): its reverse-DNS name is
// the MTA's hostname. An address without reverse DNS is named by the one A
// record of an imported domain's zone that points at it (names, by address)
// and written with reverse_dns = false; with none, or several, it is
// reported.
func (m *mapper) elasticIPs(eips []ElasticIP, names map[string][]string) {
	slices.SortFunc(eips, func(a, b ElasticIP) int { return strings.Compare(a.PTR+a.AllocationID, b.PTR+b.AllocationID) })
	labels := map[string]bool{}
	for _, a := range eips {
		if a.Owner == m.opts.Stack {
			continue
		}
		what := "Elastic IP " + a.PublicIP + " (" + a.AllocationID + ")"
		host := strings.TrimSuffix(a.PTR, ".")
		if a.PTR == "" {
			var hosts []string
			for _, n := range names[a.PublicIP] {
				if m.importedHost(n) {
					hosts = append(hosts, strings.TrimSuffix(n, "."))
				}
			}
			if len(hosts) == 0 && !m.opts.All {
				continue
			}
			if a.Owner != "" {
				m.note("", what, "belongs to stack %s (its mailform:stack mark); left out", a.Owner)
				continue
			}
			switch len(hosts) {
			case 0:
				m.note("", what, "has no reverse DNS, and no A record of an imported domain points at it, so nothing names its host; declare mta \"LABEL\" { hostname = \"...\", allocation_id = %q } by hand and adopt it with -adopt mta.LABEL", a.AllocationID)
				continue
			case 1:
				host = hosts[0]
			default:
				m.note("", what, "has no reverse DNS, and %d A records point at it (%s), so which is the MTA's hostname is yours to say; declare mta \"LABEL\" { hostname = \"...\", reverse_dns = false, allocation_id = %q } by hand with one of them and adopt it with -adopt mta.LABEL", len(hosts), strings.Join(hosts, ", "), a.AllocationID)
				continue
			}
		} else {
			mentioned := m.opts.All
			for _, d := range m.opts.Domain {
				fq := specs.Fqdn(strings.ToLower(d))
				mentioned = mentioned || a.PTR == fq || strings.HasSuffix(a.PTR, "."+fq)
			}
			if !mentioned {
				continue
			}
			if a.Owner != "" {
				m.note("", what, "belongs to stack %s (its mailform:stack mark); left out", a.Owner)
				continue
			}
		}
		label := mtaLabel(host, labels)
		labels[label] = true
		m.mtas = append(m.mtas, &mtaSpec{label: label, hostname: host, eip: a, noPTR: a.PTR == ""})
	}
	slices.SortFunc(m.mtas, func(a, b *mtaSpec) int { return strings.Compare(a.hostname, b.hostname) })
}

// importedHost reports whether the fully qualified name is a host of a
// domain imported, in its zone.
func (m *mapper) importedHost(name string) bool {
	for _, d := range m.domains {
		fq := specs.Fqdn(d.name)
		if d.zone != "" && (name == fq || strings.HasSuffix(name, "."+fq)) {
			return true
		}
	}
	return false
}

// dkimKeys finds the DKIM public keys of the imported domains' own signers:
// the TXT records <selector>._domainkey.<domain> but the one of a BYODKIM
// selector, which the domain block writes. Each is written as a record
// block, since the private key of a signer is not in the account, and a
// dkim_key block would make a new key pair.
func (m *mapper) dkimKeys(sets []RecordSet) {
	for _, d := range m.domains {
		if d.zone == "" {
			continue
		}
		suffix := "._domainkey." + specs.Fqdn(d.name)
		for _, rs := range sets {
			selector, ok := strings.CutSuffix(rs.Name, suffix)
			if !ok || rs.Type != "TXT" || strings.Contains(selector, ".") || selector == "" || selector == "*" {
				continue
			}
			if d.dkimMode == "byo" && strings.EqualFold(selector, d.selector) {
				continue
			}
			name := strings.TrimSuffix(rs.Name, ".")
			if !rs.Simple {
				m.note("", "DKIM key record "+name, "is an alias or has a routing policy, which mailform does not manage; left out")
				continue
			}
			d.dkimKeys = append(d.dkimKeys, dkimRecord{name: name, ttl: rs.TTL, values: rs.Values})
		}
	}
}

// domainZones are the zones of the imported domains.
func (m *mapper) domainZones() []string {
	seen := map[string]bool{}
	for _, d := range m.domains {
		if d.zone != "" {
			seen[d.zone] = true
		}
	}
	return slices.Sorted(mapsKeys(seen))
}

// addressNames are the names of the simple A record sets, but wildcards,
// by the IPv4 address they point at.
func addressNames(sets []RecordSet) map[string][]string {
	out := map[string][]string{}
	for _, s := range sets {
		if s.Type != "A" || !s.Simple || strings.HasPrefix(s.Name, "*") {
			continue
		}
		for _, v := range s.Values {
			if !slices.Contains(out[v], s.Name) {
				out[v] = append(out[v], s.Name)
			}
		}
	}
	return out
}

// mtaLabel is a block label for the MTA called host: its first DNS label,
// as an identifier, unique among taken.
func mtaLabel(host string, taken map[string]bool) string {
	first, _, _ := strings.Cut(host, ".")
	return identifier(first, "mta_", taken)
}

// mtaProbe is an mta block's Elastic IP for each address selected, named by
// its allocation ID, for the EC2 provider to read as one to adopt.
func (m *mapper) mtaProbe() []specs.Resource {
	var out []specs.Resource
	for _, t := range m.mtas {
		out = append(out, specs.Resource{Addr: "mta." + t.label, Kind: specs.KindEIP, Attrs: map[string]any{
			"hostname": specs.Fqdn(t.hostname), "allocation_id": t.eip.AllocationID,
		}})
	}
	return out
}

// mapMTAs keeps the mta blocks whose address the read found unmarked, with
// the association it found.
func (m *mapper) mapMTAs(obs []plan.Observed) {
	byAddr := observedByAddr(obs, specs.KindEIP)
	var kept []*mtaSpec
	for _, t := range m.mtas {
		addr := "mta." + t.label
		o, ok := byAddr[addr]
		if !ok || str(o.Attrs["allocation_id"]) != t.eip.AllocationID {
			m.note(addr, "Elastic IP "+t.eip.PublicIP+" ("+t.eip.AllocationID+")", "was not found when read again (released, or marked since); left out")
			continue
		}
		if m.foreign(o, addr, "Elastic IP "+t.eip.PublicIP+" ("+t.eip.AllocationID+")") {
			continue
		}
		t.instanceID, t.interfaceID = str(o.Attrs["instance_id"]), str(o.Attrs["network_interface_id"])
		kept = append(kept, t)
	}
	m.mtas = kept
}

// alarms selects the alarms on SES's reputation metrics an alarms block can
// declare: the pair named as mailform names them,
// <stack>-reputation-bounce-rate and <stack>-reputation-complaint-rate, not
// another stack's. The others are reported: an alarm of another name cannot
// become one of the block's, and one of the pair alone would make the block
// create the other. What is selected is read (alarmProbe) and written only
// when it maps exactly (mapAlarms, then the check of the written spec).
func (m *mapper) alarms(names []string) {
	own := map[string]bool{}
	for _, a := range specs.ReputationAlarms {
		own[m.alarmName(a.Key)] = true
	}
	found := 0
	for _, n := range names {
		if own[n] {
			found++
			continue
		}
		if strings.HasPrefix(n, m.opts.Stack+"-reputation-") {
			continue
		}
		m.note("", "CloudWatch alarm "+n, "watches SES's reputation metrics and is left out: mailform names the alarms of account { alarms {} } %s and %s, so declaring them would add two alarms beside this one (then delete it by hand, if you like)", m.alarmName("bounce"), m.alarmName("complaint"))
	}
	switch found {
	case len(own):
		m.alarmPair = true
	case 0:
	default:
		for _, a := range specs.ReputationAlarms {
			if slices.Contains(names, m.alarmName(a.Key)) {
				m.note("account", "CloudWatch alarm "+m.alarmName(a.Key), "is one of the two alarms of account { alarms {} }, and %s does not exist, so declaring the block would create it; left out (declare the block by hand to have both)", m.alarmName(otherAlarm(a.Key)))
			}
		}
	}
}

func (m *mapper) alarmName(key string) string { return m.opts.Stack + "-reputation-" + key + "-rate" }

func otherAlarm(key string) string {
	if key == "bounce" {
		return "complaint"
	}
	return "bounce"
}

// alarmProbe names the stack's pair of reputation alarms, when both exist.
func (m *mapper) alarmProbe() []specs.Resource {
	if !m.alarmPair {
		return nil
	}
	var out []specs.Resource
	for _, a := range specs.ReputationAlarms {
		out = append(out, specs.Resource{Addr: specs.AlarmAddr(a.Key), Kind: specs.KindAlarm, Attrs: map[string]any{"name": m.alarmName(a.Key)}})
	}
	return out
}

// mapAlarms turns the pair of alarms into an alarms block when what the
// block can say describes them: the same period, evaluation periods and
// topics for both, each a whole number of minutes, 1 to 5 SNS topics. What
// the block would still change (a description, a statistic) is found by the
// check of the written spec, which then leaves the block out (fallBack).
func (m *mapper) mapAlarms(obs []plan.Observed) {
	if !m.alarmPair || m.account == nil {
		return
	}
	byAddr := observedByAddr(obs, specs.KindAlarm)
	al := &alarmsSpec{percent: map[string]string{}}
	why := ""
	for i, a := range specs.ReputationAlarms {
		o, ok := byAddr[specs.AlarmAddr(a.Key)]
		if !ok {
			why = "it was not found when read again"
			break
		}
		if m.foreign(o, "account", "CloudWatch alarm "+m.alarmName(a.Key)) {
			return
		}
		period, evals, actions := num(o.Attrs["period"]), num(o.Attrs["evaluation_periods"]), strs(o.Attrs["alarm_actions"])
		if i == 0 {
			al.periodMinutes, al.evaluationPeriods, al.notify = period/60, evals, actions
		} else if period/60 != al.periodMinutes || evals != al.evaluationPeriods || !slices.Equal(actions, al.notify) {
			why = "the two alarms differ in period, evaluation periods or the topics they notify, and one alarms block gives both the same"
			break
		}
		if period%60 != 0 || period < 60 || period > 1440*60 {
			why = fmt.Sprintf("its period of %d seconds is not 1 to 1440 whole minutes, as period_minutes is", period)
			break
		}
		if len(actions) == 0 || len(actions) > 5 {
			why = fmt.Sprintf("it notifies %d SNS topics, and notify takes 1 to 5", len(actions))
			break
		}
		for _, act := range actions {
			if !strings.HasPrefix(act, "arn:aws:sns:") && !strings.HasPrefix(act, "arn:aws-") {
				why = fmt.Sprintf("one of its actions, %s, is not an SNS topic, and notify names topics only", act)
			}
		}
		if why != "" {
			break
		}
		f, err := strconv.ParseFloat(str(o.Attrs["threshold"])+"e2", 64)
		if err != nil || f <= 0 || f >= 100 {
			why = fmt.Sprintf("its threshold %s is not a rate above 0 and below 1", str(o.Attrs["threshold"]))
			break
		}
		al.percent[a.Key] = strconv.FormatFloat(f, 'g', -1, 64)
	}
	if why != "" {
		m.note("account", "CloudWatch alarms "+m.alarmName("bounce")+" and "+m.alarmName("complaint"), "are left out: %s", why)
		return
	}
	m.account.alarms = al
}

// observedByAddr indexes the observed resources of kind by address.
func observedByAddr(obs []plan.Observed, kind specs.Kind) map[string]plan.Observed {
	out := map[string]plan.Observed{}
	for _, o := range obs {
		if o.Kind == kind {
			out[o.Addr] = o
		}
	}
	return out
}
