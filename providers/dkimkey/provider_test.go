package dkimkey

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/internal/secrets"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

func TestMain(m *testing.M) { awstest.Main(m) }

const (
	stack  = "acme"
	region = "us-west-2"
	addr   = "dkim_key.mta1"
)

type fixture struct {
	s     *awstest.Server
	ssm   *ssm.Client
	dir   string
	store secrets.Store
	p     *Provider
	// outputs and keys feed the scan for leaked private keys.
	outputs []string
}

func newFixture(t *testing.T) *fixture {
	s := awstest.Shared(t)
	cfg := s.Config(region)
	dir := t.TempDir()
	store := secrets.Open(cfg, dir)
	f := &fixture{s: s, ssm: ssm.NewFromConfig(cfg), dir: dir, store: store, p: New(store)}
	return f
}

func want(loc string, bits int64) specs.Resource {
	return specs.Resource{Addr: addr, Kind: specs.KindDKIMKey, Attrs: map[string]any{"location": loc, "key_length": bits, "private_key": specs.Sensitive{}}}
}

func (f *fixture) read(t *testing.T, desired ...specs.Resource) []plan.Observed {
	t.Helper()
	obs, err := f.p.Read(t.Context(), stack, desired)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(obs)
	f.outputs = append(f.outputs, string(b), fmt.Sprintf("%+v", obs))
	return obs
}

func (f *fixture) apply(t *testing.T, c plan.Change) providers.Result {
	t.Helper()
	res := f.p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Region: region, Changes: []plan.Change{c}})
	b, _ := json.Marshal(res[0].Observed)
	f.outputs = append(f.outputs, res[0].Message, string(b), fmt.Sprintf("%+v", res[0]))
	if res[0].Err != nil {
		f.outputs = append(f.outputs, res[0].Err.Error())
	}
	return res[0]
}

func (f *fixture) mustApply(t *testing.T, c plan.Change) providers.Result {
	t.Helper()
	res := f.apply(t, c)
	if res.Err != nil {
		t.Fatalf("%s: %v", c.Action, res.Err)
	}
	return res
}

// stored returns the PEM at loc, read back from the store, and the public
// key it yields.
func (f *fixture) stored(t *testing.T, loc string) (string, string, int) {
	t.Helper()
	raw, found, err := f.store.Get(t.Context(), loc)
	if err != nil || !found {
		t.Fatalf("no key at %s: %v", loc, err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("the secret at %s is not a PKCS#8 PEM block", loc)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParsePrivateKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !key.Equal(k) {
		t.Fatal("ParsePrivateKey disagrees with x509")
	}
	pub, _ := PublicKey(key)
	return string(raw), pub, key.N.BitLen()
}

// noLeak fails if the private key, its PEM body or its base64 DER appears
// in anything the provider returned.
func (f *fixture) noLeak(t *testing.T, pemText string) {
	t.Helper()
	block, _ := pem.Decode([]byte(pemText))
	body := base64.StdEncoding.EncodeToString(block.Bytes)
	for _, out := range f.outputs {
		for _, needle := range []string{pemText, body[:64], body[len(body)-64:], strings.Split(pemText, "\n")[1]} {
			if strings.Contains(out, needle) {
				t.Errorf("private key material in provider output: %.100s", out)
			}
		}
	}
}

func TestCreateReadAndNoChange(t *testing.T) {
	for _, loc := range []string{"ssm:/acme/mail/dkim/mta1", "secretsmanager:acme/dkim/mta1", "file:keys/mta1.pem"} {
		t.Run(loc, func(t *testing.T) {
			f := newFixture(t)
			d := want(loc, 2048)
			if obs := f.read(t, d); len(obs) != 0 {
				t.Fatalf("observed before create: %+v", obs)
			}
			res := f.mustApply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Create, After: d.Attrs})
			pemText, pub, bits := f.stored(t, loc)
			if bits != 2048 {
				t.Errorf("key length %d", bits)
			}
			wantObs := plan.Observed{Addr: addr, Kind: specs.KindDKIMKey, ID: loc, Owner: stack, Attrs: map[string]any{
				"location": loc, "key_length": int64(2048), "public_key": pub, "private_key": specs.Sensitive{Digest: "present"},
			}}
			if diff := cmp.Diff(wantObs, *res.Observed); diff != "" {
				t.Errorf("Result (-want +got):\n%s", diff)
			}
			before := f.s.Counts()
			obs := f.read(t, d)
			after := f.s.Counts()
			if len(obs) != 1 {
				t.Fatalf("observed %+v", obs)
			}
			// One listing per AWS store and the tags of each listed SSM
			// parameter, which hold the public key: the key itself is never
			// read from AWS (a role that plans may not decrypt it).
			wantCalls := map[string]map[string]int{
				"ssm":            {"DescribeParameters": 1, "ListTagsForResource": 0, "GetParameter": 0},
				"secretsmanager": {"ListSecrets": 1, "GetSecretValue": 0, "DescribeSecret": 0},
			}
			if strings.HasPrefix(loc, "ssm:") {
				wantCalls["ssm"]["ListTagsForResource"] = 1
			}
			for svc, ops := range wantCalls {
				for op, n := range ops {
					if got := after[svc][op] - before[svc][op]; got != n {
						t.Errorf("Read: %s %s calls = %d, want %d", svc, op, got, n)
					}
				}
			}
			if diff := cmp.Diff(wantObs, obs[0]); diff != "" {
				t.Errorf("Read (-want +got):\n%s", diff)
			}
			// The public key is what a DKIM TXT record carries: PKIX DER.
			der, _ := base64.StdEncoding.DecodeString(pub)
			if _, err := x509.ParsePKIXPublicKey(der); err != nil {
				t.Errorf("public_key is not base64 PKIX DER: %v", err)
			}
			// Applying again keeps the key.
			f.mustApply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Update, ID: loc, Before: obs[0].Attrs, After: d.Attrs})
			if again, _, _ := f.stored(t, loc); again != pemText {
				t.Error("the key changed on a second apply")
			}
			if strings.HasPrefix(loc, "file:") {
				st, err := os.Stat(filepath.Join(f.dir, "keys", "mta1.pem"))
				if err != nil || st.Mode().Perm() != 0o600 {
					t.Errorf("key file mode: %v %v", st, err)
				}
			} else {
				tags, _, _ := f.store.Tags(t.Context(), loc)
				wantTags := map[string]string{specs.TagStack: stack, specs.TagAddr: addr, secrets.TagKind: string(specs.KindDKIMKey)}
				for _, tag := range secrets.PublicKeyTags(2048, pub) {
					wantTags[tag.Key] = tag.Value
				}
				if diff := cmp.Diff(wantTags, tags); diff != "" {
					t.Errorf("tags (-want +got):\n%s", diff)
				}
			}
			f.noLeak(t, pemText)
		})
	}
}

func TestExistingKeyIsUsed(t *testing.T) {
	f := newFixture(t)
	key, pemText, err := Generate(1024)
	if err != nil {
		t.Fatal(err)
	}
	// The user put a PKCS#1 key in the spec's folder.
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(filepath.Join(f.dir, "mine.pem"), pkcs1, 0o600); err != nil {
		t.Fatal(err)
	}
	d := want("file:mine.pem", 1024)
	obs := f.read(t, d)
	wantPub, _ := PublicKey(key)
	if len(obs) != 1 || obs[0].Attrs["public_key"] != wantPub || obs[0].Owner != stack {
		t.Fatalf("observed %+v", obs)
	}
	f.mustApply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Update, ID: "file:mine.pem", Before: obs[0].Attrs, After: d.Attrs})
	if got, _ := os.ReadFile(filepath.Join(f.dir, "mine.pem")); string(got) != string(pkcs1) {
		t.Error("the user's key was rewritten")
	}
	f.noLeak(t, string(pkcs1))
	f.noLeak(t, string(pemText))
}

func TestReplace(t *testing.T) {
	tests := []struct {
		name           string
		from, to       string
		fromBits, bits int64
		causes         []plan.Cause
		oldGone        bool
		message        string
	}{
		{name: "key length", from: "ssm:/k", to: "ssm:/k", fromBits: 1024, bits: 2048, message: "replaced the key"},
		{name: "requested", from: "ssm:/k", to: "ssm:/k", fromBits: 1024, bits: 1024, causes: []plan.Cause{plan.CauseRequested}, message: "replaced the key"},
		{name: "location moves, old secret deleted", from: "ssm:/old", to: "secretsmanager:new", fromBits: 1024, bits: 1024, oldGone: true, message: "deleted the key in ssm:/old"},
		{name: "location moves from a file, the file is kept", from: "file:old.pem", to: "ssm:/new", fromBits: 1024, bits: 1024, message: "kept file:old.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			first := want(tt.from, tt.fromBits)
			f.mustApply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Create, After: first.Attrs})
			oldPEM, oldPub, _ := f.stored(t, tt.from)
			obs := f.read(t, first)
			next := want(tt.to, tt.bits)
			res := f.mustApply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Replace, ID: obs[0].ID, Before: obs[0].Attrs, After: next.Attrs, Causes: tt.causes})
			newPEM, newPub, bits := f.stored(t, tt.to)
			if newPub == oldPub || int64(bits) != tt.bits || res.Observed.Attrs["public_key"] != newPub {
				t.Errorf("key not replaced: bits %d, observed %v", bits, res.Observed.Attrs)
			}
			if !strings.Contains(res.Message, tt.message) {
				t.Errorf("message %q, want %q in it", res.Message, tt.message)
			}
			_, found, _ := f.store.Get(t.Context(), tt.from)
			if tt.from != tt.to && found == tt.oldGone {
				t.Errorf("old key at %s found=%v, want gone=%v", tt.from, found, tt.oldGone)
			}
			f.noLeak(t, oldPEM)
			f.noLeak(t, newPEM)
		})
	}
}

// TestReplaceIsDecidedByCauseNotWords: a requested replacement is known by
// its typed cause; the words of its reason neither make nor stop it.
func TestReplaceIsDecidedByCauseNotWords(t *testing.T) {
	for _, tt := range []struct {
		name    string
		change  plan.Change
		replace bool
	}{
		{"the words without the cause", plan.Change{Reason: "replace requested with -replace"}, false},
		{"the cause without words", plan.Change{Causes: []plan.Cause{plan.CauseRequested}}, true},
		{"the cause among others, reworded", plan.Change{Reason: "rotate, please", Causes: []plan.Cause{plan.CauseAdopt, plan.CauseRequested}}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			d := want("ssm:/k", 1024)
			f.mustApply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Create, After: d.Attrs})
			_, oldPub, _ := f.stored(t, "ssm:/k")
			obs := f.read(t, d)
			c := tt.change
			c.Addr, c.Kind, c.Action, c.ID, c.Before, c.After = addr, specs.KindDKIMKey, plan.Replace, obs[0].ID, obs[0].Attrs, d.Attrs
			f.mustApply(t, c)
			_, newPub, _ := f.stored(t, "ssm:/k")
			if replaced := newPub != oldPub; replaced != tt.replace {
				t.Errorf("key replaced = %v, want %v", replaced, tt.replace)
			}
		})
	}
}

func TestDeleteAndDiscovery(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, loc := range []string{"ssm:/acme/dkim/a", "secretsmanager:acme/dkim/b"} {
		d := want(loc, 1024)
		d.Addr = "dkim_key." + loc[len(loc)-1:]
		f.mustApply(t, plan.Change{Addr: d.Addr, Kind: specs.KindDKIMKey, Action: plan.Create, After: d.Attrs})
	}
	// Secrets of the stack that are not DKIM keys, and another stack's key.
	if err := f.store.Put(ctx, "ssm:/acme/smtp", []byte("{}"), stack, secrets.Tag{Key: secrets.TagKind, Value: string(specs.KindSMTPUser)}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Put(ctx, "ssm:/other/dkim", []byte("x"), "other", secrets.Tag{Key: secrets.TagKind, Value: string(specs.KindDKIMKey)}); err != nil {
		t.Fatal(err)
	}
	obs := f.read(t)
	var addrs []string
	for _, o := range obs {
		addrs = append(addrs, o.Addr+"="+o.ID)
		if o.Owner != stack {
			t.Errorf("%s owner %q", o.Addr, o.Owner)
		}
	}
	if fmt.Sprint(addrs) != "[dkim_key.b=secretsmanager:acme/dkim/b dkim_key.a=ssm:/acme/dkim/a]" {
		t.Errorf("discovered %v", addrs)
	}
	for _, o := range obs {
		res := f.mustApply(t, plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs})
		if !strings.Contains(res.Message, "deleted") || res.Observed != nil {
			t.Errorf("delete result %+v", res)
		}
		if _, found, _ := f.store.Get(ctx, o.ID); found {
			t.Errorf("%s still there", o.ID)
		}
	}
	if obs := f.read(t); len(obs) != 0 {
		t.Errorf("after delete: %+v", obs)
	}
	if _, found, _ := f.store.Get(ctx, "ssm:/acme/smtp"); !found {
		t.Error("the stack's SMTP credentials were touched")
	}
}

func TestForeignKeysAreLeftAlone(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	key, pemText, _ := Generate(1024)
	if _, err := f.ssm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/theirs"), Value: aws.String(string(pemText)), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	d := want("ssm:/theirs", 2048)
	obs := f.read(t, d)
	pub, _ := PublicKey(key)
	if len(obs) != 1 || obs[0].Owner != "" || obs[0].Attrs["public_key"] != pub || obs[0].Attrs["key_length"] != int64(1024) {
		t.Fatalf("observed %+v", obs)
	}
	// A different length would mean a new key: refused, the key stays.
	res := f.apply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Replace, ID: "ssm:/theirs", Before: obs[0].Attrs, After: d.Attrs})
	if !errors.Is(res.Err, secrets.ErrNotOwned) || !strings.Contains(res.Err.Error(), "ssm:/theirs") {
		t.Errorf("replace of a foreign key: %v, want ErrNotOwned naming ssm:/theirs", res.Err)
	}
	res = f.apply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Delete, ID: "ssm:/theirs", Before: obs[0].Attrs})
	if res.Err != nil || !strings.Contains(res.Message, "kept ssm:/theirs") {
		t.Errorf("delete of a foreign key: %+v", res)
	}
	got, _, _ := f.store.Get(ctx, "ssm:/theirs")
	if string(got) != string(pemText) {
		t.Error("the foreign key changed")
	}
	if n := f.s.Count("ssm", "DeleteParameter"); n != 0 {
		t.Errorf("DeleteParameter calls = %d", n)
	}
	f.noLeak(t, string(pemText))
}

func TestBadSecretsAreErrorsWithoutTheirContent(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ecKey := "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgc7Bu4Ql2t3jvRZ4W\n-----END PRIVATE KEY-----\n"
	for name, content := range map[string]string{"garbage.pem": "this is not a key but a secret-looking-value", "ec.pem": ecKey} {
		if err := os.WriteFile(filepath.Join(f.dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := f.p.Read(ctx, stack, []specs.Resource{want("file:"+name, 2048)})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), "file:"+name) || !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), "secret-looking-value") || strings.Contains(err.Error(), "MIGH") {
			t.Errorf("%s: error %q", name, err)
		}
	}
}

func TestParsePrivateKeyForms(t *testing.T) {
	key, pkcs8PEM, err := Generate(1024)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PrivateKey(key)
	block, _ := pem.Decode(pkcs8PEM)
	tests := map[string][]byte{
		"PKCS#8 PEM":        pkcs8PEM,
		"PKCS#1 PEM":        pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: pkcs1}),
		"bare base64 DER":   []byte(base64.StdEncoding.EncodeToString(block.Bytes)),
		"base64 with lines": []byte(strings.Join(strings.SplitAfter(base64.StdEncoding.EncodeToString(pkcs1), "AAAA"), "\n")),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParsePrivateKey(in)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(key) {
				t.Error("a different key")
			}
		})
	}
}

func TestAdopt(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	_, pemText, _ := Generate(1024)
	for name, tags := range map[string][]ssmtypes.Tag{
		"/theirs": nil,
		"/others": {{Key: aws.String(specs.TagStack), Value: aws.String("other")}},
	} {
		if _, err := f.ssm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(string(pemText)), Type: ssmtypes.ParameterTypeSecureString, Tags: tags}); err != nil {
			t.Fatal(err)
		}
	}
	d := want("ssm:/theirs", 1024)
	obs := f.read(t, d)
	res := f.mustApply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Update, ID: obs[0].ID, Before: obs[0].Attrs, After: d.Attrs, Adopt: true})
	if !strings.Contains(res.Message, "adopted") {
		t.Errorf("message %q", res.Message)
	}
	if obs := f.read(t, d); len(obs) != 1 || !obs[0].Owned(stack) {
		t.Errorf("after adoption %+v", obs)
	}
	if got, _, _ := f.store.Get(ctx, "ssm:/theirs"); string(got) != string(pemText) {
		t.Error("the adopted key changed")
	}
	o := want("ssm:/others", 1024)
	res = f.apply(t, plan.Change{Addr: "dkim_key.o", Kind: specs.KindDKIMKey, Action: plan.Update, ID: "ssm:/others", After: o.Attrs, Adopt: true})
	if !errors.Is(res.Err, secrets.ErrNotOwned) {
		t.Errorf("adopting another stack's key: %v", res.Err)
	}
	f.noLeak(t, string(pemText))
}

// TestLostAnswers cuts the connection after the store carried out a write,
// so the SDK retries it: the key in the store is the one observed.
func TestLostAnswers(t *testing.T) {
	for _, tt := range []struct{ fault, loc string }{
		{"ssm:PutParameter=cut#1", "ssm:/acme/dkim"},
		{"secretsmanager:CreateSecret=cut#1", "secretsmanager:acme/dkim"},
	} {
		t.Run(tt.fault, func(t *testing.T) {
			f := newFixture(t)
			if err := f.s.SetFaults(tt.fault); err != nil {
				t.Fatal(err)
			}
			d := want(tt.loc, 1024)
			res := f.mustApply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Create, After: d.Attrs})
			_, pub, _ := f.stored(t, tt.loc)
			if res.Observed.Attrs["public_key"] != pub {
				t.Error("the observed public key is not the stored key's")
			}
			if n := f.s.InjectedFaults()[tt.fault]; n != 1 {
				t.Errorf("fault injected %d times", n)
			}
		})
	}
}

// TestUntaggedKeyIsReadThenTagged: a key an older mailform wrote carries no
// public-key tags; plan reads it once (marking it), and the update apply
// makes adds the tags, after which plan reads no key value.
func TestUntaggedKeyIsReadThenTagged(t *testing.T) {
	f := newFixture(t)
	loc := "ssm:/acme/mail/dkim/legacy"
	key, pemBytes, err := Generate(1024)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Put(t.Context(), loc, pemBytes, stack, secrets.Tag{Key: specs.TagAddr, Value: addr}, secrets.Tag{Key: secrets.TagKind, Value: string(specs.KindDKIMKey)}); err != nil {
		t.Fatal(err)
	}
	d := want(loc, 1024)
	obs := f.read(t, d)
	if len(obs) != 1 || obs[0].Attrs[plan.AttrSecretUntagged] != loc {
		t.Fatalf("an untagged key is not marked: %+v", obs)
	}
	pub, _ := PublicKey(key)
	if obs[0].Attrs["public_key"] != pub {
		t.Errorf("public key of the untagged key = %v", obs[0].Attrs["public_key"])
	}
	f.mustApply(t, plan.Change{Addr: addr, Kind: specs.KindDKIMKey, Action: plan.Update, ID: loc, Before: obs[0].Attrs, After: d.Attrs})
	before := f.s.Counts()
	obs = f.read(t, d)
	if got := f.s.Counts()["ssm"]["GetParameter"] - before["ssm"]["GetParameter"]; got != 0 {
		t.Errorf("plan read the key %d times after apply tagged it", got)
	}
	if len(obs) != 1 || obs[0].Attrs["public_key"] != pub || obs[0].Attrs[plan.AttrSecretUntagged] != nil {
		t.Errorf("after tagging: %+v", obs)
	}
}
