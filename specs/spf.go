package specs

import (
	"fmt"
	"strings"

	"github.com/mailform/mailform/mailauth"
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
		nested, note, ok := mailauth.WellKnownSPFInclude(inc)
		if !ok {
			c.Total++
			c.Unknown = append(c.Unknown, inc)
			c.Terms = append(c.Terms, fmt.Sprintf("include:%s = 1 or more (not a well-known include)", inc))
			continue
		}
		n := 1 + nested
		c.Total += n
		c.Terms = append(c.Terms, fmt.Sprintf("include:%s = %d (%s)", inc, n, note))
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
	if c.Total < mailauth.SPFLookupWarn {
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
	if c.Total > mailauth.SPFLookupLimit {
		l.errorf(d.SPF.Range, "SPF needs too many DNS lookups", "%s Receivers allow %d and treat more as a permanent error, so SPF fails for all your mail. Remove includes you no longer use, or list servers with ip4/ip6 instead.", detail, mailauth.SPFLookupLimit)
		return
	}
	l.warnf(d.SPF.Range, "SPF is close to the DNS lookup limit", "%s Receivers allow %d; one more include from a provider could break SPF for all your mail.", detail, mailauth.SPFLookupLimit)
}
