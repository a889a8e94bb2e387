package plan

import "github.com/mailform/mailform/specs"

// forcesReplacement lists, per kind, the attributes AWS cannot change in
// place: a new value means deleting the resource and creating it again.
// A kind that is absent (ec2.eip, ses.account) is always updated in place.
var forcesReplacement = map[specs.Kind]map[string]bool{
	specs.KindSNSTopic:        {"name": true},
	specs.KindSQSQueue:        {"name": true},
	specs.KindSMTPUser:        {"user_name": true, "path": true},
	specs.KindRoute53Record:   {"zone": true, "name": true, "type": true},
	specs.KindSESConfigSet:    {"name": true},
	specs.KindSESIdentity:     {"identity": true, "type": true},
	specs.KindDKIMKey:         {"key_length": true, "location": true},
	specs.KindEIP:             {},
	specs.KindSESAccount:      {},
	specs.KindManualDNSRecord: {},
	specs.KindAlarm:           {"name": true},
}

// ForcesReplacement reports whether a change of attribute attr of a resource
// of the given kind replaces the resource rather than updating it.
func ForcesReplacement(kind specs.Kind, attr string) bool {
	return forcesReplacement[kind][attr]
}

// forcesReplacementFrom lists, per kind and attribute, the one change of
// value AWS cannot make in place, though other changes of it are updates:
// the value the attribute cannot leave, and the reason.
var forcesReplacementFrom = map[specs.Kind]map[string]struct {
	from   any
	reason string
}{
	// SES has PutConfigurationSetSuppressionOptions to set a set's own
	// suppression list (an empty one suppresses nothing), and no call that
	// makes a set follow the account's list again: only a set created
	// without SuppressionOptions does.
	specs.KindSESConfigSet: {"suppression_override": {true, "SES cannot make a configuration set follow the account's suppression list again: the set is re-created without its own list"}},
}

// replacementFrom reports whether changing attr from have to want replaces
// the resource although other changes of attr do not, and why.
func replacementFrom(kind specs.Kind, attr string, have, want any) (string, bool) {
	rule, ok := forcesReplacementFrom[kind][attr]
	if !ok || have != rule.from || want == rule.from {
		return "", false
	}
	return rule.reason, true
}

// identityAttrs are the attributes that name a resource within its service:
// two resources of one kind with the same values here are the same thing in
// AWS. A create waits for the delete of a resource it would clash with.
var identityAttrs = map[specs.Kind][]string{
	specs.KindSNSTopic:      {"name"},
	specs.KindSQSQueue:      {"name"},
	specs.KindSMTPUser:      {"user_name"},
	specs.KindRoute53Record: {"name", "type"},
	specs.KindSESConfigSet:  {"name"},
	specs.KindSESIdentity:   {"identity"},
	specs.KindDKIMKey:       {"location"},
	specs.KindAlarm:         {"name"},
}

// identityKey returns the name a resource has in AWS, or "" when it has none
// that is known.
func identityKey(kind specs.Kind, attrs map[string]any) string {
	names := identityAttrs[kind]
	if len(names) == 0 {
		return ""
	}
	key := string(kind)
	rt := recordTypeOf(attrs)
	for _, n := range names {
		v := canonical(kind, rt, n, attrs[n])
		s, ok := v.(string)
		if !ok || s == "" {
			return ""
		}
		key += "\x00" + s
	}
	return key
}
