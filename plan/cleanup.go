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
//
// An iam.smtp_user with access keys besides the one its stored credentials
// belong to (observed extra_access_key_ids: a key kept until AWS accepted
// the new one, or made by hand) is updated so that apply deletes them
// (docs/secrets.md, "Proving a new key").
func cleanupReason(kind specs.Kind, before map[string]any) string {
	if kind == specs.KindSMTPUser {
		keys, _ := before["extra_access_key_ids"].([]any)
		if len(keys) == 0 {
			return ""
		}
		ids := make([]string, len(keys))
		for i, k := range keys {
			ids[i] = fmt.Sprint(k)
		}
		return fmt.Sprintf("delete %d access key(s) besides the stored one %v (%s)", len(ids), before["access_key_id"], strings.Join(ids, ", "))
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
