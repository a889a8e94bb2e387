package plan

import (
	"github.com/mailform/mailform/specs"
	"github.com/mailform/mailform/specs/kinds"
)

// ForcesReplacement reports whether a change of attribute attr of a resource
// of the given kind replaces the resource rather than updating it (the
// kind's schema, specs/kinds).
func ForcesReplacement(kind specs.Kind, attr string) bool {
	return kinds.Replaces(kind, attr)
}

// replacementFrom reports whether changing attr from have to want replaces
// the resource although other changes of attr do not, and why (the one-way
// rule of the kind's schema).
func replacementFrom(kind specs.Kind, attr string, have, want any) (string, bool) {
	rule := kinds.ReplacesFrom(kind, attr)
	if rule == nil || have != rule.From || want == rule.From {
		return "", false
	}
	return rule.Reason, true
}

// identityKey returns the name a resource has in AWS (the values of its
// kind's identity attributes), or "" when it has none that is known. Two
// resources of one kind with the same key are the same thing in AWS: a
// create waits for the delete of a resource it would clash with.
func identityKey(kind specs.Kind, attrs map[string]any) string {
	names := kinds.Identity(kind)
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
