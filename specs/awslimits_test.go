package specs

import (
	"fmt"
	"strings"
	"testing"
)

// TestAWSLimitsAtValidate: names and values that AWS would refuse half-way
// through an apply are refused at validate, at the block or value.
func TestAWSLimitsAtValidate(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	domain250 := strings.Join([]string{label63, label63, label63, strings.Repeat("b", 50)}, ".") + ".example" // 250 characters
	var senders []string
	for i := range 80 {
		senders = append(senders, fmt.Sprintf(`"sender-%02d@acme.example"`, i))
	}
	ssmLevels := func(n int) string { return "ssm:" + strings.Repeat("/level", n) }
	cases := []struct {
		name  string
		block string // written after the header, from line 9
		line  int
		want  string // in the detail
	}{
		{name: "configuration set name of 65 characters", block: `configuration_set "` + strings.Repeat("c", 32) + `" {}`, line: 9, want: "65 characters; SES allows 64"},
		{name: "mailform:addr tag of a 250-character domain", block: `domain "` + domain250 + `" {}`, line: 9, want: "257 characters; AWS allows 256 in a tag value"},
		{name: "email local part a tag cannot carry", block: `email "o'brien@acme.example" {}`, line: 9, want: `holds "'"`},
		{name: "email local part with a hash", block: `email "sales#1@acme.example" {}`, line: 9, want: `holds "#"`},
		{name: "ssm location with the aws prefix", block: "dkim_key \"k\" {\n  domain = \"acme.example\"\n  selector = \"s1\"\n  private_key = \"ssm:/aws/mail/key\"\n}", line: 12, want: `reserves names that start with "aws" or "ssm"`},
		{name: "ssm location with the ssm prefix, any case", block: "dkim_key \"k\" {\n  domain = \"acme.example\"\n  selector = \"s1\"\n  private_key = \"ssm:/SSMstore/key\"\n}", line: 12, want: `reserves names that start with "aws" or "ssm"`},
		{name: "ssm location of 16 levels", block: "dkim_key \"k\" {\n  domain = \"acme.example\"\n  selector = \"s1\"\n  private_key = \"" + ssmLevels(16) + "\"\n}", line: 12, want: "16 levels; SSM allows at most 15"},
		{name: "ssm location too long with its ARN", block: "dkim_key \"k\" {\n  domain = \"acme.example\"\n  selector = \"s1\"\n  private_key = \"ssm:/" + strings.Repeat("k", 967) + "\"\n}", line: 12, want: "with its ARN the name has 1012 characters; SSM allows 1011"},
		{name: "credentials location too long for its tag", block: "smtp_user \"app\" {\n  credentials = \"secretsmanager:" + strings.Repeat("s", 250) + "\"\n}", line: 10, want: "tags the resource with its secret location, and it has 265 characters"},
		{name: "BYODKIM key location too long for its tag", block: "domain \"acme.example\" {\n  dkim {\n    mode = \"byo\"\n    selector = \"s1\"\n    private_key = \"ssm:/" + strings.Repeat("k", 300) + "\"\n  }\n}", line: 13, want: "tags the resource with its secret location"},
		{name: "SMTP policy over 2048 characters", block: "smtp_user \"app\" {\n  credentials = \"ssm:/acme/smtp\"\n  allowed_from = [" + strings.Join(senders, ", ") + "]\n}", line: 9, want: "IAM allows 2048"},
		{name: "region typo", block: "", line: 4, want: `Did you mean "us-west-2"?`},
		{name: "GovCloud region typo", block: "", line: 4, want: `in the aws-us-gov partition. Did you mean "us-gov-west-1"?`},
		{name: "China region", block: "", line: 4, want: "in the aws-cn partition"},
	}
	regions := map[string]string{"region typo": "us-wset-2", "GovCloud region typo": "us-gov-wst-1", "China region": "cn-north-1"}
	stack32 := strings.Repeat("s", 32)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := header + "\n" + c.block + "\n"
			if r, ok := regions[c.name]; ok {
				src = strings.Replace(src, `"us-west-2"`, `"`+r+`"`, 1)
			}
			src = strings.Replace(src, `"acme-prod"`, `"`+stack32+`"`, 1)
			dir := writeSpec(t, map[string]string{"main.hcl": src})
			spec, diags := Load(dir, LoadOptions{})
			out := renderDiags(t, spec.Files(), diags)
			var found bool
			for _, d := range diags {
				if d.Subject != nil && d.Subject.Start.Line == c.line && strings.Contains(d.Detail, c.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("want an error at line %d saying %q, got:\n%.4000s", c.line, c.want, out)
				for _, d := range diags {
					t.Logf("%s: %s", d.Summary, d.Detail)
				}
			}
		})
	}
}

// TestAWSLimitsLeaveValidNamesAlone: names at the limits pass.
func TestAWSLimitsLeaveValidNamesAlone(t *testing.T) {
	var senders []string
	for i := range 20 {
		senders = append(senders, fmt.Sprintf(`"sender-%02d@acme.example"`, i))
	}
	mustLoad(t, map[string]string{"main.hcl": strings.Replace(header, `"acme-prod"`, `"`+strings.Repeat("s", 32)+`"`, 1) + `
configuration_set "` + strings.Repeat("c", 31) + `" {}
email "first.last+tag@acme.example" {}
smtp_user "app" {
  credentials  = "ssm:/acme/mail/smtp"
  allowed_from = [` + strings.Join(senders, ", ") + `]
}
dkim_key "k" {
  domain      = "acme.example"
  selector    = "s1"
  private_key = "ssm:/` + strings.Repeat("k", 966) + `"
}
`}, LoadOptions{})
}

// TestPolicySize counts characters as IAM does: whitespace outside strings
// does not count.
func TestPolicySize(t *testing.T) {
	for doc, want := range map[string]int{
		`{"a":"b c"}`:            11,
		"{ \"a\" :\n\t\"b c\" }": 11,
		`{"a":"\" x"}`:           12,
	} {
		if got := policySize(doc); got != want {
			t.Errorf("policySize(%q) = %d, want %d", doc, got, want)
		}
	}
	doc, err := smtpPolicy([]string{"a@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if policySize(doc) != len(doc) {
		t.Errorf("the SMTP policy is not compact: %s", doc)
	}
}
