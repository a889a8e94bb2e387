package iam

import (
	"strings"
	"testing"
)

// The algorithm is AWS's (SES Developer Guide, "Obtaining Amazon SES SMTP
// credentials", docs.aws.amazon.com/ses/latest/dg/smtp-credentials.html); the
// eu-central-1 and us-west-1 rows are terraform-provider-aws's own test table
// (internal/service/iam/access_key_test.go, TestSESSMTPPasswordFromSecretKeySigV4),
// the others were computed with Python's hmac and hashlib.
func TestSMTPPassword(t *testing.T) {
	tests := []struct {
		secret, region, want string
	}{
		{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9"},
		{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "eu-west-1", "BMW5RDrXmmVs0lV7GpI4oLkHXpZ4stDsk6q91z1g38Pk"},
		{"some+secret+key", "eu-central-1", "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2"},
		{"another+secret+key", "eu-central-1", "BBbphbrQmrKMx42d1N6+C7VINYEBGI5v9VsZeTxwskfh"},
		{"some+secret+key", "us-west-1", "BH+jbMzper5WwlwUar9E1ySBqHa9whi0GPo+sJ0mVYJj"},
		{"another+secret+key", "us-west-1", "BKVmjjMDFk/qqw8EROW99bjCS65PF8WKvK5bSr4Y6EqF"},
	}
	for _, tt := range tests {
		t.Run(tt.secret+"/"+tt.region, func(t *testing.T) {
			got := SMTPPassword(tt.secret, tt.region)
			if got != tt.want {
				t.Errorf("SMTPPassword(%q, %q) = %q, want %q", tt.secret, tt.region, got, tt.want)
			}
			if len(got) != 44 || !strings.HasPrefix(got, "B") {
				t.Errorf("password %q is not 44 characters starting with B", got)
			}
		})
	}
}
