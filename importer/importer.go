package importer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// Account is what an import reads: the providers of a session.
type Account interface {
	// IdentityNames lists every SES identity of the region.
	IdentityNames(ctx context.Context) ([]string, error)
	// IdentityOwners names, by lower-case identity name, the stack each
	// marked identity belongs to, in bulk from a tag index: a hint that may
	// lag, used only to leave other stacks' identities unread.
	IdentityOwners(ctx context.Context) (map[string]string, error)
	// ConfigurationSetNames lists every SES configuration set of the region.
	ConfigurationSetNames(ctx context.Context) ([]string, error)
	// PublicZoneNames lists the public hosted zones, fully qualified.
	PublicZoneNames(ctx context.Context) ([]string, error)
	// SMTPUsers lists the IAM users whose inline policies allow
	// ses:SendRawEmail: name, owning stack ("" when unmarked), and the
	// policy text.
	SMTPUsers(ctx context.Context) ([]SMTPUser, error)
	// ElasticIPs lists the Elastic IPs of the region with their reverse DNS.
	ElasticIPs(ctx context.Context) ([]ElasticIP, error)
	// ZoneRecordSets lists the record sets of the public hosted zones named
	// (fully qualified).
	ZoneRecordSets(ctx context.Context, zones []string) ([]RecordSet, error)
	// ReputationAlarms names the CloudWatch alarms on SES's account-wide
	// reputation metrics, whoever made them.
	ReputationAlarms(ctx context.Context) ([]string, error)
	// Read is the providers' read of the resources desired names (plan's).
	Read(ctx context.Context, desired []specs.Resource) ([]plan.Observed, error)
}

// SMTPUser is an IAM user that sends through SES's SMTP interface.
type SMTPUser struct {
	Name, Owner, Policy string
	Path                string
	Policies            []string // the inline policies allowing ses:SendRawEmail, one by one
}

// ElasticIP is an Elastic IP of the region.
type ElasticIP struct {
	PublicIP, AllocationID string
	PTR                    string // reverse-DNS name, fully qualified, or ""
	Owner                  string // stack of its mark, or ""
	// InstanceID and NetworkInterfaceID say what the address is associated
	// with; both "" when it is not.
	InstanceID, NetworkInterfaceID string
}

// RecordSet is a record set of a hosted zone.
type RecordSet struct {
	Name, Type string // name lower case, fully qualified
	TTL        int64
	Values     []string // in Route 53's form (TXT quoted)
	Simple     bool     // no alias, no routing policy
}

// Options say what to import.
type Options struct {
	Stack  string   // the stack the spec declares; names <stack>-<label> map to labels
	Region string   // the region read
	Domain []string // the domains to import (their identities, records, and what they use)
	All    bool     // every identity of the region
	// DNSOnly writes a Domain that has no SES identity in the region, but
	// a hosted zone, as a domain with ses_identity = false (its SPF and
	// DMARC): mail sent from the user's own servers. Without it such a
	// domain is reported, since the likelier cause is the wrong region.
	DNSOnly bool
	// SMTPCredentials is the secret location prefix of the smtp_user blocks'
	// credentials: each gets SMTPCredentials<label>. Default
	// ssm:/<stack>/smtp/. Nothing is stored there on adoption.
	SMTPCredentials string
	// Progress, when set, hears a line before each slow step.
	Progress func(string)
}

// Note is something the import found and could not write as it is.
type Note struct {
	Addr   string `json:"address,omitempty"` // the block it concerns, if any
	Thing  string `json:"thing"`             // what was found, e.g. "SES configuration set default"
	Reason string `json:"reason"`            // why it is not in the spec as it is, and what to do
}

// Result is an import's outcome.
type Result struct {
	Spec   []byte   // main.hcl, formatted as `mailform fmt` writes it
	Adopt  []string // the addresses to pass as -adopt (or in an adopt file)
	Notes  []Note   // what could not be mapped
	Blocks int      // how many blocks the spec declares beside mailform
	// Identities are the identities of the region, listed to tell a user
	// who named a domain that is not there what is.
	Identities []string
	// Pending lists the changes a plan of the spec would make beyond
	// adopting (attributes the spec language cannot express exactly).
	Pending []string
}

// Import reads the account and writes the spec.
func Import(ctx context.Context, acct Account, opts Options) (*Result, error) {
	opts, err := checkOptions(opts)
	if err != nil {
		return nil, err
	}
	progress := func(format string, args ...any) {
		if opts.Progress != nil {
			opts.Progress(fmt.Sprintf(format, args...))
		}
	}
	m, res, err := discover(ctx, acct, opts, progress)
	if err != nil || m == nil {
		return res, err
	}
	obs, err := acct.Read(ctx, m.identityProbe())
	if err != nil {
		return nil, err
	}
	m.remember(obs)
	m.mapIdentities(obs)
	m.dkimKeys(m.recordSets)
	if len(m.domains) == 0 && len(m.emails) == 0 {
		// Everything selected is another stack's or left out: the notes
		// say why, and a spec of the account settings alone is not asked for.
		res.Notes = m.notes
		return res, nil
	}
	for _, st := range m.stages() {
		probe := st.probe()
		if len(probe) == 0 && st.optional {
			continue
		}
		if st.says != nil {
			progress("%s", st.says())
		}
		obs, err := acct.Read(ctx, probe)
		if err != nil {
			return nil, err
		}
		if st.remember {
			m.remember(obs)
		}
		st.mapObserved(obs)
	}
	m.keepSendingMTAs()
	return m.writeChecked(ctx, acct, res, progress)
}

// checkOptions refuses options that name nothing to import or name it
// wrongly, and returns them with the domains in canonical form.
func checkOptions(opts Options) (Options, error) {
	if !validStack(opts.Stack) {
		return opts, fmt.Errorf("stack name %q: use 1-32 lower-case letters, digits and hyphens, such as acme-prod (it prefixes the names of the configuration sets and topics the spec declares)", opts.Stack)
	}
	if len(opts.Domain) == 0 && !opts.All {
		return opts, fmt.Errorf("say what to import: -domain NAME (repeatable) or -all")
	}
	if len(opts.Domain) > 0 && opts.All {
		return opts, fmt.Errorf("-domain %s and -all: give -domain NAME (repeatable) or -all, not both", opts.Domain[0])
	}
	opts.Domain = normalDomains(opts.Domain)
	for _, d := range opts.Domain {
		if err := domainProblem(d); err != nil {
			return opts, err
		}
	}
	if opts.SMTPCredentials != "" {
		if p := specs.SecretLocationProblem(opts.SMTPCredentials+"label", opts.Region); p != "" {
			return opts, fmt.Errorf("-smtp-credentials %s: the SMTP users' credentials go to PREFIX<label>, and %s", opts.SMTPCredentials, p)
		}
	}
	return opts, nil
}

// discover lists what the region holds and selects what to import: the
// identities, and the SMTP users, Elastic IPs and alarms beside them. m is
// nil when nothing is selected; res then says what the region holds.
func discover(ctx context.Context, acct Account, opts Options, progress func(string, ...any)) (m *mapper, res *Result, err error) {
	progress("listing SES identities and configuration sets in %s, and Route 53 hosted zones", opts.Region)
	names, err := acct.IdentityNames(ctx)
	if err != nil {
		return nil, nil, err
	}
	setNames, err := acct.ConfigurationSetNames(ctx)
	if err != nil {
		return nil, nil, err
	}
	zones, err := acct.PublicZoneNames(ctx)
	if err != nil {
		return nil, nil, err
	}
	owners, err := acct.IdentityOwners(ctx)
	if err != nil {
		return nil, nil, err
	}
	m = &mapper{opts: opts, zones: zones, setNames: setNames, topics: map[string]*topicSpec{}}
	res = &Result{Identities: slices.Sorted(slices.Values(names))}
	m.selectIdentities(m.leaveOthers(names, owners))
	if len(m.domains) == 0 && len(m.emails) == 0 {
		res.Notes = m.notes
		return nil, res, nil
	}

	users, err := acct.SMTPUsers(ctx)
	if err != nil {
		return nil, nil, err
	}
	m.smtpUsers(users)
	eips, err := acct.ElasticIPs(ctx)
	if err != nil {
		return nil, nil, err
	}
	if zones := m.domainZones(); len(zones) > 0 {
		// The A records name Elastic IPs without reverse DNS, and the
		// TXT records under _domainkey are the keys of the user's own
		// DKIM signers; the reads of record sets below reuse the listing.
		progress("listing the record sets of %s", Count(len(zones), "hosted zone", "hosted zones"))
		if m.recordSets, err = acct.ZoneRecordSets(ctx, zones); err != nil {
			return nil, nil, err
		}
	}
	m.elasticIPs(eips, addressNames(m.recordSets))
	alarms, err := acct.ReputationAlarms(ctx)
	if err != nil {
		return nil, nil, err
	}
	m.alarms(alarms)
	progress("reading %s and the account's suppression list", Count(len(m.domains)+len(m.emails), "SES identity", "SES identities"))
	return m, res, nil
}

// stage is one read of an import after the identities': what it reads
// (probe, plan's desired resources), what it says first, and how it maps
// what was observed into the spec.
type stage struct {
	says        func() string // the progress line, said when the stage starts
	probe       func() []specs.Resource
	optional    bool // skipped when the probe is empty
	remember    bool // observed state the written spec's check reuses
	mapObserved func([]plan.Observed)
}

// stages are the reads after the identities', in order: alarms, Elastic
// IPs, SMTP users, configuration sets, topics and queues, then the records.
func (m *mapper) stages() []stage {
	return []stage{
		{says: func() string { return "reading the CloudWatch alarms on SES's reputation metrics" }, probe: m.alarmProbe, optional: true, remember: true, mapObserved: m.mapAlarms},
		{says: func() string {
			return fmt.Sprintf("reading %s and their reverse DNS", Count(len(m.mtas), "Elastic IP", "Elastic IPs"))
		}, probe: m.mtaProbe, optional: true, remember: true, mapObserved: m.mapMTAs},
		{says: func() string {
			return fmt.Sprintf("reading %s that send with SES", Count(len(m.smtp), "IAM user", "IAM users"))
		}, probe: m.smtpProbe, optional: true, remember: true, mapObserved: m.mapSMTPUsers},
		{says: func() string { return "reading configuration sets, topics and queues" }, probe: m.setProbe, remember: true, mapObserved: m.mapSets},
		{probe: m.topicProbe, remember: true, mapObserved: m.mapTopics},
		{says: func() string {
			return fmt.Sprintf("reading the Route 53 records of %s", Count(len(m.domains), "domain", "domains"))
		}, probe: m.recordProbe, mapObserved: m.mapRecords},
	}
}

// writeChecked writes the spec, then plans what was written against the
// account. A value the spec language writes differently from what is live
// (a DMARC record with tags it has no attribute for) falls back to a record
// block, which writes values exactly.
func (m *mapper) writeChecked(ctx context.Context, acct Account, res *Result, progress func(string, ...any)) (*Result, error) {
	for round := 0; ; round++ {
		src, err := m.write()
		if err != nil {
			return nil, err
		}
		progress("checking the spec: planning it against the account")
		p, err := m.check(ctx, acct, src)
		if err != nil {
			return nil, err
		}
		if round == 0 && m.fallBack(p) {
			continue
		}
		res.Spec, res.Blocks = src, m.blockCount()
		res.Adopt = adoptions(p)
		res.Pending = pending(p)
		res.Notes = m.notes
		return res, nil
	}
}

// check loads src as a spec and plans it, adopting everything, against live
// state read for exactly its resources.
func (m *mapper) check(ctx context.Context, acct Account, src []byte) (*plan.Plan, error) {
	dir, err := os.MkdirTemp("", "mailform-import-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), src, 0o600); err != nil {
		return nil, err
	}
	spec, diags := specs.Load(dir, specs.LoadOptions{})
	if diags.HasErrors() {
		return nil, fmt.Errorf("the spec written from the account does not load (please report it with the spec): %s\n%s", diags.Error(), src)
	}
	desired := spec.Resources()
	// What the reads above found is what a plan would read again, but for
	// the record sets, whose names the spec decides: only those are read
	// now, by their names filled from what is known (a DKIM CNAME is named
	// after its identity's token). An SES identity is read once per
	// import, at SES's pace, not once per check.
	var records []specs.Resource
	for _, r := range plan.Resolve(desired, m.known) {
		if r.Kind == specs.KindRoute53Record {
			records = append(records, r)
		}
	}
	live, err := acct.Read(ctx, records)
	if err != nil {
		return nil, err
	}
	observed := slices.Clone(m.known)
	for _, o := range live {
		if o.Kind == specs.KindRoute53Record {
			observed = append(observed, o)
		}
	}
	var all []string
	for _, r := range desired {
		all = append(all, r.Addr)
	}
	p, diags := plan.Make(desired, observed, plan.Options{Stack: m.opts.Stack, Region: m.opts.Region, Adopt: all})
	if diags.HasErrors() {
		return nil, fmt.Errorf("planning the spec written from the account: %s", diags.Error())
	}
	return p, nil
}

// adoptions are the block addresses under which the plan adopts something.
func adoptions(p *plan.Plan) []string {
	seen := map[string]bool{}
	for _, c := range p.Changes {
		if c.Adopt {
			seen[blockAddr(c.Addr)] = true
		}
	}
	return slices.Sorted(func(yield func(string) bool) {
		for a := range seen {
			if !yield(a) {
				return
			}
		}
	})
}

// pending describes each change the plan makes beyond adopting.
func pending(p *plan.Plan) []string {
	var out []string
	for _, c := range p.Changes {
		if c.Adopt && len(c.Diffs) == 0 {
			continue
		}
		var attrs []string
		for _, d := range c.Diffs {
			attrs = append(attrs, d.Name)
		}
		line := fmt.Sprintf("%s: %s", c.Addr, c.Action)
		if len(attrs) > 0 {
			line += " (" + strings.Join(attrs, ", ") + ")"
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

func blockAddr(addr string) string {
	if i := strings.Index(addr, "/"); i >= 0 {
		return addr[:i]
	}
	return addr
}

func validStack(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// label is the spec label of an AWS name <stack>-<label>, or "".
func (m *mapper) label(name string) string {
	l, ok := strings.CutPrefix(name, m.opts.Stack+"-")
	if !ok || !hclsyntax.ValidIdentifier(l) {
		return ""
	}
	return l
}

// remember keeps what a read found of every kind but records, for check.
func (m *mapper) remember(obs []plan.Observed) {
	for _, o := range obs {
		if o.Kind == specs.KindRoute53Record {
			continue
		}
		if slices.ContainsFunc(m.known, func(k plan.Observed) bool { return k.Kind == o.Kind && k.ID == o.ID && k.Addr == o.Addr }) {
			continue
		}
		m.known = append(m.known, o)
	}
}

// Count says n things in words: "1 domain", "3 domains".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// normalDomains returns the -domain values as the domains they name: lower
// case, without the spaces a paste brings or the trailing dot of a DNS name.
func normalDomains(domains []string) []string {
	out := make([]string, 0, len(domains))
	for _, d := range domains {
		out = append(out, strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), "."))
	}
	return out
}

// domainProblem refuses a -domain value that cannot name a domain identity:
// empty, an email address (its domain is what is imported, with it), a
// wildcard, or several names in one.
func domainProblem(d string) error {
	switch {
	case d == "":
		return fmt.Errorf(`-domain "": give the domain to import, such as -domain acme.example`)
	case strings.Contains(d, "@"):
		return fmt.Errorf("-domain %s: an email address; its domain is imported with its email-address identities: -domain %s", d, d[strings.LastIndex(d, "@")+1:])
	case strings.ContainsAny(d, "*/\\ \t,;"):
		return fmt.Errorf("-domain %q: not a domain name; give one domain a -domain, such as -domain acme.example -domain other.example", d)
	}
	return nil
}
