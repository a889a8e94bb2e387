package ses

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// maxSESPrivateKeyChars is the longest DomainSigningPrivateKey SES accepts.
const maxSESPrivateKeyChars = 20480

// byodkimKey reads the BYODKIM private key at location and returns it in the
// form SES wants. Errors name the location, never the key.
func (p *Provider) byodkimKey(ctx context.Context, addr, location string) (string, error) {
	if p.secrets == nil {
		return "", fmt.Errorf("BYODKIM needs the private key at %s, but mailform was given no secret store to read it from", location)
	}
	raw, found, err := p.secrets.Get(ctx, location)
	if err != nil {
		return "", fmt.Errorf("reading the BYODKIM private key from %s: %w", location, err)
	}
	if !found {
		return "", fmt.Errorf("there is no BYODKIM private key at %s; store an RSA private key (PEM) there, "+
			"or declare a dkim_key block that generates one there", location)
	}
	key, err := SESPrivateKey(raw)
	clear(raw)
	if err != nil {
		return "", fmt.Errorf("the BYODKIM private key at %s: %w", location, err)
	}
	return key, nil
}

// ErrNotRSAKey is returned for a private key SES cannot use for BYODKIM.
var ErrNotRSAKey = errors.New("not an RSA private key of 1024 to 2048 bits in PEM (PKCS #1 or PKCS #8) or base64 DER form")

// SESPrivateKey turns an RSA private key, PEM ("-----BEGIN RSA PRIVATE
// KEY-----" or "-----BEGIN PRIVATE KEY-----") or already base64 DER, into what
// SES takes as DomainSigningPrivateKey: the base64 of the DER, without header,
// footer or line breaks. The key must be RSA of 1024 to 2048 bits. Errors
// never include any part of the key.
func SESPrivateKey(raw []byte) (string, error) {
	trimmed := bytes.TrimSpace(raw)
	var der []byte
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		block, _ := pem.Decode(trimmed)
		if block == nil {
			return "", fmt.Errorf("the PEM block cannot be read: %w", ErrNotRSAKey)
		}
		if _, encrypted := block.Headers["DEK-Info"]; encrypted || block.Type == "ENCRYPTED PRIVATE KEY" {
			return "", errors.New("the key is encrypted; SES needs it unencrypted")
		}
		if block.Type != "RSA PRIVATE KEY" && block.Type != "PRIVATE KEY" {
			return "", fmt.Errorf("the PEM block is a %q: %w", block.Type, ErrNotRSAKey)
		}
		der = block.Bytes
	} else {
		compact := strings.Join(strings.Fields(string(trimmed)), "")
		d, err := base64.StdEncoding.DecodeString(compact)
		if err != nil {
			return "", ErrNotRSAKey
		}
		der = d
	}
	key, err := parseRSA(der)
	if err != nil {
		return "", err
	}
	if bits := key.N.BitLen(); bits < 1024 || bits > 2048 {
		return "", fmt.Errorf("the key has %d bits; SES takes 1024 to 2048: %w", bits, ErrNotRSAKey)
	}
	out := base64.StdEncoding.EncodeToString(der)
	if len(out) > maxSESPrivateKeyChars {
		return "", fmt.Errorf("the key is longer than the %d characters SES takes", maxSESPrivateKeyChars)
	}
	return out, nil
}

func parseRSA(der []byte) (*rsa.PrivateKey, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, ErrNotRSAKey
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("the key is a %T: %w", k, ErrNotRSAKey)
	}
	return rk, nil
}

// scrubSecret returns err, or, should its text hold the secret (an API that
// echoes its input), an error with the secret cut out. The scrubbed error
// does not unwrap to the original, whose text would still hold it.
func scrubSecret(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "(private key)"))
}
