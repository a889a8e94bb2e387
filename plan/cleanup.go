package plan

import (
	"fmt"
	"strings"

	"github.com/mailform/mailform/specs"
)

// AttrSecretUntagged is the observed attribute a provider sets to the
// location of a stored secret whose tags lack what plan needs to know of it
// (which access key, which public key), so that it had to read the value:
// the resource is updated, and apply adds the tags.
const AttrSecretUntagged = "secret_untagged"

// cleanupReason says why a resource whose declared attributes all match
// still needs an update, or "" when it does not: an ec2.eip whose mark is
// also on other addresses (observed extra_allocation_ids, left by runs
// killed during an allocation) is updated so that apply releases them
// (docs/ec2.md, "Duplicates from an interrupted run").
func cleanupReason(kind specs.Kind, before map[string]any) string {
	if loc, _ := before[AttrSecretUntagged].(string); loc != "" {
		return "record in the tags of " + loc + " what plan needs to know of it (an older mailform left them out), so that plan need not decrypt it"
	}
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
