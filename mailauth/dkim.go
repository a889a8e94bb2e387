package mailauth

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
)

// RSA key lengths of DKIM (RFC 8301 §3.2): signers must use keys of at
// least DKIMMinRSABits and should use DKIMRecommendedRSABits; check fails a
// shorter key than the first and warns below the second.
const (
	DKIMMinRSABits         = 1024
	DKIMRecommendedRSABits = 2048
)

// DKIMKey is what a DKIM key record publishes.
type DKIMKey struct {
	Algorithm string // "rsa" or "ed25519"
	Bits      int    // RSA modulus length
}

// ParseDKIMKey parses the text of a DKIM key TXT record ("v=DKIM1; k=rsa;
// p=...") and the public key it carries.
func ParseDKIMKey(text string) (DKIMKey, error) {
	tags := map[string]string{}
	for _, part := range strings.Split(text, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return DKIMKey{}, fmt.Errorf("%q is not a tag=value pair", part)
		}
		tags[strings.ToLower(strings.TrimSpace(k))] = strings.Join(strings.Fields(v), "")
	}
	if v, ok := tags["v"]; ok && v != "DKIM1" {
		return DKIMKey{}, fmt.Errorf("v=%s: want DKIM1", v)
	}
	p, ok := tags["p"]
	if !ok {
		return DKIMKey{}, fmt.Errorf("no p= tag: the record carries no public key")
	}
	if p == "" {
		return DKIMKey{}, fmt.Errorf("p= is empty: the key is revoked")
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		return DKIMKey{}, fmt.Errorf("p= is not base64: %v", err)
	}
	k := strings.ToLower(tags["k"])
	if k == "" {
		k = "rsa"
	}
	switch k {
	case "ed25519":
		if len(der) != ed25519.PublicKeySize {
			return DKIMKey{}, fmt.Errorf("k=ed25519 with a %d-byte key: want %d", len(der), ed25519.PublicKeySize)
		}
		return DKIMKey{Algorithm: "ed25519", Bits: 256}, nil
	case "rsa":
	default:
		return DKIMKey{}, fmt.Errorf("k=%s: unknown key type", k)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		rk, err2 := x509.ParsePKCS1PublicKey(der)
		if err2 != nil {
			return DKIMKey{}, fmt.Errorf("p= is not an RSA public key: %v", err)
		}
		pub = rk
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok {
		return DKIMKey{}, fmt.Errorf("k=rsa but p= holds a %T", pub)
	}
	return DKIMKey{Algorithm: "rsa", Bits: rk.N.BitLen()}, nil
}
