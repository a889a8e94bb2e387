package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/mailform/mailform/specs"
)

var emptyBlock = regexp.MustCompile(`(?m)^(\s*[a-z_]+(?: "[^"\n]*")* )\{\n\s*\}`)

// write renders the blocks as one spec file in the canonical layout.
func (m *mapper) write() ([]byte, error) {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	comment(b, fmt.Sprintf("Written by mailform import from what region %s of the account holds.\n"+
		"Review it, then adopt what it declares: mailform plan -adopt-file adopt.txt", m.opts.Region))
	mb := b.AppendNewBlock("mailform", nil).Body()
	mb.SetAttributeValue("stack", cty.StringVal(m.opts.Stack))
	mb.SetAttributeValue("region", cty.StringVal(m.opts.Region))

	for _, z := range m.usedZones() {
		b.AppendNewline()
		b.AppendNewBlock("zone", []string{strings.TrimSuffix(z, ".")})
	}
	for _, t := range m.writtenTopics() {
		b.AppendNewline()
		tb := b.AppendNewBlock("topic", []string{t.label}).Body()
		if t.queue != nil {
			tb.AppendNewBlock("queue", nil).Body().SetAttributeValue("retention_days", cty.NumberIntVal(*t.queue))
		}
	}
	for _, s := range m.sets {
		b.AppendNewline()
		sb := b.AppendNewBlock("configuration_set", []string{s.label}).Body()
		if s.override {
			sb.SetAttributeValue("suppression", strList(s.suppression))
		}
		if s.reputation {
			sb.SetAttributeValue("reputation_metrics", cty.True)
		}
		if s.tls == "REQUIRE" {
			sb.SetAttributeValue("tls_policy", cty.StringVal("require"))
		}
		for _, name := range slices.Sorted(mapsKeys(s.destinations)) {
			d := s.destinations[name]
			t := m.topics[d.topicARN]
			if t == nil || !t.found {
				m.note("configuration_set."+s.label, "event destination "+name+" of "+s.name, "publishes to a topic the spec cannot declare; adopting the set would remove it")
				continue
			}
			db := sb.AppendNewBlock("event_destination", []string{name}).Body()
			db.SetAttributeValue("types", strList(d.types))
			db.SetAttributeTraversal("topic", ref("topic", t.label))
			if !d.enabled {
				db.SetAttributeValue("enabled", cty.False)
			}
		}
	}
	for _, d := range m.domains {
		b.AppendNewline()
		m.writeDomain(b, d)
	}
	for _, e := range m.emails {
		b.AppendNewline()
		eb := b.AppendNewBlock("email", []string{e.address}).Body()
		if l := m.setLabel(e.setName); l != "" {
			eb.SetAttributeTraversal("configuration_set", ref("configuration_set", l))
		}
	}
	for _, u := range m.smtp {
		b.AppendNewline()
		comment(b, "Adopting keeps the access key in use, and its SMTP password, which mailform\ncannot read: nothing is stored at credentials until you rotate with\nmailform apply -replace smtp_user."+u.label)
		ub := b.AppendNewBlock("smtp_user", []string{u.label}).Body()
		ub.SetAttributeValue("user_name", cty.StringVal(u.user.Name))
		if u.user.Path != "" && u.user.Path != "/" {
			ub.SetAttributeValue("path", cty.StringVal(u.user.Path))
		}
		if len(u.from) > 0 {
			ub.SetAttributeValue("allowed_from", strList(u.from))
		}
		ub.SetAttributeValue("credentials", cty.StringVal(m.smtpCredentials(u.label)))
	}
	for _, t := range m.mtas {
		b.AppendNewline()
		if t.noPTR {
			comment(b, "The address has no reverse DNS: "+t.hostname+" is the A record that points at it.\nWith reverse_dns = true mailform sets its PTR to the hostname (mail receivers\nlook for one that matches).")
		}
		mb := b.AppendNewBlock("mta", []string{t.label}).Body()
		mb.SetAttributeValue("hostname", cty.StringVal(t.hostname))
		if t.noPTR {
			mb.SetAttributeValue("reverse_dns", cty.False)
		}
		if t.instanceID != "" {
			mb.SetAttributeValue("instance_id", cty.StringVal(t.instanceID))
		} else if t.interfaceID != "" {
			mb.SetAttributeValue("network_interface_id", cty.StringVal(t.interfaceID))
		}
		mb.SetAttributeValue("allocation_id", cty.StringVal(t.eip.AllocationID))
		if t.ttl != 0 && t.ttl != specs.DefaultTTL {
			mb.SetAttributeValue("ttl", cty.NumberIntVal(t.ttl))
		}
	}
	for _, d := range m.domains {
		if d.zone == "" {
			continue
		}
		if d.dmarcRaw {
			b.AppendNewline()
			writeRecord(b, "_dmarc."+d.name, "TXT", d.dmarcTTL, d.dmarc)
		}
		if d.spfRaw {
			b.AppendNewline()
			comment(b, "The apex TXT set of "+d.name+", managed whole: it holds the domain's SPF value.")
			writeRecord(b, d.name, "TXT", d.apexTTL, d.apexTXT)
		}
		for _, k := range d.dkimKeys {
			b.AppendNewline()
			comment(b, "The DKIM public key of a signer of yours: its private key is not in the account.")
			writeRecord(b, k.name, "TXT", k.ttl, k.values)
		}
	}
	if m.account != nil {
		b.AppendNewline()
		ab := b.AppendNewBlock("account", nil).Body()
		ab.SetAttributeValue("suppression", strList(m.account.suppression))
		if al := m.account.alarms; al != nil {
			writeAlarms(ab.AppendNewBlock("alarms", nil).Body(), al)
		}
	}
	// An empty block is written {} on one line, as the examples write
	// zone blocks; the formatter keeps either form.
	src := emptyBlock.ReplaceAll(f.Bytes(), []byte("$1{}"))
	out, diags := specs.Format(src, "main.hcl")
	if diags.HasErrors() {
		return nil, fmt.Errorf("formatting the spec written from the account: %s", diags.Error())
	}
	return out, nil
}

func (m *mapper) writeDomain(b *hclwrite.Body, d *domainSpec) {
	db := b.AppendNewBlock("domain", []string{d.name}).Body()
	if d.noIdentity {
		db.SetAttributeValue("ses_identity", cty.False)
	}
	if l := m.setLabel(d.setName); l != "" {
		db.SetAttributeTraversal("configuration_set", ref("configuration_set", l))
	}
	switch {
	case d.dkimMode == "byo" && d.privateKey != "":
		kb := db.AppendNewBlock("dkim", nil).Body()
		kb.SetAttributeValue("mode", cty.StringVal("byo"))
		kb.SetAttributeValue("selector", cty.StringVal(d.selector))
		kb.SetAttributeValue("private_key", cty.StringVal(d.privateKey))
	case d.dkimMode == "off":
		db.AppendNewBlock("dkim", nil).Body().SetAttributeValue("mode", cty.StringVal("off"))
	case d.dkimMode == "easy" && d.keyLength == 1024:
		db.AppendNewBlock("dkim", nil).Body().SetAttributeValue("key_length", cty.NumberIntVal(1024))
	}
	if d.mailFrom != "" {
		mb := db.AppendNewBlock("mail_from", nil).Body()
		if sub, ok := strings.CutSuffix(d.mailFrom, "."+d.name); ok {
			mb.SetAttributeValue("subdomain", cty.StringVal(sub))
		} else {
			mb.SetAttributeValue("subdomain", cty.StringVal(d.mailFrom+"."))
		}
		if d.onMX == "REJECT_MESSAGE" {
			mb.SetAttributeValue("on_mx_failure", cty.StringVal("reject"))
		}
	}
	if d.spf != "" && !d.spfRaw {
		if spf, ok := parseSPF(d.spf); ok {
			spf.nameMTAs(m.mtaAddresses())
			writeSPF(db.AppendNewBlock("spf", nil).Body(), spf)
		} else {
			d.spfRaw = true
		}
	}
	if d.dmarcFound && !d.dmarcRaw {
		if dm, ok := parseDMARC(d.dmarc); ok {
			writeDMARC(db.AppendNewBlock("dmarc", nil).Body(), dm)
		} else {
			d.dmarcRaw = true
		}
	}
	labels := map[string]string{}
	for kind, arn := range d.topics {
		if t := m.topics[arn]; t != nil && t.found {
			labels[kind] = t.label
		}
	}
	forwarding := d.forwarding
	if !forwarding && (labels["bounce"] == "" || labels["complaint"] == "") {
		m.note("domain."+d.name, "feedback of "+d.name, "SES sends bounces and complaints to topics the spec cannot declare, with email forwarding off; the spec turns forwarding on, since a spec without both topics must")
		forwarding = true
	}
	if len(labels) > 0 || !forwarding {
		nb := db.AppendNewBlock("notifications", nil).Body()
		for _, kind := range []string{"bounce", "complaint", "delivery"} {
			if l := labels[kind]; l != "" {
				nb.SetAttributeTraversal(kind, ref("topic", l))
			}
		}
		nb.SetAttributeValue("forwarding", cty.BoolVal(forwarding))
	}
}

// writeAlarms writes an alarms block, leaving out what is the default.
func writeAlarms(b *hclwrite.Body, al *alarmsSpec) {
	for _, a := range specs.ReputationAlarms {
		b.SetAttributeValue(a.Key+"_percent", cty.MustParseNumberVal(al.percent[a.Key]))
	}
	if al.periodMinutes != 60 {
		b.SetAttributeValue("period_minutes", cty.NumberIntVal(al.periodMinutes))
	}
	if al.evaluationPeriods != 1 {
		b.SetAttributeValue("evaluation_periods", cty.NumberIntVal(al.evaluationPeriods))
	}
	b.SetAttributeValue("notify", strList(al.notify))
}

func writeRecord(b *hclwrite.Body, name, typ string, ttl int64, values []string) {
	rb := b.AppendNewBlock("record", []string{name, typ}).Body()
	if ttl != 0 && ttl != specs.DefaultTTL {
		rb.SetAttributeValue("ttl", cty.NumberIntVal(ttl))
	}
	var vs []string
	for _, v := range values {
		if typ == "TXT" {
			v = specs.UnquoteTXT(v)
		}
		vs = append(vs, v)
	}
	rb.SetAttributeValue("values", strList(vs))
}

// mtaAddresses maps the public address of each mta block written to its
// label.
func (m *mapper) mtaAddresses() map[string]string {
	out := map[string]string{}
	for _, t := range m.mtas {
		out[t.eip.PublicIP] = t.label
	}
	return out
}

// usedZones are the zones of the domains written.
func (m *mapper) usedZones() []string {
	seen := map[string]bool{}
	for _, d := range m.domains {
		if d.zone != "" {
			seen[d.zone] = true
		}
	}
	for _, t := range m.mtas {
		if z := zoneOf(t.hostname, m.zones); z != "" {
			seen[z] = true
		}
	}
	return slices.Sorted(mapsKeys(seen))
}

func (m *mapper) writtenTopics() []*topicSpec {
	var out []*topicSpec
	for _, arn := range slices.Sorted(mapsKeys(m.topics)) {
		if t := m.topics[arn]; t.found {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *topicSpec) int { return strings.Compare(a.label, b.label) })
	return out
}

func (m *mapper) setLabel(name string) string {
	for _, s := range m.sets {
		if s.name == name {
			return s.label
		}
	}
	return ""
}

func (m *mapper) blockCount() int {
	n := len(m.usedZones()) + len(m.writtenTopics()) + len(m.sets) + len(m.domains) + len(m.emails) + len(m.mtas) + len(m.smtp)
	for _, d := range m.domains {
		if d.dmarcRaw {
			n++
		}
		if d.spfRaw {
			n++
		}
		n += len(d.dkimKeys)
	}
	if m.account != nil {
		n++
	}
	return n
}

func comment(b *hclwrite.Body, text string) {
	var toks hclwrite.Tokens
	for _, line := range strings.Split(text, "\n") {
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComment, Bytes: []byte("# " + line + "\n")})
	}
	b.AppendUnstructuredTokens(toks)
}

func ref(root, attr string) hcl.Traversal {
	return hcl.Traversal{hcl.TraverseRoot{Name: root}, hcl.TraverseAttr{Name: attr}}
}

func strList(vs []string) cty.Value {
	if len(vs) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(vs))
	for i, v := range vs {
		vals[i] = cty.StringVal(v)
	}
	return cty.ListVal(vals)
}
