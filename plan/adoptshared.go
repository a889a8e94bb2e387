package plan

import (
	"slices"

	"github.com/mailform/mailform/specs"
)

// adoptSharedValue lets -adopt take over a value of a shared record set (the
// apex SPF value beside site verification tokens) that was published by
// hand exactly as the spec writes it. The set is then observed as holding
// that value for the stack (values) beside the others (other_values), and
// the plan adopts it: apply adds the stack's marker for the value and
// changes no value. Without -adopt, or when the value differs, ok is false
// and the plan adds the spec's value as before.
func adoptSharedValue(r specs.Resource, o Observed, stack string, adopt []string) (Observed, bool) {
	if Classify(o, stack) != Unowned || adoptingAddress(r.Addr, adopt) == "" {
		return o, false
	}
	want, ok := r.Attrs["values"].([]any)
	if !ok || len(want) != 1 {
		return o, false
	}
	value, ok := want[0].(string)
	if !ok {
		return o, false
	}
	others, _ := o.Attrs["other_values"].([]any)
	i := slices.Index(others, any(value))
	if i < 0 {
		return o, false
	}
	adopted := o
	adopted.Attrs = make(map[string]any, len(o.Attrs))
	for k, v := range o.Attrs {
		adopted.Attrs[k] = v
	}
	adopted.Attrs["values"] = []any{value}
	adopted.Attrs["other_values"] = slices.Delete(slices.Clone(others), i, i+1)
	return adopted, true
}
