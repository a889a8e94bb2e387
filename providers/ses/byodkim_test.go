package ses

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

var (
	keyMu   sync.Mutex
	rsaKeys = map[int]*rsa.PrivateKey{}
)

// testRSAKey returns a cached RSA key of the given size (generating keys is slow).
func testRSAKey(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	keyMu.Lock()
	defer keyMu.Unlock()
	if k := rsaKeys[bits]; k != nil {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatalf("generating a %d-bit test key: %v", bits, err)
	}
	rsaKeys[bits] = k
	return k
}

func pkcs1PEM(k *rsa.PrivateKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

func pkcs8PEM(t *testing.T, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func TestSESPrivateKey(t *testing.T) {
	k2048 := testRSAKey(t, 2048)
	k1024 := testRSAKey(t, 1024)
	t.Setenv("GODEBUG", "rsa1024min=0") // Go refuses to make keys SES must refuse
	small, err := rsa.GenerateKey(rand.Reader, 512)
	if err != nil {
		t.Fatal(err)
	}
	large, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PrivateKey(k2048)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k2048)
	tests := []struct {
		name    string
		in      []byte
		want    string // base64 DER
		wantErr string
	}{
		{"PKCS1 PEM", pkcs1PEM(k2048), base64.StdEncoding.EncodeToString(pkcs1), ""},
		{"PKCS8 PEM", pkcs8PEM(t, k2048), base64.StdEncoding.EncodeToString(pkcs8), ""},
		{"PEM with surrounding blank lines", append(append([]byte("\n\n"), pkcs1PEM(k1024)...), '\n'), base64.StdEncoding.EncodeToString(x509.MarshalPKCS1PrivateKey(k1024)), ""},
		{"base64 DER already", []byte(base64.StdEncoding.EncodeToString(pkcs1)), base64.StdEncoding.EncodeToString(pkcs1), ""},
		{"base64 DER with line breaks", []byte(wrap(base64.StdEncoding.EncodeToString(pkcs1), 64)), base64.StdEncoding.EncodeToString(pkcs1), ""},
		{"512-bit key", pkcs1PEM(small), "", "512 bits"},
		{"3072-bit key", pkcs1PEM(large), "", "3072 bits"},
		{"EC key", pkcs8PEM(t, ec), "", "ecdsa"},
		{"public key", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2, 3}}), "", `"PUBLIC KEY"`},
		{"encrypted", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: pkcs1}), "", "encrypted"},
		{"garbage", []byte("not a key at all"), "", "not an RSA private key"},
		{"empty", nil, "", "not an RSA private key"},
		{"truncated PEM", pkcs1PEM(k2048)[:200], "", "not an RSA private key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SESPrivateKey(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				assertNoKeyMaterial(t, err.Error(), tc.in)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %.40s..., want %.40s...", got, tc.want)
			}
			if strings.ContainsAny(got, "\n -") {
				t.Error("the SES form has line breaks, spaces or PEM armour")
			}
		})
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// assertNoKeyMaterial fails when text holds any 16-character run of the key,
// in PEM body or base64 DER form.
func assertNoKeyMaterial(t *testing.T, text string, key []byte) {
	t.Helper()
	forms := []string{string(key)}
	if block, _ := pem.Decode(key); block != nil {
		forms = append(forms, base64.StdEncoding.EncodeToString(block.Bytes))
	}
	for _, f := range forms {
		f = strings.Join(strings.Fields(f), "")
		f = strings.NewReplacer("-----BEGINRSAPRIVATEKEY-----", "", "-----ENDRSAPRIVATEKEY-----", "",
			"-----BEGINPRIVATEKEY-----", "", "-----ENDPRIVATEKEY-----", "").Replace(f)
		for i := 0; i+16 <= len(f); i += 8 {
			if strings.Contains(text, f[i:i+16]) {
				t.Fatalf("output holds key material (%q)", f[i:i+16])
			}
		}
	}
}

func TestBYODKIM(t *testing.T) {
	e := newEnv(t)
	key := testRSAKey(t, 2048)
	keyPEM := pkcs1PEM(key)
	e.secrets.values["ssm:/acme/mail/dkim/ses"] = keyPEM
	want := domain("acme.example", map[string]any{
		"dkim_mode": "byo", "dkim_selector": "mf2026", "dkim_private_key": "ssm:/acme/mail/dkim/ses",
	})
	delete(want.Attrs, "dkim_key_length")

	res := e.apply(createOf(want))
	out, _ := e.getIdentity("acme.example")
	if out.DkimAttributes.SigningAttributesOrigin != types.DkimSigningAttributesOriginExternal {
		t.Fatalf("origin = %s", out.DkimAttributes.SigningAttributesOrigin)
	}
	if len(out.DkimAttributes.Tokens) != 1 || out.DkimAttributes.Tokens[0] != "mf2026" {
		t.Errorf("tokens = %v, want the selector", out.DkimAttributes.Tokens)
	}
	if got := tagMap(out.Tags)[TagDKIMKeyLocation]; got != "ssm:/acme/mail/dkim/ses" {
		t.Errorf("key location tag = %q", got)
	}
	if toStrings(res.Observed.Attrs["dkim_tokens"])[0] != "mf2026" {
		t.Errorf("observed tokens = %v", res.Observed.Attrs["dkim_tokens"])
	}
	blob, _ := json.Marshal(res.Observed)
	assertNoKeyMaterial(t, string(blob)+res.Message, keyPEM)
	e.requireNoChanges(want)

	t.Run("the TXT record makes it verify", func(t *testing.T) {
		pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		e.upsert("mf2026._domainkey.acme.example.", "TXT", specs.QuoteTXT("v=DKIM1; k=rsa; p="+base64.StdEncoding.EncodeToString(pub)))
		results, err := e.provider.Wait(t.Context(), []string{"acme.example"}, 5*time.Second, nil)
		if err != nil {
			t.Fatalf("wait: %v (%+v)", err, results)
		}
	})

	t.Run("a new key location is given to SES", func(t *testing.T) {
		e.secrets.values["ssm:/acme/mail/dkim/ses2"] = pkcs8PEM(t, testRSAKey(t, 1024))
		next := domain("acme.example", map[string]any{
			"dkim_mode": "byo", "dkim_selector": "mf2027", "dkim_private_key": "ssm:/acme/mail/dkim/ses2",
		})
		delete(next.Attrs, "dkim_key_length")
		changes := e.replan(next)
		if len(changes) != 1 {
			t.Fatalf("changes = %+v", changes)
		}
		e.apply(changes[0])
		out, _ := e.getIdentity("acme.example")
		if out.DkimAttributes.Tokens[0] != "mf2027" || tagMap(out.Tags)[TagDKIMKeyLocation] != "ssm:/acme/mail/dkim/ses2" {
			t.Errorf("after the key change: tokens %v tags %v", out.DkimAttributes.Tokens, out.Tags)
		}
		e.requireNoChanges(next)
	})

	t.Run("back to Easy DKIM drops the key location", func(t *testing.T) {
		easy := domain("acme.example", nil)
		changes := e.replan(easy)
		e.apply(changes[0])
		out, _ := e.getIdentity("acme.example")
		if out.DkimAttributes.SigningAttributesOrigin != types.DkimSigningAttributesOriginAwsSes || len(out.DkimAttributes.Tokens) != 3 {
			t.Errorf("origin %s tokens %v", out.DkimAttributes.SigningAttributesOrigin, out.DkimAttributes.Tokens)
		}
		if _, has := tagMap(out.Tags)[TagDKIMKeyLocation]; has {
			t.Error("the key location tag stayed")
		}
		e.requireNoChanges(easy)
	})
}

func TestBYODKIMKeyErrors(t *testing.T) {
	e := newEnv(t)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPEM := pkcs8PEM(t, ec)
	e.secrets.values["ssm:/bad"] = ecPEM
	for _, tc := range []struct {
		loc  string
		want string
	}{
		{"ssm:/missing", "there is no BYODKIM private key at ssm:/missing"},
		{"ssm:/bad", "the BYODKIM private key at ssm:/bad"},
	} {
		t.Run(tc.loc, func(t *testing.T) {
			r := domain("acme.example", map[string]any{"dkim_mode": "byo", "dkim_selector": "s1", "dkim_private_key": tc.loc})
			res := e.applyResult(createOf(r))
			if res.Err == nil || !strings.Contains(res.Err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", res.Err, tc.want)
			}
			assertNoKeyMaterial(t, res.Err.Error(), ecPEM)
			if _, ok := e.getIdentity("acme.example"); ok {
				t.Error("the identity was created although its key could not be read")
			}
		})
	}
	t.Run("secret store failure", func(t *testing.T) {
		p := NewWithClients(testRegion, e.v2, e.v1, nil, failingSecrets{}, Options{AccountID: "123456789012"})
		r := domain("acme.example", map[string]any{"dkim_mode": "byo", "dkim_selector": "s1", "dkim_private_key": "ssm:/x"})
		rs := p.Apply(t.Context(), providers.ApplyRequest{Stack: testStack, Changes: []plan.Change{createOf(r)}})
		if rs[0].Err == nil || !strings.Contains(rs[0].Err.Error(), "reading the BYODKIM private key from ssm:/x: access denied") {
			t.Fatalf("err = %v", rs[0].Err)
		}
	})
}

type failingSecrets struct{}

func (failingSecrets) Get(ctx context.Context, loc string) ([]byte, bool, error) {
	return nil, false, errors.New("access denied")
}
