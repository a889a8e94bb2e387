package specs

import "strings"

// WellKnownSPFInclude reports what mailform's table of well-known SPF
// includes (the one validate counts with) says about domain: the DNS lookups
// its record makes beyond the include itself, and what those are. `mailform
// check` uses it for includes it cannot resolve live.
func WellKnownSPFInclude(domain string) (nested int, note string, ok bool) {
	known, ok := wellKnownIncludes[strings.TrimSuffix(strings.ToLower(domain), ".")]
	return known.nested, known.note, ok
}
