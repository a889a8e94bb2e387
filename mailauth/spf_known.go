package mailauth

import "strings"

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

// WellKnownSPFInclude reports what mailform's table of well-known SPF
// includes (the one `mailform validate` counts with) says about domain: the DNS lookups
// its record makes beyond the include itself, and what those are. `mailform
// check` uses it for includes it cannot resolve live.
func WellKnownSPFInclude(domain string) (nested int, note string, ok bool) {
	known, ok := wellKnownIncludes[strings.TrimSuffix(strings.ToLower(domain), ".")]
	return known.nested, known.note, ok
}
