package specs

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// normalName lower-cases a DNS name and drops a trailing dot.
func normalName(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ".")
}

// dnsNameProblem explains why name is not a valid DNS name, or returns "".
// Host names (identities, zones, MTA hosts) allow letters, digits and inner
// hyphens; record names also allow underscores and a leading "*" label.
func dnsNameProblem(name string, recordName bool) string {
	n := strings.TrimSuffix(name, ".")
	switch {
	case n == "":
		return "the name is empty"
	case len(n) > 253:
		return fmt.Sprintf("the name is %d characters long; DNS allows at most 253", len(n))
	}
	labels := strings.Split(n, ".")
	if len(labels) < 2 {
		return "a DNS name needs at least two labels, such as \"acme.example\""
	}
	for i, label := range labels {
		if label == "" {
			return "the name has an empty label (two dots in a row, or a leading dot)"
		}
		if len(label) > 63 {
			return fmt.Sprintf("the label %q is %d characters long; DNS allows at most 63", label, len(label))
		}
		if recordName && i == 0 && label == "*" {
			continue
		}
		for j := 0; j < len(label); j++ {
			c := label[j]
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || recordName && c == '_'
			if !ok {
				return fmt.Sprintf("the label %q holds %q; use letters, digits and hyphens", label, string(rune(c)))
			}
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Sprintf("the label %q starts or ends with a hyphen", label)
		}
	}
	top := labels[len(labels)-1]
	if strings.Trim(top, "0123456789") == "" {
		return "the last label is all digits; write a DNS name, not an IP address"
	}
	return ""
}

var emailLocalPart = regexp.MustCompile(`^[A-Za-z0-9!#$%&'*+/=?^_` + "`" + `{|}~.-]{1,64}$`)

// emailProblem explains why addr is not a usable email address, or returns "".
// With wildcard, the local part may be "*" (for smtp_user.allowed_from).
func emailProblem(addr string, wildcard bool) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "an email address needs an \"@\""
	}
	local, domain := addr[:at], addr[at+1:]
	switch {
	case local == "":
		return "the part before \"@\" is empty"
	case wildcard && local == "*":
	case !emailLocalPart.MatchString(local):
		return fmt.Sprintf("the part before \"@\" (%q) holds characters mail servers reject or is longer than 64", local)
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, ".."):
		return "the part before \"@\" must not start or end with a dot or hold two dots in a row"
	}
	if p := dnsNameProblem(domain, false); p != "" {
		return "the domain after \"@\" is not valid: " + p
	}
	return ""
}

// mailtoProblem checks one DMARC rua/ruf URI.
func mailtoProblem(uri string) string {
	rest, ok := strings.CutPrefix(uri, "mailto:")
	if !ok {
		return "DMARC report addresses are mailto: URIs, such as \"mailto:dmarc@acme.example\""
	}
	// A size limit may follow the address: mailto:a@b.example!10m
	if i := strings.IndexByte(rest, '!'); i >= 0 {
		if !regexp.MustCompile(`^[0-9]+[kmgt]?$`).MatchString(rest[i+1:]) {
			return fmt.Sprintf("the size limit %q is not a number with an optional k, m, g or t", rest[i+1:])
		}
		rest = rest[:i]
	}
	if p := emailProblem(rest, false); p != "" {
		return p
	}
	return ""
}

// urlProblem checks an http(s) URL such as a website address.
func urlProblem(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "write a full http or https URL, such as \"https://acme.example\""
	}
	if len(s) > 1000 {
		return "AWS accepts at most 1000 characters"
	}
	return ""
}

var (
	ssmPath        = regexp.MustCompile(`^(/[a-zA-Z0-9_.\-]+)+$`)
	secretName     = regexp.MustCompile(`^[a-zA-Z0-9/_+=.@\-]{1,512}$`)
	secretSchemes  = "ssm:/path (an SSM SecureString parameter), secretsmanager:name (a Secrets Manager secret) or file:relative/path (a local file written with mode 0600)"
	identifierLike = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
)

// SecretLocationProblem says what is wrong with a secret location such as
// "ssm:/acme/smtp" in region, or "" when nothing is: the check the spec's
// credentials and private_key attributes get, without the disk's.
func SecretLocationProblem(loc, region string) string { return secretLocationProblem(loc, region) }

// secretLocationProblem checks a secret location such as "ssm:/acme/smtp"
// in region ("" when unknown). checkSecretLocation adds the checks that need
// the disk.
func secretLocationProblem(loc, region string) string {
	scheme, rest, ok := strings.Cut(loc, ":")
	if !ok {
		return "a secret location starts with a scheme: " + secretSchemes
	}
	switch scheme {
	case "ssm":
		return ssmNameProblem(rest, region)
	case "secretsmanager":
		if !secretName.MatchString(rest) {
			return "a Secrets Manager secret name has 1-512 letters, digits or /_+=.@-, such as \"secretsmanager:acme/mail/smtp\""
		}
	case "file":
		if rest == "" || strings.HasPrefix(rest, "/") || strings.HasSuffix(rest, "/") {
			return "a file location is a path to a file relative to the spec's folder, such as \"file:secrets/smtp.json\""
		}
	default:
		return fmt.Sprintf("unknown scheme %q; use %s", scheme, secretSchemes)
	}
	return ""
}

// sesRegions are the commercial and GovCloud regions where SES sends mail.
var sesRegions = []string{
	"af-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
	"ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-5",
	"ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
	"eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
	"me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1",
	"us-west-1", "us-west-2",
}

func validIPv4(s string) bool {
	ip := net.ParseIP(s)
	return ip != nil && ip.To4() != nil && !strings.Contains(s, ":")
}

func validIPv6(s string) bool {
	ip := net.ParseIP(s)
	return ip != nil && strings.Contains(s, ":")
}

// validCIDR accepts an address or a network in the given family.
func validCIDR(s string, v6 bool) bool {
	addr := s
	if a, _, ok := strings.Cut(s, "/"); ok {
		if _, _, err := net.ParseCIDR(s); err != nil {
			return false
		}
		addr = a
	}
	if v6 {
		return validIPv6(addr)
	}
	return validIPv4(addr)
}

// suggest returns the candidate closest to name, or "" when none is close.
func suggest(name string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein(strings.ToLower(name), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// DidYouMean formats a suggestion of the candidate closest to name for a
// Detail, with a leading space; "" when none is close.
func DidYouMean(name string, candidates []string) string { return didYouMean(name, candidates) }

// didYouMean formats a suggestion for a Detail, with a leading space.
func didYouMean(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return fmt.Sprintf(" Did you mean %q?", s)
	}
	return ""
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// quoteList writes values as "a", "b" or "c" for messages.
func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("%q", v)
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func sortedCopy(values []string) []string {
	out := append([]string(nil), values...)
	sort.Strings(out)
	return out
}
