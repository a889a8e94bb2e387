package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/miekg/dns"

	"github.com/mailform/mailform/check/status"
	"github.com/mailform/mailform/internal/dnsvalue"
	"github.com/mailform/mailform/mailauth"
	"github.com/mailform/mailform/providers/ses"
	"github.com/mailform/mailform/specs"
)

// SESReader reads where SES identities stand; *ses.Provider satisfies it.
// Run calls Wait with a zero timeout, which reads once.
type SESReader interface {
	Wait(ctx context.Context, identities []string, timeout time.Duration, progress func(identity, message string)) ([]ses.WaitResult, error)
}

// Route53API is the part of the Route 53 client the delegation check uses.
type Route53API interface {
	GetHostedZone(ctx context.Context, in *route53.GetHostedZoneInput, optFns ...func(*route53.Options)) (*route53.GetHostedZoneOutput, error)
	ListHostedZonesByName(ctx context.Context, in *route53.ListHostedZonesByNameInput, optFns ...func(*route53.Options)) (*route53.ListHostedZonesByNameOutput, error)
}

// DelegationLookup tells which name servers a zone's parent delegates it
// to; *DNS satisfies it when it asks the authoritative servers.
type DelegationLookup interface {
	Delegation(ctx context.Context, zone string) (nameServers []string, askedServer string, err error)
}

// Options are what Run asks.
type Options struct {
	DNS Resolver
	// Resolver is the -resolver address, for the report; "" when DNS asks
	// the authoritative servers.
	Resolver string
	// Delegation, with Route53, checks each zone's delegation; nil skips it.
	Delegation DelegationLookup
	Route53    Route53API
	// SES reads the identities' statuses; nil skips the SES checks.
	SES SESReader
	// Alarms lists the CloudWatch alarms, to warn when none watches the
	// account's reputation; nil skips that check.
	Alarms status.AlarmsAPI
	// Parallel is how many domains and MTAs are checked at once; zero is
	// DefaultParallel. The Resolver must be safe for concurrent use.
	Parallel int
}

// DefaultParallel is how many domains and MTAs Run checks at once.
const DefaultParallel = 8

// runInOrder runs tasks, at most parallel at a time (DefaultParallel when
// parallel is not positive), and joins their results in task order, so that
// a report is the same whatever order the tasks finish in.
func runInOrder(parallel int, tasks []func() []Result) []Result {
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	done := make([][]Result, len(tasks))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, task := range tasks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			done[i] = task()
		}()
	}
	wg.Wait()
	return slices.Concat(done...)
}

// Run makes every check of t and returns the report. It changes nothing.
func Run(ctx context.Context, t Target, opts Options) *Report {
	rep := &Report{Resolver: opts.Resolver, DelegationChecked: opts.Delegation != nil && opts.Route53 != nil}
	// Each task checks on its own checker; results are joined in task order,
	// so the report is the same whatever order the tasks finish in.
	var tasks []func(*checker)
	tasks = append(tasks, (*checker).delegation)
	for _, d := range t.Domains {
		tasks = append(tasks, func(c *checker) { c.domain(d) })
	}
	for _, m := range t.MTAs {
		tasks = append(tasks, func(c *checker) { c.mta(m) })
	}
	tasks = append(tasks, (*checker).sesStatus, (*checker).reputationAlarms)
	runs := make([]func() []Result, len(tasks))
	for i, task := range tasks {
		runs[i] = func() []Result {
			c := &checker{ctx: ctx, t: t, opts: opts, spf: SPFEvaluator{Resolver: opts.DNS, Table: mailauth.WellKnownSPFInclude}}
			task(c)
			return c.results
		}
	}
	c := &checker{t: t, results: runInOrder(opts.Parallel, runs)}
	var order []string
	for _, d := range t.Domains {
		order = append(order, c.groupOf(d.Name))
	}
	sortResults(c.results, order)
	rep.Results = c.results
	if q, ok := opts.DNS.(interface{ Queries() int }); ok {
		rep.DNSQueries = q.Queries()
	}
	return rep
}

type checker struct {
	ctx     context.Context
	t       Target
	opts    Options
	spf     SPFEvaluator
	results []Result
}

func (c *checker) add(r Result) { c.results = append(c.results, r) }

// groupOf names the group of a domain, or of a name under a declared
// domain: the domain without its trailing dot, marked when its DNS is
// elsewhere.
func (c *checker) groupOf(name string) string {
	name = specs.Fqdn(name)
	var best *Domain
	for i, d := range c.t.Domains {
		if (name == d.Name || strings.HasSuffix(name, "."+d.Name)) && (best == nil || len(d.Name) > len(best.Name)) {
			best = &c.t.Domains[i]
		}
	}
	if best == nil {
		return strings.TrimSuffix(name, ".")
	}
	g := strings.TrimSuffix(best.Name, ".")
	if best.Elsewhere {
		g += " (DNS elsewhere)"
	}
	return g
}

// delegation compares each Route 53 zone's name servers with those its
// parent delegates to.
func (c *checker) delegation() {
	for _, z := range c.t.Zones {
		r := Result{Group: c.groupOf(z.Name), Check: "delegation", Name: z.Name, Type: "NS"}
		if c.opts.Delegation == nil || c.opts.Route53 == nil {
			r.Status = Info
			r.Message = "not checked: -resolver sends every query to one server"
			c.add(r)
			continue
		}
		want, err := c.zoneNameServers(z)
		if err != nil {
			r.Status, r.Message = Fail, "reading the hosted zone: "+err.Error()
			c.add(r)
			continue
		}
		got, server, err := c.opts.Delegation.Delegation(c.ctx, z.Name)
		r.Expected = want
		if err != nil {
			r.Status, r.Message = Fail, "asking the parent zone: "+err.Error()
			c.add(r)
			continue
		}
		r.Served = got
		if slices.Equal(got, want) {
			r.Status, r.Message = OK, fmt.Sprintf("the parent delegates to the %d name servers of the hosted zone (asked %s)", len(want), server)
		} else {
			r.Status, r.Message = Fail, fmt.Sprintf("the parent (asked %s) delegates to other name servers than the hosted zone's: nothing published in Route 53 is seen", server)
		}
		c.add(r)
	}
}

// zoneNameServers reads the delegation set of a hosted zone.
func (c *checker) zoneNameServers(z Zone) ([]string, error) {
	id := z.ID
	if id == "" {
		out, err := c.opts.Route53.ListHostedZonesByName(c.ctx, &route53.ListHostedZonesByNameInput{DNSName: aws.String(z.Name), MaxItems: aws.Int32(10)})
		if err != nil {
			return nil, fmt.Errorf("finding zone %s: %w", z.Name, err)
		}
		for _, hz := range out.HostedZones {
			if specs.Fqdn(aws.ToString(hz.Name)) == z.Name && (hz.Config == nil || !hz.Config.PrivateZone) {
				id = aws.ToString(hz.Id)
				break
			}
		}
		if id == "" {
			return nil, fmt.Errorf("no public hosted zone %s", z.Name)
		}
	}
	out, err := c.opts.Route53.GetHostedZone(c.ctx, &route53.GetHostedZoneInput{Id: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", id, err)
	}
	if out.DelegationSet == nil || len(out.DelegationSet.NameServers) == 0 {
		return nil, fmt.Errorf("zone %s has no delegation set", id)
	}
	var ns []string
	for _, n := range out.DelegationSet.NameServers {
		ns = append(ns, specs.Fqdn(n))
	}
	sort.Strings(ns)
	return ns, nil
}

// domain checks every record of a domain, then DMARC alignment.
func (c *checker) domain(d Domain) {
	group := c.groupOf(d.Name)
	var dmarc *DMARC
	served := map[string]bool{} // part -> some record of it is served as expected
	failed := map[string]bool{} // part -> some record of it failed
	for _, rec := range d.Records {
		n := len(c.results)
		got := c.record(group, rec)
		if got != nil {
			dmarc = got
		}
		if len(c.results) > n {
			if c.results[n].Status == Fail {
				failed[rec.Part] = true
			} else {
				served[rec.Part] = true
			}
		}
	}
	c.alignment(group, d, dmarc, alignmentDNS{
		dkim:     served["dkim"] || served["txt"],
		mailFrom: !failed["mail_from_mx"] && !failed["mail_from_spf"],
	})
}

// alignmentDNS says whether the records alignment rests on are served.
type alignmentDNS struct {
	dkim     bool // some DKIM key record of the domain is served as expected
	mailFrom bool // no MAIL FROM record failed
}

// record checks one record set; it returns the parsed DMARC record when rec
// is one that parses.
func (c *checker) record(group string, rec Record) *DMARC {
	r := Result{Group: group, Address: rec.Addr, Name: rec.Name, Type: rec.Type, Check: checkName(rec)}
	if rec.Unknown != "" {
		r.Status = Fail
		r.Message = "its value is not known yet: it waits for " + rec.Unknown + "; run mailform apply"
		c.add(r)
		return nil
	}
	qtype, ok := dns.StringToType[rec.Type]
	if !ok {
		r.Status, r.Message = Fail, "unknown record type "+rec.Type
		c.add(r)
		return nil
	}
	r.Expected = dnsvalue.Values(rec.Type, rec.Values)
	resp, err := c.opts.DNS.Lookup(c.ctx, rec.Name, qtype)
	if err != nil {
		r.Status, r.Message = Fail, err.Error()
		c.add(r)
		return nil
	}
	served := servedValues(resp, rec.Name, qtype)
	r.Served = served
	if len(resp.Disagreement) > 0 {
		r.Status, r.Message = Fail, "the name servers give different answers"
		r.Details = resp.Disagreement
		c.add(r)
		return nil
	}
	if len(resp.Unanswered) > 0 {
		// Checked on the servers that answered; the others are worth a warning.
		first := len(c.results) // the record's own check is the first it adds
		defer func() {
			if first >= len(c.results) {
				return
			}
			res := &c.results[first]
			if res.Status == OK {
				res.Status = Warn
				res.Message += fmt.Sprintf("; %d of the zone's name servers did not answer", len(resp.Unanswered))
			}
			res.Details = append(res.Details, resp.Unanswered...)
		}()
	}
	switch rec.Part {
	case "spf", "mail_from_spf":
		c.spfRecord(r, rec, served)
		return nil
	case "dmarc":
		return c.dmarcRecord(r, served)
	case "mail_from_mx":
		c.mailFromMX(r, served)
		return nil
	}
	if !sameValues(rec, served) {
		r.Status, r.Message = Fail, missingOrWrong(served)
		c.add(r)
		return nil
	}
	r.Status = OK
	r.Message = "served as expected"
	switch {
	case rec.Part == "dkim" && rec.Type == "CNAME":
		r.Message = "points at SES's key"
		c.add(r)
		c.followDKIM(group, rec, served)
		return nil
	case rec.Type == "TXT" && strings.Contains(rec.Name, "._domainkey."):
		key, err := ParseDKIMKey(specs.UnquoteTXT(served[0]))
		if err != nil {
			r.Status, r.Message = Fail, "the key does not parse: "+err.Error()
		} else {
			r.Status, r.Message = keyStatus(key)
		}
	}
	c.add(r)
	return nil
}

func checkName(rec Record) string {
	switch rec.Part {
	case "dkim", "txt":
		return "DKIM"
	case "spf", "mail_from_spf":
		if rec.Part == "mail_from_spf" {
			return "MAIL FROM SPF"
		}
		return "SPF"
	case "dmarc":
		return "DMARC"
	case "mail_from_mx":
		return "MAIL FROM MX"
	}
	return "record"
}

func missingOrWrong(served []string) string {
	if len(served) == 0 {
		return "missing: the name servers serve no such record"
	}
	return "the name servers serve other values"
}

func keyStatus(k DKIMKey) (Status, string) {
	switch {
	case k.Algorithm == "rsa" && k.Bits < mailauth.DKIMMinRSABits:
		return Fail, fmt.Sprintf("RSA %d-bit key: receivers reject keys under %d bits", k.Bits, mailauth.DKIMMinRSABits)
	case k.Algorithm == "rsa" && k.Bits < mailauth.DKIMRecommendedRSABits:
		return Warn, fmt.Sprintf("RSA %d-bit key parses; %d bits is recommended", k.Bits, mailauth.DKIMRecommendedRSABits)
	case k.Algorithm == "ed25519":
		return OK, "Ed25519 key parses"
	}
	return OK, fmt.Sprintf("RSA %d-bit key parses", k.Bits)
}

// followDKIM follows an Easy DKIM CNAME to the key SES publishes, where
// that name can be reached from here.
func (c *checker) followDKIM(group string, rec Record, served []string) {
	target := served[0]
	r := Result{Group: group, Address: rec.Addr, Check: "DKIM key", Name: target, Type: "TXT"}
	resp, err := c.opts.DNS.Lookup(c.ctx, target, dns.TypeTXT)
	if err != nil {
		r.Status, r.Message = Info, "not followed: cannot be reached from here ("+err.Error()+")"
		c.add(r)
		return
	}
	var texts []string
	for _, rr := range resp.Records(dns.TypeTXT) {
		texts = append(texts, dnsvalue.TXTOfRR(rr.(*dns.TXT)))
	}
	if len(texts) == 0 {
		r.Status, r.Message = Fail, "the CNAME's target serves no key"
		c.add(r)
		return
	}
	key, err := ParseDKIMKey(texts[0])
	if err != nil {
		r.Status, r.Message = Fail, "the key does not parse: "+err.Error()
	} else {
		r.Status, r.Message = keyStatus(key)
	}
	c.add(r)
}

// spfRecord checks the SPF record at a name: exactly one, mailform's value
// among what is served, syntax, and its live lookup count.
func (c *checker) spfRecord(r Result, rec Record, served []string) {
	var spfs []string
	for _, v := range served {
		if IsSPF(specs.UnquoteTXT(v)) {
			spfs = append(spfs, v)
		}
	}
	r.Served = spfs
	switch {
	case len(spfs) == 0:
		r.Status, r.Message = Fail, "missing: no SPF record at this name"
		c.add(r)
		return
	case len(spfs) > 1:
		r.Status, r.Message = Fail, fmt.Sprintf("%d SPF records at one name: receivers return permerror and SPF fails for all mail", len(spfs))
		c.add(r)
		return
	case !slices.Contains(r.Expected, spfs[0]):
		r.Status, r.Message = Fail, "the name servers serve another SPF record"
		c.add(r)
		return
	}
	r.Status, r.Message = OK, "one SPF record, as expected"
	c.add(r)

	ev := c.spf.Evaluate(c.ctx, rec.Name, specs.UnquoteTXT(spfs[0]), nil)
	lr := Result{Group: r.Group, Address: r.Address, Check: r.Check + " lookups", Name: r.Name, Type: "TXT"}
	lr.Details = spfDetails(ev)
	switch {
	case len(ev.Problems) > 0:
		lr.Status = Fail
		lr.Message = "permerror: " + strings.Join(ev.Problems, "; ")
	case ev.Lookups >= SPFLookupWarn:
		lr.Status = Warn
		lr.Message = fmt.Sprintf("%d of %d DNS lookups: one more include could break SPF", ev.Lookups, SPFLookupLimit)
	default:
		lr.Status = OK
		lr.Message = fmt.Sprintf("%d of %d DNS lookups, %d void", ev.Lookups, SPFLookupLimit, ev.VoidLookups)
	}
	if len(ev.NotResolved) > 0 && lr.Status == OK {
		lr.Status = Warn
		lr.Message += "; " + quoted(ev.NotResolved) + " could not be resolved here and counted 1 each"
	}
	if len(ev.Warnings) > 0 && lr.Status == OK {
		lr.Status = Warn
		lr.Message += "; " + strings.Join(ev.Warnings, "; ")
	}
	c.add(lr)
}

func spfDetails(ev SPFEval) []string {
	var out []string
	for _, t := range ev.Terms {
		line := fmt.Sprintf("%s = %d", t.Term, t.Lookups)
		if t.Note != "" {
			line += " (" + t.Note + ")"
		}
		out = append(out, line)
	}
	// Includes counted from the table below the record's own terms.
	var nested []string
	for _, name := range ev.FromTable {
		top := false
		for _, t := range ev.Terms {
			if t.Term == "include:"+name {
				top = true
			}
		}
		if !top {
			nested = appendUnique(nested, name)
		}
	}
	if len(nested) > 0 {
		out = append(out, "counted from mailform's table (not reachable here): "+strings.Join(nested, ", "))
	}
	return out
}

func quoted(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = "include:" + s
	}
	return strings.Join(q, ", ")
}

// dmarcRecord checks the DMARC record: exactly one, it parses, and it is
// mailform's.
func (c *checker) dmarcRecord(r Result, served []string) *DMARC {
	var records []string
	for _, v := range served {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(specs.UnquoteTXT(v))), "v=dmarc1") {
			records = append(records, v)
		}
	}
	switch {
	case len(records) == 0:
		r.Status, r.Message = Fail, "missing: no DMARC record at this name"
		c.add(r)
		return nil
	case len(records) > 1:
		r.Status, r.Message = Fail, fmt.Sprintf("%d DMARC records at one name: receivers ignore them all", len(records))
		c.add(r)
		return nil
	}
	d, err := ParseDMARC(specs.UnquoteTXT(records[0]))
	if err != nil {
		r.Status, r.Message = Fail, "does not parse: "+err.Error()
		c.add(r)
		return nil
	}
	if !slices.Contains(r.Expected, records[0]) {
		r.Status, r.Message = Fail, "the name servers serve another DMARC record"
		c.add(r)
		return &d
	}
	r.Status = OK
	r.Message = "p=" + d.Policy
	if d.Percent != 100 {
		r.Message += fmt.Sprintf(" for %d%% of failing mail", d.Percent)
	}
	if len(d.RUA) > 0 {
		r.Message += ", aggregate reports to " + strings.Join(d.RUA, ", ")
	} else {
		r.Status, r.Message = Warn, r.Message+", no rua: you get no aggregate reports"
	}
	if len(d.Unknown) > 0 {
		r.Status = Warn
		r.Message += "; unknown tags receivers ignore: " + strings.Join(d.Unknown, ", ")
	}
	c.add(r)
	return &d
}

// mailFromMX checks SES's MAIL FROM MX: exactly one, to the region's
// feedback endpoint.
func (c *checker) mailFromMX(r Result, served []string) {
	want := "feedback-smtp." + c.t.Region + ".amazonses.com."
	switch {
	case len(served) == 0:
		r.Status, r.Message = Fail, "missing: SES finds no MX and keeps the MAIL FROM domain unverified"
	case len(served) > 1:
		r.Status, r.Message = Fail, fmt.Sprintf("%d MX records: SES needs exactly one, to %s", len(served), want)
	case !strings.HasSuffix(served[0], " "+want):
		r.Status, r.Message = Fail, "the MX does not point at "+want
	case !slices.Equal(served, r.Expected):
		r.Status, r.Message = Warn, "points at "+want+" with another preference"
	default:
		r.Status, r.Message = OK, "exactly one MX, to "+want
	}
	c.add(r)
}

// alignment says whether mail from the domain can pass DMARC: through SPF
// (the MAIL FROM domain) or DKIM (d= the domain).
func (c *checker) alignment(group string, d Domain, dmarc *DMARC, live alignmentDNS) {
	hasDMARC := false
	for _, rec := range d.Records {
		if rec.Part == "dmarc" {
			hasDMARC = true
		}
	}
	if !hasDMARC {
		return
	}
	// The served record rules; when it does not parse, the spec's.
	aspf, adkim := "r", "r"
	if dmarc == nil {
		for _, rec := range d.Records {
			if rec.Part == "dmarc" && len(rec.Values) == 1 {
				if want, err := ParseDMARC(specs.UnquoteTXT(rec.Values[0])); err == nil {
					dmarc = &want
				}
			}
		}
	}
	if dmarc != nil {
		aspf, adkim = dmarc.ASPF, dmarc.ADKIM
	}
	r := Result{Group: group, Check: "alignment", Name: d.Name}
	var notes []string
	dkimAligned := len(d.SignedBy) > 0 && live.dkim
	switch {
	case dkimAligned:
		// d= is the From domain itself, which aligns under adkim=r and =s.
		notes = append(notes, "DKIM aligns: signed with d="+strings.TrimSuffix(d.Name, ".")+" ("+strings.Join(d.SignedBy, ", ")+"; adkim="+adkim+")")
	case len(d.SignedBy) > 0:
		notes = append(notes, "DKIM would align (d="+strings.TrimSuffix(d.Name, ".")+", "+strings.Join(d.SignedBy, ", ")+"), but no DKIM record of the domain is served as expected: receivers cannot verify the signature")
	default:
		notes = append(notes, "DKIM does not align: nothing signs with d="+strings.TrimSuffix(d.Name, "."))
	}
	spfAligned := false
	switch {
	case d.MailFrom == "" && !d.SES:
		notes = append(notes, "SPF aligns only if your MTAs use a MAIL FROM under "+strings.TrimSuffix(d.Name, ".")+"; mailform cannot see that")
	case d.MailFrom == "":
		notes = append(notes, "SPF does not align: without a custom MAIL FROM, SES bounces to a subdomain of amazonses.com")
	case !live.mailFrom:
		notes = append(notes, "SPF does not align: the MAIL FROM domain "+strings.TrimSuffix(d.MailFrom, ".")+" lacks its records, so SES falls back to (or rejects instead of) its own MAIL FROM")
	case d.MailFrom == d.Name || (aspf == "r" && strings.HasSuffix(d.MailFrom, "."+d.Name)):
		spfAligned = true
		notes = append(notes, "SPF aligns: MAIL FROM "+strings.TrimSuffix(d.MailFrom, ".")+" (aspf="+aspf+")")
	default:
		notes = append(notes, "SPF does not align: MAIL FROM "+strings.TrimSuffix(d.MailFrom, ".")+" is a subdomain, and aspf=s wants the From domain itself")
	}
	switch {
	case dkimAligned && spfAligned:
		r.Status, r.Message = OK, "DKIM and SPF both align with the From domain"
	case dkimAligned || spfAligned:
		r.Status, r.Message = OK, "one of DKIM and SPF aligns with the From domain, enough for DMARC"
	default:
		r.Status, r.Message = Fail, "neither DKIM nor SPF aligns with the From domain: DMARC fails for all mail"
	}
	r.Details = notes
	c.add(r)
}

// mta checks an MTA's A record, PTR, forward confirmation and SPF.
func (c *checker) mta(m MTA) {
	group := c.groupOf(m.Hostname)
	label := strings.TrimPrefix(m.Addr, "mta.")
	if m.IP == "" {
		c.add(Result{Group: group, Address: m.Addr, Check: "MTA", Name: m.Hostname, Status: Fail, Message: "mta." + label + " has no Elastic IP yet: run mailform apply"})
		return
	}
	ar := Result{Group: group, Address: m.Addr + "/a", Check: "MTA A", Name: m.Hostname, Type: "A", Expected: []string{m.IP}}
	resp, err := c.opts.DNS.Lookup(c.ctx, m.Hostname, dns.TypeA)
	if err != nil {
		ar.Status, ar.Message = Fail, err.Error()
	} else {
		ar.Served = servedValues(resp, m.Hostname, dns.TypeA)
		if slices.Equal(ar.Served, ar.Expected) {
			ar.Status, ar.Message = OK, "resolves to the Elastic IP"
		} else {
			ar.Status, ar.Message = Fail, missingOrWrong(ar.Served)
		}
	}
	c.add(ar)

	rev, _ := dns.ReverseAddr(m.IP)
	pr := Result{Group: group, Address: m.Addr + "/ptr", Check: "MTA PTR", Name: rev, Type: "PTR"}
	if m.ReverseDNS {
		pr.Expected = []string{m.Hostname}
	}
	presp, err := c.opts.DNS.Lookup(c.ctx, rev, dns.TypePTR)
	var ptrs []string
	switch {
	case err != nil:
		pr.Status, pr.Message = Warn, "not checked: the reverse zone cannot be reached from here ("+err.Error()+")"
	default:
		ptrs = servedValues(presp, rev, dns.TypePTR)
		pr.Served = ptrs
		switch {
		case !m.ReverseDNS && len(ptrs) == 0:
			pr.Status, pr.Message = Warn, "no PTR, and the spec does not ask for one (reverse_dns): many receivers reject mail from addresses without reverse DNS"
		case !m.ReverseDNS:
			pr.Status, pr.Message = Warn, "the spec does not ask for reverse DNS; the address has a PTR of its own"
		case slices.Equal(ptrs, pr.Expected):
			pr.Status, pr.Message = OK, "points back at the hostname"
		case m.PTRStatus == "PENDING":
			pr.Status, pr.Message = Warn, "AWS is still setting the PTR (PENDING)"
		default:
			pr.Status, pr.Message = Fail, missingOrWrong(ptrs)
		}
	}
	c.add(pr)

	if len(ptrs) > 0 {
		fr := Result{Group: group, Address: m.Addr, Check: "MTA FCrDNS", Name: ptrs[0], Type: "A", Expected: []string{m.IP}}
		fresp, err := c.opts.DNS.Lookup(c.ctx, ptrs[0], dns.TypeA)
		if err != nil {
			fr.Status, fr.Message = Fail, err.Error()
		} else {
			fr.Served = servedValues(fresp, ptrs[0], dns.TypeA)
			if slices.Contains(fr.Served, m.IP) {
				fr.Status, fr.Message = OK, "forward-confirmed: "+m.IP+" -> "+ptrs[0]+" -> "+m.IP
			} else {
				fr.Status, fr.Message = Fail, "not forward-confirmed: the PTR's name does not resolve back to "+m.IP
			}
		}
		c.add(fr)
	}
	c.mtaSPF(group, m)
}

// mtaSPF checks that the SPF of every domain whose spec names the MTA's
// address lets it send.
func (c *checker) mtaSPF(group string, m MTA) {
	found := false
	for _, d := range c.t.Domains {
		for _, rec := range d.Records {
			if rec.Part != "spf" || !strings.Contains(strings.Join(rec.Values, " "), "ip4:"+m.IP) {
				continue
			}
			found = true
			r := Result{Group: group, Address: m.Addr, Check: "MTA SPF", Name: d.Name, Type: "TXT"}
			resp, err := c.opts.DNS.Lookup(c.ctx, d.Name, dns.TypeTXT)
			if err != nil {
				r.Status, r.Message = Fail, err.Error()
				c.add(r)
				continue
			}
			var spfs []string
			for _, rr := range resp.Records(dns.TypeTXT) {
				if t := dnsvalue.TXTOfRR(rr.(*dns.TXT)); IsSPF(t) {
					spfs = append(spfs, t)
				}
			}
			if len(spfs) != 1 {
				r.Status, r.Message = Fail, fmt.Sprintf("%d SPF records at %s: SPF cannot pass", len(spfs), d.Name)
				c.add(r)
				continue
			}
			ev := c.spf.Evaluate(c.ctx, d.Name, spfs[0], net.ParseIP(m.IP))
			switch ev.Result {
			case "pass":
				r.Status, r.Message = OK, "the SPF of "+strings.TrimSuffix(d.Name, ".")+" lets "+m.IP+" send (pass)"
			case "unknown":
				r.Status, r.Message = Warn, "the SPF of "+strings.TrimSuffix(d.Name, ".")+" could not be followed in full for "+m.IP
			default:
				r.Status, r.Message = Fail, "the SPF of "+strings.TrimSuffix(d.Name, ".")+" gives "+ev.Result+" for "+m.IP
			}
			c.add(r)
		}
	}
	if !found {
		c.add(Result{Group: group, Address: m.Addr, Check: "MTA SPF", Name: m.Hostname, Status: Info,
			Message: "no domain of the spec lists this MTA in its spf block; mail it sends as such a domain fails SPF"})
	}
}

// sesStatus reads the SES identities' verification once.
func (c *checker) sesStatus() {
	if c.opts.SES == nil || len(c.t.Identities) == 0 {
		return
	}
	results, err := c.opts.SES.Wait(c.ctx, c.t.Identities, 0, nil)
	if err != nil && !errors.Is(err, ses.ErrWaitTimeout) && !errors.Is(err, ses.ErrVerificationFailed) {
		c.add(Result{Group: "SES", Check: "SES", Status: Fail, Message: "reading the identities: " + err.Error()})
		return
	}
	for _, res := range results {
		group := res.Identity
		if _, dom, ok := strings.Cut(res.Identity, "@"); ok {
			group = dom
		}
		group = c.groupOf(group)
		if res.Verified {
			msg := "verified: every check SES makes succeeded"
			if st := c.t.SESStatus[res.Identity]; st != "" {
				msg += " (" + st + ")"
			}
			c.add(Result{Group: group, Address: identityAddr(res.Identity), Check: "SES", Name: res.Identity, Status: OK, Message: msg})
			continue
		}
		for _, p := range res.Pending {
			r := Result{Group: group, Address: identityAddr(res.Identity), Check: "SES " + p.Check, Name: res.Identity,
				Message: p.Status + ": " + p.Explain}
			// Until SES has verified the identity it does not send from
			// it: a pending check fails too, so that check gates a
			// pipeline until SES is done (it may take up to 72 hours).
			r.Status = Fail
			for _, e := range p.Expect {
				v := e.Value
				if v == "" {
					v = e.Note
				}
				r.Details = append(r.Details, "SES looks for "+e.Name+" "+e.Type+" "+v)
			}
			c.add(r)
		}
	}
}

func identityAddr(id string) string {
	if strings.Contains(id, "@") {
		return "email." + id
	}
	return "domain." + id
}

// servedValues returns the records of qtype at the end of name's CNAME
// chain (at name itself for CNAME), in Route 53's form, sorted.
func servedValues(resp Response, name string, qtype uint16) []string {
	owner := dnsvalue.Name(name)
	if qtype != dns.TypeCNAME {
		owner = chainEnd(resp.Answer, owner)
	}
	var out []string
	for _, rr := range recordsAt(resp.Answer, owner, qtype) {
		out = append(out, dnsvalue.FromRR(rr))
	}
	sort.Strings(out)
	return out
}

// sameValues compares served values with the record's: all of them for a
// record mailform owns whole, its own value for a shared set.
func sameValues(rec Record, served []string) bool {
	want := dnsvalue.Values(rec.Type, rec.Values)
	if rec.Shared {
		for _, w := range want {
			if !slices.Contains(served, w) {
				return false
			}
		}
		return len(want) > 0
	}
	return slices.Equal(want, served)
}
