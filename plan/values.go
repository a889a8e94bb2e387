package plan

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"

	"github.com/mailform/mailform/internal/dnsvalue"
	"github.com/mailform/mailform/specs"
	"github.com/mailform/mailform/specs/kinds"
)

// JSONLike converts v to the value types a plan holds: string, bool, int64,
// float64 (only when not integral), []any, map[string]any, specs.Deferred and
// specs.Sensitive. Providers and the spec loader may hand over int, []string or
// float64 from decoded JSON; after JSONLike the same value has one Go form,
// the one plan files and renderings read.
func JSONLike(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, specs.Deferred, specs.Sensitive:
		return x
	case *specs.Sensitive:
		if x == nil {
			return nil
		}
		return *x
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint:
		return intOrFloat(float64(x))
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return intOrFloat(float64(x))
	case float32:
		return intOrFloat(float64(x))
	case float64:
		return intOrFloat(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return intOrFloat(f)
		}
		return string(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = JSONLike(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = JSONLike(e)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = e
		}
		return out
	}
	// Anything else (a provider's own type) is reduced through reflection to
	// the nearest JSON-like form, so that it can still be compared and saved.
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = JSONLike(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			out := make(map[string]any, rv.Len())
			for _, k := range rv.MapKeys() {
				out[k.String()] = JSONLike(rv.MapIndex(k).Interface())
			}
			return out
		}
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return JSONLike(rv.Elem().Interface())
	}
	// Make refuses a resource holding such a value (refuseFormless),
	// so only a caller that skips Make gets its text.
	return fmt.Sprint(v)
}

func intOrFloat(f float64) any {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return f
}

// copyAttrs returns a deep copy of attrs in JSON-like form.
func copyAttrs(attrs map[string]any) map[string]any {
	if attrs == nil {
		return nil
	}
	out, _ := JSONLike(attrs).(map[string]any)
	return out
}

// IsEmpty reports whether v says "nothing": absent, "", false, an empty list
// or map. Empty and absent compare equal, so that a provider need not report an
// unset optional attribute or a false flag, and a spec need not spell them out.
func IsEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// hasDeferred reports whether v holds a specs.Deferred anywhere.
func hasDeferred(v any) bool {
	switch x := v.(type) {
	case specs.Deferred:
		return true
	case []any:
		for _, e := range x {
			if hasDeferred(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if hasDeferred(e) {
				return true
			}
		}
	}
	return false
}

// IsSensitive reports whether v is a secret's placeholder.
func IsSensitive(v any) bool {
	_, ok := v.(specs.Sensitive)
	return ok
}

// withoutSecretDigests returns a copy of attrs where every specs.Sensitive has
// lost its digest and every attribute named in sensitiveNames (the secrets
// of the kind's schema, kinds.SecretAttrs) is replaced by specs.Sensitive{}
// whatever it held, so that no secret (nor a hash of one)
// can leak from observed state into a plan.
func withoutSecretDigests(attrs map[string]any, sensitiveNames map[string]bool) map[string]any {
	if attrs == nil {
		return nil
	}
	out := make(map[string]any, len(attrs))
	for k, v := range attrs {
		if sensitiveNames[k] && v != nil {
			out[k] = specs.Sensitive{}
			continue
		}
		out[k] = stripDigests(JSONLike(v))
	}
	return out
}

func stripDigests(v any) any {
	switch x := v.(type) {
	case specs.Sensitive:
		return specs.Sensitive{}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stripDigests(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = stripDigests(e)
		}
		return out
	}
	return v
}

// canonical turns the value of attribute attr of a resource of the given kind
// into the form two values are compared in: JSON-like, empty as nil, every
// list sorted (no list mailform manages has a meaningful order:
// docs/resources.md), and strings in the attribute's canonical form of the
// kind's schema (specs/kinds): DNS names fully qualified and lower case,
// domains lower case without the trailing dot, record values in Route 53's
// form (TXT text re-split and re-quoted, target names fully qualified),
// policy documents with sorted keys.
func canonical(kind specs.Kind, recordType, attr string, v any) any {
	return canonicalAs(kinds.FormOf(kind, attr), recordType, v)
}

// canonicalAs is canonical for a value of the given form. The elements of a
// list have the list's form; the entries of a map (an event destination)
// are compared as written.
func canonicalAs(form kinds.Form, recordType string, v any) any {
	v = JSONLike(v)
	if IsEmpty(v) {
		return nil
	}
	switch x := v.(type) {
	case string:
		if c := canonicalString(form, recordType, x); c != "" {
			return c
		}
		return nil
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if c := canonicalAs(form, recordType, e); c != nil {
				out = append(out, c)
			}
		}
		if len(out) == 0 {
			return nil
		}
		sort.SliceStable(out, func(i, j int) bool { return sortKey(out[i]) < sortKey(out[j]) })
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if c := canonicalAs(kinds.Plain, recordType, e); c != nil {
				out[k] = c
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return v
}

// canonicalString is canonicalAs for one string; "" means empty.
func canonicalString(form kinds.Form, recordType, s string) string {
	switch form {
	case kinds.DNSName:
		return dnsvalue.Name(s)
	case kinds.Domain:
		return canonicalDomain(s)
	case kinds.JSON:
		return canonicalJSON(s)
	case kinds.RecordType:
		return strings.ToUpper(strings.TrimSpace(s))
	case kinds.RecordValue:
		return dnsvalue.Value(recordType, s)
	}
	return s
}

func isRecordKind(k specs.Kind) bool {
	return k == specs.KindRoute53Record || k == specs.KindManualDNSRecord
}

func canonicalDomain(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		return s[:at+1] + strings.ToLower(s[at+1:])
	}
	return strings.ToLower(s)
}

// canonicalJSON re-encodes a JSON document with sorted keys and no spacing, or
// returns s unchanged when it is not JSON.
func canonicalJSON(s string) string {
	var doc any
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return s
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return s
	}
	return string(b)
}

// sortKey orders values of any JSON-like form.
func sortKey(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(encodeForDigest(v))
	return string(b)
}

// sameValue reports whether desired and observed values of an attribute are
// the same once both are in canonical form.
func sameValue(kind specs.Kind, recordType, attr string, desired, observed any) bool {
	return reflect.DeepEqual(canonical(kind, recordType, attr, desired), canonical(kind, recordType, attr, observed))
}

// recordTypeOf returns the record type of a record resource's attributes.
func recordTypeOf(attrs map[string]any) string {
	t, _ := attrs["type"].(string)
	return strings.ToUpper(t)
}
