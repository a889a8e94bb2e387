package ses

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/mailform/mailform/specs"
)

// attrs reads the attributes of a change or an observed resource. Values that
// are still specs.Deferred are reported by unresolved, so that a change is
// refused rather than applied with a placeholder in it.
type attrs map[string]any

func (a attrs) has(name string) bool {
	v, ok := a[name]
	return ok && v != nil
}

func (a attrs) str(name string) string {
	switch v := a[name].(type) {
	case string:
		return v
	case specs.Deferred:
		return string(v)
	}
	return ""
}

func (a attrs) boolean(name string) (value, ok bool) {
	v, ok := a[name].(bool)
	return v, ok
}

func (a attrs) integer(name string) (int64, bool) {
	switch v := a[name].(type) {
	case int64:
		return v, true
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case float64:
		return int64(v), true
	}
	return 0, false
}

// strings returns a list attribute as strings ([]any or []string).
func (a attrs) strings(name string) []string {
	return toStrings(a[name])
}

func toStrings(v any) []string {
	switch l := v.(type) {
	case []string:
		return append([]string(nil), l...)
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			switch s := e.(type) {
			case string:
				out = append(out, s)
			case specs.Deferred:
				out = append(out, string(s))
			}
		}
		return out
	}
	return nil
}

// unresolved names the attributes (nested ones as "a.b.c") whose value still
// holds a placeholder.
func (a attrs) unresolved() []string {
	var out []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case specs.Deferred:
			out = append(out, path)
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case map[string]any:
			for _, k := range specs.SortedKeys(x) {
				walk(path+"."+k, x[k])
			}
		}
	}
	for _, k := range specs.SortedKeys(a) {
		walk(k, a[k])
	}
	return out
}

// sortedList returns the strings sorted, as the []any the plan compares.
func sortedList(in []string) []any {
	s := append([]string(nil), in...)
	sort.Strings(s)
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// tagMap turns SES tags into a map.
func tagMap(tags []types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// ownershipTags are the tags every resource mailform creates carries.
func ownershipTags(stack, addr string) []types.Tag {
	return []types.Tag{
		{Key: aws.String(specs.TagStack), Value: aws.String(stack)},
		{Key: aws.String(specs.TagAddr), Value: aws.String(addr)},
	}
}

// awsError wraps err with the action, keeping AWS's own code and message (the
// SDK's error text never carries request parameters, so a private key cannot
// leak through it). The address is apply's to add (apply.ResourceError).
func awsError(action string, err error) error {
	return fmt.Errorf("%s: %w", action, err)
}

// isCode reports whether err is an AWS API error with one of the codes.
func isCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

func isNotFound(err error) bool {
	var nf *types.NotFoundException
	return errors.As(err, &nf) || isCode(err, "NotFoundException", "NotFound")
}

func isAlreadyExists(err error) bool {
	var ae *types.AlreadyExistsException
	return errors.As(err, &ae) || isCode(err, "AlreadyExistsException", "AlreadyExists", "ConfigurationSetAlreadyExistsException")
}

// notOwnedError is the refusal to touch what the stack does not own.
func notOwnedError(addr, what, stack, owner string) error {
	if owner == "" {
		return fmt.Errorf("%s exists in SES without the ownership tag %s=%s, so mailform leaves it alone; "+
			"to manage it with this spec, adopt it: mailform apply -adopt %s", what, specs.TagStack, stack, addr)
	}
	return fmt.Errorf("%s belongs to stack %q (tag %s), not to %q; mailform leaves it alone",
		what, owner, specs.TagStack, stack)
}

// lowerName is the case-insensitive key of an identity name.
func lowerName(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }
