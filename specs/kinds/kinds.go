// Package kinds declares, for each resource kind mailform manages, its
// schema: the attributes a resource of that kind holds with their types,
// which of them only AWS reports, which force the resource's replacement,
// which name it within its service, how two of its values are compared,
// which hold secrets, and the IAM actions its provider calls to read,
// create, update and delete it.
//
// It is the one place for these facts: what the examples expand into and
// what the providers observe of them are checked against it (Check, in this
// package's tests and internal/acceptance); plan reads its replacement
// rules, identities, canonical forms and secrets from it; check and
// requests read attributes through it (StringOf, BoolOf);
// internal/permissions derives its IAM action table from it; and
// docs/resources.md is tested against it. Each kind's schema sits in a file
// named for the kind (ses_identity.go for ses.identity).
//
// It holds declarations only: it must not import plan, providers, the AWS
// SDK or anything above specs, and must not call AWS or print.
package kinds

import (
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/mailform/mailform/specs"
)

// Type is the type of an attribute's value.
type Type string

// The types of attributes (docs/resources.md, "Values").
const (
	String     Type = "string"         // a string, or a specs.Deferred known after apply
	Bool       Type = "bool"           //
	Int        Type = "int"            // a whole number
	Number     Type = "number"         // a number, whole or not
	StringList Type = "list of string" // each element a string or a specs.Deferred
	Map        Type = "map"            // a map of names to JSON-like values
	Secret     Type = "sensitive"      // a specs.Sensitive: the secret never enters a resource
)

// Form is the canonical form two values of an attribute are compared in,
// beyond what every value gets (empty as absent, lists sorted).
type Form string

// The canonical forms.
const (
	Plain       Form = ""             // compared as written
	DNSName     Form = "dns name"     // lower case, fully qualified (dnsvalue.Name)
	Domain      Form = "domain"       // a domain or an address: domain lower case, no trailing dot
	JSON        Form = "json"         // a JSON document re-encoded with sorted keys
	RecordType  Form = "record type"  // upper case
	RecordValue Form = "record value" // Route 53's form of a value of the record's type (dnsvalue.Value)
)

// Access is what a provider does to a resource, for which it needs IAM
// actions.
type Access string

// The kinds of access a provider's actions are listed for.
const (
	Read   Access = "read"   // plan: read live state
	Create Access = "create" // apply: make it
	Update Access = "update" // apply: change it in place (or replace it)
	Delete Access = "delete" // apply: remove it
)

// Attr is one attribute of a kind.
type Attr struct {
	Name string
	Type Type
	Form Form
	// Location marks a string attribute holding a secret store location
	// (ssm:/name, secretsmanager:id, file:path) the provider writes or
	// reads the secret at; the IAM policy grants access to it.
	Location bool
	// Observed marks an attribute that only a provider reports (an ARN, a
	// status, a DKIM token); a spec never sets it.
	Observed bool
	// Replaces marks an attribute AWS cannot change in place: a new value
	// means deleting the resource and creating it again.
	Replaces bool
	// ReplacesFrom is the one change of value AWS cannot make in place,
	// though other changes of the attribute are updates; nil when none.
	ReplacesFrom *OneWay
}

// OneWay is a value an attribute cannot leave without the resource being
// replaced, and the reason.
type OneWay struct {
	From   any
	Reason string
}

// Schema is everything mailform knows about one kind.
type Schema struct {
	Kind  specs.Kind
	Attrs []Attr
	// Identity are the attributes that name a resource within its service:
	// two resources of the kind with the same values here are the same thing
	// in AWS. Empty when the kind has no such name (an Elastic IP).
	Identity []string
	// Actions lists the IAM actions the kind's provider calls, per access.
	// Every provider reads on every plan, whatever the spec holds, because
	// it looks for resources of removed blocks to delete.
	Actions map[Access][]string
}

// SecretUntagged is the observed attribute a provider sets to the location
// of a stored secret whose tags lack what plan needs to know of it (which
// access key, which public key), so that it had to read the value: the
// resource is updated, and apply adds the tags.
const SecretUntagged = "secret_untagged"

// schemas holds every kind's schema, filled by the file of each kind.
var schemas = map[specs.Kind]*Schema{}

func declare(s *Schema) *Schema {
	if _, dup := schemas[s.Kind]; dup {
		panic("kinds: " + string(s.Kind) + " declared twice")
	}
	schemas[s.Kind] = s
	return s
}

// All lists every kind's schema, sorted by kind.
func All() []*Schema {
	out := make([]*Schema, 0, len(schemas))
	for _, k := range slices.Sorted(maps.Keys(schemas)) {
		out = append(out, schemas[k])
	}
	return out
}

// Of returns the schema of kind, or nil for a kind mailform does not know.
func Of(kind specs.Kind) *Schema { return schemas[kind] }

// Attr returns the attribute called name, or nil when the kind has none.
// A nil schema has no attributes.
func (s *Schema) Attr(name string) *Attr {
	if s == nil {
		return nil
	}
	for i := range s.Attrs {
		if s.Attrs[i].Name == name {
			return &s.Attrs[i]
		}
	}
	return nil
}

// FormOf is the canonical form of attribute attr of kind; Plain for an
// attribute the kind does not declare.
func FormOf(kind specs.Kind, attr string) Form {
	if a := Of(kind).Attr(attr); a != nil {
		return a.Form
	}
	return Plain
}

// Replaces reports whether a change of attribute attr of a resource of kind
// replaces the resource rather than updating it.
func Replaces(kind specs.Kind, attr string) bool {
	a := Of(kind).Attr(attr)
	return a != nil && a.Replaces
}

// ReplacesFrom returns the one-way rule of attribute attr of kind, or nil.
func ReplacesFrom(kind specs.Kind, attr string) *OneWay {
	if a := Of(kind).Attr(attr); a != nil {
		return a.ReplacesFrom
	}
	return nil
}

// Identity lists the attributes that name a resource of kind in AWS.
func Identity(kind specs.Kind) []string {
	if s := Of(kind); s != nil {
		return s.Identity
	}
	return nil
}

// SecretAttrs returns the names of kind's attributes that hold secrets.
func SecretAttrs(kind specs.Kind) map[string]bool {
	out := map[string]bool{}
	if s := Of(kind); s != nil {
		for _, a := range s.Attrs {
			if a.Type == Secret {
				out[a.Name] = true
			}
		}
	}
	return out
}

// Locations returns the names of kind's attributes that hold secret store
// locations, in declaration order.
func Locations(kind specs.Kind) []string {
	var out []string
	if s := Of(kind); s != nil {
		for _, a := range s.Attrs {
			if a.Location {
				out = append(out, a.Name)
			}
		}
	}
	return out
}

// Check reports the first attribute of attrs that kind does not declare,
// or whose value is not of the declared type, as an error naming the kind,
// the attribute and the value's Go type. A nil value stands for an absent
// attribute and is always allowed.
func Check(kind specs.Kind, attrs map[string]any) error {
	s := Of(kind)
	if s == nil {
		return fmt.Errorf("resource kind %q has no schema", kind)
	}
	for _, name := range specs.SortedKeys(attrs) {
		v := attrs[name]
		a := s.Attr(name)
		if a == nil {
			return fmt.Errorf("%s has no attribute %q (a value of Go type %T)", kind, name, v)
		}
		if v != nil && !a.Type.holds(v) {
			return fmt.Errorf("attribute %q of %s is a %s, not a value of Go type %T", name, kind, a.Type, v)
		}
	}
	return nil
}

// holds reports whether v is a value of type t, in one of the Go forms
// plan turns into its JSON-like form.
func (t Type) holds(v any) bool {
	switch t {
	case String:
		return isString(v)
	case Bool:
		_, ok := v.(bool)
		return ok
	case Int:
		return isWhole(v)
	case Number:
		switch v.(type) {
		case float32, float64:
			return true
		}
		return isWhole(v)
	case StringList:
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			return false
		}
		for i := range rv.Len() {
			if e := rv.Index(i).Interface(); !isString(e) {
				return false
			}
		}
		return true
	case Map:
		rv := reflect.ValueOf(v)
		return rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String && jsonLike(v)
	case Secret:
		switch v.(type) {
		case specs.Sensitive, *specs.Sensitive:
			return true
		}
	}
	return false
}

func isString(v any) bool {
	if _, ok := v.(specs.Deferred); ok {
		return true
	}
	return reflect.ValueOf(v).Kind() == reflect.String
}

func isWhole(v any) bool {
	switch x := v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return true
	case float32:
		return float64(x) == float64(int64(x))
	case float64:
		return x == float64(int64(x))
	}
	return false
}

// jsonLike reports whether v is made only of strings, bools, numbers, lists
// and maps with string keys (and the specs placeholders), so that plan can
// compare and save it without guessing.
func jsonLike(v any) bool {
	if v == nil || isString(v) || isWhole(v) {
		return true
	}
	switch v.(type) {
	case bool, float32, float64, specs.Sensitive:
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range rv.Len() {
			if !jsonLike(rv.Index(i).Interface()) {
				return false
			}
		}
		return true
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return false
		}
		for it := rv.MapRange(); it.Next(); {
			if !jsonLike(it.Value().Interface()) {
				return false
			}
		}
		return true
	}
	return false
}

// StringOf returns the string attribute name of a resource of kind: "" when
// it is absent or not yet known (a specs.Deferred). It panics when kind
// declares no string attribute of that name: reading an attribute that no
// loader or provider writes is a defect, which the reader's tests catch.
func StringOf(kind specs.Kind, attrs map[string]any, name string) string {
	declared(kind, name, String)
	s, _ := attrs[name].(string)
	return s
}

// BoolOf returns the bool attribute name of a resource of kind: false when
// it is absent. It panics as StringOf does.
func BoolOf(kind specs.Kind, attrs map[string]any, name string) bool {
	declared(kind, name, Bool)
	b, _ := attrs[name].(bool)
	return b
}

func declared(kind specs.Kind, name string, t Type) {
	if a := Of(kind).Attr(name); a == nil || a.Type != t {
		panic(fmt.Sprintf("kinds: %s declares no %s attribute %q", kind, t, name))
	}
}
