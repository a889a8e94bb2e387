package mailauth

import (
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
)

// DMARC is a parsed DMARC record (RFC 7489 §6.3).
type DMARC struct {
	Policy          string   // p: none, quarantine or reject
	SubdomainPolicy string   // sp, "" when absent
	Percent         int      // pct, 100 when absent
	RUA             []string // aggregate report URIs
	RUF             []string // failure report URIs
	ADKIM           string   // "r" or "s" (default r)
	ASPF            string   // "r" or "s" (default r)
	Unknown         []string // tags receivers ignore
}

// DMARCPolicies are the values of p= and sp=, weakest first.
var DMARCPolicies = []string{"none", "quarantine", "reject"}

// ParseDMARC parses the text of a _dmarc TXT record. Every problem that
// makes receivers ignore the record, or a part of it, is an error.
func ParseDMARC(text string) (DMARC, error) {
	d := DMARC{Percent: 100, ADKIM: "r", ASPF: "r"}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	parts := strings.Split(text, ";")
	seen := map[string]bool{}
	first := true
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok {
			bad("%q is not a tag=value pair", part)
			continue
		}
		if first {
			first = false
			if k != "v" || v != "DMARC1" {
				return d, fmt.Errorf("the record must start with v=DMARC1, not %q", part)
			}
			continue
		}
		if seen[k] {
			bad("tag %s appears twice", k)
			continue
		}
		seen[k] = true
		switch k {
		case "v":
			bad("v= must be the first tag only")
		case "p", "sp":
			if !slices.Contains(DMARCPolicies, strings.ToLower(v)) {
				bad("%s=%s is not a policy: want none, quarantine or reject", k, v)
				continue
			}
			if k == "p" {
				d.Policy = strings.ToLower(v)
			} else {
				d.SubdomainPolicy = strings.ToLower(v)
			}
		case "pct":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 100 {
				bad("pct=%s is not a whole number from 0 to 100", v)
				continue
			}
			d.Percent = n
		case "adkim", "aspf":
			m := strings.ToLower(v)
			if m != "r" && m != "s" {
				bad("%s=%s: want r (relaxed) or s (strict)", k, v)
				continue
			}
			if k == "adkim" {
				d.ADKIM = m
			} else {
				d.ASPF = m
			}
		case "rua", "ruf":
			for _, u := range strings.Split(v, ",") {
				u = strings.TrimSpace(u)
				if err := checkReportURI(u); err != nil {
					bad("%s: %v", k, err)
					continue
				}
				if k == "rua" {
					d.RUA = append(d.RUA, u)
				} else {
					d.RUF = append(d.RUF, u)
				}
			}
		case "fo", "rf", "ri":
			if k == "ri" {
				if _, err := strconv.ParseUint(v, 10, 32); err != nil {
					bad("ri=%s is not a number of seconds", v)
				}
			}
		default:
			d.Unknown = append(d.Unknown, k)
		}
	}
	if first {
		return d, fmt.Errorf("the record is empty")
	}
	if d.Policy == "" && !hasPrefixAny(problems, "p=") {
		problems = append([]string{"p= is missing: receivers ignore a DMARC record without a policy"}, problems...)
	}
	if len(problems) > 0 {
		return d, fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return d, nil
}

func hasPrefixAny(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// checkReportURI accepts mailto:address, with an optional !size suffix.
func checkReportURI(u string) error {
	rest, ok := strings.CutPrefix(strings.ToLower(u), "mailto:")
	if !ok {
		return fmt.Errorf("%q is not a mailto: URI", u)
	}
	addr := u[len(u)-len(rest):]
	if i := strings.LastIndexByte(addr, '!'); i >= 0 {
		addr = addr[:i]
	}
	if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr || !strings.Contains(addr, "@") {
		return fmt.Errorf("%q: %q is not an email address", u, addr)
	}
	return nil
}
