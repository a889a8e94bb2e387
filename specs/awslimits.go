package specs

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits AWS enforces on the names and tags mailform writes, checked at
// validate so that apply never fails half-way on them. Each limit cites its
// AWS source; docs/spec-language.md lists them for users.

// maxTagValue and tagValueChars: a tag value has 0-256 characters of
// letters, digits, spaces and _ . : / = + - @ (IAM API Reference, Tag:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html; SSM,
// SES, SNS and SQS tags allow at least as much).
const maxTagValue = 256

var tagValueChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// tagValueProblem explains why AWS would refuse v as a tag value, or
// returns "".
func tagValueProblem(v string) string {
	if n := utf8.RuneCountInString(v); n > maxTagValue {
		return fmt.Sprintf("it has %d characters; AWS allows %d in a tag value", n, maxTagValue)
	}
	if !tagValueChars.MatchString(v) {
		var bad []string
		for _, r := range v {
			if q := fmt.Sprintf("%q", string(r)); !tagValueChars.MatchString(string(r)) && !slices.Contains(bad, q) {
				bad = append(bad, q)
			}
		}
		return fmt.Sprintf("it holds %s, which AWS does not allow in a tag value (letters, digits, spaces and _ . : / = + - @ only)", strings.Join(bad, ", "))
	}
	return ""
}

// SSM parameter names (ssm PutParameter, Name): letters, digits, _ . - and
// "/" between levels; no "aws" or "ssm" prefix (case-insensitive); at most
// fifteen levels; at most 1011 characters counting the ARN that precedes
// the name ("arn:aws:ssm:us-east-2:111122223333:parameter/" is 45 of them).
const (
	maxSSMNameWithARN = 1011
	maxSSMLevels      = 15
)

// ssmNameProblem explains why AWS would refuse name (with its leading "/")
// as a parameter name in region, or returns "". With region unknown (""),
// the ARN is counted with the longest region name mailform accepts.
func ssmNameProblem(name, region string) string {
	if !ssmPath.MatchString(name) {
		return "an SSM parameter name is an absolute path such as \"ssm:/acme/mail/smtp\" (letters, digits, _ . - /)"
	}
	levels := strings.Split(strings.TrimPrefix(name, "/"), "/")
	if first := strings.ToLower(levels[0]); strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm") {
		return fmt.Sprintf("SSM reserves names that start with \"aws\" or \"ssm\" (%q does); choose another first level", "/"+levels[0])
	}
	if len(levels) > maxSSMLevels {
		return fmt.Sprintf("the name has %d levels; SSM allows at most %d", len(levels), maxSSMLevels)
	}
	if n := len(ssmARNPrefix(region)) + len(name); n > maxSSMNameWithARN {
		return fmt.Sprintf("with its ARN the name has %d characters; SSM allows %d, ARN included (the name itself may have %d here)", n, maxSSMNameWithARN, maxSSMNameWithARN-len(ssmARNPrefix(region)))
	}
	return ""
}

// ssmARNPrefix is what precedes a parameter name in its ARN, with a 12-digit
// account: "arn:aws:ssm:us-east-2:111122223333:parameter".
func ssmARNPrefix(region string) string {
	if region == "" {
		for _, r := range sesRegions {
			if len(r) > len(region) {
				region = r
			}
		}
	}
	return "arn:" + Partition(region) + ":ssm:" + region + ":111122223333:parameter"
}

// Partition is the AWS partition a region belongs to: "aws-us-gov" for
// GovCloud, "aws-cn" for China, "aws" otherwise.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	}
	return "aws"
}

// maxInlinePolicy: IAM counts the inline policies of a user together, at most
// 2,048 characters without whitespace (IAM User Guide, IAM and AWS STS
// quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
// mailform gives an SMTP user one inline policy, written compact.
const maxInlinePolicy = 2048

// policySize counts the characters of a policy document as IAM does, without
// whitespace outside strings. smtpPolicy writes compact JSON, so this is
// its length in characters.
func policySize(doc string) int {
	n, inString, escaped := 0, false, false
	for _, r := range doc {
		switch {
		case escaped:
			escaped = false
		case inString && r == '\\':
			escaped = true
		case r == '"':
			inString = !inString
		case !inString && (r == ' ' || r == '\t' || r == '\n' || r == '\r'):
			continue
		}
		n++
	}
	return n
}
