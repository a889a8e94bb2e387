package sesdouble

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"regexp"
)

var (
	selectorPattern   = regexp.MustCompile(`^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))$`)
	privateKeyPattern = regexp.MustCompile(`^[a-zA-Z0-9+/]+={0,2}$`)
)

// byoKey validates a BYODKIM selector and private key as SES does and returns
// the base64 DER (SubjectPublicKeyInfo) of the public key, the value the
// p= tag of the DNS record must carry. Error messages never contain the key.
func byoKey(selector, privateKey string) (string, *apiError) {
	if len(selector) < 1 || len(selector) > 63 || !selectorPattern.MatchString(selector) {
		return "", errorf(codeBadRequest, "Invalid domain signing selector: the selector must be 1-63 letters, digits and hyphens, and must not start or end with a hyphen.")
	}
	if len(privateKey) < 1 || len(privateKey) > 20480 || !privateKeyPattern.MatchString(privateKey) {
		return "", errorf(codeBadRequest, "Invalid domain signing private key: the key must be the base64 encoding of an RSA private key, without the BEGIN/END lines and without line breaks.")
	}
	der, err := base64.StdEncoding.DecodeString(privateKey)
	if err != nil {
		return "", errorf(codeBadRequest, "Invalid domain signing private key: the key is not valid base64.")
	}
	var key *rsa.PrivateKey
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		key = k
	} else if k8, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		rk, ok := k8.(*rsa.PrivateKey)
		if !ok {
			return "", errorf(codeBadRequest, "Invalid domain signing private key: the key is not an RSA key.")
		}
		key = rk
	} else {
		return "", errorf(codeBadRequest, "Invalid domain signing private key: the key is not an RSA private key in PKCS#1 or PKCS#8 form.")
	}
	if bits := key.N.BitLen(); bits < 1024 || bits > 2048 {
		return "", errorf(codeBadRequest, "Invalid domain signing private key: the key length must be between 1024 and 2048 bits.")
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", errorf(codeBadRequest, "Invalid domain signing private key: the public key cannot be derived.")
	}
	return base64.StdEncoding.EncodeToString(pub), nil
}

// validKeyLength reports whether l is a DKIM signing key length SES knows.
func validKeyLength(l string) bool { return l == keyLength1024 || l == keyLength2048 }
