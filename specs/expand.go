package specs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Default TTLs of the records mailform generates.
const (
	DefaultTTL     = 300
	DefaultDKIMTTL = 1800
)

// expand turns the decoded blocks into resources (docs/resources.md).
func (l *loader) expand() {
	s := l.spec
	var out []Resource
	add := func(r Resource) {
		r.DependsOn = dedupe(r.DependsOn)
		out = append(out, r)
	}
	names := map[string]string{} // label -> AWS name, for configuration sets
	for _, cs := range s.ConfigurationSets {
		names[cs.Label] = s.awsName(cs.Label)
	}

	for _, d := range s.Domains {
		addr := d.Addr()
		id := map[string]any{
			"identity":  d.Name,
			"type":      "DOMAIN",
			"dkim_mode": d.DKIM.Mode,
		}
		var deps []string
		easyRecords := d.DKIM.Mode == DKIMEasy || (d.DKIM.Mode == DKIMOff && d.SESIdentity)
		switch {
		case easyRecords:
			// A domain identity that does not sign publishes the Easy
			// DKIM records too: SES v2 verifies a domain only through them
			// (CreateEmailIdentity: "Your domain is verified when Amazon SES
			// detects these records").
			if d.DKIM.Mode == DKIMEasy {
				id["dkim_key_length"] = int64(d.DKIM.KeyLength)
			}
			for i := 0; i < 3; i++ {
				token := RefIndex(addr, "dkim_tokens", i)
				add(s.record(fmt.Sprintf("%s/dkim[%d]", addr, i), d.Name, Deferred(token+"._domainkey."+d.Name+"."), "CNAME", DefaultDKIMTTL,
					[]any{Deferred(token + ".dkim.amazonses.com.")}, false, []string{addr}, d.DKIM.Range))
			}
		case d.DKIM.Mode == DKIMBYO:
			keyAddr := addr + "/dkim_key"
			id["dkim_selector"] = d.DKIM.Selector
			id["dkim_private_key"] = d.DKIM.PrivateKey
			deps = append(deps, keyAddr)
			add(Resource{Addr: keyAddr, Kind: KindDKIMKey, DeclRange: d.DKIM.Range, Attrs: map[string]any{
				"location":    d.DKIM.PrivateKey,
				"key_length":  int64(d.DKIM.KeyLength),
				"private_key": Sensitive{},
			}})
			add(s.record(addr+"/dkim", d.Name, d.DKIM.Selector+"._domainkey."+d.Name+".", "TXT", DefaultTTL,
				[]any{Deferred("p=" + Ref(keyAddr, "public_key"))}, false, []string{keyAddr}, d.DKIM.Range))
		}
		if d.ConfigurationSet != "" {
			id["configuration_set"] = names[d.ConfigurationSet]
			deps = append(deps, "configuration_set."+d.ConfigurationSet)
		}
		if m := d.MailFrom; m != nil && m.Domain != "" {
			id["mail_from_domain"] = m.Domain
			id["mail_from_on_mx_failure"] = map[string]string{"use_default": "USE_DEFAULT_VALUE", "reject": "REJECT_MESSAGE"}[m.OnMXFailure]
			add(s.record(addr+"/mail_from_mx", d.Name, Fqdn(m.Domain), "MX", DefaultTTL,
				[]any{"10 feedback-smtp." + s.Region + ".amazonses.com."}, false, nil, m.Range))
			add(s.record(addr+"/mail_from_spf", d.Name, Fqdn(m.Domain), "TXT", DefaultTTL,
				[]any{QuoteTXT("v=spf1 include:amazonses.com ~all")}, false, nil, m.Range))
		}
		if n := d.Notifications; n != nil {
			for _, t := range []struct{ attr, label string }{{"bounce_topic", n.Bounce}, {"complaint_topic", n.Complaint}, {"delivery_topic", n.Delivery}} {
				if t.label != "" {
					id[t.attr] = Deferred(Ref("topic."+t.label, "arn"))
					deps = append(deps, "topic."+t.label)
				}
			}
			id["feedback_forwarding"] = n.Forwarding
		} else {
			id["feedback_forwarding"] = true
		}
		if d.SPF != nil {
			text, deferred, spfDeps := d.SPF.value()
			var v any = QuoteTXT(text)
			if deferred {
				v = Deferred(text)
			}
			add(s.record(addr+"/spf", d.Name, Fqdn(d.Name), "TXT", DefaultTTL, []any{v}, true, spfDeps, d.SPF.Range))
		}
		if d.DMARC != nil {
			add(s.record(addr+"/dmarc", d.Name, "_dmarc."+d.Name+".", "TXT", DefaultTTL,
				[]any{QuoteTXT(d.DMARC.value())}, false, nil, d.DMARC.Range))
		}
		if d.SESIdentity {
			add(Resource{Addr: addr, Kind: KindSESIdentity, Attrs: id, DependsOn: dedupe(deps), DeclRange: d.Range})
		}
	}

	for _, e := range s.Emails {
		id := map[string]any{"identity": e.Address, "type": "EMAIL_ADDRESS"}
		var deps []string
		if e.ConfigurationSet != "" {
			id["configuration_set"] = names[e.ConfigurationSet]
			deps = append(deps, "configuration_set."+e.ConfigurationSet)
		}
		add(Resource{Addr: "email." + e.Address, Kind: KindSESIdentity, Attrs: id, DependsOn: deps, DeclRange: e.Range})
	}

	for _, t := range s.Topics {
		addr := "topic." + t.Label
		add(Resource{Addr: addr, Kind: KindSNSTopic, DeclRange: t.Range, Attrs: map[string]any{
			"name":        s.awsName(t.Label),
			"ses_publish": true,
		}})
		if q := t.Queue; q != nil {
			add(Resource{Addr: addr + "/queue", Kind: KindSQSQueue, DeclRange: q.Range, DependsOn: []string{addr}, Attrs: map[string]any{
				"name":           s.awsName(t.Label) + "-feedback",
				"retention_days": int64(q.RetentionDays),
				"topic_arn":      Deferred(Ref(addr, "arn")),
			}})
		}
	}

	for _, cs := range s.ConfigurationSets {
		dests := map[string]any{}
		var deps []string
		for _, d := range cs.EventDestinations {
			dests[d.Name] = map[string]any{
				"types":     anyList(sortedCopy(d.Types)),
				"topic_arn": Deferred(Ref("topic."+d.Topic, "arn")),
				"enabled":   d.Enabled,
			}
			deps = append(deps, "topic."+d.Topic)
		}
		add(Resource{Addr: "configuration_set." + cs.Label, Kind: KindSESConfigSet, DeclRange: cs.Range, DependsOn: dedupe(deps), Attrs: map[string]any{
			"name":                 names[cs.Label],
			"suppression":          anyList(sortedCopy(cs.Suppression)),
			"suppression_override": cs.SuppressionOverride,
			"reputation_metrics":   cs.ReputationMetrics,
			"tls_policy":           strings.ToUpper(cs.TLSPolicy),
			"event_destinations":   dests,
		}})
	}

	for i := range s.SMTPUsers {
		u := &s.SMTPUsers[i]
		if u.UserName == "" {
			u.UserName = s.Stack + "-smtp-" + u.Label
		}
		policy, err := smtpPolicy(u.AllowedFrom)
		if err != nil {
			l.errorf(u.Range, "Cannot build the SMTP user's policy", "%v.", err)
			continue
		}
		add(Resource{Addr: "smtp_user." + u.Label, Kind: KindSMTPUser, DeclRange: u.Range, Attrs: map[string]any{
			"user_name":    u.UserName,
			"path":         u.Path,
			"allowed_from": anyList(sortedCopy(u.AllowedFrom)),
			"policy":       policy,
			"credentials":  u.Credentials,
			"region":       s.Region,
			"password":     Sensitive{},
		}})
	}

	for _, m := range s.MTAs {
		addr := m.Addr()
		// The attributes are those the EC2 provider observes on the
		// address (docs/ec2.md); reverse DNS is a resource of its own.
		eip := map[string]any{"hostname": Fqdn(m.Hostname)}
		if m.InstanceID != "" {
			eip["instance_id"] = m.InstanceID
		}
		if m.NetworkInterfaceID != "" {
			eip["network_interface_id"] = m.NetworkInterfaceID
		}
		if m.AllocationID != "" {
			eip["allocation_id"] = m.AllocationID
		}
		add(Resource{Addr: addr, Kind: KindEIP, Attrs: eip, DeclRange: m.Range})
		aAddr := addr + "/a"
		ttl := DefaultTTL
		if m.TTL != 0 {
			ttl = m.TTL
		}
		add(s.record(aAddr, m.Hostname, Fqdn(m.Hostname), "A", ttl,
			[]any{Deferred(Ref(addr, "public_ip"))}, false, []string{addr}, m.Range))
		if m.ReverseDNS {
			// AWS refuses a PTR until the A record resolves to the
			// address, hence the dependency on the A record.
			add(Resource{Addr: addr + "/ptr", Kind: KindReverseDNS, DeclRange: m.Range, DependsOn: []string{addr, aAddr}, Attrs: map[string]any{
				"allocation_id": Deferred(Ref(addr, "allocation_id")),
				"ptr_name":      Fqdn(m.Hostname),
			}})
		}
	}

	for _, k := range s.DKIMKeys {
		addr := k.Addr()
		add(Resource{Addr: addr, Kind: KindDKIMKey, DeclRange: k.Range, Attrs: map[string]any{
			"location":    k.PrivateKey,
			"key_length":  int64(k.KeyLength),
			"private_key": Sensitive{},
		}})
		add(s.record(addr+"/txt", k.Domain, k.Selector+"._domainkey."+k.Domain+".", "TXT", DefaultTTL,
			[]any{Deferred("v=DKIM1; k=rsa; p=" + Ref(addr, "public_key"))}, false, []string{addr}, k.Range))
	}

	for _, r := range s.Records {
		vals := make([]any, len(r.Values))
		for i, v := range r.Values {
			vals[i] = normalRecordValue(r.Type, v)
		}
		add(s.record("record."+r.Name+"."+r.Type, r.Name, Fqdn(r.Name), r.Type, r.TTL, vals, false, nil, r.Range))
	}

	if a := s.Account; a != nil {
		if a.SuppressionSet || a.Alarms == nil {
			add(Resource{Addr: "account", Kind: KindSESAccount, DeclRange: a.Range, Attrs: map[string]any{
				"suppression": anyList(sortedCopy(a.Suppression)),
			}})
		}
		if al := a.Alarms; al != nil {
			for _, r := range s.alarmResources(al) {
				add(r)
			}
			// The topics the alarms notify let CloudWatch publish.
			for i := range out {
				if out[i].Kind == KindSNSTopic && slices.Contains(al.Topics, strings.TrimPrefix(out[i].Addr, "topic.")) {
					out[i].Attrs["cloudwatch_publish"] = true
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	s.resources = out
}

// ReputationAlarm is one of the account's reputation alarms: the SES metric
// it watches and the suffix of its address and name.
type ReputationAlarm struct {
	Key    string // "bounce" or "complaint"
	Metric string // in the AWS/SES namespace
}

// ReputationAlarms lists the alarms an alarms block makes, in address order.
var ReputationAlarms = []ReputationAlarm{
	{Key: "bounce", Metric: "Reputation.BounceRate"},
	{Key: "complaint", Metric: "Reputation.ComplaintRate"},
}

// AlarmAddr is the address of the account's reputation alarm for key.
func AlarmAddr(key string) string { return "account/" + key + "_alarm" }

// alarmResources expands an alarms block into one CloudWatch alarm per
// reputation metric (docs/resources.md, cloudwatch.alarm).
func (s *Spec) alarmResources(al *Alarms) []Resource {
	var actions []any
	var deps []string
	for _, t := range al.Topics {
		actions = append(actions, Deferred(Ref("topic."+t, "arn")))
		deps = append(deps, "topic."+t)
	}
	for _, arn := range al.TopicARNs {
		actions = append(actions, arn)
	}
	var out []Resource
	for _, m := range ReputationAlarms {
		percent := al.BouncePercent
		if m.Key == "complaint" {
			percent = al.ComplaintPercent
		}
		out = append(out, Resource{Addr: AlarmAddr(m.Key), Kind: KindAlarm, DeclRange: al.Range, DependsOn: slices.Clone(deps), Attrs: map[string]any{
			"name":               s.Stack + "-reputation-" + m.Key + "-rate",
			"description":        fmt.Sprintf("mailform stack %s: the SES account's %s rate is at or above %s%%", s.Stack, m.Key, percent),
			"namespace":          "AWS/SES",
			"metric":             m.Metric,
			"statistic":          "Average",
			"comparison":         "GreaterThanOrEqualToThreshold",
			"threshold":          percentToFraction(percent),
			"period":             int64(al.PeriodMinutes * 60),
			"evaluation_periods": int64(al.EvaluationPeriods),
			"treat_missing_data": "ignore",
			"alarm_actions":      slices.Clone(actions),
		}})
	}
	return out
}

// percentToFraction turns a percentage written in decimal ("0.08") into the
// fraction CloudWatch compares the metric with, in its shortest form
// ("0.0008"): SES reports reputation rates as fractions.
func percentToFraction(percent string) string {
	f, err := strconv.ParseFloat(percent+"e-2", 64)
	if err != nil {
		return percent
	}
	return FormatThreshold(f)
}

// FormatThreshold is the text form of an alarm threshold, shared by the spec
// and the provider that reads alarms back so that equal values compare equal.
func FormatThreshold(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// awsName is the AWS name of a topic or configuration set.
func (s *Spec) awsName(label string) string { return s.Stack + "-" + label }

// ZoneFor returns the declared zone with the longest suffix matching name,
// or nil when name's DNS is elsewhere.
func (s *Spec) ZoneFor(name string) *Zone {
	if len(s.zoneIndex) != len(s.Zones) {
		s.zoneIndex = make(map[string]int, len(s.Zones))
		for i, z := range s.Zones {
			s.zoneIndex[z.Name] = i
		}
	}
	// Walk up from the name itself: the first declared zone is the longest.
	for n := normalName(name); n != ""; {
		if i, ok := s.zoneIndex[n]; ok {
			return &s.Zones[i]
		}
		dot := strings.IndexByte(n, '.')
		if dot < 0 {
			break
		}
		n = n[dot+1:]
	}
	return nil
}

// record builds a route53.record (or, outside every zone, a
// dns.manual_record). owner is the name whose zone holds the record; for
// records with Deferred names it is the domain they belong under.
func (s *Spec) record(addr, owner string, name any, typ string, ttl int, vals []any, shared bool, deps []string, rng hcl.Range) Resource {
	sort.SliceStable(vals, func(i, j int) bool { return valueText(vals[i]) < valueText(vals[j]) })
	attrs := map[string]any{
		"name":   name,
		"type":   typ,
		"ttl":    int64(ttl),
		"values": vals,
		"shared": shared,
	}
	if known, ok := name.(string); ok {
		owner = known
	}
	kind := KindManualDNSRecord
	if z := s.ZoneFor(owner); z != nil {
		kind = KindRoute53Record
		attrs["zone"] = Fqdn(z.Name)
		if z.ZoneID != "" {
			attrs["zone_id"] = z.ZoneID
		}
	}
	return Resource{Addr: addr, Kind: kind, Attrs: attrs, DependsOn: dedupe(deps), DeclRange: rng}
}

func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case Deferred:
		return string(x)
	}
	return fmt.Sprint(v)
}

// normalRecordValue puts a record block's value in Route 53's form: host
// names fully qualified and lower case, TXT text quoted and split.
func normalRecordValue(typ, v string) string {
	v = strings.TrimSpace(v)
	switch typ {
	case "CNAME", "NS", "PTR":
		return Fqdn(v)
	case "MX":
		m := mxValue.FindStringSubmatch(v)
		return m[1] + " " + Fqdn(m[2])
	case "SRV":
		m := srvValue.FindStringSubmatch(v)
		return m[1] + " " + m[2] + " " + m[3] + " " + Fqdn(m[4])
	case "TXT":
		if strings.HasPrefix(v, `"`) && strings.HasSuffix(v, `"`) && len(v) >= 2 {
			// Already in Route 53's form: normalise its splitting.
			return QuoteTXT(UnquoteTXT(v))
		}
		return QuoteTXT(v)
	case "AAAA":
		return strings.ToLower(v)
	}
	return v
}

// value writes the SPF text. It is deferred (holding placeholders) when MTA
// addresses are part of it; deps are the MTAs it waits for.
func (p *SPF) value() (text string, deferred bool, deps []string) {
	terms := []string{"v=spf1"}
	if p.A {
		terms = append(terms, "a")
	}
	if p.MX {
		terms = append(terms, "mx")
	}
	for _, ip := range p.IP4 {
		terms = append(terms, "ip4:"+ip)
	}
	for _, ip := range p.IP6 {
		terms = append(terms, "ip6:"+ip)
	}
	for _, m := range p.MTAs {
		terms = append(terms, "ip4:"+Ref("mta."+m, "public_ip"))
		deps = append(deps, "mta."+m)
	}
	for _, inc := range p.Include {
		terms = append(terms, "include:"+inc)
	}
	terms = append(terms, spfAll[p.All])
	return strings.Join(terms, " "), len(p.MTAs) > 0, deps
}

// value writes the DMARC record text; tags at their default are left out.
func (m *DMARC) value() string {
	tags := []string{"v=DMARC1", "p=" + m.Policy}
	if m.SubdomainPolicy != "" {
		tags = append(tags, "sp="+m.SubdomainPolicy)
	}
	if m.Percent != 100 {
		tags = append(tags, fmt.Sprintf("pct=%d", m.Percent))
	}
	if len(m.RUA) > 0 {
		tags = append(tags, "rua="+strings.Join(m.RUA, ","))
	}
	if len(m.RUF) > 0 {
		tags = append(tags, "ruf="+strings.Join(m.RUF, ","))
	}
	if m.ADKIM != "" {
		tags = append(tags, "adkim="+m.ADKIM[:1])
	}
	if m.ASPF != "" {
		tags = append(tags, "aspf="+m.ASPF[:1])
	}
	return strings.Join(tags, "; ")
}

// smtpPolicy is the canonical JSON (compact, keys sorted) of an SMTP user's
// inline policy.
func smtpPolicy(allowedFrom []string) (string, error) {
	stmt := map[string]any{
		"Effect":   "Allow",
		"Action":   "ses:SendRawEmail",
		"Resource": "*",
	}
	if len(allowedFrom) > 0 {
		stmt["Condition"] = map[string]any{"StringLike": map[string]any{"ses:FromAddress": sortedCopy(allowedFrom)}}
	}
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{stmt}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return "", fmt.Errorf("encoding the policy: %w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

func anyList(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

func dedupe(list []string) []string {
	if len(list) == 0 {
		return []string{}
	}
	sorted := sortedCopy(list)
	out := sorted[:1]
	for _, v := range sorted[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}
