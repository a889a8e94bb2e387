package check

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/mailform/mailform/internal/dnsvalue"
	"github.com/mailform/mailform/mailauth"
)

// Bulk-sender readiness: the requirements Gmail and Yahoo (since February
// 2024) and Microsoft's Outlook.com (since May 2025) set for senders of
// 5,000 or more messages a day, and SES's own reputation thresholds, checked
// against live DNS, the MTAs' port 25 and SES's reputation metrics.

// Source is where a rule is stated.
type Source struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// The sources of the rules (docs/check.md, "Bulk-sender readiness").
var (
	SourceGmail     = Source{"Gmail", "https://support.google.com/a/answer/81126"}
	SourceYahoo     = Source{"Yahoo", "https://senders.yahooinc.com/best-practices/"}
	SourceMicrosoft = Source{"Microsoft", "https://techcommunity.microsoft.com/blog/microsoftdefenderforoffice365blog/strengthening-email-ecosystem-outlook%E2%80%99s-new-requirements-for-high%E2%80%90volume-senders/4399730"}
	SourceSES       = Source{"Amazon SES", "https://docs.aws.amazon.com/ses/latest/dg/faqs-enforcement.html"}
)

// Requirement is one rule of the bulk-sender check and who states it.
type Requirement struct {
	Check   string   // the check's name in the report
	Sources []Source // the mailbox providers (or SES) that state it
}

// The requirements, in report order.
var (
	ReqSPF         = Requirement{"SPF", []Source{SourceGmail, SourceYahoo, SourceMicrosoft}}
	ReqDKIM        = Requirement{"DKIM", []Source{SourceGmail, SourceYahoo, SourceMicrosoft}}
	ReqDMARC       = Requirement{"DMARC", []Source{SourceGmail, SourceYahoo, SourceMicrosoft}}
	ReqAlignment   = Requirement{"DMARC alignment", []Source{SourceGmail, SourceYahoo, SourceMicrosoft}}
	ReqUnsubscribe = Requirement{"one-click unsubscribe", []Source{SourceGmail, SourceYahoo}}
	ReqFCrDNS      = Requirement{"FCrDNS", []Source{SourceGmail, SourceYahoo}}
	ReqTLS         = Requirement{"TLS", []Source{SourceGmail}}
	ReqComplaints  = Requirement{"complaint rate", []Source{SourceGmail, SourceYahoo, SourceSES}}
	ReqBounces     = Requirement{"bounce rate", []Source{SourceSES}}
)

// Requirements lists every requirement in report order.
var Requirements = []Requirement{ReqSPF, ReqDKIM, ReqDMARC, ReqAlignment, ReqUnsubscribe, ReqFCrDNS, ReqTLS, ReqComplaints, ReqBounces}

// The rate thresholds, as fractions (SES publishes its rates so: 0.001 is
// 0.1%). Gmail asks for a spam rate below 0.1% and never 0.3% or more; SES
// reviews an account from a 5% bounce rate and may pause it from 10%.
const (
	ComplaintRateWarn = 0.001
	ComplaintRateFail = 0.003
	BounceRateWarn    = 0.05
	BounceRateFail    = 0.10
)

// BulkOptions are what BulkSender asks beyond the DNS.
type BulkOptions struct {
	DNS Resolver
	// Resolver is the -resolver address, for the report.
	Resolver string
	// Metrics reads SES's reputation metrics; nil reports the rates as not
	// read.
	Metrics MetricsAPI
	// DialSMTP opens the TCP connection to an MTA's port 25; nil dials
	// directly. Tests point it at a local server.
	DialSMTP func(ctx context.Context, address string) (net.Conn, error)
	// SMTPTimeout bounds each port-25 test, dial and conversation together;
	// zero is DefaultSMTPTimeout.
	SMTPTimeout time.Duration
	// Now is the clock of the metrics window; nil is time.Now.
	Now func() time.Time
}

// DefaultSMTPTimeout bounds the STARTTLS test of one MTA.
const DefaultSMTPTimeout = 10 * time.Second

// BulkSender checks each domain and MTA of t against the bulk-sender
// requirements and returns the report. It changes nothing.
func BulkSender(ctx context.Context, t Target, opts BulkOptions) *Report {
	rep := &Report{Resolver: opts.Resolver, BulkSender: true}
	var tasks []func() []Result
	for _, d := range t.Domains {
		tasks = append(tasks, func() []Result { return bulkDomain(ctx, t, d, opts) })
	}
	for _, m := range t.MTAs {
		tasks = append(tasks, func() []Result { return bulkMTA(ctx, m, opts) })
	}
	if len(t.Identities) > 0 {
		tasks = append(tasks, func() []Result { return bulkReputation(ctx, opts) })
	}
	rep.Results = runInOrder(DefaultParallel, tasks)
	if q, ok := opts.DNS.(interface{ Queries() int }); ok {
		rep.DNSQueries = q.Queries()
	}
	return rep
}

// bulkResult starts a result of requirement req.
func bulkResult(group string, req Requirement) Result {
	return Result{Group: group, Check: req.Check, Sources: req.Sources}
}

// bulkDomain checks the requirements of mail sent as From: someone@d.
func bulkDomain(ctx context.Context, t Target, d Domain, opts BulkOptions) []Result {
	group := strings.TrimSuffix(d.Name, ".")
	spf := SPFEvaluator{Resolver: opts.DNS, Table: mailauth.WellKnownSPFInclude}
	var out []Result
	out = append(out, bulkSPF(ctx, group, d, t.MTAs, opts.DNS, spf)...)
	out = append(out, bulkDKIM(ctx, group, d, t.SESStatus, opts.DNS))
	dmarcRes, dmarc := bulkDMARC(ctx, group, d, opts.DNS)
	out = append(out, dmarcRes, bulkAlignment(group, d, t.MTAs, dmarc))
	u := bulkResult(group, ReqUnsubscribe)
	u.Status = Info
	u.Message = "MANUAL: mailform cannot see your messages' headers; marketing and subscribed mail must carry one-click unsubscribe (RFC 8058)"
	u.Fix = "send List-Unsubscribe: <https://...> and List-Unsubscribe-Post: List-Unsubscribe=One-Click in every marketing message (SES subscription management can add them), honour unsubscribes within 2 days, and keep a visible link in the body"
	return append(out, u)
}

// spfAt reads the one SPF record at name: its text, or a result message
// saying why there is none to evaluate.
func spfAt(ctx context.Context, dnsr Resolver, name string) (string, string) {
	resp, err := dnsr.Lookup(ctx, name, dns.TypeTXT)
	if err != nil {
		return "", "could not ask for the SPF record of " + strings.TrimSuffix(name, ".") + ": " + err.Error()
	}
	var spfs []string
	for _, rr := range resp.Records(dns.TypeTXT) {
		if text := dnsvalue.TXTOfRR(rr.(*dns.TXT)); IsSPF(text) {
			spfs = append(spfs, text)
		}
	}
	switch len(spfs) {
	case 0:
		return "", "no SPF record at " + strings.TrimSuffix(name, ".")
	case 1:
		return spfs[0], ""
	}
	return "", fmt.Sprintf("%d SPF records at %s: receivers return permerror", len(spfs), strings.TrimSuffix(name, "."))
}

// mtasOf lists the MTAs whose Elastic IP the domain's own SPF value (as the
// spec writes it) lets send: the domain's MTA sending paths.
func mtasOf(d Domain, mtas []MTA) []MTA {
	var out []MTA
	for _, m := range mtas {
		if m.IP == "" {
			continue
		}
		for _, rec := range d.Records {
			if rec.Part == "spf" && strings.Contains(strings.Join(rec.Values, " "), "ip4:"+m.IP) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// bulkSPF checks SPF for each sending path of d: SES through its MAIL FROM
// domain, each MTA through its IP.
func bulkSPF(ctx context.Context, group string, d Domain, mtas []MTA, dnsr Resolver, spf SPFEvaluator) []Result {
	var out []Result
	if d.SES {
		r := bulkResult(group, ReqSPF)
		r.Type = "TXT"
		switch {
		case d.MailFrom == "":
			r.Name = d.Name
			r.Status = Warn
			r.Message = "SES sends with its own MAIL FROM (amazonses.com): SPF passes for amazonses.com, not for " + group + ", and cannot align"
			r.Fix = "add a mail_from block to the domain, so that SES mail passes SPF for a subdomain of " + group
		default:
			r.Name = d.MailFrom
			text, why := spfAt(ctx, dnsr, d.MailFrom)
			if why != "" {
				r.Status, r.Message = Fail, "SES path: "+why
				r.Fix = "publish the MAIL FROM domain's SPF record \"v=spf1 include:amazonses.com ~all\" (mailform apply publishes it in a Route 53 zone)"
				break
			}
			ev := spf.Evaluate(ctx, d.MailFrom, text, nil)
			rec, _ := mailauth.ParseSPF(text)
			switch {
			case len(ev.Problems) > 0:
				r.Status, r.Message = Fail, "SES path: the SPF record of "+strings.TrimSuffix(d.MailFrom, ".")+" returns permerror: "+strings.Join(ev.Problems, "; ")
				r.Fix = "fix the SPF record of the MAIL FROM domain"
			case !rec.Includes("amazonses.com"):
				r.Status, r.Message = Fail, "SES path: the SPF record of "+strings.TrimSuffix(d.MailFrom, ".")+" does not include amazonses.com: SES mail fails SPF"
				r.Fix = "add include:amazonses.com to the SPF record of the MAIL FROM domain"
			default:
				r.Status, r.Message = OK, "SES path: MAIL FROM "+strings.TrimSuffix(d.MailFrom, ".")+" includes amazonses.com"
			}
			r.Served = []string{dnsvalue.TXT(text)}
		}
		out = append(out, r)
	}
	paths := mtasOf(d, mtas)
	for _, m := range paths {
		r := bulkResult(group, ReqSPF)
		r.Address, r.Name, r.Type = m.Addr, d.Name, "TXT"
		text, why := spfAt(ctx, dnsr, d.Name)
		if why != "" {
			r.Status, r.Message = Fail, m.Addr+" path: "+why
			r.Fix = "publish one SPF record at " + group + " that lists ip4:" + m.IP
			out = append(out, r)
			continue
		}
		ev := spf.Evaluate(ctx, d.Name, text, net.ParseIP(m.IP))
		switch ev.Result {
		case "pass":
			r.Status, r.Message = OK, m.Addr+" path: SPF passes for "+m.IP
		case "unknown":
			r.Status, r.Message = Warn, m.Addr+" path: the SPF record could not be followed in full for "+m.IP
			r.Fix = "make every include of the record resolvable"
		default:
			r.Status, r.Message = Fail, m.Addr+" path: SPF gives "+ev.Result+" for "+m.IP
			r.Fix = "list ip4:" + m.IP + " in the SPF record of " + group + " (the spf block's mtas)"
		}
		r.Served = []string{dnsvalue.TXT(text)}
		r.Details = ev.Problems
		out = append(out, r)
	}
	if !d.SES && len(paths) == 0 {
		r := bulkResult(group, ReqSPF)
		r.Name, r.Status = d.Name, Warn
		r.Message = "the spec names no sending path for " + group + " (no SES identity, no MTA in its SPF value)"
		r.Fix = "list the MTAs that send as " + group + " in its spf block (mtas), or make it an SES identity"
		out = append(out, r)
	}
	return out
}

// bulkDKIM checks that mail from d is DKIM-signed with d= d: its keys are
// served, and SES signs where SES sends.
func bulkDKIM(ctx context.Context, group string, d Domain, sesStatus map[string]string, dnsr Resolver) Result {
	r := bulkResult(group, ReqDKIM)
	if len(d.SignedBy) == 0 {
		r.Status, r.Name = Fail, d.Name
		r.Message = "nothing signs mail from " + group + " with d=" + group
		r.Fix = "turn DKIM on for the domain (dkim { mode = \"easy\" }) or add a dkim_key for its MTAs"
		return r
	}
	r.Details = []string{"signed by: " + strings.Join(d.SignedBy, ", ")}
	var problems []string
	keys := 0
	for _, rec := range d.Records {
		if !strings.Contains(rec.Name, "._domainkey.") || (rec.Type != "CNAME" && rec.Type != "TXT") {
			continue
		}
		keys++
		if rec.Unknown != "" {
			problems = append(problems, rec.Name+" is not known yet: "+rec.Unknown)
			continue
		}
		qtype := dns.StringToType[rec.Type]
		resp, err := dnsr.Lookup(ctx, rec.Name, qtype)
		if err != nil {
			problems = append(problems, rec.Name+": "+err.Error())
			continue
		}
		var served []string
		for _, rr := range resp.Records(qtype) {
			switch x := rr.(type) {
			case *dns.CNAME:
				served = append(served, dnsvalue.Name(x.Target))
			case *dns.TXT:
				served = append(served, dnsvalue.TXTOfRR(x))
			}
		}
		if len(served) == 0 {
			problems = append(problems, rec.Name+" "+rec.Type+" is not served")
			continue
		}
		if rec.Type == "TXT" {
			k, err := ParseDKIMKey(served[0])
			switch {
			case err != nil:
				problems = append(problems, rec.Name+": "+err.Error())
			case k.Algorithm == "rsa" && k.Bits < mailauth.DKIMMinRSABits:
				problems = append(problems, fmt.Sprintf("%s: RSA %d-bit key: receivers want %d bits or more", rec.Name, k.Bits, mailauth.DKIMMinRSABits))
			}
		} else if want := canonical(rec.Type, rec.Values); !slices.Equal(canonical(rec.Type, served), want) {
			problems = append(problems, fmt.Sprintf("%s CNAME serves %s, not %s", rec.Name, strings.Join(served, ", "), strings.Join(rec.Values, ", ")))
		}
	}
	if d.SES {
		if st, ok := sesStatus[group]; ok && !strings.Contains(st, "DKIM SUCCESS") {
			problems = append(problems, "SES does not sign yet: "+st)
		}
	}
	r.Name = d.Name
	switch {
	case len(problems) > 0:
		r.Status = Fail
		r.Message = "mail from " + group + " is not DKIM-signed with a served key: " + problems[0]
		r.Details = append(r.Details, problems[1:]...)
		r.Fix = "run mailform apply (and publish the manual records), then wait for SES to verify DKIM"
	case keys == 0:
		r.Status = Warn
		r.Message = "signed by " + strings.Join(d.SignedBy, ", ") + ", but the spec publishes no key record to check"
	default:
		r.Status = OK
		r.Message = fmt.Sprintf("signed with d=%s; %d key record(s) served", group, keys)
	}
	return r
}

// bulkDMARC checks that d publishes a DMARC record that parses, with at
// least p=none.
func bulkDMARC(ctx context.Context, group string, d Domain, dnsr Resolver) (Result, *DMARC) {
	r := bulkResult(group, ReqDMARC)
	r.Name, r.Type = "_dmarc."+d.Name, "TXT"
	r.Fix = "publish \"v=DMARC1; p=none; rua=mailto:dmarc-reports@" + group + "\" at _dmarc." + group + " (a dmarc block of the domain), then move to quarantine or reject"
	resp, err := dnsr.Lookup(ctx, r.Name, dns.TypeTXT)
	if err != nil {
		r.Status, r.Message = Warn, "could not ask for the DMARC record: "+err.Error()
		return r, nil
	}
	var records []string
	for _, rr := range resp.Records(dns.TypeTXT) {
		if text := dnsvalue.TXTOfRR(rr.(*dns.TXT)); strings.HasPrefix(strings.ToLower(strings.TrimSpace(text)), "v=dmarc1") {
			records = append(records, text)
		}
	}
	for _, t := range records {
		r.Served = append(r.Served, dnsvalue.TXT(t))
	}
	switch len(records) {
	case 0:
		r.Status, r.Message = Fail, "no DMARC record: the providers want one, at least p=none"
		return r, nil
	case 1:
	default:
		r.Status, r.Message = Fail, fmt.Sprintf("%d DMARC records: receivers ignore them all", len(records))
		return r, nil
	}
	dm, err := ParseDMARC(records[0])
	if err != nil {
		r.Status, r.Message = Fail, "the DMARC record does not parse: "+err.Error()
		return r, nil
	}
	r.Status, r.Fix = OK, ""
	r.Message = "p=" + dm.Policy
	if dm.Policy == "none" {
		r.Message += ": meets the requirement; quarantine or reject protects the domain"
	}
	return r, &dm
}

// bulkAlignment checks that DKIM (d=) or SPF (the MAIL FROM domain) aligns
// with the From domain under the modes the DMARC record publishes.
func bulkAlignment(group string, d Domain, mtas []MTA, dmarc *DMARC) Result {
	r := bulkResult(group, ReqAlignment)
	r.Name = d.Name
	if dmarc == nil {
		r.Status, r.Message = Fail, "no DMARC record that parses: nothing to align with"
		r.Fix = "publish a DMARC record (see DMARC)"
		return r
	}
	var aligned []string
	if len(d.SignedBy) > 0 && mailauth.DMARCAligned(d.Name, d.Name, dmarc.ADKIM) {
		aligned = append(aligned, "DKIM (d="+group+")")
	}
	if d.SES && d.MailFrom != "" && mailauth.DMARCAligned(d.Name, d.MailFrom, dmarc.ASPF) {
		aligned = append(aligned, "SPF for SES (MAIL FROM "+strings.TrimSuffix(d.MailFrom, ".")+")")
	}
	if len(mtasOf(d, mtas)) > 0 {
		aligned = append(aligned, "SPF for the MTAs (envelope sender @"+group+")")
	}
	mode := map[string]string{"r": "relaxed", "s": "strict"}
	r.Details = []string{"adkim=" + dmarc.ADKIM + " (" + mode[dmarc.ADKIM] + "), aspf=" + dmarc.ASPF + " (" + mode[dmarc.ASPF] + ")"}
	if len(aligned) == 0 {
		r.Status, r.Message = Fail, "neither DKIM nor SPF aligns with "+group+": DMARC fails for its mail"
		r.Fix = "sign with d=" + group + " (DKIM), or send through a MAIL FROM under " + group + " with aspf=r"
		if d.MailFrom != "" && dmarc.ASPF == "s" {
			r.Fix += "; aspf=s needs the MAIL FROM domain to be " + group + " itself"
		}
		return r
	}
	r.Status, r.Message = OK, "aligned: "+strings.Join(aligned, ", ")
	return r
}

// bulkMTA checks the requirements of an MTA's IP: forward-confirmed reverse
// DNS and STARTTLS on port 25.
func bulkMTA(ctx context.Context, m MTA, opts BulkOptions) []Result {
	group := strings.TrimSuffix(m.Hostname, ".") + " (" + m.Addr + ")"
	fc := bulkResult(group, ReqFCrDNS)
	fc.Address = m.Addr
	tl := bulkResult(group, ReqTLS)
	tl.Address = m.Addr
	if m.IP == "" {
		fc.Status, fc.Message = Fail, "the Elastic IP does not exist yet"
		fc.Fix = "run mailform apply"
		tl.Status, tl.Message = Warn, "could not test: the Elastic IP does not exist yet"
		return []Result{fc, tl}
	}
	fc.Status, fc.Message, fc.Fix = fcrdns(ctx, opts.DNS, m)
	rev, _ := dns.ReverseAddr(m.IP)
	fc.Name, fc.Type = rev, "PTR"
	tl.Name = net.JoinHostPort(m.IP, "25")
	tl.Status, tl.Message, tl.Details = startTLS(ctx, m, opts)
	if tl.Status == Fail {
		tl.Fix = "turn STARTTLS on in the MTA (a certificate for " + strings.TrimSuffix(m.Hostname, ".") + ")"
	}
	if tl.Status == Warn {
		tl.Fix = "run check -bulk-sender where port 25 of " + m.IP + " is reachable, or test it with: openssl s_client -starttls smtp -connect " + tl.Name
	}
	return []Result{fc, tl}
}

// fcrdns resolves IP -> PTR names -> addresses and wants the IP back.
func fcrdns(ctx context.Context, dnsr Resolver, m MTA) (Status, string, string) {
	rev, err := dns.ReverseAddr(m.IP)
	if err != nil {
		return Fail, err.Error(), ""
	}
	fix := "set reverse_dns = true on the MTA (mailform asks EC2 for the PTR) and publish its A record"
	resp, err := dnsr.Lookup(ctx, rev, dns.TypePTR)
	if err != nil {
		return Warn, "could not ask for the PTR of " + m.IP + ": " + err.Error(), ""
	}
	ptrs := resp.Records(dns.TypePTR)
	if len(ptrs) == 0 {
		return Fail, "no PTR record for " + m.IP, fix
	}
	var names []string
	for _, rr := range ptrs {
		name := rr.(*dns.PTR).Ptr
		names = append(names, name)
		a, err := dnsr.Lookup(ctx, name, dns.TypeA)
		if err != nil {
			continue
		}
		for _, rr := range a.Records(dns.TypeA) {
			if rr.(*dns.A).A.String() == m.IP {
				return OK, m.IP + " -> " + name + " -> " + m.IP, ""
			}
		}
	}
	return Fail, m.IP + " -> " + strings.Join(names, ", ") + ", which does not resolve back to " + m.IP, fix
}

// canonical returns values in dnsvalue's form, sorted.
func canonical(rtype string, values []string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		out = append(out, dnsvalue.Value(rtype, v))
	}
	slices.Sort(out)
	return out
}
