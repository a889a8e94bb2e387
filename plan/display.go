package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mailform/mailform/specs"
)

// DisplayText shows one value to a person, as the plan renderings
// (plan/render) and the staleness messages (CheckStale) do. Strings are
// quoted, except record values already in their quoted TXT form; unknown and
// secret values show as "(known after apply)" and "(sensitive)".
func DisplayText(v any) string {
	switch x := JSONLike(v).(type) {
	case nil:
		return "(none)"
	case specs.Deferred:
		return specs.KnownAfterApply
	case specs.Sensitive:
		return specs.SensitiveText
	case string:
		if len(x) >= 2 && strings.HasPrefix(x, `"`) && strings.HasSuffix(x, `"`) {
			return x
		}
		return strconv.Quote(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = DisplayText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		parts := make([]string, 0, len(x))
		for _, k := range specs.SortedKeys(x) {
			parts = append(parts, k+" = "+DisplayText(x[k]))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case bool, int64, float64:
		return fmt.Sprint(x)
	default:
		return fmt.Sprint(x)
	}
}
