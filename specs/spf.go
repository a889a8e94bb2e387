package specs

import (
	"fmt"
	"strings"
)

// spfInclude is what mailform knows about a well-known SPF include.
type spfInclude struct {
	nested int    // DNS lookups the included record itself makes
	note   string // what those lookups are
}

// wellKnownIncludes are the SPF includes mailform counts without DNS. The
// numbers are lookups the included record makes beyond the include itself,
// as those records read when this table was written; providers change their
// records, so `mailform check` resolves the live count and this table only
// gives validate an offline estimate. An include not listed counts 1.
var wellKnownIncludes = map[string]spfInclude{
	"amazonses.com":              {0, "its record has no further lookups"},
	"_spf.google.com":            {3, "it includes _netblocks, _netblocks2 and _netblocks3.google.com"},
	"spf.protection.outlook.com": {1, "it includes spfd.protection.outlook.com"},
	"sendgrid.net":               {0, "its record has no further lookups"},
	"mailgun.org":                {2, "it includes _spf.mailgun.org and _spf.eu.mailgun.org"},
	"servers.mcsv.net":           {0, "its record has no further lookups"},
	"spf.mandrillapp.com":        {0, "its record has no further lookups"},
	"_spf.salesforce.com":        {0, "its record has no further lookups"},
	"mail.zendesk.com":           {0, "its record has no further lookups"},
}

// SPF limits: receivers stop at 10 DNS-querying terms (RFC 7208 §4.6.4).
const (
	SPFLookupLimit = 10
	SPFLookupWarn  = 8
)

// SPFLookups is the offline count of the DNS lookups an SPF value needs.
type SPFLookups struct {
	Total   int
	Terms   []string // one line per counted term, e.g. "include:_spf.google.com = 4 (...)"
	Unknown []string // includes not in mailform's table, counted 1 each
}

// Lookups counts the DNS-querying terms (a, mx, include, recursively where
// the include is well known) of the SPF value p yields. ip4, ip6 and all
// need no lookup.
func (p *SPF) Lookups() SPFLookups {
	var c SPFLookups
	if p.A {
		c.Total++
		c.Terms = append(c.Terms, "a = 1")
	}
	if p.MX {
		c.Total++
		c.Terms = append(c.Terms, "mx = 1 (plus one per MX host when receivers resolve them)")
	}
	for _, inc := range p.Include {
		known, ok := wellKnownIncludes[inc]
		if !ok {
			c.Total++
			c.Unknown = append(c.Unknown, inc)
			c.Terms = append(c.Terms, fmt.Sprintf("include:%s = 1 or more (not a well-known include)", inc))
			continue
		}
		n := 1 + known.nested
		c.Total += n
		c.Terms = append(c.Terms, fmt.Sprintf("include:%s = %d (%s)", inc, n, known.note))
	}
	return c
}

// checkSPF reports an apex SPF value over the lookup limit (error) or close
// to it (warning).
func (l *loader) checkSPF(d *Domain) {
	if d.SPF == nil {
		return
	}
	c := d.SPF.Lookups()
	if c.Total < SPFLookupWarn {
		return
	}
	detail := fmt.Sprintf("The SPF value of %s needs %d DNS lookups: %s.", d.Name, c.Total, strings.Join(c.Terms, "; "))
	if len(c.Unknown) > 0 {
		each := " each"
		if len(c.Unknown) == 1 {
			each = ""
		}
		detail += fmt.Sprintf(" mailform counts %s as 1%s, but it may need more; `mailform check` resolves the live count.", quoteList(c.Unknown), each)
	}
	if c.Total > SPFLookupLimit {
		l.errorf(d.SPF.Range, "SPF needs too many DNS lookups", "%s Receivers allow %d and treat more as a permanent error, so SPF fails for all your mail. Remove includes you no longer use, or list servers with ip4/ip6 instead.", detail, SPFLookupLimit)
		return
	}
	l.warnf(d.SPF.Range, "SPF is close to the DNS lookup limit", "%s Receivers allow %d; one more include from a provider could break SPF for all your mail.", detail, SPFLookupLimit)
}
