//go:debug rsa1024min=0

package sesdouble

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

var (
	keysOnce sync.Once
	keys     map[int]*rsa.PrivateKey
	keysErr  error
)

// rsaKey returns a test key of the given size, generated once per test binary.
func rsaKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	keysOnce.Do(func() {
		keys = map[int]*rsa.PrivateKey{}
		for _, b := range []int{512, 1024, 2048, 2056} {
			k, err := rsa.GenerateKey(rand.Reader, b)
			if err != nil {
				keysErr = err
				return
			}
			keys[b] = k
		}
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keys[bits]
}

func pkcs1(k *rsa.PrivateKey) string {
	return base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(k))
}

func pkcs8(t *testing.T, k any) string {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func publicKeyB64(t *testing.T, k *rsa.PrivateKey) string {
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func TestBYODKIMKeyValidation(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey(t, 1024))}))
	cases := []struct {
		name     string
		selector string
		key      string
		ok       bool
	}{
		{"PKCS#1 1024", "s1", pkcs1(rsaKey(t, 1024)), true},
		{"PKCS#1 2048", "mta-1", pkcs1(rsaKey(t, 2048)), true},
		{"PKCS#8 2048", "x", pkcs8(t, rsaKey(t, 2048)), true},
		{"512-bit key", "s1", pkcs1(rsaKey(t, 512)), false},
		{"key over 2048 bits", "s1", pkcs1(rsaKey(t, 2056)), false},
		{"EC key", "s1", pkcs8(t, ec), false},
		{"PEM with header lines", "s1", pemKey, false},
		{"not base64", "s1", "not*base64", false},
		{"base64 of garbage", "s1", base64.StdEncoding.EncodeToString([]byte("garbage")), false},
		{"selector starting with a hyphen", "-s1", pkcs1(rsaKey(t, 1024)), false},
		{"selector with a dot", "s.1", pkcs1(rsaKey(t, 1024)), false},
		{"selector of 64 characters", strings.Repeat("a", 64), pkcs1(rsaKey(t, 1024)), false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			domain := "byo" + string(rune('a'+i)) + ".example"
			out, err := e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{
				EmailIdentity: aws.String(domain),
				DkimSigningAttributes: &types.DkimSigningAttributes{
					DomainSigningSelector: aws.String(c.selector), DomainSigningPrivateKey: aws.String(c.key)},
			})
			if !c.ok {
				var br *types.BadRequestException
				if !errors.As(err, &br) {
					t.Fatalf("want BadRequestException, got %v", err)
				}
				if strings.Contains(err.Error(), c.key) && len(c.key) > 20 {
					t.Fatal("the error message contains the private key")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			dk := out.DkimAttributes
			if dk.SigningAttributesOrigin != types.DkimSigningAttributesOriginExternal || dk.Status != types.DkimStatusPending ||
				len(dk.Tokens) != 1 || dk.Tokens[0] != c.selector {
				t.Fatalf("%+v", dk)
			}
		})
	}
}

func TestBYODKIMVerifiesFromTXT(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	key := rsaKey(t, 2048)
	must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{
		EmailIdentity: aws.String("byo.example"),
		DkimSigningAttributes: &types.DkimSigningAttributes{
			DomainSigningSelector: aws.String("mta1"), DomainSigningPrivateKey: aws.String(pkcs1(key))},
	}))
	pub := publicKeyB64(t, key)
	other := publicKeyB64(t, rsaKey(t, 1024))
	// Route 53 stores a long TXT value split into quoted strings of at most 255 characters.
	split := func(text string) string {
		var parts []string
		for len(text) > 255 {
			parts = append(parts, `"`+text[:255]+`"`)
			text = text[255:]
		}
		return strings.Join(append(parts, `"`+text+`"`), " ")
	}
	steps := []struct {
		name  string
		value []string
		want  types.DkimStatus
	}{
		{"no record", nil, types.DkimStatusPending},
		{"another key", []string{split("v=DKIM1; k=rsa; p=" + other)}, types.DkimStatusPending},
		{"the key, split in 255-character strings", []string{split("v=DKIM1; k=rsa; p=" + pub)}, types.DkimStatusSuccess},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			e.be.setRecords("mta1._domainkey.byo.example.", "TXT", s.value...)
			got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("byo.example")}))
			if got.DkimAttributes.Status != s.want {
				t.Fatalf("%s, want %s", got.DkimAttributes.Status, s.want)
			}
		})
	}

	t.Run("switching to Easy DKIM issues 3 new tokens", func(t *testing.T) {
		out := must[*sesv2.PutEmailIdentityDkimSigningAttributesOutput](t)(e.v2.PutEmailIdentityDkimSigningAttributes(ctx, &sesv2.PutEmailIdentityDkimSigningAttributesInput{
			EmailIdentity: aws.String("byo.example"), SigningAttributesOrigin: types.DkimSigningAttributesOriginAwsSes,
			SigningAttributes: &types.DkimSigningAttributes{NextSigningKeyLength: types.DkimSigningKeyLengthRsa1024Bit}}))
		if out.DkimStatus != types.DkimStatusPending || len(out.DkimTokens) != 3 {
			t.Fatalf("%s %v", out.DkimStatus, out.DkimTokens)
		}
		got := must[*sesv2.GetEmailIdentityOutput](t)(e.v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("byo.example")}))
		if got.DkimAttributes.SigningAttributesOrigin != types.DkimSigningAttributesOriginAwsSes ||
			got.DkimAttributes.CurrentSigningKeyLength != types.DkimSigningKeyLengthRsa1024Bit {
			t.Fatalf("%+v", got.DkimAttributes)
		}
	})
	t.Run("switching back to BYODKIM validates the key", func(t *testing.T) {
		_, err := e.v2.PutEmailIdentityDkimSigningAttributes(ctx, &sesv2.PutEmailIdentityDkimSigningAttributesInput{
			EmailIdentity: aws.String("byo.example"), SigningAttributesOrigin: types.DkimSigningAttributesOriginExternal,
			SigningAttributes: &types.DkimSigningAttributes{DomainSigningSelector: aws.String("mta2"), DomainSigningPrivateKey: aws.String(pkcs1(rsaKey(t, 512)))}})
		var br *types.BadRequestException
		if !errors.As(err, &br) {
			t.Fatalf("want BadRequestException, got %v", err)
		}
		out := must[*sesv2.PutEmailIdentityDkimSigningAttributesOutput](t)(e.v2.PutEmailIdentityDkimSigningAttributes(ctx, &sesv2.PutEmailIdentityDkimSigningAttributesInput{
			EmailIdentity: aws.String("byo.example"), SigningAttributesOrigin: types.DkimSigningAttributesOriginExternal,
			SigningAttributes: &types.DkimSigningAttributes{DomainSigningSelector: aws.String("mta2"), DomainSigningPrivateKey: aws.String(pkcs8(t, key))}}))
		if out.DkimStatus != types.DkimStatusPending || len(out.DkimTokens) != 1 || out.DkimTokens[0] != "mta2" {
			t.Fatalf("%s %v", out.DkimStatus, out.DkimTokens)
		}
	})
	t.Run("DKIM signing attributes on an email identity", func(t *testing.T) {
		must[*sesv2.CreateEmailIdentityOutput](t)(e.v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("a@byo.example")}))
		_, err := e.v2.PutEmailIdentityDkimSigningAttributes(ctx, &sesv2.PutEmailIdentityDkimSigningAttributesInput{
			EmailIdentity: aws.String("a@byo.example"), SigningAttributesOrigin: types.DkimSigningAttributesOriginAwsSes})
		var br *types.BadRequestException
		if !errors.As(err, &br) {
			t.Fatalf("want BadRequestException, got %v", err)
		}
	})
}
