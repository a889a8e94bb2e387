package ses

import "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

// dkimStep is one change to how an identity signs.
type dkimStep struct {
	Kind string // "easy", "byo" or "signing"
	// KeyLength is the Easy DKIM key length (easy).
	KeyLength int64
	// Untag: the identity leaves BYODKIM and carries TagDKIMKeyLocation,
	// which goes with it (easy).
	Untag bool
	// Selector and KeySource name the BYODKIM key (byo).
	Selector, KeySource string
	// Enabled is whether DKIM signing is on (signing).
	Enabled bool
}

// dkimSteps decides how the identity cur comes to sign as want says: Easy
// DKIM (when it was BYODKIM, or the key length named differs), BYODKIM
// (when the origin, selector or key location differs), then signing on or
// off.
func dkimSteps(cur identityState, want desiredIdentity) []dkimStep {
	var steps []dkimStep
	external := string(types.DkimSigningAttributesOriginExternal)
	switch want.dkimMode() {
	case dkimEasy:
		length := want.DkimKeyLength
		if length == 0 {
			length = 2048
		}
		if cur.DkimOrigin == external || (want.named["dkim_key_length"] && cur.DkimKeyLength != length) {
			steps = append(steps, dkimStep{Kind: "easy", KeyLength: length, Untag: cur.DkimOrigin == external && cur.Tags[TagDKIMKeyLocation] != ""})
		}
	case dkimBYO:
		if cur.DkimOrigin != external || cur.DkimSelector != want.DkimSelector || cur.DkimKeySource != want.DkimKeySource {
			steps = append(steps, dkimStep{Kind: "byo", Selector: want.DkimSelector, KeySource: want.DkimKeySource})
		}
	}
	if signing := want.dkimMode() != dkimOff; cur.DkimSigning != signing {
		steps = append(steps, dkimStep{Kind: "signing", Enabled: signing})
	}
	return steps
}
