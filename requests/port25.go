package requests

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mailform/mailform/specs"
)

// FormURL is where the EC2 "Request to remove email sending limitations"
// form lives (port 25 and reverse DNS); AWS offers no API for it.
const FormURL = "https://console.aws.amazon.com/support/contacts#/rdns-limits"

// MissingInputError says that the spec lacks what a document needs.
type MissingInputError struct {
	What    string // "the requests block", "account.production_access"
	Needed  string // what for
	Example string // HCL to add
}

func (e *MissingInputError) Error() string {
	return fmt.Sprintf("the spec has no %s: %s", e.What, e.Needed)
}

// Hint says what to add to the spec.
func (e *MissingInputError) Hint() string {
	return "add to the spec:\n" + e.Example
}

var errNoRequestsBlock = &MissingInputError{
	What:   "requests block",
	Needed: "the port-25 request needs a contact address and a use-case description",
	Example: `  requests {
    contact_email = "postmaster@example.com"
    use_case      = "What the servers send, to whom, and how bounces and complaints are handled."
  }`,
}

// mtaFacts is what was observed of one mta block.
type mtaFacts struct {
	mta      specs.MTA
	addr     string // mta.<label>
	hostname string // fully qualified
	ip       string // "" when no Elastic IP exists yet
	alloc    string
	ptrName  string // fully qualified, "" when none
	ptrState string // SET, PENDING, ...
}

func (w *world) mtas() []mtaFacts {
	var out []mtaFacts
	for _, m := range w.spec.MTAs {
		f := mtaFacts{mta: m, addr: "mta." + m.Label, hostname: specs.Fqdn(m.Hostname)}
		if o, ok := w.find(specs.KindEIP, f.addr); ok {
			f.ip, f.alloc = str(o, "public_ip"), str(o, "allocation_id")
		}
		if o, ok := w.find(specs.KindReverseDNS, f.addr+"/ptr"); ok {
			f.ptrState = str(o, "ptr_status")
			if name := str(o, "ptr_name"); name != "" { // "" while a removal is pending
				f.ptrName = specs.Fqdn(name)
			}
		}
		out = append(out, f)
	}
	return out
}

// ipOrNone shows an MTA's address in a table.
func (f mtaFacts) ipOrNone() string {
	if f.ip == "" {
		return "(not allocated yet)"
	}
	return f.ip
}

// Port25 builds the text of the EC2 request to remove the port-25 limit:
// contact, use case, region, every Elastic IP of the spec's MTAs with its
// reverse-DNS name, and a pre-flight checklist. It fails only when the spec
// has no requests block.
func Port25(spec *specs.Spec, facts Facts) (*Document, error) {
	if err := CheckSpec(KindPort25, spec); err != nil {
		return nil, err
	}
	w := newWorld(spec, facts)
	mtas := w.mtas()
	doc := &Document{
		Title: "Request to remove email sending limitations (Amazon EC2, port 25)",
		Intro: []string{
			"EC2 blocks outbound mail on port 25 to the internet by default. AWS lifts the limit on request, through a form in the console; there is no API for it, so mailform writes the text and you submit it.",
			fmt.Sprintf("Open %s signed in to the AWS account of stack %s, choose the region %s, and copy the fields below.", FormURL, spec.Stack, w.region),
		},
	}
	form := Section{Heading: "Form fields", Fields: []Field{
		{Label: "Email address", Value: spec.Requests.ContactEmail},
		{Label: "Region", Value: w.region},
		{Label: "Use case description", Value: strings.TrimSpace(spec.Requests.UseCase), Block: true},
	}}
	if len(mtas) > 0 {
		var ips, names []string
		for _, f := range mtas {
			if f.ip != "" {
				ips = append(ips, f.ip)
				names = append(names, f.ip+" "+strings.TrimSuffix(f.hostname, "."))
			}
		}
		form.Fields = append(form.Fields,
			Field{Label: "Elastic IP addresses", Value: orNone(ips, "(none allocated yet: run mailform apply first)")},
			Field{Label: "Reverse DNS records", Value: orNone(names, "(none yet)")})
	}
	doc.Sections = append(doc.Sections, form)
	doc.Sections = append(doc.Sections, addressesSection(mtas))
	doc.Sections = append(doc.Sections, Section{
		Heading: "Pre-flight checks",
		Text:    []string{"AWS looks at these before it lifts the limit. Each line says what mailform found in AWS now and what it expected."},
		Items:   w.preflight(mtas),
	})
	return doc, nil
}

// addressesSection lists each MTA with its address and reverse DNS.
func addressesSection(mtas []mtaFacts) Section {
	s := Section{Heading: "Elastic IPs and reverse DNS"}
	if len(mtas) == 0 {
		s.Text = []string{"The spec declares no mta block, so there is no Elastic IP to list. The form accepts a request without addresses; add mta blocks to have mailform allocate them."}
		return s
	}
	t := &Table{Header: []string{"MTA", "Elastic IP", "Reverse DNS name", "PTR now"}}
	for _, f := range mtas {
		t.Rows = append(t.Rows, []string{f.addr, f.ipOrNone(), strings.TrimSuffix(f.hostname, "."), f.ptrNow()})
	}
	s.Table = t
	return s
}

// ptrNow describes the PTR record of an address as AWS reports it.
func (f mtaFacts) ptrNow() string {
	switch {
	case f.ip == "":
		return "-"
	case f.ptrName == "" && f.ptrState == "":
		return "none"
	case f.ptrName == "":
		return "being removed (" + f.ptrState + ")"
	case f.ptrState == "" || f.ptrState == "SET":
		return strings.TrimSuffix(f.ptrName, ".")
	}
	return strings.TrimSuffix(f.ptrName, ".") + " (" + f.ptrState + ")"
}

// preflight checks each MTA (address, A record, PTR, SPF of the domains
// that list it) and then the DKIM keys of those domains.
func (w *world) preflight(mtas []mtaFacts) []Item {
	var items []Item
	domainsSeen := map[string]bool{}
	var domains []string
	for _, f := range mtas {
		items = append(items, w.eipItem(f), w.aRecordItem(f), w.ptrItem(f))
		listing := w.domainsListing(f.mta.Label)
		if len(listing) == 0 {
			items = append(items, Item{
				Subject: f.addr, Check: "an SPF record lists the address", Status: NotMet, Required: true,
				Found:    "no domain block lists " + f.addr + " in spf.mtas",
				Expected: "a domain whose spf block has mtas = [" + f.addr + "]",
				Hint:     "add " + f.addr + " to spf.mtas of each domain the server sends for",
			})
		}
		for _, d := range listing {
			items = append(items, w.spfItem(f, d))
			if !domainsSeen[d.Name] {
				domainsSeen[d.Name] = true
				domains = append(domains, d.Name)
			}
		}
	}
	for _, d := range domains {
		items = append(items, w.dkimKeyItems(d)...)
	}
	return items
}

func (w *world) eipItem(f mtaFacts) Item {
	it := Item{Subject: f.addr, Check: "the Elastic IP exists", Required: true,
		Expected: "an Elastic IP tagged mailform:addr=" + f.addr}
	if f.ip == "" {
		it.Status, it.Found, it.Hint = NotMet, "no Elastic IP of stack "+w.spec.Stack+" for "+f.addr, "run mailform apply"
		return it
	}
	it.Status, it.Found, it.Expected = Met, f.ip+" ("+f.alloc+")", ""
	return it
}

func (w *world) aRecordItem(f mtaFacts) Item {
	name := f.hostname
	it := Item{Subject: f.addr, Check: "the A record " + name + " points to the Elastic IP", Required: true}
	values, visible := w.record(name, "A")
	if !visible {
		it.Status, it.Found = Unknown, name+" is not in a zone block of the spec, so mailform cannot read it"
		it.Expected, it.Hint = orNone([]string{f.ip}, "the Elastic IP"), "publish the A record at your DNS provider; mailform check verifies it"
		return it
	}
	it.Found = orNone(values, "no A record")
	if f.ip == "" {
		it.Status, it.Expected, it.Hint = NotMet, "the Elastic IP (not allocated yet)", "run mailform apply"
		return it
	}
	it.Expected = f.ip
	if slices.Contains(values, f.ip) {
		it.Status = Met
		return it
	}
	it.Status, it.Hint = NotMet, "run mailform apply: it writes the A record once the address exists"
	return it
}

func (w *world) ptrItem(f mtaFacts) Item {
	host := strings.TrimSuffix(f.hostname, ".")
	it := Item{Subject: f.addr, Check: "reverse DNS (PTR) of the address is " + host, Required: true,
		Expected: host, Found: f.ptrNow()}
	switch {
	case f.ip == "":
		it.Status, it.Found, it.Hint = NotMet, "no Elastic IP yet", "run mailform apply"
	case f.ptrName == f.hostname && (f.ptrState == "" || f.ptrState == "SET"):
		it.Status = Met
	case f.ptrName == f.hostname && f.ptrState == "PENDING":
		it.Status, it.Hint = Pending, "AWS is setting it; it takes minutes to hours"
	case !f.mta.ReverseDNS:
		it.Status, it.Hint = NotMet, "reverse_dns = false: ask AWS for it in the same form (mailform requests rdns), or set reverse_dns = true"
	default:
		it.Status, it.Hint = NotMet, "run mailform apply: it sets the PTR through ModifyAddressAttribute once the A record resolves; where the API cannot, use mailform requests rdns"
	}
	return it
}

// domainsListing returns the domain blocks whose SPF lists the MTA.
func (w *world) domainsListing(label string) []specs.Domain {
	var out []specs.Domain
	for _, d := range w.spec.Domains {
		if d.SPF != nil && slices.Contains(d.SPF.MTAs, label) {
			out = append(out, d)
		}
	}
	return out
}

// spfOf returns the SPF policies among TXT values.
func spfOf(values []string) []string {
	var out []string
	for _, v := range values {
		if strings.HasPrefix(strings.ToLower(v), "v=spf1") {
			out = append(out, v)
		}
	}
	return out
}

func (w *world) spfItem(f mtaFacts, d specs.Domain) Item {
	apex := specs.Fqdn(d.Name)
	it := Item{Subject: "domain " + d.Name, Check: "SPF includes the address of " + f.addr, Required: true}
	term := "ip4:" + f.ip
	if f.ip == "" {
		term = "ip4:<the Elastic IP>"
	}
	it.Expected = "an SPF record at " + apex + " with " + term
	values, visible := w.record(apex, "TXT")
	policies := spfOf(values)
	switch {
	case !visible:
		it.Status, it.Found, it.Hint = Unknown, apex+" is not in a zone block of the spec", "mailform check verifies DNS outside Route 53"
	case len(policies) == 0:
		it.Status, it.Found, it.Hint = NotMet, "no SPF record at "+apex, "run mailform apply"
	case f.ip == "":
		it.Status, it.Found, it.Hint = NotMet, strings.Join(policies, "; "), "run mailform apply"
	default:
		it.Found = strings.Join(policies, "; ")
		for _, p := range policies {
			if terms := strings.Fields(strings.ToLower(p)); slices.Contains(terms, term) || slices.Contains(terms, term+"/32") {
				it.Status = Met
				return it
			}
		}
		it.Status, it.Hint = NotMet, "run mailform apply: it adds the address to the SPF record"
	}
	return it
}

// dkimKeyItems checks that a DKIM public key of a dkim_key block is
// published for domain, one item per key.
func (w *world) dkimKeyItems(domain string) []Item {
	var keys []specs.DKIMKey
	for _, k := range w.spec.DKIMKeys {
		if strings.EqualFold(strings.TrimSuffix(k.Domain, "."), domain) {
			keys = append(keys, k)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return keys[i].Selector < keys[j].Selector })
	if len(keys) == 0 {
		return []Item{{
			Subject: "domain " + domain, Check: "a DKIM key is published for the domain", Status: NotMet, Required: true,
			Found: "no dkim_key block for " + domain, Expected: "a dkim_key block with domain = \"" + domain + "\"",
			Hint: "add a dkim_key block: mail from the servers would go out unsigned",
		}}
	}
	var out []Item
	for _, k := range keys {
		name := specs.Fqdn(k.Selector + "._domainkey." + k.Domain)
		it := Item{Subject: "domain " + domain, Check: "the DKIM key of dkim_key." + k.Label + " is published at " + name, Required: true}
		want, known := w.desiredValues("dkim_key." + k.Label + "/txt")
		values, visible := w.record(name, "TXT")
		switch {
		case !visible:
			it.Status, it.Found, it.Hint = Unknown, name+" is not in a zone block of the spec", "mailform check verifies DNS outside Route 53"
		case !known:
			it.Status, it.Found, it.Expected, it.Hint = NotMet, orNone(abbreviate(values), "no TXT record"), "the public half of the key in "+k.PrivateKey, "run mailform apply: it generates the key and publishes it"
		default:
			it.Found, it.Expected = orNone(abbreviate(values), "no TXT record"), strings.Join(abbreviate(want), ", ")
			it.Status = Met
			for _, v := range want {
				if !slices.Contains(values, v) {
					it.Status, it.Hint = NotMet, "run mailform apply"
				}
			}
		}
		out = append(out, it)
	}
	return out
}

// abbreviate shortens long values (DKIM public keys) for evidence: the
// first 40 and the last 8 characters are enough to tell keys apart.
func abbreviate(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		if len(v) > 64 {
			v = v[:40] + "..." + v[len(v)-8:]
		}
		out[i] = v
	}
	return out
}
