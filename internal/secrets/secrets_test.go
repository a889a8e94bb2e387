package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/specs"
)

func TestMain(m *testing.M) { awstest.Main(m) }

func TestParseLocation(t *testing.T) {
	tests := []struct {
		in      string
		want    Location
		wantErr string
	}{
		{in: "ssm:/acme/mail/smtp", want: Location{SSM, "/acme/mail/smtp"}},
		{in: "secretsmanager:acme/mail/smtp", want: Location{SecretsManager, "acme/mail/smtp"}},
		{in: "file:secrets/smtp.json", want: Location{File, "secrets/smtp.json"}},
		{in: "file:./secrets//smtp.json", want: Location{File, "secrets/smtp.json"}},
		{in: "file:a/../b.json", want: Location{File, "b.json"}},
		{in: "ssm:acme/no-slash", wantErr: "absolute path"},
		{in: "ssm:/trailing/", wantErr: "absolute path"},
		{in: "ssm:/a//b", wantErr: "absolute path"},
		{in: "secretsmanager:bad name", wantErr: "1-512"},
		{in: "file:/etc/passwd", wantErr: "relative"},
		{in: "file:../outside.json", wantErr: "inside the spec's folder"},
		{in: "file:a/../../outside.json", wantErr: "inside the spec's folder"},
		{in: "file:.", wantErr: "inside the spec's folder"},
		{in: "file:dir/", wantErr: "names a file"},
		{in: "vault:/x", wantErr: "unknown scheme"},
		{in: "no-scheme", wantErr: "no scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLocation(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseLocation(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseLocation(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if again, err := ParseLocation(got.String()); err != nil || again != got {
				t.Errorf("round trip of %q: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestFileStore(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	store := NewRouter(nil, nil, dir)
	const loc = "file:secrets/nested/smtp.json"
	path := filepath.Join(dir, "secrets", "nested", "smtp.json")

	if _, found, err := store.Get(ctx, loc); err != nil || found {
		t.Fatalf("Get before Put: found=%v err=%v", found, err)
	}
	if err := store.Put(ctx, loc, []byte("first-secret"), "acme"); err != nil {
		t.Fatal(err)
	}
	t.Run("mode 0600 and private folders", func(t *testing.T) {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("file mode = %v, want 0600", st.Mode().Perm())
		}
		for _, d := range []string{filepath.Join(dir, "secrets"), filepath.Join(dir, "secrets", "nested")} {
			st, err := os.Stat(d)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm()&0o007 != 0 {
				t.Errorf("folder %s mode = %v: readable by others", d, st.Mode().Perm())
			}
		}
	})
	t.Run("replaced atomically, not rewritten in place", func(t *testing.T) {
		// A second name for the old file keeps the old content only if Put
		// renames a new file over the name instead of truncating the old one.
		link := filepath.Join(dir, "old-link")
		if err := os.Link(path, link); err != nil {
			t.Fatal(err)
		}
		if err := store.Put(ctx, loc, []byte("second-secret"), "acme"); err != nil {
			t.Fatal(err)
		}
		old, _ := os.ReadFile(link)
		if string(old) != "first-secret" {
			t.Errorf("old file content = %q: the secret was rewritten in place", old)
		}
		got, found, err := store.Get(ctx, loc)
		if err != nil || !found || string(got) != "second-secret" {
			t.Errorf("Get = %q, %v, %v", got, found, err)
		}
		a, errA := os.Stat(link)
		b, errB := os.Stat(path)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if os.SameFile(a, b) {
			t.Error("the secret file kept its inode: not replaced by rename")
		}
		entries, _ := os.ReadDir(filepath.Dir(path))
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("temporary file %s left behind", e.Name())
			}
		}
		st, _ := os.Stat(path)
		if st.Mode().Perm() != 0o600 {
			t.Errorf("mode after replace = %v", st.Mode().Perm())
		}
	})
	t.Run("tags, list and delete", func(t *testing.T) {
		tags, found, err := store.Tags(ctx, loc)
		if err != nil || !found || tags != nil {
			t.Errorf("Tags = %v, %v, %v; want nil, true, nil", tags, found, err)
		}
		if err := store.Delete(ctx, loc); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("file still there: %v", err)
		}
		if err := store.Delete(ctx, loc); err != nil {
			t.Errorf("second Delete: %v", err)
		}
	})
	t.Run("write failure names the location, not the value", func(t *testing.T) {
		blocker := filepath.Join(dir, "blocker")
		if err := os.WriteFile(blocker, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		err := store.Put(ctx, "file:blocker/x.json", []byte("value-that-must-not-leak"), "acme")
		if err == nil {
			t.Fatal("Put under a file succeeded")
		}
		if !strings.Contains(err.Error(), "file:blocker/x.json") || strings.Contains(err.Error(), "value-that-must-not-leak") || strings.Contains(err.Error(), dir) {
			t.Errorf("error = %q", err)
		}
	})
}

func TestAWSStores(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	cfg := s.Config("us-west-2")
	ssmClient := ssm.NewFromConfig(cfg)
	smClient := secretsmanager.NewFromConfig(cfg)
	store := Open(cfg, t.TempDir())

	type check struct {
		loc      string
		service  string
		createOp string
		tagsOf   func(t *testing.T) map[string]string
	}
	checks := []check{
		{
			loc: "ssm:/acme/mail/one", service: "ssm", createOp: "PutParameter",
			tagsOf: func(t *testing.T) map[string]string {
				out, err := ssmClient.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: ssmtypes.ResourceTypeForTaggingParameter, ResourceId: aws.String("/acme/mail/one")})
				if err != nil {
					t.Fatal(err)
				}
				m := map[string]string{}
				for _, tg := range out.TagList {
					m[*tg.Key] = *tg.Value
				}
				return m
			},
		},
		{
			loc: "secretsmanager:acme/mail/one", service: "secretsmanager", createOp: "CreateSecret",
			tagsOf: func(t *testing.T) map[string]string {
				out, err := smClient.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("acme/mail/one")})
				if err != nil {
					t.Fatal(err)
				}
				return smTagMap(out.Tags)
			},
		},
	}
	for _, c := range checks {
		t.Run(c.loc, func(t *testing.T) {
			if _, found, err := store.Get(ctx, c.loc); err != nil || found {
				t.Fatalf("Get before Put: %v %v", found, err)
			}
			before := s.Count(c.service, c.createOp)
			if err := store.Put(ctx, c.loc, []byte("v1-secret"), "acme", Tag{TagKind, "test.kind"}); err != nil {
				t.Fatal(err)
			}
			if n := s.Count(c.service, c.createOp) - before; n != 1 {
				t.Errorf("%s calls for a new secret = %d, want 1 (tags set at creation)", c.createOp, n)
			}
			want := map[string]string{specs.TagStack: "acme", TagKind: "test.kind"}
			if got := c.tagsOf(t); !hasTags(got, want) {
				t.Errorf("tags in AWS = %v, want %v", got, want)
			}
			if got, found, err := store.Get(ctx, c.loc); err != nil || !found || string(got) != "v1-secret" {
				t.Errorf("Get = %q %v %v", got, found, err)
			}
			// Overwrite by the owner.
			if err := store.Put(ctx, c.loc, []byte("v2-secret"), "acme", Tag{TagKind, "test.kind"}); err != nil {
				t.Fatal(err)
			}
			if got, _, _ := store.Get(ctx, c.loc); string(got) != "v2-secret" {
				t.Errorf("after overwrite Get = %q", got)
			}
			// Another stack may not overwrite it, and the error does not leak the value.
			err := store.Put(ctx, c.loc, []byte("v3-intruder-secret"), "other")
			if !errors.Is(err, ErrNotOwned) {
				t.Fatalf("Put by another stack: %v, want ErrNotOwned", err)
			}
			if strings.Contains(err.Error(), "v3-intruder-secret") || !strings.Contains(err.Error(), c.loc) {
				t.Errorf("error = %q", err)
			}
			if got, _, _ := store.Get(ctx, c.loc); string(got) != "v2-secret" {
				t.Errorf("after refused overwrite Get = %q", got)
			}
			tags, found, err := store.Tags(ctx, c.loc)
			if err != nil || !found || !Owned(tags, "acme") || Owned(tags, "other") {
				t.Errorf("Tags = %v %v %v", tags, found, err)
			}
			if err := store.Delete(ctx, c.loc); err != nil {
				t.Fatal(err)
			}
			if _, found, err := store.Get(ctx, c.loc); err != nil || found {
				t.Errorf("Get after Delete: %v %v", found, err)
			}
			if _, found, err := store.Tags(ctx, c.loc); err != nil || found {
				t.Errorf("Tags after Delete: %v %v", found, err)
			}
			if err := store.Delete(ctx, c.loc); err != nil {
				t.Errorf("second Delete: %v", err)
			}
			// A deleted name can be written again at once.
			if err := store.Put(ctx, c.loc, []byte("v4-secret"), "acme"); err != nil {
				t.Errorf("Put after Delete: %v", err)
			}
		})
	}
}

func TestAWSStoreRefusesUnmarkedSecrets(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	cfg := s.Config("us-west-2")
	if _, err := ssm.NewFromConfig(cfg).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/theirs"), Value: aws.String("their-value"), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	if _, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("theirs"), SecretString: aws.String("their-value")}); err != nil {
		t.Fatal(err)
	}
	store := Open(cfg, t.TempDir())
	for _, loc := range []string{"ssm:/theirs", "secretsmanager:theirs"} {
		t.Run(loc, func(t *testing.T) {
			if err := store.Put(ctx, loc, []byte("ours"), "acme"); !errors.Is(err, ErrNotOwned) {
				t.Errorf("Put over an unmarked secret: %v", err)
			}
			got, _, _ := store.Get(ctx, loc)
			if string(got) != "their-value" {
				t.Errorf("value changed to %q", got)
			}
		})
	}
}

func TestListByStackAndKind(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	store := Open(s.Config("us-west-2"), t.TempDir())
	puts := []struct {
		loc, stack, kind string
	}{
		{"ssm:/a/dkim", "acme", "secret.dkim_key"},
		{"ssm:/a/smtp", "acme", "iam.smtp_user"},
		{"ssm:/b/dkim", "other", "secret.dkim_key"},
		{"secretsmanager:a/dkim", "acme", "secret.dkim_key"},
		{"secretsmanager:b/dkim", "other", "secret.dkim_key"},
		{"secretsmanager:a/smtp", "acme", "iam.smtp_user"},
	}
	for _, p := range puts {
		if err := store.Put(ctx, p.loc, []byte("x"), p.stack, Tag{TagKind, p.kind}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		stack, kind string
		want        []string
	}{
		{"acme", "secret.dkim_key", []string{"secretsmanager:a/dkim", "ssm:/a/dkim"}},
		{"acme", "", []string{"secretsmanager:a/dkim", "secretsmanager:a/smtp", "ssm:/a/dkim", "ssm:/a/smtp"}},
		{"other", "secret.dkim_key", []string{"secretsmanager:b/dkim", "ssm:/b/dkim"}},
		{"nobody", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.stack+"/"+tt.kind, func(t *testing.T) {
			got, err := store.List(ctx, tt.stack, tt.kind)
			if err != nil {
				t.Fatal(err)
			}
			var locs []string
			for _, e := range got {
				locs = append(locs, e.Location.String())
				if e.Tags[specs.TagStack] != tt.stack {
					t.Errorf("%s tags %v", e.Location, e.Tags)
				}
			}
			if fmt.Sprint(locs) != fmt.Sprint(tt.want) {
				t.Errorf("List = %v, want %v", locs, tt.want)
			}
		})
	}
}

func TestSMTPCredentialsNeverShowThePassword(t *testing.T) {
	const pw = "BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9"
	c := NewSMTPCredentials("AKIAEXAMPLE", pw, "us-west-2")
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{
		"json": string(j), "%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c),
		"%#v": fmt.Sprintf("%#v", c), "%s": fmt.Sprintf("%s", c), "ptr %+v": fmt.Sprintf("%+v", &c),
	} {
		if strings.Contains(text, pw) {
			t.Errorf("%s shows the password: %s", name, text)
		}
	}
	stored := c.Encode()
	var doc map[string]any
	if err := json.Unmarshal(stored, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"username": "AKIAEXAMPLE", "password": pw, "host": "email-smtp.us-west-2.amazonaws.com",
		"ports": []any{587.0, 2587.0, 465.0, 2465.0, 25.0}, "region": "us-west-2",
	}
	if fmt.Sprint(doc) != fmt.Sprint(want) {
		t.Errorf("stored document = %v, want %v", doc, want)
	}
	back, err := DecodeSMTPCredentials(stored)
	if err != nil {
		t.Fatal(err)
	}
	if back.Password() != pw || back.Username != "AKIAEXAMPLE" || back.Region != "us-west-2" {
		t.Errorf("decoded %v", back)
	}
	for _, bad := range []string{"not json " + pw, `{"username":"x"}`, `{"password":"` + pw + `"}`} {
		_, err := DecodeSMTPCredentials([]byte(bad))
		if err == nil || strings.Contains(err.Error(), pw) {
			t.Errorf("Decode(%.10q...) error = %v", bad, err)
		}
	}
}

func TestOverwriteCallsAndRestore(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	cfg := s.Config("us-west-2")
	store := Open(cfg, t.TempDir())
	mark := Tag{TagKind, "k"}
	for _, loc := range []string{"ssm:/x", "secretsmanager:x"} {
		if err := store.Put(ctx, loc, []byte("one"), "acme", mark); err != nil {
			t.Fatal(err)
		}
	}
	before := s.Counts()
	for _, loc := range []string{"ssm:/x", "secretsmanager:x"} {
		if err := store.Put(ctx, loc, []byte("two"), "acme", mark); err != nil {
			t.Fatal(err)
		}
	}
	after := s.Counts()
	want := map[string]map[string]int{
		"ssm":            {"PutParameter": 2, "ListTagsForResource": 1, "AddTagsToResource": 0},
		"secretsmanager": {"CreateSecret": 1, "DescribeSecret": 1, "PutSecretValue": 1, "TagResource": 0, "RestoreSecret": 0},
	}
	for svc, ops := range want {
		for op, n := range ops {
			if got := after[svc][op] - before[svc][op]; got != n {
				t.Errorf("overwrite: %s %s calls = %d, want %d", svc, op, got, n)
			}
		}
	}

	t.Run("a secret of the stack scheduled for deletion is restored", func(t *testing.T) {
		sm := secretsmanager.NewFromConfig(cfg)
		if _, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("x"), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
			t.Fatal(err)
		}
		if _, found, err := store.Get(ctx, "secretsmanager:x"); err != nil || found {
			t.Errorf("Get of a secret scheduled for deletion: found=%v err=%v", found, err)
		}
		if err := store.Put(ctx, "secretsmanager:x", []byte("three"), "acme", mark); err != nil {
			t.Fatal(err)
		}
		if got, found, err := store.Get(ctx, "secretsmanager:x"); err != nil || !found || string(got) != "three" {
			t.Errorf("after restore Get = %q %v %v", got, found, err)
		}
	})

	t.Run("missing tags are added to an owned secret", func(t *testing.T) {
		if err := store.Put(ctx, "ssm:/x", []byte("four"), "acme", mark, Tag{specs.TagAddr, "dkim_key.new"}); err != nil {
			t.Fatal(err)
		}
		tags, _, _ := store.Tags(ctx, "ssm:/x")
		if tags[specs.TagAddr] != "dkim_key.new" || tags[TagKind] != "k" {
			t.Errorf("tags = %v", tags)
		}
	})
}

func TestListPaginates(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	store := Open(s.Config("us-west-2"), t.TempDir())
	const n = 55 // DescribeParameters pages hold 50
	for i := range n {
		if err := store.Put(ctx, fmt.Sprintf("ssm:/acme/k%02d", i), []byte("x"), "acme", Tag{TagKind, "k"}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := store.List(ctx, "acme", "k")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n || got[0].Location.String() != "ssm:/acme/k00" || got[n-1].Location.String() != "ssm:/acme/k54" {
		t.Errorf("List returned %d entries: first %v", len(got), got[0].Location)
	}
	// AWS honours MaxResults=50: 2 pages. moto 5.2.1 ignores it and pages
	// by 10: 6 pages. Anything else means the pages are not followed.
	if c := s.Count("ssm", "DescribeParameters"); c != 2 && c != 6 {
		t.Errorf("DescribeParameters calls = %d, want 2 pages of 50 (AWS) or 6 of 10 (moto)", c)
	}
	if c := s.Count("secretsmanager", "ListSecrets"); c != 1 {
		t.Errorf("ListSecrets calls = %d, want 1", c)
	}
}

// echoingSSM fails every PutParameter the way AWS validation does: quoting
// the value it rejects.
type echoingSSM struct{ SSMAPI }

func (echoingSSM) PutParameter(_ context.Context, in *ssm.PutParameterInput, _ ...func(*ssm.Options)) (*ssm.PutParameterOutput, error) {
	v := aws.ToString(in.Value)
	return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "1 validation error detected: Value '" + v[:40] + "...' at 'value' failed to satisfy constraint"}
}

func TestStoreErrorsThatQuoteTheSecretAreWithheld(t *testing.T) {
	store := NewRouter(echoingSSM{}, nil, t.TempDir())
	secret := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"
	err := store.Put(t.Context(), "ssm:/k", []byte(secret), "acme")
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "MIIEvQ") || strings.Contains(err.Error(), "BEGIN PRIVATE") {
		t.Errorf("error quotes the secret: %v", err)
	}
	if !strings.Contains(err.Error(), "ssm:/k") || !strings.Contains(err.Error(), "ValidationException") {
		t.Errorf("error lost the location or the code: %v", err)
	}
	if quotesSecret("Parameter /k is 5000 bytes", secret) {
		t.Error("a message without the secret counted as quoting it")
	}
}

func TestAdopt(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	cfg := s.Config("us-west-2")
	dir := t.TempDir()
	store := Open(cfg, dir)
	if _, err := ssm.NewFromConfig(cfg).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/unmarked"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	if _, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("unmarked"), SecretString: aws.String("v")}); err != nil {
		t.Fatal(err)
	}
	if err := store.Put(ctx, "ssm:/others", []byte("v"), "other"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		loc     string
		wantErr error
		errText string
	}{
		{loc: "ssm:/unmarked"},
		{loc: "secretsmanager:unmarked"},
		{loc: "file:any.pem"},
		{loc: "ssm:/others", wantErr: ErrNotOwned},
		{loc: "ssm:/missing", errText: "no secret there"},
	}
	for _, tt := range tests {
		t.Run(tt.loc, func(t *testing.T) {
			err := store.Adopt(ctx, tt.loc, "acme", Tag{TagKind, "k"})
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("err = %v, want %v", err, tt.wantErr)
				}
				return
			case tt.errText != "":
				if err == nil || !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("err = %v", err)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			if strings.HasPrefix(tt.loc, "file:") {
				return
			}
			tags, _, _ := store.Tags(ctx, tt.loc)
			if !Owned(tags, "acme") || tags[TagKind] != "k" {
				t.Errorf("tags = %v", tags)
			}
			if v, _, _ := store.Get(ctx, tt.loc); string(v) != "v" {
				t.Errorf("value changed to %q", v)
			}
		})
	}
}

// TestDeleteKeepsSecretsRecoverable: a Secrets Manager secret is scheduled
// for deletion with a recovery window (restorable), unless the Router was
// told to force deletion; SSM parameters are deleted either way.
func TestDeleteKeepsSecretsRecoverable(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	cfg := s.Config("us-west-2")
	sm := secretsmanager.NewFromConfig(cfg)
	for _, force := range []bool{false, true} {
		store := Open(cfg, t.TempDir())
		if force {
			store.ForceDeleteSecrets()
		}
		name := fmt.Sprintf("kept-%v", force)
		if err := store.Put(ctx, "secretsmanager:"+name, []byte("v"), "acme"); err != nil {
			t.Fatal(err)
		}
		if err := store.Delete(ctx, "secretsmanager:"+name); err != nil {
			t.Fatal(err)
		}
		desc, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		switch {
		case !force && (err != nil || desc.DeletedDate == nil):
			t.Errorf("deleted without force: %v, %+v; want scheduled for deletion", err, desc)
		case force && err == nil:
			t.Errorf("deleted with force: still described (deleted %v)", desc.DeletedDate)
		}
		if _, found, err := store.Tags(ctx, "secretsmanager:"+name); found || err != nil {
			t.Errorf("force=%v: after Delete the store finds the secret (%v)", force, err)
		}
	}
}

// scheduledSM answers as AWS does for a name scheduled for deletion:
// CreateSecret is refused with InvalidRequestException.
type scheduledSM struct {
	SecretsManagerAPI
	restored, put bool
}

func (s *scheduledSM) CreateSecret(context.Context, *secretsmanager.CreateSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error) {
	return nil, &smtypes.InvalidRequestException{Message: aws.String("You can't create this secret because a secret with this name is already scheduled for deletion.")}
}

func (s *scheduledSM) DescribeSecret(context.Context, *secretsmanager.DescribeSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	deleted := time.Unix(1_800_000_000, 0)
	return &secretsmanager.DescribeSecretOutput{DeletedDate: &deleted, Tags: []smtypes.Tag{{Key: aws.String(specs.TagStack), Value: aws.String("acme")}}}, nil
}

func (s *scheduledSM) RestoreSecret(context.Context, *secretsmanager.RestoreSecretInput, ...func(*secretsmanager.Options)) (*secretsmanager.RestoreSecretOutput, error) {
	s.restored = true
	return &secretsmanager.RestoreSecretOutput{}, nil
}

func (s *scheduledSM) PutSecretValue(context.Context, *secretsmanager.PutSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	s.put = true
	return &secretsmanager.PutSecretValueOutput{}, nil
}

func (s *scheduledSM) TagResource(context.Context, *secretsmanager.TagResourceInput, ...func(*secretsmanager.Options)) (*secretsmanager.TagResourceOutput, error) {
	return &secretsmanager.TagResourceOutput{}, nil
}

// TestPutRestoresANameScheduledForDeletion: the stack's secret deleted with
// a recovery window is restored and written when a later run needs the name.
func TestPutRestoresANameScheduledForDeletion(t *testing.T) {
	sm := &scheduledSM{}
	store := NewRouter(nil, sm, t.TempDir())
	if err := store.Put(t.Context(), "secretsmanager:x", []byte("v"), "acme"); err != nil {
		t.Fatal(err)
	}
	if !sm.restored || !sm.put {
		t.Errorf("restored %v, put %v", sm.restored, sm.put)
	}
}

// TestPublicKeyTags: the pieces read back as written, and a shorter key
// written over a longer one's tags (tags are added, not replaced) reads
// back without the longer key's last piece.
func TestPublicKeyTags(t *testing.T) {
	long, short := strings.Repeat("A", 392), strings.Repeat("B", 216)
	tags := map[string]string{}
	for _, k := range [][]Tag{PublicKeyTags(2048, long), PublicKeyTags(1024, short)} {
		for _, tag := range k {
			tags[tag.Key] = tag.Value
		}
	}
	bits, pub, ok := PublicKeyFromTags(tags)
	if !ok || bits != 1024 || pub != short {
		t.Errorf("read back %d %q %v, want the 1024-bit key", bits, pub, ok)
	}
	for _, tag := range PublicKeyTags(2048, long) {
		if len(tag.Value) > 256 {
			t.Errorf("tag %s has %d characters, more than SSM and Secrets Manager allow", tag.Key, len(tag.Value))
		}
	}
	if _, _, ok := PublicKeyFromTags(map[string]string{TagKeyLength: "2048", TagPublicKey + ".1": long[:256]}); ok {
		t.Error("tags without the number of pieces read as a key")
	}
}
