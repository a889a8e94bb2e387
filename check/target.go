package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
	"github.com/mailform/mailform/specs/kinds"
)

// Target is what a spec implies that check verifies, with the values live
// state makes known (DKIM tokens, Elastic IPs, public keys).
type Target struct {
	Region     string
	Domains    []Domain
	MTAs       []MTA
	Identities []string // SES identities (domains and addresses)
	// SESStatus is what the read of live state saw of each identity:
	// "verification SUCCESS, DKIM SUCCESS, MAIL FROM SUCCESS".
	SESStatus map[string]string
	Zones     []Zone // the Route 53 zones the records live in
}

// Domain is a domain with the records mailform publishes (or asks the user
// to publish) for it.
type Domain struct {
	Name      string   // fully qualified
	Elsewhere bool     // its DNS is not in a declared zone: the records are for the user to publish
	SES       bool     // an SES identity sends its mail (false: only the organisation's MTAs do)
	Records   []Record // in address order
	MailFrom  string   // the MAIL FROM domain, fully qualified, or ""
	SignedBy  []string // how its mail is DKIM-signed with d= this domain: "Easy DKIM", "BYODKIM selector s", "dkim_key.x (MTA)"
}

// Record is one record set the spec implies.
type Record struct {
	Addr    string   // the resource address, e.g. domain.acme.example/dkim[0]
	Part    string   // what it is: dkim, spf, dmarc, mail_from_mx, mail_from_spf, a, txt, or "" for a record block
	Name    string   // fully qualified
	Type    string   //
	Values  []string // in Route 53's form
	Shared  bool     // mailform's value is one of the set's values
	Unknown string   // not "" when a value is not known yet: what it waits for
}

// MTA is a self-run mail server.
type MTA struct {
	Addr       string // mta.<label>
	Hostname   string // fully qualified
	IP         string // the Elastic IP, "" when it does not exist yet
	ReverseDNS bool   // the spec asks for a PTR
	PTRStatus  string // as EC2 reports it: SET, PENDING, or "" when none
}

// Zone is a Route 53 hosted zone records live in.
type Zone struct {
	Name string // fully qualified
	ID   string // "" when not known from live state
}

// NewTarget builds the target of spec from live state indexed against its
// resources (plan.NewLive): the spec's blocks say which domains and MTAs
// there are, the resolved resources what their records should be, the
// observed ones what is.
func NewTarget(region string, spec *specs.Spec, live *plan.Live) Target {
	t := Target{Region: region, SESStatus: sesStatus(live.Observed), MTAs: mtas(spec, live)}
	domains := map[string]*Domain{}
	domain := func(name string) *Domain {
		name = specs.Fqdn(name)
		if d, ok := domains[name]; ok {
			return d
		}
		d := &Domain{Name: name}
		domains[name] = d
		return d
	}
	// Domains with an identity first, so that records of other blocks find
	// them; a domain without one appears through its records.
	blockOf := map[string]string{} // domain block address -> its domain
	mtaBlock := map[string]bool{}
	for _, m := range spec.MTAs {
		mtaBlock[m.Addr()] = true
	}
	for _, d := range spec.Domains {
		blockOf[d.Addr()] = d.Name
		if !d.SESIdentity {
			continue
		}
		dom := domain(d.Name)
		dom.SES = true
		if m := d.MailFrom; m != nil && m.Domain != "" {
			dom.MailFrom = specs.Fqdn(m.Domain)
		}
		switch d.DKIM.Mode {
		case specs.DKIMEasy:
			dom.SignedBy = append(dom.SignedBy, "Easy DKIM")
		case specs.DKIMBYO:
			dom.SignedBy = append(dom.SignedBy, "BYODKIM selector "+d.DKIM.Selector)
		}
	}
	dkimKeys := map[string]string{} // dkim_key block address -> its domain
	for _, k := range spec.DKIMKeys {
		dkimKeys[k.Addr()] = k.Domain
	}
	zones := map[string]bool{}
	for _, r := range live.Resolved {
		switch r.Kind {
		case specs.KindSESIdentity:
			if id, _ := r.Attrs["identity"].(string); id != "" {
				t.Identities = append(t.Identities, id)
			}
		case specs.KindRoute53Record, specs.KindManualDNSRecord:
			rec := recordOf(r)
			if r.Kind == specs.KindRoute53Record {
				if z, _ := r.Attrs["zone"].(string); z != "" {
					zones[specs.Fqdn(z)] = true
				}
			}
			block, _, _ := strings.Cut(r.Addr, "/")
			var owner *Domain
			switch {
			case mtaBlock[block]:
				continue // the MTA checks ask for the A record themselves
			case blockOf[block] != "":
				owner = domain(blockOf[block])
			case dkimKeys[block] != "":
				owner = domain(dkimKeys[block])
				owner.SignedBy = append(owner.SignedBy, block+" (self-managed key)")
			default:
				if owner = ownerDomain(rec.Name, domains); owner == nil {
					owner = domain(rec.Name)
				}
			}
			owner.Records = append(owner.Records, rec)
			if r.Kind == specs.KindManualDNSRecord {
				owner.Elsewhere = true
			}
		}
	}
	for _, name := range specs.SortedKeys(domains) {
		d := domains[name]
		sort.SliceStable(d.Records, func(i, j int) bool { return d.Records[i].Addr < d.Records[j].Addr })
		sort.Strings(d.SignedBy)
		t.Domains = append(t.Domains, *d)
	}
	for _, z := range specs.SortedKeys(zones) {
		t.Zones = append(t.Zones, Zone{Name: z, ID: live.ZoneID(z)})
	}
	sort.Strings(t.Identities)
	return t
}

// sesStatus is what the read of live state saw of each SES identity:
// "verification SUCCESS, DKIM SUCCESS, MAIL FROM SUCCESS"; nil when nothing.
func sesStatus(observed []plan.Observed) map[string]string {
	var out map[string]string
	for _, o := range observed {
		if o.Kind != specs.KindSESIdentity {
			continue
		}
		id := kinds.StringOf(o.Kind, o.Attrs, "identity")
		var parts []string
		for _, a := range []struct{ attr, label string }{{"verification_status", "verification"}, {"dkim_status", "DKIM"}, {"mail_from_status", "MAIL FROM"}} {
			if v := kinds.StringOf(o.Kind, o.Attrs, a.attr); v != "" {
				parts = append(parts, a.label+" "+v)
			}
		}
		if id != "" && len(parts) > 0 {
			if out == nil {
				out = map[string]string{}
			}
			out[id] = strings.Join(parts, ", ")
		}
	}
	return out
}

// mtas are the spec's MTAs, in address order, with their Elastic IP and
// the status of their reverse DNS as EC2 reports them.
func mtas(spec *specs.Spec, live *plan.Live) []MTA {
	var out []MTA
	for _, m := range spec.MTAs {
		addr := m.Addr()
		mta := MTA{Addr: addr, Hostname: specs.Fqdn(m.Hostname), ReverseDNS: m.ReverseDNS}
		if o, ok := live.Find(specs.KindEIP, addr); ok {
			mta.IP, _ = o.Attrs["public_ip"].(string)
		}
		if o, ok := live.Find(specs.KindReverseDNS, addr+"/ptr"); ok {
			mta.PTRStatus, _ = o.Attrs["ptr_status"].(string)
		}
		out = append(out, mta)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	return out
}

// ownerDomain is the declared domain with the longest suffix match of name.
func ownerDomain(name string, domains map[string]*Domain) *Domain {
	var best *Domain
	for n, d := range domains {
		if (name == n || strings.HasSuffix(name, "."+n)) && (best == nil || len(n) > len(best.Name)) {
			best = d
		}
	}
	return best
}

// recordOf turns a record resource into a Record.
func recordOf(r specs.Resource) Record {
	rec := Record{Addr: r.Addr}
	if _, part, ok := strings.Cut(r.Addr, "/"); ok {
		if i := strings.IndexByte(part, '['); i >= 0 {
			part = part[:i]
		}
		rec.Part = part
	}
	switch n := r.Attrs["name"].(type) {
	case string:
		rec.Name = specs.Fqdn(n)
	case specs.Deferred:
		rec.Name = unknownText(n)
		rec.Unknown = waitsFor(n)
	}
	rec.Type = kinds.StringOf(r.Kind, r.Attrs, "type")
	rec.Shared = kinds.BoolOf(r.Kind, r.Attrs, "shared")
	if vals, ok := r.Attrs["values"].([]any); ok {
		for _, v := range vals {
			switch x := v.(type) {
			case string:
				rec.Values = append(rec.Values, x)
			case specs.Deferred:
				rec.Values = append(rec.Values, unknownText(x))
				if rec.Unknown == "" {
					rec.Unknown = waitsFor(x)
				}
			}
		}
	}
	return rec
}

// unknownText shows a Deferred value with each placeholder as <attr> or
// <attr[i]>: "<dkim_tokens[0]>._domainkey.acme.example.".
func unknownText(d specs.Deferred) string {
	text, _ := d.Resolve(func(p specs.Placeholder) (string, bool) {
		if p.Index >= 0 {
			return fmt.Sprintf("<%s[%d]>", p.Attr, p.Index), true
		}
		return "<" + p.Attr + ">", true
	})
	return text
}

// waitsFor names what a Deferred value waits for.
func waitsFor(d specs.Deferred) string {
	var addrs []string
	for _, p := range d.Placeholders() {
		addrs = appendUnique(addrs, p.Addr+" ("+p.Attr+")")
	}
	return strings.Join(addrs, ", ")
}
