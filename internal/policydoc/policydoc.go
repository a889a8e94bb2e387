// Package policydoc reads and writes AWS policy documents (IAM, SNS topic
// and SQS queue policies) in the one canonical form mailform compares them
// in: compact JSON with object keys sorted and no HTML escaping, so that two
// documents AWS treats as the same policy compare equal byte for byte.
//
// It knows the JSON shape of a policy (a Statement that is one object or a
// list, condition values that are one string or a list) and nothing of any
// service: it never decides what a policy should grant; the providers do.
package policydoc

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Canonical writes v as compact JSON with sorted keys (encoding/json sorts
// map keys) and without HTML escaping, so that "<" stays "<".
func Canonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Same reports whether two policy documents are the same JSON once
// canonical; a document that is not JSON is the same as nothing.
func Same(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	ca, _ := Canonical(x)
	cb, _ := Canonical(y)
	return bytes.Equal(ca, cb)
}

// Statements returns a policy's statements: AWS accepts one statement object
// as well as a list of them.
func Statements(doc map[string]any) []any {
	switch s := doc["Statement"].(type) {
	case []any:
		return s
	case map[string]any:
		return []any{s}
	}
	return nil
}

// ContainsFold reports whether v (a string or a list of strings) holds want,
// ignoring case (IAM action names and service principals are
// case-insensitive).
func ContainsFold(v any, want string) bool {
	switch x := v.(type) {
	case string:
		return strings.EqualFold(x, want)
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && strings.EqualFold(s, want) {
				return true
			}
		}
	}
	return false
}

// Strings returns the strings of v, a condition value that is one string or
// a list of them; elements of other types are left out.
func Strings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
