package route53

import (
	"slices"
	"testing"
)

// TestWithoutComparesCanonicalForms: the values Route 53 holds are as they
// were written; the plan's are canonical. Taking mailform's value out of a
// shared set must find it whatever the spelling, and leave the others as
// Route 53 holds them.
func TestWithoutComparesCanonicalForms(t *testing.T) {
	for _, c := range []struct {
		rtype          string
		values, remove []string
		rest           []string
		found          bool
	}{
		{"CNAME", []string{"a.dkim.amazonses.com"}, []string{"a.dkim.amazonses.com."}, nil, true},
		{"TXT", []string{`"v=spf1 include:amazonses.com ~all"`, `"google-site-verification=abc"`}, []string{`"v=spf1 include:amazonses.com ~all"`}, []string{`"google-site-verification=abc"`}, true},
		{"TXT", []string{`"v=spf1 " "include:amazonses.com ~all"`, `"other"`}, []string{`"v=spf1 include:amazonses.com ~all"`}, []string{`"other"`}, true},
		{"MX", []string{"10 Feedback-SMTP.us-east-1.amazonses.com"}, []string{"10 feedback-smtp.us-east-1.amazonses.com."}, nil, true},
		{"TXT", []string{`"other"`}, []string{`"v=spf1 -all"`}, []string{`"other"`}, false},
	} {
		rest, found := without(c.rtype, c.values, c.remove)
		if !slices.Equal(rest, c.rest) || found != c.found {
			t.Errorf("without(%s, %q, %q) = %q, %v; want %q, %v", c.rtype, c.values, c.remove, rest, found, c.rest, c.found)
		}
	}
}
