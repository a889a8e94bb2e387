package specs

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/mailform/mailform/mailauth"
)

func attrsSchema(required []string, optional []string, blocks ...hcl.BlockHeaderSchema) *hcl.BodySchema {
	s := &hcl.BodySchema{Blocks: blocks}
	for _, n := range required {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: n, Required: true})
	}
	for _, n := range optional {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: n})
	}
	return s
}

var stackName = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// decodeSettings reads the one mailform block.
func (l *loader) decodeSettings(blocks hcl.Blocks, files []*hcl.File) {
	if len(blocks) == 0 {
		start := hcl.Range{Filename: files[0].Body.MissingItemRange().Filename, Start: hcl.InitialPos, End: hcl.InitialPos}
		l.errorf(start, "Missing mailform block", "Every spec needs one block naming its stack and region:\n\n  mailform {\n    stack  = \"acme-prod\"\n    region = \"us-west-2\"\n  }")
		return
	}
	for _, b := range blocks[1:] {
		l.errorf(b.DefRange, "Duplicate mailform block", "The spec already has a mailform block at %s. Keep one.", blocks[0].DefRange.String())
	}
	b := blocks[0]
	l.spec.SettingsRange = b.DefRange
	c := l.content(b.Body, attrsSchema([]string{"stack", "region"}, []string{"profile"}))
	if v, rng, ok := l.str(c, "stack"); ok {
		if !stackName.MatchString(v) {
			l.errorf(rng, "Invalid stack name", "The stack name %s must be 1-32 characters of lower-case letters, digits and hyphens, such as \"acme-prod\". It becomes part of AWS resource names and ownership tags.", l.show(rng, v))
		}
		l.spec.Stack = v
	}
	if v, rng, ok := l.str(c, "region"); ok {
		if !slices.Contains(sesRegions, v) {
			// Suggest a region of the same partition: a GovCloud typo
			// should not become a commercial region.
			partition := Partition(v)
			var same []string
			for _, r := range sesRegions {
				if Partition(r) == partition {
					same = append(same, r)
				}
			}
			l.errorf(rng, "Unsupported region", "%s is not a region where SES sends mail in the %s partition.%s Regions: %s.", l.show(rng, v), partition, didYouMean(v, same), strings.Join(sesRegions, ", "))
		}
		l.spec.Region = v
	}
	if v, _, ok := l.str(c, "profile"); ok {
		l.spec.Profile = v
	}
}

var zoneIDPattern = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)

func (l *loader) decodeZone(b *hcl.Block) {
	z := Zone{Name: normalName(b.Labels[0]), Range: b.DefRange}
	if p := dnsNameProblem(b.Labels[0], false); p != "" {
		l.errorf(b.LabelRanges[0], "Invalid zone name", "%q is not a valid DNS name: %s.", b.Labels[0], p)
	}
	c := l.content(b.Body, attrsSchema(nil, []string{"zone_id"}))
	if v, rng, ok := l.str(c, "zone_id"); ok {
		v = strings.TrimPrefix(v, "/hostedzone/")
		if !zoneIDPattern.MatchString(v) {
			l.errorf(rng, "Invalid zone ID", "A Route 53 hosted zone ID looks like \"Z0123456789ABCDEFGHIJ\" (upper-case letters and digits, starting with Z). Leave zone_id out to find the zone by name.")
		}
		z.ZoneID = v
	}
	l.spec.Zones = append(l.spec.Zones, z)
}

func (l *loader) decodeTopic(b *hcl.Block) {
	t := Topic{Label: b.Labels[0], Range: b.DefRange}
	l.checkIdentifierLabel(b)
	c := l.content(b.Body, attrsSchema(nil, nil, hcl.BlockHeaderSchema{Type: "queue"}))
	for i, qb := range c.Blocks {
		if i > 0 {
			l.errorf(qb.DefRange, "Duplicate queue block", "A topic has at most one queue.")
			continue
		}
		q := &Queue{RetentionDays: 4, Range: qb.DefRange}
		qc := l.content(qb.Body, attrsSchema(nil, []string{"retention_days"}))
		if v, rng, ok := l.num(qc, "retention_days"); ok {
			if v < 1 || v > 14 {
				l.errorf(rng, "Value out of range", "SQS keeps messages 1 to 14 days; retention_days = %d is outside that range.", v)
			}
			q.RetentionDays = v
		}
		t.Queue = q
	}
	l.spec.Topics = append(l.spec.Topics, t)
}

// SES event types (sesv2 EventType).
var eventTypes = []string{"BOUNCE", "CLICK", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "OPEN", "REJECT", "RENDERING_FAILURE", "SEND", "SUBSCRIPTION"}

// suppressionReasons are the reasons SES may suppress an address for.
var suppressionReasons = []string{"BOUNCE", "COMPLAINT"}

var destinationName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func (l *loader) decodeConfigurationSet(b *hcl.Block) {
	cs := ConfigurationSet{Label: b.Labels[0], TLSPolicy: "optional", Range: b.DefRange}
	l.checkIdentifierLabel(b)
	c := l.content(b.Body, attrsSchema(nil, []string{"suppression", "reputation_metrics", "tls_policy"},
		hcl.BlockHeaderSchema{Type: "event_destination", LabelNames: []string{"name"}}))
	cs.Suppression = l.enumList(c, "suppression", "suppression reason", suppressionReasons)
	_, cs.SuppressionOverride = c.Attributes["suppression"]
	if v, _, ok := l.boolean(c, "reputation_metrics"); ok {
		cs.ReputationMetrics = v
	}
	if v, rng, ok := l.str(c, "tls_policy"); ok {
		l.oneOf(rng, "tls_policy", v, []string{"require", "optional"})
		cs.TLSPolicy = v
	}
	seen := map[string]hcl.Range{}
	for _, db := range c.Blocks {
		name := db.Labels[0]
		if !destinationName.MatchString(name) {
			l.errorf(db.LabelRanges[0], "Invalid event destination name", "An event destination name has 1-64 letters, digits, underscores and hyphens.")
		}
		if prev, dup := seen[name]; dup {
			l.errorf(db.LabelRanges[0], "Duplicate event destination", "Configuration set %q already has an event destination %q at %s.", cs.Label, name, prev.String())
			continue
		}
		seen[name] = db.DefRange
		d := EventDestination{Name: name, Enabled: true, Range: db.DefRange}
		dc := l.content(db.Body, attrsSchema([]string{"types", "topic"}, []string{"enabled"}))
		d.Types = l.enumList(dc, "types", "event type", eventTypes)
		if _, ok := dc.Attributes["types"]; ok && len(d.Types) == 0 {
			l.errorf(dc.Attributes["types"].Expr.Range(), "No event types", "An event destination needs at least one event type: %s.", quoteList(eventTypes))
		}
		if v, _, ok := l.ref(dc, "topic", "topic"); ok {
			d.Topic = v
		}
		if v, _, ok := l.boolean(dc, "enabled"); ok {
			d.Enabled = v
		}
		cs.EventDestinations = append(cs.EventDestinations, d)
	}
	if len(cs.EventDestinations) > 10 {
		l.errorf(c.Blocks[10].DefRange, "Too many event destinations", "SES allows at most 10 event destinations per configuration set; %q has %d.", cs.Label, len(cs.EventDestinations))
	}
	l.spec.ConfigurationSets = append(l.spec.ConfigurationSets, cs)
}

// enumList decodes a list whose items must come from allowed, without repeats.
func (l *loader) enumList(c *hcl.BodyContent, name, what string, allowed []string) []string {
	items, _, _ := l.strList(c, name)
	var out []string
	seen := map[string]bool{}
	for _, it := range items {
		if !slices.Contains(allowed, it.Value) {
			l.errorf(it.Range, "Unknown "+what, "%s is not a valid %s. Use %s.%s", l.show(it.Range, it.Value), what, quoteList(allowed), l.didYouMean(it.Range, it.Value, allowed))
			continue
		}
		if seen[it.Value] {
			l.errorf(it.Range, "Duplicate "+what, "%q is listed twice in %s.", it.Value, name)
			continue
		}
		seen[it.Value] = true
		out = append(out, it.Value)
	}
	return out
}

var selectorPattern = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

func (l *loader) decodeDomain(b *hcl.Block) {
	d := Domain{Name: normalName(b.Labels[0]), SESIdentity: true, Range: b.DefRange}
	if p := dnsNameProblem(b.Labels[0], false); p != "" {
		l.errorf(b.LabelRanges[0], "Invalid domain name", "%q is not a valid DNS name: %s.", b.Labels[0], p)
	}
	c := l.content(b.Body, attrsSchema(nil, []string{"ses_identity", "configuration_set"},
		hcl.BlockHeaderSchema{Type: "dkim"}, hcl.BlockHeaderSchema{Type: "mail_from"}, hcl.BlockHeaderSchema{Type: "spf"},
		hcl.BlockHeaderSchema{Type: "dmarc"}, hcl.BlockHeaderSchema{Type: "notifications"}))
	if v, _, ok := l.ref(c, "configuration_set", "configuration_set"); ok {
		d.ConfigurationSet = v
	}
	d.DKIM = DKIM{Mode: DKIMEasy, KeyLength: 2048, Range: b.DefRange}
	once := map[string]bool{}
	for _, sb := range c.Blocks {
		if once[sb.Type] {
			l.errorf(sb.DefRange, "Duplicate "+sb.Type+" block", "A domain has at most one %s block.", sb.Type)
			continue
		}
		once[sb.Type] = true
		switch sb.Type {
		case "dkim":
			l.decodeDKIM(&d, sb)
		case "mail_from":
			d.MailFrom = l.decodeMailFrom(&d, sb)
		case "spf":
			d.SPF = l.decodeSPF(sb)
		case "dmarc":
			d.DMARC = l.decodeDMARC(sb)
		case "notifications":
			d.Notifications = l.decodeNotifications(sb)
		}
	}
	if v, rng, ok := l.boolean(c, "ses_identity"); ok && !v {
		d.SESIdentity = false
		d.DKIM.Mode = DKIMOff
		for _, sb := range c.Blocks {
			if sb.Type == "dkim" || sb.Type == "mail_from" || sb.Type == "notifications" {
				l.errorf(sb.DefRange, "Block needs an SES identity", "A %s block configures the SES identity, and ses_identity = false (at %s) says there is none. Remove one or the other.", sb.Type, rng.String())
			}
		}
		if a, ok := c.Attributes["configuration_set"]; ok {
			l.errorf(a.Expr.Range(), "Attribute needs an SES identity", "configuration_set applies to the SES identity, and ses_identity = false says there is none. Remove one or the other.")
		}
	}
	l.spec.Domains = append(l.spec.Domains, d)
}

func (l *loader) decodeDKIM(d *Domain, b *hcl.Block) {
	d.DKIM.Range = b.DefRange
	c := l.content(b.Body, attrsSchema(nil, []string{"mode", "key_length", "selector", "private_key"}))
	if v, rng, ok := l.str(c, "mode"); ok && l.oneOf(rng, "dkim.mode", v, []string{DKIMEasy, DKIMBYO, DKIMOff}) {
		d.DKIM.Mode = v
	}
	if v, rng, ok := l.num(c, "key_length"); ok {
		l.checkKeyLength(rng, v)
		d.DKIM.KeyLength = v
	}
	sel, selRange, hasSel := l.str(c, "selector")
	key, keyRange, hasKey := l.str(c, "private_key")
	switch d.DKIM.Mode {
	case DKIMBYO:
		if !hasSel {
			l.errorf(b.DefRange, "Missing DKIM selector", "dkim.mode = \"byo\" needs selector: the name of your key in DNS (<selector>._domainkey.%s), 1-63 letters, digits and hyphens, such as selector = \"mail2024\".", d.Name)
		} else if !selectorPattern.MatchString(sel) {
			l.errorf(selRange, "Invalid DKIM selector", "%s is not a valid selector: use 1-63 letters, digits and hyphens, not starting or ending with a hyphen.", l.show(selRange, sel))
		}
		if !hasKey {
			l.errorf(b.DefRange, "Missing DKIM private key location", "dkim.mode = \"byo\" needs private_key: where the private key is kept (%s). mailform generates the key there when it is absent.", secretSchemes)
		} else {
			// SES carries the location in the identity's mailform:dkim_private_key tag.
			l.checkSecretLocation(keyRange, key, true)
		}
	default:
		if hasSel {
			l.errorf(selRange, "Selector needs byo DKIM", "selector is used only with mode = \"byo\"; Easy DKIM chooses its own tokens. Remove selector or set mode = \"byo\".")
		}
		if hasKey {
			l.errorf(keyRange, "Private key needs byo DKIM", "private_key is used only with mode = \"byo\". Remove it or set mode = \"byo\".")
		}
	}
	d.DKIM.Selector, d.DKIM.PrivateKey = strings.ToLower(sel), key
}

func (l *loader) checkKeyLength(rng hcl.Range, v int) {
	if v != 1024 && v != 2048 {
		l.errorf(rng, "Unsupported key length", "key_length = %d is not supported: SES signs with RSA keys of 1024 or 2048 bits. Use 2048.", v)
	}
}

func (l *loader) decodeMailFrom(d *Domain, b *hcl.Block) *MailFrom {
	m := &MailFrom{OnMXFailure: "use_default", Range: b.DefRange}
	c := l.content(b.Body, attrsSchema([]string{"subdomain"}, []string{"on_mx_failure"}))
	if v, rng, ok := l.str(c, "on_mx_failure"); ok && l.oneOf(rng, "on_mx_failure", v, []string{"use_default", "reject"}) {
		m.OnMXFailure = v
	}
	v, rng, ok := l.str(c, "subdomain")
	if !ok {
		return m
	}
	m.Subdomain, m.subdomainRange = v, rng
	full := strings.ToLower(v)
	switch {
	case strings.HasSuffix(full, "."):
		// An absolute name: it must lie under the domain.
		full = strings.TrimSuffix(full, ".")
		if !strings.HasSuffix(full, "."+d.Name) {
			l.errorf(rng, "MAIL FROM domain is not a subdomain", "The MAIL FROM domain %q must be a subdomain of %q. Write the part before the domain, such as subdomain = \"bounce\".", full, d.Name)
			return m
		}
	case strings.HasSuffix(full, "."+d.Name) || full == d.Name:
		l.errorf(rng, "MAIL FROM subdomain is relative", "subdomain is written relative to the domain: write %q, not %q (or give a full name with a trailing dot).", strings.TrimSuffix(strings.TrimSuffix(full, d.Name), "."), v)
		return m
	default:
		full = full + "." + d.Name
	}
	if p := dnsNameProblem(full, false); p != "" {
		l.errorf(rng, "Invalid MAIL FROM subdomain", "%s is not a valid DNS name: %s.", l.show(rng, full), l.explain(rng, p))
		return m
	}
	m.Domain = full
	return m
}

var spfAll = map[string]string{"fail": "-all", "softfail": "~all", "neutral": "?all"}

func (l *loader) decodeSPF(b *hcl.Block) *SPF {
	s := &SPF{All: "softfail", Range: b.DefRange}
	c := l.content(b.Body, attrsSchema(nil, []string{"include", "mtas", "ip4", "ip6", "a", "mx", "all"}))
	includes, _, _ := l.strList(c, "include")
	for _, it := range includes {
		inc := strings.ToLower(strings.TrimSuffix(it.Value, "."))
		if rest, ok := strings.CutPrefix(inc, "include:"); ok {
			l.errorf(it.Range, "Write the include domain only", "List the domain without the mechanism: %q instead of %q.", rest, it.Value)
			continue
		}
		if p := dnsNameProblem(inc, true); p != "" {
			l.errorf(it.Range, "Invalid SPF include", "%q is not a valid DNS name: %s.", it.Value, p)
			continue
		}
		s.Include = append(s.Include, inc)
	}
	mtas, _, _ := l.refList(c, "mtas", "mta")
	s.MTAs = values(mtas)
	for _, fam := range []struct {
		name string
		v6   bool
		dst  *[]string
	}{{"ip4", false, &s.IP4}, {"ip6", true, &s.IP6}} {
		items, _, _ := l.strList(c, fam.name)
		for _, it := range items {
			if !validCIDR(it.Value, fam.v6) {
				l.errorf(it.Range, "Invalid SPF "+fam.name, "%q is not an IPv%s address or network (such as %s).", it.Value, map[bool]string{false: "4", true: "6"}[fam.v6], map[bool]string{false: "\"192.0.2.10\" or \"192.0.2.0/24\"", true: "\"2001:db8::/32\""}[fam.v6])
				continue
			}
			*fam.dst = append(*fam.dst, it.Value)
		}
	}
	if v, _, ok := l.boolean(c, "a"); ok {
		s.A = v
	}
	if v, _, ok := l.boolean(c, "mx"); ok {
		s.MX = v
	}
	if v, rng, ok := l.str(c, "all"); ok && l.oneOf(rng, "spf.all", v, []string{"fail", "softfail", "neutral"}) {
		s.All = v
	}
	return s
}

func (l *loader) decodeDMARC(b *hcl.Block) *DMARC {
	m := &DMARC{Percent: 100, Range: b.DefRange}
	c := l.content(b.Body, attrsSchema([]string{"policy"}, []string{"subdomain_policy", "pct", "rua", "ruf", "adkim", "aspf"}))
	if v, rng, ok := l.str(c, "policy"); ok && l.oneOf(rng, "dmarc.policy", v, mailauth.DMARCPolicies) {
		m.Policy = v
	}
	if v, rng, ok := l.str(c, "subdomain_policy"); ok && l.oneOf(rng, "dmarc.subdomain_policy", v, mailauth.DMARCPolicies) {
		m.SubdomainPolicy = v
	}
	if v, rng, ok := l.num(c, "pct"); ok {
		if v < 0 || v > 100 {
			l.errorf(rng, "Value out of range", "pct is the percentage of failing mail the policy applies to: 0 to 100, not %d.", v)
		}
		m.Percent = v
	}
	for _, attr := range []string{"adkim", "aspf"} {
		if v, rng, ok := l.str(c, attr); ok && l.oneOf(rng, "dmarc."+attr, v, []string{"relaxed", "strict"}) {
			if attr == "adkim" {
				m.ADKIM = v
			} else {
				m.ASPF = v
			}
		}
	}
	for _, attr := range []string{"rua", "ruf"} {
		items, _, _ := l.strList(c, attr)
		for _, it := range items {
			if p := mailtoProblem(it.Value); p != "" {
				l.errorf(it.Range, "Invalid DMARC report address", "%s in %s: %s.", l.show(it.Range, it.Value), attr, p)
				continue
			}
			if attr == "rua" {
				m.RUA = append(m.RUA, it.Value)
			} else {
				m.RUF = append(m.RUF, it.Value)
			}
		}
	}
	return m
}

func (l *loader) decodeNotifications(b *hcl.Block) *Notifications {
	n := &Notifications{Forwarding: true, Range: b.DefRange}
	c := l.content(b.Body, attrsSchema(nil, []string{"bounce", "complaint", "delivery", "forwarding"}))
	n.Bounce, _, _ = l.ref(c, "bounce", "topic")
	n.Complaint, _, _ = l.ref(c, "complaint", "topic")
	n.Delivery, _, _ = l.ref(c, "delivery", "topic")
	if v, rng, ok := l.boolean(c, "forwarding"); ok {
		n.Forwarding = v
		if !v && (n.Bounce == "" || n.Complaint == "") {
			var missing []string
			if _, ok := c.Attributes["bounce"]; !ok {
				missing = append(missing, "bounce")
			}
			if _, ok := c.Attributes["complaint"]; !ok {
				missing = append(missing, "complaint")
			}
			if len(missing) > 0 {
				l.errorf(rng, "Forwarding off without feedback topics", "SES turns off feedback by email only when both bounces and complaints go to SNS topics; set %s (such as %s = topic.feedback) or remove forwarding = false.", strings.Join(missing, " and "), missing[0])
			}
		}
	}
	return n
}

func (l *loader) decodeEmail(b *hcl.Block) {
	addr := strings.TrimSpace(b.Labels[0])
	if p := emailProblem(addr, false); p != "" {
		l.errorf(b.LabelRanges[0], "Invalid email address", "%q is not a valid email address: %s.", b.Labels[0], p)
	}
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		addr = addr[:at] + strings.ToLower(addr[at:]) // the domain part is case-insensitive
	}
	e := Email{Address: addr, Range: b.DefRange}
	c := l.content(b.Body, attrsSchema(nil, []string{"configuration_set"}))
	e.ConfigurationSet, _, _ = l.ref(c, "configuration_set", "configuration_set")
	l.spec.Emails = append(l.spec.Emails, e)
}

var (
	iamUserName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	iamPath     = regexp.MustCompile(`^/([\x21-\x7e]*/)?$`)
)

func (l *loader) decodeSMTPUser(b *hcl.Block) {
	u := SMTPUser{Label: b.Labels[0], Path: "/", Range: b.DefRange}
	l.checkIdentifierLabel(b)
	c := l.content(b.Body, attrsSchema([]string{"credentials"}, []string{"user_name", "path", "allowed_from"}))
	if v, rng, ok := l.str(c, "user_name"); ok {
		if !iamUserName.MatchString(v) {
			l.errorf(rng, "Invalid IAM user name", "%s is not a valid IAM user name: 1-64 letters, digits and +=,.@_-.", l.show(rng, v))
		}
		u.UserName = v
	}
	if v, rng, ok := l.str(c, "path"); ok {
		if !iamPath.MatchString(v) || len(v) > 512 {
			l.errorf(rng, "Invalid IAM path", "An IAM path starts and ends with \"/\", such as \"/mailform/\", and has at most 512 characters.")
		}
		u.Path = v
	}
	items, _, _ := l.strList(c, "allowed_from")
	for _, it := range items {
		if p := emailProblem(it.Value, true); p != "" {
			l.errorf(it.Range, "Invalid sender address", "%s in allowed_from: %s. Use an address or \"*@domain\".", l.show(it.Range, it.Value), l.explain(it.Range, p))
			continue
		}
		u.AllowedFrom = append(u.AllowedFrom, it.Value)
	}
	if v, rng, ok := l.str(c, "credentials"); ok {
		// IAM carries the location in the user's mailform:credentials tag.
		l.checkSecretLocation(rng, v, true)
		u.Credentials = v
	}
	l.spec.SMTPUsers = append(l.spec.SMTPUsers, u)
}

var (
	instanceID         = regexp.MustCompile(`^i-([0-9a-f]{8}|[0-9a-f]{17})$`)
	networkInterfaceID = regexp.MustCompile(`^eni-([0-9a-f]{8}|[0-9a-f]{17})$`)
	allocationID       = regexp.MustCompile(`^eipalloc-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

func (l *loader) decodeMTA(b *hcl.Block) {
	m := MTA{Label: b.Labels[0], ReverseDNS: true, Range: b.DefRange}
	l.checkIdentifierLabel(b)
	c := l.content(b.Body, attrsSchema([]string{"hostname"}, []string{"instance_id", "network_interface_id", "reverse_dns", "allocation_id", "ttl"}))
	if v, rng, ok := l.str(c, "hostname"); ok {
		if p := dnsNameProblem(v, false); p != "" {
			l.errorf(rng, "Invalid host name", "%s is not a valid host name: %s.", l.show(rng, v), l.explain(rng, p))
		}
		m.Hostname = normalName(v)
	}
	if v, rng, ok := l.str(c, "instance_id"); ok {
		if !instanceID.MatchString(v) {
			l.errorf(rng, "Invalid instance ID", "%s is not an EC2 instance ID such as \"i-0abc1234def567890\".", l.show(rng, v))
		}
		m.InstanceID = v
	}
	if v, rng, ok := l.str(c, "network_interface_id"); ok {
		if !networkInterfaceID.MatchString(v) {
			l.errorf(rng, "Invalid network interface ID", "%s is not an EC2 network interface ID such as \"eni-0abc1234def567890\".", l.show(rng, v))
		}
		if a, both := c.Attributes["instance_id"]; both {
			// AssociateAddress: "You can specify either the instance ID or
			// the network interface ID, but not both."
			l.errorf(rng, "Both instance_id and network_interface_id", "AWS associates an Elastic IP either with an instance (instance_id, at %s) or with one of its network interfaces (network_interface_id), not both. Keep network_interface_id for an instance with several network interfaces, instance_id otherwise.", a.NameRange.String())
		}
		m.NetworkInterfaceID = v
	}
	if v, _, ok := l.boolean(c, "reverse_dns"); ok {
		m.ReverseDNS = v
	}
	if v, rng, ok := l.str(c, "allocation_id"); ok {
		if !allocationID.MatchString(v) {
			l.errorf(rng, "Invalid allocation ID", "%s is not the allocation ID of an Elastic IP such as \"eipalloc-0abc1234def567890\" (aws ec2 describe-addresses lists them).", l.show(rng, v))
		}
		m.AllocationID = v
	}
	if v, rng, ok := l.num(c, "ttl"); ok {
		if v < 60 || v > 2147483647 {
			l.errorf(rng, "TTL out of range", "ttl = %d is out of range: use 60 seconds or more for the A record of %s (300 is the default).", v, m.Hostname)
		}
		m.TTL = v
	}
	l.spec.MTAs = append(l.spec.MTAs, m)
}

func (l *loader) decodeDKIMKey(b *hcl.Block) {
	k := DKIMKey{Label: b.Labels[0], KeyLength: 2048, Range: b.DefRange}
	l.checkIdentifierLabel(b)
	c := l.content(b.Body, attrsSchema([]string{"domain", "selector", "private_key"}, []string{"key_length"}))
	if v, rng, ok := l.str(c, "domain"); ok {
		if p := dnsNameProblem(v, false); p != "" {
			l.errorf(rng, "Invalid domain name", "%s is not a valid DNS name: %s.", l.show(rng, v), l.explain(rng, p))
		}
		k.Domain = normalName(v)
	}
	if v, rng, ok := l.str(c, "selector"); ok {
		if !selectorPattern.MatchString(v) {
			l.errorf(rng, "Invalid DKIM selector", "%s is not a valid selector: use 1-63 letters, digits and hyphens, not starting or ending with a hyphen.", l.show(rng, v))
		}
		k.Selector = strings.ToLower(v)
	}
	if v, rng, ok := l.num(c, "key_length"); ok {
		l.checkKeyLength(rng, v)
		k.KeyLength = v
	}
	if v, rng, ok := l.str(c, "private_key"); ok {
		l.checkSecretLocation(rng, v, false)
		k.PrivateKey = v
	}
	l.spec.DKIMKeys = append(l.spec.DKIMKeys, k)
}

var recordTypes = []string{"A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SRV", "TXT"}

func (l *loader) decodeRecord(b *hcl.Block) {
	r := Record{Name: normalName(b.Labels[0]), Type: strings.ToUpper(b.Labels[1]), TTL: 300, Range: b.DefRange}
	if p := dnsNameProblem(b.Labels[0], true); p != "" {
		l.errorf(b.LabelRanges[0], "Invalid record name", "%q is not a valid DNS name: %s.", b.Labels[0], p)
	}
	typeOK := slices.Contains(recordTypes, r.Type)
	switch {
	case r.Type == "SPF":
		l.errorf(b.LabelRanges[1], "Obsolete record type", "SPF values are published as TXT records; the SPF record type is obsolete (RFC 7208). For a domain of this spec, use the spf block of its domain block; otherwise write record %q \"TXT\".", b.Labels[0])
	case !typeOK:
		l.errorf(b.LabelRanges[1], "Unsupported record type", "%q is not a record type mailform manages. Use %s.%s", b.Labels[1], quoteList(recordTypes), didYouMean(r.Type, recordTypes))
	}
	c := l.content(b.Body, attrsSchema([]string{"values"}, []string{"ttl"}))
	if v, rng, ok := l.num(c, "ttl"); ok {
		if v < 60 || v > 2147483647 {
			l.errorf(rng, "TTL out of range", "ttl = %d is too short: use 60 seconds or more (300 is the default; 3600 suits records that rarely change).", v)
		}
		r.TTL = v
	}
	items, rng, ok := l.strList(c, "values")
	if ok && len(items) == 0 {
		l.errorf(rng, "No record values", "A record set needs at least one value.")
	}
	if typeOK && r.Type == "CNAME" && len(items) > 1 {
		l.errorf(rng, "CNAME with several values", "A CNAME record set holds exactly one value.")
	}
	for _, it := range items {
		if typeOK {
			if p := recordValueProblem(r.Type, it.Value); p != "" {
				l.errorf(it.Range, "Invalid "+r.Type+" value", "%s: %s.", l.show(it.Range, it.Value), l.explain(it.Range, p))
				continue
			}
		}
		r.Values = append(r.Values, it.Value)
	}
	l.spec.Records = append(l.spec.Records, r)
}

var (
	mxValue  = regexp.MustCompile(`^([0-9]{1,5})\s+(\S+)$`)
	srvValue = regexp.MustCompile(`^([0-9]{1,5})\s+([0-9]{1,5})\s+([0-9]{1,5})\s+(\S+)$`)
	caaValue = regexp.MustCompile(`^([0-9]{1,3})\s+(issue|issuewild|iodef)\s+"[^"]*"$`)
)

// recordValueProblem checks one value of a record set of type typ.
func recordValueProblem(typ, v string) string {
	host := func(h string) string {
		if h == "." {
			return ""
		}
		if p := dnsNameProblem(h, true); p != "" {
			return fmt.Sprintf("%q is not a valid host name: %s", h, p)
		}
		return ""
	}
	switch typ {
	case "A":
		if !validIPv4(v) {
			return "an A value is an IPv4 address such as \"192.0.2.10\""
		}
	case "AAAA":
		if !validIPv6(v) {
			return "an AAAA value is an IPv6 address such as \"2001:db8::10\""
		}
	case "CNAME", "NS", "PTR":
		return host(v)
	case "MX":
		m := mxValue.FindStringSubmatch(v)
		if m == nil {
			return "an MX value is a preference and a host, such as \"10 mx1.acme.example.\""
		}
		return host(m[2])
	case "SRV":
		m := srvValue.FindStringSubmatch(v)
		if m == nil {
			return "an SRV value is priority, weight, port and target, such as \"10 5 587 smtp.acme.example.\""
		}
		return host(m[4])
	case "CAA":
		if !caaValue.MatchString(v) {
			return "a CAA value is flags, tag and quoted value, such as `0 issue \"amazon.com\"`"
		}
	case "TXT":
		if len(UnquoteTXT(v)) > 4000 {
			return "a TXT value may hold at most 4000 characters"
		}
	}
	return ""
}

func (l *loader) decodeAccount(blocks hcl.Blocks) {
	if len(blocks) == 0 {
		return
	}
	for _, b := range blocks[1:] {
		l.errorf(b.DefRange, "Duplicate account block", "The spec already has an account block at %s. Keep one.", blocks[0].DefRange.String())
	}
	b := blocks[0]
	a := &Account{Range: b.DefRange}
	c := l.content(b.Body, attrsSchema(nil, []string{"suppression"}, hcl.BlockHeaderSchema{Type: "production_access"}, hcl.BlockHeaderSchema{Type: "alarms"}))
	a.Suppression = l.enumList(c, "suppression", "suppression reason", suppressionReasons)
	_, a.SuppressionSet = c.Attributes["suppression"]
	for _, pb := range c.Blocks {
		switch {
		case pb.Type == "production_access" && a.ProductionAccess != nil:
			l.errorf(pb.DefRange, "Duplicate production_access block", "An account has at most one production_access block.")
		case pb.Type == "production_access":
			a.ProductionAccess = l.decodeProductionAccess(pb)
		case a.Alarms != nil:
			l.errorf(pb.DefRange, "Duplicate alarms block", "An account has at most one alarms block.")
		default:
			a.Alarms = l.decodeAlarms(pb)
		}
	}
	l.spec.Account = a
}

// AWS's review levels and CloudWatch's limits the alarms block is checked
// against (docs/spec-language.md).
const (
	reviewBouncePercent    = 5   // AWS reviews an account at a 5% bounce rate
	reviewComplaintPercent = 0.1 // and at a 0.1% complaint rate
	maxAlarmActions        = 5   // PutMetricAlarm AlarmActions: at most 5
	maxAlarmMinutes        = 7 * 24 * 60
)

var snsTopicARN = regexp.MustCompile(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$`)

func (l *loader) decodeAlarms(b *hcl.Block) *Alarms {
	a := &Alarms{
		BouncePercent: DefaultBounceAlarmPercent, ComplaintPercent: DefaultComplaintAlarmPercent,
		PeriodMinutes: 60, EvaluationPeriods: 1, Range: b.DefRange,
	}
	c := l.content(b.Body, attrsSchema([]string{"notify"}, []string{"bounce_percent", "complaint_percent", "period_minutes", "evaluation_periods"}))
	if v, ok := l.percent(c, "bounce_percent", reviewBouncePercent, "bounce"); ok {
		a.BouncePercent = v
	}
	if v, ok := l.percent(c, "complaint_percent", reviewComplaintPercent, "complaint"); ok {
		a.ComplaintPercent = v
	}
	if v, rng, ok := l.num(c, "period_minutes"); ok {
		if v < 1 || v > 24*60 {
			l.errorf(rng, "Invalid alarm period", "period_minutes is the length of one evaluation period, from 1 to 1440 minutes (one day); %d is outside.", v)
		} else {
			a.PeriodMinutes = v
		}
	}
	if v, rng, ok := l.num(c, "evaluation_periods"); ok {
		if v < 1 {
			l.errorf(rng, "Invalid evaluation periods", "evaluation_periods is how many consecutive periods must be at or above the threshold before the alarm fires: at least 1.")
		} else {
			a.EvaluationPeriods = v
		}
	}
	if n := a.PeriodMinutes * a.EvaluationPeriods; n > maxAlarmMinutes {
		l.errorf(b.DefRange, "Alarm evaluates too long", "CloudWatch evaluates an alarm over at most 7 days (10080 minutes); period_minutes × evaluation_periods is %d minutes. Lower one of them.", n)
	}
	if at, ok := c.Attributes["notify"]; ok {
		l.decodeNotify(at, a)
	}
	return a
}

// percent decodes a rate threshold in percent, kept as its decimal text.
func (l *loader) percent(c *hcl.BodyContent, name string, review float64, what string) (string, bool) {
	at, ok := c.Attributes[name]
	if !ok {
		return "", false
	}
	v, ok := l.eval(at.Expr)
	if !ok || v.IsNull() {
		return "", false
	}
	n, err := convert.Convert(v, cty.Number)
	if err != nil {
		l.typeError(at, err)
		return "", false
	}
	f, _ := n.AsBigFloat().Float64()
	rng := at.Expr.Range()
	if f <= 0 || f >= 100 {
		l.errorf(rng, "Invalid alarm threshold", "%s is a rate in percent, above 0 and below 100, such as %s = %s; %v is outside.", name, name, map[string]string{"bounce": DefaultBounceAlarmPercent, "complaint": DefaultComplaintAlarmPercent}[what], f)
		return "", false
	}
	if f >= review {
		l.warnf(rng, "Alarm at or above AWS's review level", "AWS reviews an account whose %s rate reaches %v%%, and may pause its sending; an alarm at %v%% tells you only once the review has begun. Choose a lower threshold.", what, review, f)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// decodeNotify reads notify: references to topic blocks and SNS topic ARNs.
func (l *loader) decodeNotify(at *hcl.Attribute, a *Alarms) {
	exprs, d := hcl.ExprList(at.Expr)
	if d.HasErrors() {
		l.errorf(at.Expr.Range(), "Invalid notify list", "notify takes a list of topics: references to topic blocks and SNS topic ARNs, such as [topic.alerts, \"arn:aws:sns:us-west-2:123456789012:oncall\"].")
		return
	}
	if len(exprs) == 0 {
		l.errorf(at.Expr.Range(), "Alarms notify nobody", "An alarm nobody hears of helps nobody: list at least one topic in notify, such as [topic.alerts].")
		return
	}
	if len(exprs) > maxAlarmActions {
		l.errorf(at.Expr.Range(), "Too many topics to notify", "CloudWatch takes at most %d actions per alarm; notify lists %d.", maxAlarmActions, len(exprs))
	}
	seen := map[string]bool{}
	for _, e := range exprs {
		if t, td := hcl.AbsTraversalForExpr(e); !td.HasErrors() {
			if t.RootName() != "topic" {
				l.errorf(e.Range(), "Invalid reference", "notify takes references to topic blocks, such as topic.alerts, or SNS topic ARNs; not %s.", traversalString(t))
				continue
			}
			label, ok := l.refExpr(e, "notify", "topic")
			if ok && !seen["topic."+label] {
				seen["topic."+label] = true
				a.Topics = append(a.Topics, label)
			}
			continue
		}
		v, ok := l.eval(e)
		if !ok || v.IsNull() {
			continue
		}
		sv, err := convert.Convert(v, cty.String)
		if err != nil {
			l.errorf(e.Range(), "Invalid notify entry", "notify takes references to topic blocks (topic.alerts) and SNS topic ARNs (strings).")
			continue
		}
		arn := sv.AsString()
		if !snsTopicARN.MatchString(arn) {
			l.errorf(e.Range(), "Invalid SNS topic ARN", "%s is not an SNS topic ARN, such as \"arn:aws:sns:us-west-2:123456789012:oncall\"; a topic of this spec is written topic.<label>, without quotes.", l.show(e.Range(), arn))
			continue
		}
		if parts := strings.Split(arn, ":"); parts[3] != l.spec.Region && l.spec.Region != "" {
			l.warnf(e.Range(), "Topic in another region", "CloudWatch alarm actions name SNS topics of the alarm's own region (%s); this topic is in %s, and may never be notified.", l.spec.Region, parts[3])
		}
		if !seen[arn] {
			seen[arn] = true
			a.TopicARNs = append(a.TopicARNs, arn)
		}
	}
}

func (l *loader) decodeProductionAccess(b *hcl.Block) *ProductionAccess {
	p := &ProductionAccess{ContactLanguage: "EN", Range: b.DefRange}
	c := l.content(b.Body, attrsSchema([]string{"mail_type", "website_url", "use_case"}, []string{"contact_language", "additional_contacts"}))
	if v, rng, ok := l.str(c, "mail_type"); ok && l.oneOf(rng, "mail_type", v, []string{"TRANSACTIONAL", "MARKETING"}) {
		p.MailType = v
	}
	if v, rng, ok := l.str(c, "website_url"); ok {
		if pr := urlProblem(v); pr != "" {
			l.errorf(rng, "Invalid website URL", "%s: %s.", l.show(rng, v), l.explain(rng, pr))
		}
		p.WebsiteURL = v
	}
	if v, rng, ok := l.str(c, "contact_language"); ok && l.oneOf(rng, "contact_language", v, []string{"EN", "JA"}) {
		p.ContactLanguage = v
	}
	if v, rng, ok := l.str(c, "use_case"); ok {
		switch n := len([]rune(v)); {
		case strings.TrimSpace(v) == "":
			l.errorf(rng, "Empty use case", "Describe how you send mail: what, to whom, how recipients sign up, and how you handle bounces and complaints.")
		case n > 5000:
			l.errorf(rng, "Use case too long", "SES accepts at most 5000 characters in the use case description; this one has %d. Shorten it.", n)
		}
		p.UseCase = v
	}
	items, rng, ok := l.strList(c, "additional_contacts")
	if ok && (len(items) < 1 || len(items) > 4) {
		l.errorf(rng, "Wrong number of contacts", "SES takes 1 to 4 additional contact addresses; %d are listed.", len(items))
	}
	for _, it := range items {
		if pr := emailProblem(it.Value, false); pr != "" {
			l.errorf(it.Range, "Invalid email address", "%s in additional_contacts: %s.", l.show(it.Range, it.Value), l.explain(it.Range, pr))
			continue
		}
		p.AdditionalContacts = append(p.AdditionalContacts, it.Value)
	}
	return p
}

func (l *loader) decodeRequests(blocks hcl.Blocks) {
	if len(blocks) == 0 {
		return
	}
	for _, b := range blocks[1:] {
		l.errorf(b.DefRange, "Duplicate requests block", "The spec already has a requests block at %s. Keep one.", blocks[0].DefRange.String())
	}
	b := blocks[0]
	r := &Requests{Range: b.DefRange}
	c := l.content(b.Body, attrsSchema([]string{"contact_email", "use_case"}, nil))
	if v, rng, ok := l.str(c, "contact_email"); ok {
		if p := emailProblem(v, false); p != "" {
			l.errorf(rng, "Invalid email address", "%s in contact_email: %s.", l.show(rng, v), l.explain(rng, p))
		}
		r.ContactEmail = v
	}
	if v, rng, ok := l.str(c, "use_case"); ok {
		if strings.TrimSpace(v) == "" {
			l.errorf(rng, "Empty use case", "Describe what the MTA sends and to whom; AWS reads it before lifting the port-25 limit.")
		}
		r.UseCase = v
	}
	l.spec.Requests = r
}

func labelList(labels []string) string {
	q := make([]string, len(labels))
	for i, lab := range labels {
		q[i] = fmt.Sprintf("%q", lab)
	}
	return strings.Join(q, " ")
}

// checkIdentifierLabel checks the label of a block that others refer to.
func (l *loader) checkIdentifierLabel(b *hcl.Block) {
	if !identifierLike.MatchString(b.Labels[0]) || len(b.Labels[0]) > 32 {
		l.errorf(b.LabelRanges[0], "Invalid "+b.Type+" name", "%q cannot name a %s: use 1-32 lower-case letters, digits, underscores and hyphens, starting with a letter, so that %s.NAME can refer to it and AWS accepts the names made from it.", b.Labels[0], b.Type, b.Type)
	}
}

// checkUniqueLabels reports a second block of one type with the same labels
// (DNS names compared without case or trailing dot).
func (l *loader) checkUniqueLabels(blocks hcl.Blocks) {
	seen := map[string]*hcl.Block{}
	for _, b := range blocks {
		if len(b.Labels) == 0 || b.Type == "variable" {
			continue
		}
		key := b.Type
		for _, lab := range b.Labels {
			key += "\x00" + normalName(lab)
		}
		if prev, dup := seen[key]; dup {
			l.errorf(b.LabelRanges[0], "Duplicate "+b.Type+" block", "A %s block %s is already declared at %s. Labels must be unique per block type; merge the two blocks.", b.Type, labelList(b.Labels), prev.DefRange.String())
			continue
		}
		seen[key] = b
	}
}

// checkReferences reports references to blocks that are not declared.
func (l *loader) checkReferences() {
	declared := map[string][]string{}
	for _, t := range l.spec.Topics {
		declared["topic"] = append(declared["topic"], t.Label)
	}
	for _, c := range l.spec.ConfigurationSets {
		declared["configuration_set"] = append(declared["configuration_set"], c.Label)
	}
	for _, m := range l.spec.MTAs {
		declared["mta"] = append(declared["mta"], m.Label)
	}
	for _, r := range l.refs {
		if slices.Contains(declared[r.blockType], r.label) {
			continue
		}
		l.errorf(r.rng, "Reference to undeclared "+r.blockType, "No %s block is labeled %q.%s Declare it with %s %q {} or fix the reference.", r.blockType, r.label, didYouMean(r.label, declared[r.blockType]), r.blockType, r.label)
	}
}
