package iam

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/mailform/mailform/internal/policydoc"
)

// PolicyName is the name of the inline policy mailform puts on an SMTP user.
const PolicyName = "mailform-ses-send"

// AttrPolicyName is the observed attribute naming the inline policy read
// as an unmarked user's policy when it is not PolicyName: adopting the user
// puts the same document under PolicyName and deletes that one.
const AttrPolicyName = "policy_name"

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

// asSMTPPolicy returns SMTPPolicy of the senders a policy allows when the
// policy says exactly that, in whatever form IAM accepts (a single
// statement object instead of a list, one value as a string instead of a
// list of one, keys in any order): a policy written by hand that mailform
// can take over as its own without changing what it allows.
func asSMTPPolicy(canonical string) (string, bool) {
	var doc map[string]any
	if json.Unmarshal([]byte(canonical), &doc) != nil {
		return "", false
	}
	norm := normalizePolicy(doc)
	var from []string
	if stmts, _ := norm["Statement"].([]any); len(stmts) == 1 {
		st, _ := stmts[0].(map[string]any)
		cond, _ := st["Condition"].(map[string]any)
		like, _ := cond["StringLike"].(map[string]any)
		from = policydoc.Strings(like["ses:FromAddress"])
	}
	want := SMTPPolicy(from)
	var wantDoc map[string]any
	if json.Unmarshal([]byte(want), &wantDoc) != nil {
		return "", false
	}
	a, err := policydoc.Canonical(norm)
	if err != nil {
		return "", false
	}
	b, err := policydoc.Canonical(normalizePolicy(wantDoc))
	if err != nil || string(a) != string(b) {
		return "", false
	}
	return want, true
}

// normalizePolicy writes the statements of doc as a list, and each value of
// Action, Resource and of a condition as a sorted list.
func normalizePolicy(doc map[string]any) map[string]any {
	list := func(v any) []any {
		switch x := v.(type) {
		case []any:
			out := slices.Clone(x)
			slices.SortFunc(out, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
			return out
		case nil:
			return nil
		}
		return []any{v}
	}
	out := maps.Clone(doc)
	var stmts []any
	for _, s := range list(doc["Statement"]) {
		st, ok := s.(map[string]any)
		if !ok {
			stmts = append(stmts, s)
			continue
		}
		st = maps.Clone(st)
		for _, k := range []string{"Action", "NotAction", "Resource", "NotResource"} {
			if v, ok := st[k]; ok {
				st[k] = list(v)
			}
		}
		if cond, ok := st["Condition"].(map[string]any); ok {
			c := map[string]any{}
			for op, m := range cond {
				keys, ok := m.(map[string]any)
				if !ok {
					c[op] = m
					continue
				}
				k2 := map[string]any{}
				for k, v := range keys {
					k2[k] = list(v)
				}
				c[op] = k2
			}
			st["Condition"] = c
		}
		stmts = append(stmts, st)
	}
	out["Statement"] = stmts
	return out
}
