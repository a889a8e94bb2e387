package iam

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"

	"github.com/mailform/mailform/internal/policydoc"
)

// PolicyName is the name of the inline policy mailform puts on an SMTP user.
const PolicyName = "mailform-ses-send"

// SMTPPolicy is the inline policy of an SMTP user in canonical form: it
// allows ses:SendRawEmail (what SMTP sends through), limited by
// ses:FromAddress (StringLike, so "*@acme.example" works) when allowedFrom is
// not empty.
func SMTPPolicy(allowedFrom []string) string {
	stmt := map[string]any{
		"Effect":   "Allow",
		"Action":   "ses:SendRawEmail",
		"Resource": "*",
	}
	if len(allowedFrom) > 0 {
		from := append([]string(nil), allowedFrom...)
		sort.Strings(from)
		stmt["Condition"] = map[string]any{"StringLike": map[string]any{"ses:FromAddress": from}}
	}
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{stmt}}
	b, _ := policydoc.Canonical(doc)
	return string(b)
}

// CanonicalPolicy returns a policy document in canonical form: compact JSON
// with object keys sorted, as plan compares policies. It accepts the
// URL-encoded form IAM returns from GetUserPolicy and
// GetAccountAuthorizationDetails.
func CanonicalPolicy(doc string) (string, error) {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		unescaped, uerr := url.QueryUnescape(doc)
		if uerr != nil {
			return "", fmt.Errorf("the policy document is neither JSON nor URL-encoded JSON")
		}
		if err := json.Unmarshal([]byte(unescaped), &v); err != nil {
			return "", fmt.Errorf("the policy document is not JSON: %w", err)
		}
	}
	b, err := policydoc.Canonical(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// allowedFromOf extracts the ses:FromAddress values of a policy mailform
// wrote, sorted; nil when the policy has no such condition.
func allowedFromOf(canonical string) []string {
	var doc struct {
		Statement []struct {
			Condition map[string]map[string]any
		}
	}
	if json.Unmarshal([]byte(canonical), &doc) != nil {
		return nil
	}
	var out []string
	for _, st := range doc.Statement {
		for _, cond := range st.Condition {
			out = append(out, policydoc.Strings(cond["ses:FromAddress"])...)
		}
	}
	sort.Strings(out)
	return out
}
