package plan

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/specs"
)

// refuseFormless returns an error for each desired or observed resource
// holding a value that plan cannot compare or save: one of a Go type JSONLike
// does not know, which it could only turn into its fmt.Sprint text. Such a value is a
// defect in the spec loader or a provider; plan refuses it rather than
// compare text it guessed at.
func refuseFormless(desired []specs.Resource, observed []Observed) hcl.Diagnostics {
	var diags addrDiags
	for _, r := range desired {
		if err := valuesError(r.Kind, r.Attrs); err != nil {
			diags.add(r.Addr, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot plan " + r.Addr,
				Detail:   "The spec expands into a value mailform cannot compare: " + err.Error() + ". This is a defect in mailform; please report it.",
				Subject:  r.DeclRange.Ptr(),
			})
		}
	}
	for _, o := range observed {
		if err := valuesError(o.Kind, o.Attrs); err != nil {
			diags.add(o.Addr, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot plan " + o.Addr,
				Detail:   "AWS reports a value of " + o.ID + " that mailform cannot compare: " + err.Error() + ". This is a defect in mailform; please report it.",
			})
		}
	}
	return diags.all()
}

// valuesError names the first attribute of attrs, in order, that holds a
// value of a type JSONLike does not know, with the kind and the Go type (never
// the value: it may be a secret).
func valuesError(kind specs.Kind, attrs map[string]any) error {
	for _, name := range specs.SortedKeys(attrs) {
		if bad, ok := formless(attrs[name]); ok {
			return fmt.Errorf("attribute %q of %s holds a value of Go type %T", name, kind, bad)
		}
	}
	return nil
}

// formless returns the first value inside v, at any depth, that JSONLike can
// only turn into its fmt.Sprint text. It follows JSONLike case by case.
func formless(v any) (any, bool) {
	switch v.(type) {
	case nil, string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64, json.Number, specs.Deferred, specs.Sensitive, *specs.Sensitive, []string, map[string]string:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := range rv.Len() {
			if bad, ok := formless(rv.Index(i).Interface()); ok {
				return bad, true
			}
		}
		return nil, false
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v, true
		}
		for it := rv.MapRange(); it.Next(); {
			if bad, ok := formless(it.Value().Interface()); ok {
				return bad, true
			}
		}
		return nil, false
	case reflect.String, reflect.Bool:
		return nil, false
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, false
		}
		return formless(rv.Elem().Interface())
	}
	return v, true
}
