package plan

import (
	"fmt"
	"strings"

	"github.com/mailform/mailform/specs"
)

// cleanupReason says why a resource whose declared attributes all match
// still needs an update, or "" when it does not: an ec2.eip whose mark is
// also on other addresses (observed extra_allocation_ids, left by runs
// killed during an allocation) is updated so that apply releases them
// (docs/ec2.md, "Duplicates from an interrupted run").
func cleanupReason(kind specs.Kind, before map[string]any) string {
	if kind != specs.KindEIP {
		return ""
	}
	extras, _ := before["extra_allocation_ids"].([]any)
	if len(extras) == 0 {
		return ""
	}
	ids := make([]string, len(extras))
	for i, e := range extras {
		ids[i] = fmt.Sprint(e)
	}
	return fmt.Sprintf("release %d extra Elastic IPs with the same mark (%s)", len(ids), strings.Join(ids, ", "))
}
