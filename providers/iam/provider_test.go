package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
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
	stack   = "acme"
	region  = "us-west-2"
	addr    = "smtp_user.webapp"
	name    = "acme-smtp-webapp"
	credLoc = "ssm:/acme/mail/smtp/webapp"
)

func desiredWebapp(mod ...func(map[string]any)) specs.Resource {
	attrs := map[string]any{
		"user_name":    name,
		"path":         "/mailform/",
		"allowed_from": []any{"*@acme.example"},
		"policy":       SMTPPolicy([]string{"*@acme.example"}),
		"credentials":  credLoc,
		"region":       region,
		"password":     specs.Sensitive{},
	}
	for _, m := range mod {
		m(attrs)
	}
	return specs.Resource{Addr: addr, Kind: specs.KindSMTPUser, Attrs: attrs}
}

// recorder wraps the real client and remembers every secret access key IAM
// hands out, so that tests can check what reached the store and scan
// outputs for leaks.
type recorder struct {
	API
	mu      sync.Mutex
	secrets map[string]string // access key ID -> secret
}

func (r *recorder) CreateAccessKey(ctx context.Context, in *iamsdk.CreateAccessKeyInput, optFns ...func(*iamsdk.Options)) (*iamsdk.CreateAccessKeyOutput, error) {
	out, err := r.API.CreateAccessKey(ctx, in, optFns...)
	if err == nil {
		r.mu.Lock()
		r.secrets[aws.ToString(out.AccessKey.AccessKeyId)] = aws.ToString(out.AccessKey.SecretAccessKey)
		r.mu.Unlock()
	}
	return out, err
}

type fixture struct {
	s     *awstest.Server
	iam   *iamsdk.Client
	ssm   *ssm.Client
	rec   *recorder
	store secrets.Store
	p     *Provider
	// outputs collects every text and JSON the provider produced, for the
	// secret scan.
	outputs []string
}

func newFixture(t *testing.T) *fixture {
	s := awstest.Shared(t)
	cfg := s.Config(region)
	f := &fixture{s: s, iam: iamsdk.NewFromConfig(cfg), ssm: ssm.NewFromConfig(cfg), store: secrets.Open(cfg, t.TempDir())}
	f.rec = &recorder{API: f.iam, secrets: map[string]string{}}
	f.p = NewWithAPI(f.rec, f.store)
	t.Cleanup(func() { f.scanForSecrets(t) })
	return f
}

func (f *fixture) read(t *testing.T, desired ...specs.Resource) []plan.Observed {
	t.Helper()
	obs, err := f.p.Read(t.Context(), stack, desired)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	b, _ := json.Marshal(obs)
	f.outputs = append(f.outputs, string(b), fmt.Sprintf("%+v", obs))
	return obs
}

func (f *fixture) apply(t *testing.T, changes ...plan.Change) []providers.Result {
	t.Helper()
	res := f.p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Region: region, Changes: changes})
	if len(res) != len(changes) {
		t.Fatalf("Apply returned %d results for %d changes", len(res), len(changes))
	}
	for _, r := range res {
		b, _ := json.Marshal(r.Observed)
		f.outputs = append(f.outputs, r.Message, string(b), fmt.Sprintf("%+v", r))
		if r.Err != nil {
			f.outputs = append(f.outputs, r.Err.Error())
		}
	}
	return res
}

func (f *fixture) mustApply(t *testing.T, changes ...plan.Change) []providers.Result {
	t.Helper()
	res := f.apply(t, changes...)
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("Apply %s: %v", r.Addr, r.Err)
		}
	}
	return res
}

// scanForSecrets fails the test if any secret access key or SMTP password
// the test saw appears in anything the provider returned.
func (f *fixture) scanForSecrets(t *testing.T) {
	f.rec.mu.Lock()
	defer f.rec.mu.Unlock()
	for id, secret := range f.rec.secrets {
		for _, needle := range []string{secret, SMTPPassword(secret, region), SMTPPassword(secret, "eu-west-1")} {
			for _, out := range f.outputs {
				if strings.Contains(out, needle) {
					t.Errorf("a secret of access key %s appears in provider output: %.80s...", id, out)
				}
			}
		}
	}
}

// planFor stands in for plan.Make in these tests: create when nothing is
// observed, otherwise update with the observed state as Before.
func planFor(r specs.Resource, obs []plan.Observed) plan.Change {
	for _, o := range obs {
		if o.ID == r.Attrs["user_name"] {
			return plan.Change{Addr: r.Addr, Kind: r.Kind, Action: plan.Update, ID: o.ID, Before: o.Attrs, After: r.Attrs}
		}
	}
	return plan.Change{Addr: r.Addr, Kind: r.Kind, Action: plan.Create, After: r.Attrs}
}

func find(obs []plan.Observed, id string) *plan.Observed {
	for i := range obs {
		if obs[i].ID == id {
			return &obs[i]
		}
	}
	return nil
}

// converged checks, reading AWS with the SDK, that the user has exactly one
// active access key and that the store holds that key's SMTP credentials,
// derived from its real secret.
func (f *fixture) converged(t *testing.T, userName, loc, wantRegion string) string {
	t.Helper()
	ctx := t.Context()
	keys, err := f.iam.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String(userName)})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 1 {
		t.Fatalf("user %s has %d access keys, want 1", userName, len(keys.AccessKeyMetadata))
	}
	k := keys.AccessKeyMetadata[0]
	if k.Status != iamtypes.StatusTypeActive {
		t.Errorf("key status %s", k.Status)
	}
	raw, found, err := f.store.Get(ctx, loc)
	if err != nil || !found {
		t.Fatalf("credentials at %s: found=%v err=%v", loc, found, err)
	}
	creds, err := secrets.DecodeSMTPCredentials(raw)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(k.AccessKeyId)
	if creds.Username != id {
		t.Errorf("stored username %s, but the user's key is %s", creds.Username, id)
	}
	f.rec.mu.Lock()
	secret, ok := f.rec.secrets[id]
	f.rec.mu.Unlock()
	if !ok {
		t.Fatalf("key %s was not created through the provider", id)
	}
	if creds.Password() != SMTPPassword(secret, wantRegion) {
		t.Errorf("stored password is not the SMTP password of key %s for %s", id, wantRegion)
	}
	if creds.Host != "email-smtp."+wantRegion+".amazonaws.com" || creds.Region != wantRegion || fmt.Sprint(creds.Ports) != "[587 2587 465 2465 25]" {
		t.Errorf("stored document %v ports %v region %s", creds, creds.Ports, creds.Region)
	}
	return id
}

func TestCreateReadAndNoChange(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	want := desiredWebapp()

	res := f.mustApply(t, planFor(want, f.read(t, want)))
	keyID := f.converged(t, name, credLoc, region)
	for op, n := range map[string]int{"CreateUser": 1, "PutUserPolicy": 1, "CreateAccessKey": 1, "DeleteAccessKey": 0} {
		if got := f.s.Count("iam", op); got != n {
			t.Errorf("%s calls = %d, want %d", op, got, n)
		}
	}

	t.Run("AWS holds what the spec says", func(t *testing.T) {
		u, err := f.iam.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(u.User.Path); got != "/mailform/" {
			t.Errorf("path = %q", got)
		}
		wantTags := map[string]string{specs.TagStack: stack, specs.TagAddr: addr, TagCredentials: credLoc, TagRegion: "us-west-2"}
		if diff := cmp.Diff(wantTags, tagMap(u.User.Tags)); diff != "" {
			t.Errorf("tags (-want +got):\n%s", diff)
		}
		pol, err := f.iam.GetUserPolicy(ctx, &iamsdk.GetUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(PolicyName)})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := url.QueryUnescape(aws.ToString(pol.PolicyDocument))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := CanonicalPolicy(doc); got != want.Attrs["policy"] {
			t.Errorf("policy in IAM = %s", doc)
		}
		p, err := f.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/acme/mail/smtp/webapp")})
		if err != nil {
			t.Fatal(err)
		}
		if p.Parameter.Type != ssmtypes.ParameterTypeSecureString {
			t.Errorf("credentials parameter type %s", p.Parameter.Type)
		}
		tags, _, _ := f.store.Tags(ctx, credLoc)
		if tags[specs.TagStack] != stack || tags[specs.TagAddr] != addr || tags[secrets.TagKind] != string(specs.KindSMTPUser) ||
			tags[secrets.TagAccessKeyID] != keyID || tags[secrets.TagSMTPRegion] != region {
			t.Errorf("credentials tags %v", tags)
		}
	})

	t.Run("Result and Read agree with the desired state", func(t *testing.T) {
		before := f.s.Counts()["iam"]
		decrypts := f.s.Count("ssm", "GetParameter")
		obs := f.read(t, want)
		after := f.s.Counts()["iam"]
		if n := f.s.Count("ssm", "GetParameter") - decrypts; n != 0 {
			t.Errorf("Read called ssm:GetParameter %d times: plan must learn the stored key from the tags", n)
		}
		if n := after["GetAccountAuthorizationDetails"] - before["GetAccountAuthorizationDetails"]; n != 1 {
			t.Errorf("GetAccountAuthorizationDetails calls = %d, want 1", n)
		}
		if n := after["ListAccessKeys"] - before["ListAccessKeys"]; n != 1 {
			t.Errorf("ListAccessKeys calls = %d, want 1", n)
		}
		if len(obs) != 1 {
			t.Fatalf("observed %d users", len(obs))
		}
		o := obs[0]
		if o.Addr != addr || o.Owner != stack || o.ID != name || o.Kind != specs.KindSMTPUser {
			t.Errorf("observed %+v", o)
		}
		wantAttrs := map[string]any{
			"user_name": name, "path": "/mailform/", "allowed_from": []string{"*@acme.example"},
			"policy": want.Attrs["policy"], "credentials": credLoc, "region": region,
			"password": specs.Sensitive{Digest: "present"}, "access_key_id": keyID,
			"arn": "arn:aws:iam::" + awstest.AccountID + ":user/mailform/" + name,
		}
		if diff := cmp.Diff(wantAttrs, o.Attrs); diff != "" {
			t.Errorf("Read attrs (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantAttrs, res[0].Observed.Attrs); diff != "" {
			t.Errorf("Result attrs (-want +got):\n%s", diff)
		}
	})

	t.Run("applying again changes nothing", func(t *testing.T) {
		f.mustApply(t, planFor(want, f.read(t, want)))
		if got := f.converged(t, name, credLoc, region); got != keyID {
			t.Errorf("key changed from %s to %s", keyID, got)
		}
		for op, n := range map[string]int{"CreateAccessKey": 1, "DeleteAccessKey": 0, "PutUserPolicy": 1, "UpdateUser": 0, "TagUser": 0} {
			if got := f.s.Count("iam", op); got != n {
				t.Errorf("%s calls = %d, want %d", op, got, n)
			}
		}
	})
}

func TestUpdates(t *testing.T) {
	tests := []struct {
		name       string
		change     func(map[string]any)
		prepare    func(t *testing.T, f *fixture)
		causes     []plan.Cause
		action     plan.Action
		diffs      []plan.AttrDiff
		newKey     bool
		wantLoc    string
		wantRegion string
		check      func(t *testing.T, f *fixture)
	}{
		{
			name:   "path moves in place without a new key",
			change: func(a map[string]any) { a["path"] = "/mail/" },
			action: plan.Replace,
			diffs:  []plan.AttrDiff{{Name: "path", Before: "/mailform/", After: "/mail/", Replaces: true}},
			check: func(t *testing.T, f *fixture) {
				u, err := f.iam.GetUser(t.Context(), &iamsdk.GetUserInput{UserName: aws.String(name)})
				if err != nil || aws.ToString(u.User.Path) != "/mail/" {
					t.Errorf("path = %v, %v", u, err)
				}
			},
		},
		{
			name: "allowed_from rewrites the policy",
			change: func(a map[string]any) {
				a["allowed_from"] = []any{"*@other.example"}
				a["policy"] = SMTPPolicy([]string{"*@other.example"})
			},
			check: func(t *testing.T, f *fixture) {
				obs := f.read(t, desiredWebapp())
				if got := obs[0].Attrs["allowed_from"]; fmt.Sprint(got) != "[*@other.example]" {
					t.Errorf("allowed_from = %v", got)
				}
			},
		},
		{
			name:    "new credentials location gets a new key and the old secret goes",
			change:  func(a map[string]any) { a["credentials"] = "secretsmanager:acme/smtp/webapp" },
			newKey:  true,
			wantLoc: "secretsmanager:acme/smtp/webapp",
			check: func(t *testing.T, f *fixture) {
				if _, found, _ := f.store.Get(t.Context(), credLoc); found {
					t.Error("old credentials still stored")
				}
				u, _ := f.iam.GetUser(t.Context(), &iamsdk.GetUserInput{UserName: aws.String(name)})
				if got := tagMap(u.User.Tags)[TagCredentials]; got != "secretsmanager:acme/smtp/webapp" {
					t.Errorf("credentials tag = %q", got)
				}
			},
		},
		{
			name:       "new region derives a new password from a new key",
			change:     func(a map[string]any) { a["region"] = "eu-west-1" },
			newKey:     true,
			wantRegion: "eu-west-1",
		},
		{
			name:   "requested replacement rotates the key",
			causes: []plan.Cause{plan.CauseRequested},
			action: plan.Replace,
			newKey: true,
		},
		{
			name:   "rotation with two keys deletes the unstored one first",
			causes: []plan.Cause{plan.CauseRequested},
			action: plan.Replace,
			newKey: true,
			prepare: func(t *testing.T, f *fixture) {
				if _, err := f.rec.CreateAccessKey(t.Context(), &iamsdk.CreateAccessKeyInput{UserName: aws.String(name)}); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "lost credentials get a new key",
			prepare: func(t *testing.T, f *fixture) {
				if err := f.store.Delete(t.Context(), credLoc); err != nil {
					t.Fatal(err)
				}
			},
			newKey: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			first := desiredWebapp()
			f.mustApply(t, planFor(first, f.read(t, first)))
			oldKey := f.converged(t, name, credLoc, region)
			if tt.prepare != nil {
				tt.prepare(t, f)
			}
			next := first
			if tt.change != nil {
				next = desiredWebapp(tt.change)
			}
			c := planFor(next, f.read(t, next))
			c.Causes, c.Diffs = tt.causes, tt.diffs
			if tt.action != "" {
				c.Action = tt.action
			}
			creates := f.s.Count("iam", "CreateAccessKey")
			res := f.mustApply(t, c)
			loc, reg := credLoc, region
			if tt.wantLoc != "" {
				loc = tt.wantLoc
			}
			if tt.wantRegion != "" {
				reg = tt.wantRegion
			}
			key := f.converged(t, name, loc, reg)
			if tt.newKey == (key == oldKey) {
				t.Errorf("key %s -> %s, want a new key: %v", oldKey, key, tt.newKey)
			}
			if n := f.s.Count("iam", "CreateAccessKey") - creates; (n == 1) != tt.newKey || n > 1 {
				t.Errorf("CreateAccessKey calls = %d", n)
			}
			if res[0].Observed == nil || res[0].Observed.Attrs["access_key_id"] != key {
				t.Errorf("Result observed %+v", res[0].Observed)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
			// Converged: a further plan finds the password in place.
			obs := f.read(t, next)
			if _, ok := obs[0].Attrs["password"]; !ok {
				t.Errorf("password absent after the update: %v", obs[0].Attrs)
			}
		})
	}
}

// TestStrayKeyIsListedAndDeleted: a second key beside the stored one is
// observed as extra (plan then schedules an update) and apply deletes it,
// keeping the stored key.
func TestStrayKeyIsListedAndDeleted(t *testing.T) {
	f := newFixture(t)
	want := desiredWebapp()
	f.mustApply(t, planFor(want, f.read(t, want)))
	stray, err := f.iam.CreateAccessKey(t.Context(), &iamsdk.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	obs := f.read(t, want)
	if extras, _ := obs[0].Attrs["extra_access_key_ids"].([]any); len(extras) != 1 || extras[0] != aws.ToString(stray.AccessKey.AccessKeyId) {
		t.Errorf("extra_access_key_ids = %v, want the stray key", obs[0].Attrs["extra_access_key_ids"])
	}
	f.mustApply(t, planFor(want, obs))
	f.converged(t, name, credLoc, region)
	if n := f.s.Count("iam", "CreateAccessKey"); n != 2 {
		t.Errorf("CreateAccessKey calls = %d: the stored key should have been kept", n)
	}
}

func TestRename(t *testing.T) {
	f := newFixture(t)
	first := desiredWebapp()
	f.mustApply(t, planFor(first, f.read(t, first)))
	renamed := desiredWebapp(func(a map[string]any) { a["user_name"] = "acme-smtp-web" })
	obs := f.read(t, first)
	c := plan.Change{Addr: addr, Kind: specs.KindSMTPUser, Action: plan.Replace, ID: name, Before: obs[0].Attrs, After: renamed.Attrs,
		Diffs: []plan.AttrDiff{{Name: "user_name", Before: name, After: "acme-smtp-web", Replaces: true}}}
	f.mustApply(t, c)
	if _, err := f.iam.GetUser(t.Context(), &iamsdk.GetUserInput{UserName: aws.String(name)}); !isNoSuchEntity(err) {
		t.Errorf("old user still there: %v", err)
	}
	f.converged(t, "acme-smtp-web", credLoc, region)
}

func TestDelete(t *testing.T) {
	tests := []struct {
		name     string
		loc      string
		foreign  bool // the credentials location holds a secret mailform does not own
		wantKept bool
	}{
		{name: "ssm credentials are deleted", loc: credLoc},
		{name: "secretsmanager credentials are deleted", loc: "secretsmanager:acme/smtp"},
		{name: "file credentials of the user's key are deleted", loc: "file:smtp.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := t.Context()
			want := desiredWebapp(func(a map[string]any) { a["credentials"] = tt.loc })
			f.mustApply(t, planFor(want, f.read(t, want)))
			// The block is gone: Read finds the user by its mark alone.
			obs := f.read(t)
			o := find(obs, name)
			if o == nil || o.Addr != addr || o.Attrs["credentials"] != tt.loc {
				t.Fatalf("owned user not observed without a desired resource: %+v", obs)
			}
			res := f.mustApply(t, plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs})
			if res[0].Observed != nil {
				t.Errorf("Observed after delete: %+v", res[0].Observed)
			}
			if _, err := f.iam.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String(name)}); !isNoSuchEntity(err) {
				t.Errorf("user still there: %v", err)
			}
			if _, found, _ := f.store.Get(ctx, tt.loc); found {
				t.Errorf("credentials still at %s", tt.loc)
			}
			// Deleting again is harmless.
			f.mustApply(t, plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs})
		})
	}
}

func TestForeignUsersAreLeftAlone(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, u := range []struct {
		name string
		tags []iamtypes.Tag
	}{
		{name, nil},
		{"someone-else", nil},
		{"other-stack-user", []iamtypes.Tag{{Key: aws.String(specs.TagStack), Value: aws.String("other")}}},
	} {
		if _, err := f.iam.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(u.name), Tags: u.tags}); err != nil {
			t.Fatal(err)
		}
	}
	want := desiredWebapp()
	obs := f.read(t, want)
	if len(obs) != 1 {
		t.Fatalf("observed %d users, want only the one the spec names: %+v", len(obs), obs)
	}
	if obs[0].Owner != "" || obs[0].Addr != addr || obs[0].Owned(stack) {
		t.Errorf("unowned user observed as %+v", obs[0])
	}
	if n := f.s.Count("iam", "ListAccessKeys"); n != 1 {
		t.Errorf("ListAccessKeys calls = %d, want 1 (only candidates)", n)
	}
	for _, c := range []plan.Change{
		{Addr: addr, Kind: specs.KindSMTPUser, Action: plan.Create, After: want.Attrs},
		{Addr: addr, Kind: specs.KindSMTPUser, Action: plan.Update, ID: name, Before: obs[0].Attrs, After: want.Attrs},
		{Addr: addr, Kind: specs.KindSMTPUser, Action: plan.Delete, ID: name, Before: obs[0].Attrs},
		{Addr: "smtp_user.x", Kind: specs.KindSMTPUser, Action: plan.Delete, ID: "other-stack-user"},
	} {
		res := f.apply(t, c)
		if res[0].Err == nil {
			t.Errorf("%s of a user not owned by %s succeeded", c.Action, stack)
			continue
		}
		if strings.HasPrefix(res[0].Err.Error(), c.Addr) {
			t.Errorf("error names the address, which apply adds (apply.ResourceError): %v", res[0].Err)
		}
	}
	for _, op := range []string{"CreateAccessKey", "PutUserPolicy", "DeleteUser", "TagUser", "UpdateUser", "DeleteAccessKey"} {
		if n := f.s.Count("iam", op); n != 0 {
			t.Errorf("%s called %d times on foreign users", op, n)
		}
	}
	if _, found, _ := f.store.Get(ctx, credLoc); found {
		t.Error("credentials written for a foreign user")
	}
}

// errCrash stands for the process being killed: the call is not made.
var errCrash = errors.New("simulated crash")

// crasher lets the first `after` calls (IAM and secret store together)
// through and fails every later one, as if mailform were killed right after
// call number `after`.
type crasher struct {
	after, calls int
}

func (c *crasher) step() error {
	c.calls++
	if c.after >= 0 && c.calls > c.after {
		return errCrash
	}
	return nil
}

type crashingAPI struct {
	API
	c *crasher
}

func call[O any](c *crasher, f func() (O, error)) (O, error) {
	if err := c.step(); err != nil {
		var zero O
		return zero, err
	}
	return f()
}

func (a crashingAPI) GetAccountAuthorizationDetails(ctx context.Context, in *iamsdk.GetAccountAuthorizationDetailsInput, o ...func(*iamsdk.Options)) (*iamsdk.GetAccountAuthorizationDetailsOutput, error) {
	return call(a.c, func() (*iamsdk.GetAccountAuthorizationDetailsOutput, error) {
		return a.API.GetAccountAuthorizationDetails(ctx, in, o...)
	})
}
func (a crashingAPI) GetUser(ctx context.Context, in *iamsdk.GetUserInput, o ...func(*iamsdk.Options)) (*iamsdk.GetUserOutput, error) {
	return call(a.c, func() (*iamsdk.GetUserOutput, error) { return a.API.GetUser(ctx, in, o...) })
}
func (a crashingAPI) CreateUser(ctx context.Context, in *iamsdk.CreateUserInput, o ...func(*iamsdk.Options)) (*iamsdk.CreateUserOutput, error) {
	return call(a.c, func() (*iamsdk.CreateUserOutput, error) { return a.API.CreateUser(ctx, in, o...) })
}
func (a crashingAPI) UpdateUser(ctx context.Context, in *iamsdk.UpdateUserInput, o ...func(*iamsdk.Options)) (*iamsdk.UpdateUserOutput, error) {
	return call(a.c, func() (*iamsdk.UpdateUserOutput, error) { return a.API.UpdateUser(ctx, in, o...) })
}
func (a crashingAPI) TagUser(ctx context.Context, in *iamsdk.TagUserInput, o ...func(*iamsdk.Options)) (*iamsdk.TagUserOutput, error) {
	return call(a.c, func() (*iamsdk.TagUserOutput, error) { return a.API.TagUser(ctx, in, o...) })
}
func (a crashingAPI) DeleteUser(ctx context.Context, in *iamsdk.DeleteUserInput, o ...func(*iamsdk.Options)) (*iamsdk.DeleteUserOutput, error) {
	return call(a.c, func() (*iamsdk.DeleteUserOutput, error) { return a.API.DeleteUser(ctx, in, o...) })
}
func (a crashingAPI) PutUserPolicy(ctx context.Context, in *iamsdk.PutUserPolicyInput, o ...func(*iamsdk.Options)) (*iamsdk.PutUserPolicyOutput, error) {
	return call(a.c, func() (*iamsdk.PutUserPolicyOutput, error) { return a.API.PutUserPolicy(ctx, in, o...) })
}
func (a crashingAPI) ListUserPolicies(ctx context.Context, in *iamsdk.ListUserPoliciesInput, o ...func(*iamsdk.Options)) (*iamsdk.ListUserPoliciesOutput, error) {
	return call(a.c, func() (*iamsdk.ListUserPoliciesOutput, error) { return a.API.ListUserPolicies(ctx, in, o...) })
}
func (a crashingAPI) DeleteUserPolicy(ctx context.Context, in *iamsdk.DeleteUserPolicyInput, o ...func(*iamsdk.Options)) (*iamsdk.DeleteUserPolicyOutput, error) {
	return call(a.c, func() (*iamsdk.DeleteUserPolicyOutput, error) { return a.API.DeleteUserPolicy(ctx, in, o...) })
}
func (a crashingAPI) ListAccessKeys(ctx context.Context, in *iamsdk.ListAccessKeysInput, o ...func(*iamsdk.Options)) (*iamsdk.ListAccessKeysOutput, error) {
	return call(a.c, func() (*iamsdk.ListAccessKeysOutput, error) { return a.API.ListAccessKeys(ctx, in, o...) })
}
func (a crashingAPI) CreateAccessKey(ctx context.Context, in *iamsdk.CreateAccessKeyInput, o ...func(*iamsdk.Options)) (*iamsdk.CreateAccessKeyOutput, error) {
	return call(a.c, func() (*iamsdk.CreateAccessKeyOutput, error) { return a.API.CreateAccessKey(ctx, in, o...) })
}
func (a crashingAPI) DeleteAccessKey(ctx context.Context, in *iamsdk.DeleteAccessKeyInput, o ...func(*iamsdk.Options)) (*iamsdk.DeleteAccessKeyOutput, error) {
	return call(a.c, func() (*iamsdk.DeleteAccessKeyOutput, error) { return a.API.DeleteAccessKey(ctx, in, o...) })
}

type crashingStore struct {
	secrets.Store
	c *crasher
}

func (s crashingStore) Get(ctx context.Context, loc string) ([]byte, bool, error) {
	if err := s.c.step(); err != nil {
		return nil, false, err
	}
	return s.Store.Get(ctx, loc)
}
func (s crashingStore) Put(ctx context.Context, loc string, v []byte, stack string, tags ...secrets.Tag) error {
	if err := s.c.step(); err != nil {
		return err
	}
	return s.Store.Put(ctx, loc, v, stack, tags...)
}
func (s crashingStore) Delete(ctx context.Context, loc string) error {
	if err := s.c.step(); err != nil {
		return err
	}
	return s.Store.Delete(ctx, loc)
}
func (s crashingStore) Tags(ctx context.Context, loc string) (map[string]string, bool, error) {
	if err := s.c.step(); err != nil {
		return nil, false, err
	}
	return s.Store.Tags(ctx, loc)
}

// TestResumesAfterACrashAtAnyCall runs create, rotation and delete, stopping
// each after every possible number of calls, then runs a fresh plan and
// apply: the result must be one active key whose credentials are stored (or,
// for delete, nothing left), never a leak.
func TestResumesAfterACrashAtAnyCall(t *testing.T) {
	type scenario struct {
		name    string
		setup   func(t *testing.T, f *fixture)
		change  func(t *testing.T, f *fixture) plan.Change
		deletes bool
	}
	want := desiredWebapp()
	scenarios := []scenario{
		{
			name:   "create",
			change: func(t *testing.T, f *fixture) plan.Change { return planFor(want, f.read(t, want)) },
		},
		{
			name:  "rotation",
			setup: func(t *testing.T, f *fixture) { f.mustApply(t, planFor(want, f.read(t, want))) },
			change: func(t *testing.T, f *fixture) plan.Change {
				c := planFor(want, f.read(t, want))
				c.Action, c.Causes = plan.Replace, []plan.Cause{plan.CauseRequested}
				return c
			},
		},
		{
			name:  "delete",
			setup: func(t *testing.T, f *fixture) { f.mustApply(t, planFor(want, f.read(t, want))) },
			change: func(t *testing.T, f *fixture) plan.Change {
				o := find(f.read(t), name)
				return plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs}
			},
			deletes: true,
		},
	}
	for _, sc := range scenarios {
		for after := 0; ; after++ {
			done := false
			t.Run(fmt.Sprintf("%s/stopped after %d calls", sc.name, after), func(t *testing.T) {
				f := newFixture(t)
				if sc.setup != nil {
					sc.setup(t, f)
				}
				c := sc.change(t, f)
				cr := &crasher{after: after}
				crashing := NewWithAPI(crashingAPI{API: f.rec, c: cr}, crashingStore{Store: f.store, c: cr})
				res := crashing.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Region: region, Changes: []plan.Change{c}})
				f.outputs = append(f.outputs, fmt.Sprintf("%+v", res))
				if res[0].Err == nil {
					done = true // the whole change fit in `after` calls
				} else if !errors.Is(res[0].Err, errCrash) {
					t.Fatalf("interrupted apply failed otherwise: %v", res[0].Err)
				}
				// The next run.
				if sc.deletes {
					if o := find(f.read(t), name); o != nil {
						f.mustApply(t, plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs})
					}
					if _, err := f.iam.GetUser(t.Context(), &iamsdk.GetUserInput{UserName: aws.String(name)}); !isNoSuchEntity(err) {
						t.Errorf("user survives: %v", err)
					}
					if _, found, _ := f.store.Get(t.Context(), credLoc); found {
						t.Error("credentials survive")
					}
					return
				}
				f.mustApply(t, planFor(want, f.read(t, want)))
				f.converged(t, name, credLoc, region)
				obs := f.read(t, want)
				if _, ok := obs[0].Attrs["password"]; !ok {
					t.Error("not converged: password absent")
				}
			})
			if done || after > 40 {
				break
			}
		}
	}
}

func TestForeignSecretAtCredentialsLocation(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.ssm.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/acme/mail/smtp/webapp"), Value: aws.String("someone else's"), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	want := desiredWebapp()
	res := f.apply(t, planFor(want, f.read(t, want)))
	if !errors.Is(res[0].Err, secrets.ErrNotOwned) || !strings.Contains(res[0].Err.Error(), credLoc) {
		t.Fatalf("err = %v, want ErrNotOwned naming %s", res[0].Err, credLoc)
	}
	// The key whose secret could not be stored does not survive.
	keys, err := f.iam.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 0 {
		t.Errorf("%d access keys left after the failed write", len(keys.AccessKeyMetadata))
	}
	if got, _, _ := f.store.Get(ctx, credLoc); string(got) != "someone else's" {
		t.Error("the foreign secret changed")
	}
}

func TestAdopt(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for _, u := range []struct {
		name  string
		owner string
	}{{name, ""}, {"acme-smtp-other", "other"}} {
		in := &iamsdk.CreateUserInput{UserName: aws.String(u.name), Path: aws.String("/mailform/")}
		if u.owner != "" {
			in.Tags = []iamtypes.Tag{{Key: aws.String(specs.TagStack), Value: aws.String(u.owner)}}
		}
		if _, err := f.iam.CreateUser(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	want := desiredWebapp()
	c := planFor(want, f.read(t, want))
	c.Adopt = true
	res := f.mustApply(t, c)
	if !strings.Contains(res[0].Message, "adopted IAM user "+name) {
		t.Errorf("message %q", res[0].Message)
	}
	f.converged(t, name, credLoc, region)
	obs := f.read(t, want)
	if len(obs) != 1 || !obs[0].Owned(stack) || obs[0].Addr != addr {
		t.Errorf("after adoption: %+v", obs)
	}

	other := desiredWebapp(func(a map[string]any) { a["user_name"] = "acme-smtp-other"; a["credentials"] = "ssm:/other" })
	other.Addr = "smtp_user.other"
	c = planFor(other, f.read(t, other))
	c.Adopt = true
	if res := f.apply(t, c); res[0].Err == nil || !strings.Contains(res[0].Err.Error(), `stack "other"`) {
		t.Errorf("adopting another stack's user: %v", res[0].Err)
	}
}

// TestResumeAfterCreateAccessKey replays a run killed right after
// CreateAccessKey, with the real client: the user, its policy and a key
// exist, but the key's secret never reached the store.
func TestResumeAfterCreateAccessKey(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	want := desiredWebapp()
	if _, err := f.iam.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name), Path: aws.String("/mailform/"), Tags: iamTags(map[string]string{
		specs.TagStack: stack, specs.TagAddr: addr, TagCredentials: credLoc,
	})}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.iam.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(PolicyName), PolicyDocument: aws.String(want.Attrs["policy"].(string))}); err != nil {
		t.Fatal(err)
	}
	lost, err := f.iam.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	obs := f.read(t, want)
	if len(obs) != 1 || !obs[0].Owned(stack) {
		t.Fatalf("observed %+v", obs)
	}
	if _, ok := obs[0].Attrs["password"]; ok {
		t.Fatal("password present although the key's secret was never stored")
	}
	f.mustApply(t, planFor(want, obs))
	key := f.converged(t, name, credLoc, region)
	if key == aws.ToString(lost.AccessKey.AccessKeyId) {
		t.Error("the key whose secret was lost survived")
	}
	if n := f.s.Count("iam", "CreateUser"); n != 1 {
		t.Errorf("CreateUser calls = %d: the interrupted run's user should be reused", n)
	}
	f.outputs = append(f.outputs, fmt.Sprint(obs))
	for _, out := range f.outputs {
		if strings.Contains(out, aws.ToString(lost.AccessKey.SecretAccessKey)) {
			t.Error("the lost key's secret appears in provider output")
		}
	}
}

// TestLostAnswers cuts the connection after AWS carried out a call, so the
// SDK retries it: the run must still end converged, with no extra key.
func TestLostAnswers(t *testing.T) {
	tests := []struct {
		fault   string
		deletes bool
	}{
		{fault: "iam:CreateUser=cut#1"},
		{fault: "iam:PutUserPolicy=cut#1"},
		{fault: "iam:CreateAccessKey=cut#1"},
		{fault: "ssm:PutParameter=cut#1"},
		{fault: "iam:DeleteAccessKey=cut#1", deletes: true},
		{fault: "iam:DeleteUser=cut#1", deletes: true},
		{fault: "ssm:DeleteParameter=cut#1", deletes: true},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			f := newFixture(t)
			want := desiredWebapp()
			if tt.deletes {
				f.mustApply(t, planFor(want, f.read(t, want)))
			}
			if err := f.s.SetFaults(tt.fault); err != nil {
				t.Fatal(err)
			}
			if tt.deletes {
				o := find(f.read(t), name)
				f.mustApply(t, plan.Change{Addr: o.Addr, Kind: o.Kind, Action: plan.Delete, ID: o.ID, Before: o.Attrs})
				if len(f.read(t)) != 0 {
					t.Error("the user survives")
				}
				if _, found, _ := f.store.Get(t.Context(), credLoc); found {
					t.Error("the credentials survive")
				}
			} else {
				f.mustApply(t, planFor(want, f.read(t, want)))
				f.converged(t, name, credLoc, region)
			}
			if n := f.s.InjectedFaults()[tt.fault]; n != 1 {
				t.Errorf("fault injected %d times, want 1", n)
			}
		})
	}
}

// TestUntaggedCredentialsAreTagged: credentials an older mailform stored
// carry no access-key tags; Read reads them once and marks the user, and
// the update apply makes adds the tags without rotating the key.
func TestUntaggedCredentialsAreTagged(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	want := desiredWebapp()
	f.mustApply(t, planFor(want, f.read(t, want)))
	keyID := f.converged(t, name, credLoc, region)
	if _, err := f.ssm.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{
		ResourceType: ssmtypes.ResourceTypeForTaggingParameter, ResourceId: aws.String("/acme/mail/smtp/webapp"),
		TagKeys: []string{secrets.TagAccessKeyID, secrets.TagSMTPRegion},
	}); err != nil {
		t.Fatal(err)
	}
	obs := f.read(t, want)
	if len(obs) != 1 || obs[0].Attrs[plan.AttrSecretUntagged] != credLoc || obs[0].Attrs["access_key_id"] != keyID {
		t.Fatalf("untagged credentials: %+v", obs)
	}
	c := planFor(want, obs)
	if c.Action != plan.Update {
		t.Fatalf("untagged credentials plan %s, want an update", c.Action)
	}
	f.mustApply(t, c)
	if got := f.converged(t, name, credLoc, region); got != keyID {
		t.Errorf("tagging rotated the key: %s -> %s", keyID, got)
	}
	tags, _, _ := f.store.Tags(ctx, credLoc)
	if tags[secrets.TagAccessKeyID] != keyID || tags[secrets.TagSMTPRegion] != region {
		t.Errorf("tags after apply: %v", tags)
	}
	if obs := f.read(t, want); obs[0].Attrs[plan.AttrSecretUntagged] != nil {
		t.Errorf("still untagged after apply: %+v", obs[0].Attrs)
	}
}
