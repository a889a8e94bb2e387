package secrets

import (
	"fmt"
	"strconv"
	"strings"
)

// A secret in AWS carries, besides its ownership tags, what plan needs to
// know of it, so that a role that plans never decrypts a secret
// (docs/permissions.md): the SMTP credentials' access key ID and region,
// a DKIM key's length and public key. None of these is secret.
const (
	// TagAccessKeyID is the IAM access key whose SMTP credentials the
	// secret holds (the SMTP user name).
	TagAccessKeyID = "mailform:access_key_id"
	// TagSMTPRegion is the region the SMTP password was derived for.
	TagSMTPRegion = "mailform:smtp_region"
	// TagKeyLength is a DKIM key's length in bits.
	TagKeyLength = "mailform:key_length"
	// TagPublicKey prefixes the tags that hold a DKIM key's public key
	// (base64 DER), in pieces of at most maxTagValue characters:
	// mailform:public_key.1, mailform:public_key.2, ..., and their number in
	// mailform:public_key.parts (a replaced key may leave more pieces behind:
	// tags are added, not replaced).
	TagPublicKey = "mailform:public_key"
)

// maxTagValue is the longest tag value SSM and Secrets Manager accept.
const maxTagValue = 256

// PublicKeyTags are the tags that record a DKIM key's length and public key.
func PublicKeyTags(bits int, publicKey string) []Tag {
	out := []Tag{{Key: TagKeyLength, Value: strconv.Itoa(bits)}}
	parts := 0
	for i := 0; i*maxTagValue < len(publicKey); i++ {
		end := min((i+1)*maxTagValue, len(publicKey))
		out = append(out, Tag{Key: fmt.Sprintf("%s.%d", TagPublicKey, i+1), Value: publicKey[i*maxTagValue : end]})
		parts++
	}
	return append(out, Tag{Key: TagPublicKey + ".parts", Value: strconv.Itoa(parts)})
}

// PublicKeyFromTags reads what PublicKeyTags wrote; ok is false when the
// tags lack it (a key written by an older mailform, or adopted).
func PublicKeyFromTags(tags map[string]string) (bits int, publicKey string, ok bool) {
	bits, err := strconv.Atoi(tags[TagKeyLength])
	if err != nil {
		return 0, "", false
	}
	parts, err := strconv.Atoi(tags[TagPublicKey+".parts"])
	if err != nil || parts < 1 {
		return 0, "", false
	}
	var b strings.Builder
	for i := 1; i <= parts; i++ {
		piece, found := tags[fmt.Sprintf("%s.%d", TagPublicKey, i)]
		if !found {
			return 0, "", false
		}
		b.WriteString(piece)
	}
	return bits, b.String(), true
}

// SMTPCredentialTags are the tags that record which access key, and which
// region, the SMTP credentials in a secret belong to.
func SMTPCredentialTags(accessKeyID, region string) []Tag {
	return []Tag{{Key: TagAccessKeyID, Value: accessKeyID}, {Key: TagSMTPRegion, Value: region}}
}
