package mailauth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
)

func TestParseDKIMKey(t *testing.T) {
	rsaKey := func(bits int) string {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(der)
	}
	k2048, k1024 := rsaKey(2048), rsaKey(1024)
	// A 512-bit modulus, which crypto/rsa no longer generates.
	small := new(big.Int).Lsh(big.NewInt(1), 511)
	small.Add(small, big.NewInt(1))
	smallDER, err := x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: small, E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	pkcs1, _ := rsa.GenerateKey(rand.Reader, 1024)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	edDER, _ := x509.MarshalPKIXPublicKey(edPub)

	cases := []struct {
		name    string
		text    string
		want    DKIMKey
		wantErr string
	}{
		{name: "SES BYODKIM form", text: "p=" + k2048, want: DKIMKey{"rsa", 2048}},
		{name: "full record", text: "v=DKIM1; k=rsa; p=" + k1024, want: DKIMKey{"rsa", 1024}},
		{name: "split and spaced", text: "v=DKIM1; k=rsa; p=" + k2048[:100] + " " + k2048[100:], want: DKIMKey{"rsa", 2048}},
		{name: "small key", text: "p=" + base64.StdEncoding.EncodeToString(smallDER), want: DKIMKey{"rsa", 512}},
		{name: "PKCS#1", text: "p=" + base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PublicKey(&pkcs1.PublicKey)), want: DKIMKey{"rsa", 1024}},
		{name: "ed25519", text: "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(edPub), want: DKIMKey{"ed25519", 256}},
		{name: "revoked", text: "v=DKIM1; p=", wantErr: "the key is revoked"},
		{name: "no key", text: "v=DKIM1; k=rsa", wantErr: "no p= tag"},
		{name: "not base64", text: "p=***", wantErr: "not base64"},
		{name: "not a key", text: "p=" + base64.StdEncoding.EncodeToString([]byte("hello")), wantErr: "not an RSA public key"},
		{name: "ed25519 in an rsa record", text: "k=rsa; p=" + base64.StdEncoding.EncodeToString(edDER), wantErr: "k=rsa but p= holds"},
		{name: "wrong version", text: "v=DKIM2; p=" + k1024, wantErr: "want DKIM1"},
		{name: "unknown type", text: "k=dsa; p=" + k1024, wantErr: "unknown key type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseDKIMKey(c.text)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
