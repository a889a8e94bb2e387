package plan

import (
	"fmt"
	"strings"

	"github.com/mailform/mailform/specs"
	"github.com/mailform/mailform/specs/kinds"
)

// AttrSecretUntagged is the observed attribute a provider sets to the
// location of a stored secret whose tags lack what plan needs to know of it
// (kinds.SecretUntagged).
const AttrSecretUntagged = kinds.SecretUntagged

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
	var reasons []string
	if loc, _ := before[AttrSecretUntagged].(string); loc != "" {
		reasons = append(reasons, "record in the tags of "+loc+" what plan needs to know of it (an older mailform left them out), so that plan need not decrypt it")
	}
	list := func(attr string) []string {
		values, _ := before[attr].([]any)
		out := make([]string, len(values))
		for i, v := range values {
			out[i] = fmt.Sprint(v)
		}
		return out
	}
	switch kind {
	case specs.KindSMTPUser:
		if keys := list("extra_access_key_ids"); len(keys) > 0 {
			reasons = append(reasons, fmt.Sprintf("delete %d access key(s) besides the stored one %v (%s)", len(keys), before["access_key_id"], strings.Join(keys, ", ")))
		}
	case specs.KindEIP:
		if ids := list("extra_allocation_ids"); len(ids) > 0 {
			reasons = append(reasons, fmt.Sprintf("release %d extra Elastic IPs with the same mark (%s)", len(ids), strings.Join(ids, ", ")))
		}
	}
	return strings.Join(reasons, "; ")
}
