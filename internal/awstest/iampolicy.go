package awstest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// This file evaluates IAM identity-based policies the way AWS documents
// ("Policy evaluation logic", IAM User Guide): an explicit Deny wins, then
// any Allow, else the request is implicitly denied. It understands what
// mailform's policies and tests use: Action/NotAction, Resource/NotResource
// with * and ? wildcards, and the String*, Arn*, Bool and Null condition
// operators with IfExists and ForAnyValue/ForAllValues.

// policyDocument is one parsed policy.
type policyDocument struct {
	Statement []policyStatement
}

// policyStatement is one statement, its string-or-list fields normalised.
type policyStatement struct {
	Effect      string
	Action      []string
	NotAction   []string
	Resource    []string
	NotResource []string
	Condition   map[string]map[string][]string // operator -> key -> values
}

// stringOrList decodes an IAM field that is a string or a list of strings.
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*s = many
	return nil
}

// conditionValues decodes a condition value: a string, a bool, a number or a
// list of them, as text.
type conditionValues []string

func (c *conditionValues) UnmarshalJSON(b []byte) error {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	list, ok := raw.([]any)
	if !ok {
		list = []any{raw}
	}
	for _, v := range list {
		*c = append(*c, fmt.Sprint(v))
	}
	return nil
}

// parsePolicy parses a policy document (JSON; AWS returns it URL-encoded
// from some reads, the caller decodes it).
func parsePolicy(doc string) (policyDocument, error) {
	var raw struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return policyDocument{}, fmt.Errorf("policy document: %w", err)
	}
	type statement struct {
		Effect      string
		Action      stringOrList
		NotAction   stringOrList
		Resource    stringOrList
		NotResource stringOrList
		Condition   map[string]map[string]conditionValues
	}
	var list []statement
	if err := json.Unmarshal(raw.Statement, &list); err != nil {
		var one statement
		if err := json.Unmarshal(raw.Statement, &one); err != nil {
			return policyDocument{}, fmt.Errorf("policy statement: %w", err)
		}
		list = []statement{one}
	}
	var p policyDocument
	for _, s := range list {
		ps := policyStatement{
			Effect: s.Effect, Action: s.Action, NotAction: s.NotAction,
			Resource: s.Resource, NotResource: s.NotResource,
			Condition: map[string]map[string][]string{},
		}
		for op, keys := range s.Condition {
			ps.Condition[op] = map[string][]string{}
			for k, v := range keys {
				ps.Condition[op][k] = v
			}
		}
		p.Statement = append(p.Statement, ps)
	}
	return p, nil
}

// authRequest is what a policy is evaluated against: one action on its
// resources, with the request's condition keys.
type authRequest struct {
	action    string   // "ses:CreateEmailIdentity"
	resources []string // ARNs, or "*" where the action has no resource type
	context   map[string][]string
}

// decision is the outcome of evaluating a request.
type decision int

const (
	implicitDeny decision = iota
	allowed
	explicitDeny
)

// evaluate decides req against policies. Every resource must be allowed (a
// batch read of several identities is refused if one of them is).
func evaluate(policies []policyDocument, req authRequest) decision {
	resources := req.resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	all := allowed
	for _, res := range resources {
		d := evaluateOne(policies, req.action, res, req.context)
		if d == explicitDeny {
			return explicitDeny
		}
		if d == implicitDeny {
			all = implicitDeny
		}
	}
	return all
}

func evaluateOne(policies []policyDocument, action, resource string, ctx map[string][]string) decision {
	allow := false
	for _, p := range policies {
		for _, s := range p.Statement {
			if !s.applies(action, resource, ctx) {
				continue
			}
			if strings.EqualFold(s.Effect, "Deny") {
				return explicitDeny
			}
			if strings.EqualFold(s.Effect, "Allow") {
				allow = true
			}
		}
	}
	if allow {
		return allowed
	}
	return implicitDeny
}

func (s policyStatement) applies(action, resource string, ctx map[string][]string) bool {
	switch {
	case len(s.Action) > 0:
		if !anyMatch(s.Action, action, true) {
			return false
		}
	case len(s.NotAction) > 0:
		if anyMatch(s.NotAction, action, true) {
			return false
		}
	default:
		return false
	}
	switch {
	case len(s.Resource) > 0:
		if !anyMatch(s.Resource, resource, false) {
			return false
		}
	case len(s.NotResource) > 0:
		if anyMatch(s.NotResource, resource, false) {
			return false
		}
	default:
		return false
	}
	for op, keys := range s.Condition {
		for key, values := range keys {
			if !conditionHolds(op, ctx[strings.ToLower(key)], values) {
				return false
			}
		}
	}
	return true
}

// anyMatch reports whether value matches one of the patterns (IAM
// wildcards: * any run of characters, ? one character). Actions compare
// without case, resources with it. A resource "*" in a request (an action
// with no resource type) is matched only by a pattern "*".
func anyMatch(patterns []string, value string, foldCase bool) bool {
	for _, p := range patterns {
		if !foldCase && value == "*" {
			if p == "*" {
				return true
			}
			continue
		}
		if wildcardMatch(p, value, foldCase) {
			return true
		}
	}
	return false
}

// wildcardMatch matches IAM's * (any run of characters, "/" included) and
// ? (one character); every other character stands for itself.
func wildcardMatch(pattern, value string, foldCase bool) bool {
	if foldCase {
		pattern, value = strings.ToLower(pattern), strings.ToLower(value)
	}
	p, v := []rune(pattern), []rune(value)
	prev := make([]bool, len(v)+1)
	prev[0] = true
	for i := 1; i <= len(p); i++ {
		cur := make([]bool, len(v)+1)
		if p[i-1] == '*' {
			cur[0] = prev[0]
		}
		for j := 1; j <= len(v); j++ {
			switch p[i-1] {
			case '*':
				cur[j] = prev[j] || cur[j-1]
			case '?':
				cur[j] = prev[j-1]
			default:
				cur[j] = prev[j-1] && p[i-1] == v[j-1]
			}
		}
		prev = cur
	}
	return prev[len(v)]
}

// conditionHolds evaluates one condition operator on the request's values
// of a key (nil when the request lacks the key).
func conditionHolds(op string, have, want []string) bool {
	base := op
	set := ""
	if i := strings.Index(base, ":"); i >= 0 {
		set, base = base[:i], base[i+1:]
	}
	ifExists := strings.HasSuffix(base, "IfExists")
	base = strings.TrimSuffix(base, "IfExists")
	if base == "Null" {
		absent := len(have) == 0
		for _, w := range want {
			if strings.EqualFold(w, "true") == absent {
				return true
			}
		}
		return false
	}
	if len(have) == 0 {
		if ifExists {
			return true
		}
		// A negated operator on a missing key holds (AWS: "the condition
		// returns true" for a missing key with StringNotEquals); ForAllValues
		// holds for an empty set.
		return strings.Contains(base, "Not") || set == "ForAllValues"
	}
	match := func(h string) bool {
		for _, w := range want {
			if valueMatches(base, h, w) {
				return true
			}
		}
		return false
	}
	negated := strings.Contains(base, "Not")
	switch set {
	case "ForAllValues":
		for _, h := range have {
			if match(h) == negated {
				return false
			}
		}
		return true
	default: // single-valued, or ForAnyValue
		for _, h := range have {
			if match(h) != negated {
				return true
			}
		}
		return false
	}
}

// valueMatches applies a condition operator (without Not: the caller
// negates) to one value.
func valueMatches(op, have, want string) bool {
	switch strings.Replace(op, "Not", "", 1) {
	case "StringEquals":
		return have == want
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(have, want)
	case "StringLike", "ArnLike", "ArnEquals":
		return wildcardMatch(want, have, false)
	case "Bool":
		return strings.EqualFold(have, want)
	}
	return false
}

// mayEver reports whether some statement allows action for some resource
// and request, and none denies it outright (on every resource, without
// condition): the SMTP interface refuses to authenticate a user who may
// never send.
func mayEver(policies []policyDocument, action string) bool {
	allow := false
	for _, p := range policies {
		for _, s := range p.Statement {
			covers := (len(s.Action) > 0 && anyMatch(s.Action, action, true)) ||
				(len(s.Action) == 0 && len(s.NotAction) > 0 && !anyMatch(s.NotAction, action, true))
			if !covers {
				continue
			}
			switch {
			case strings.EqualFold(s.Effect, "Deny") && len(s.Condition) == 0 && slices.Contains(s.Resource, "*"):
				return false
			case strings.EqualFold(s.Effect, "Allow"):
				allow = true
			}
		}
	}
	return allow
}
