package iam

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/internal/secrets"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// keyIDs returns the IDs of the user's access keys.
func (f *fixture) keyIDs(t *testing.T) []string {
	t.Helper()
	keys, err := f.iam.ListAccessKeys(t.Context(), &iamsdk.ListAccessKeysInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range keys.AccessKeyMetadata {
		ids = append(ids, aws.ToString(k.AccessKeyId))
	}
	return ids
}

func (f *fixture) storedKey(t *testing.T) string {
	t.Helper()
	raw, found, err := f.store.Get(t.Context(), credLoc)
	if err != nil || !found {
		t.Fatalf("credentials at %s: found=%v err=%v", credLoc, found, err)
	}
	creds, err := secrets.DecodeSMTPCredentials(raw)
	if err != nil {
		t.Fatal(err)
	}
	return creds.Username
}

func rotate(f *fixture, t *testing.T) plan.Change {
	want := desiredWebapp()
	c := planFor(want, f.read(t, want))
	c.Action, c.Reason, c.Causes = plan.Replace, "replace requested", []plan.Cause{plan.CauseRequested}
	return c
}

// TestRotationKeepsOldKeyUntilNewOneIsAccepted: with IAM refusing a new key
// for a while (the double's AccessKeyDelay), a rotation probes the new key
// with STS until it is accepted, and only then deletes the old one, which
// works for SigV4 throughout.
func TestRotationKeepsOldKeyUntilNewOneIsAccepted(t *testing.T) {
	f := newFixture(t)
	f.p.WithKeyProof(KeyProof{Probe: STSProbe(f.s.Config(region)), Wait: 20 * time.Second, Poll: 100 * time.Millisecond})
	want := desiredWebapp()
	f.mustApply(t, planFor(want, f.read(t, want)))
	old := f.storedKey(t)
	if err := f.s.Configure(func(o *awstest.Options) { o.AccessKeyDelay = 1500 * time.Millisecond }); err != nil {
		t.Fatal(err)
	}

	probe := STSProbe(f.s.Config(region))
	f.rec.mu.Lock()
	oldSecret := f.rec.secrets[old]
	f.rec.mu.Unlock()
	// The old key is older than the delay, as a key in use is.
	for deadline := time.Now().Add(5 * time.Second); probe(t.Context(), old, oldSecret) != nil; {
		if time.Now().After(deadline) {
			t.Fatal("the old key is never accepted")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, tc := range []struct {
		name   string
		region string
		change func(*testing.T) plan.Change
	}{
		{"requested rotation", region, func(t *testing.T) plan.Change { return rotate(f, t) }},
		{"region change", "eu-west-1", func(t *testing.T) plan.Change {
			moved := desiredWebapp(func(a map[string]any) { a["region"] = "eu-west-1" })
			return planFor(moved, f.read(t, moved))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { f.rotateWatched(t, tc.change(t), old, oldSecret, probe, tc.region) })
		old = f.storedKey(t)
		f.rec.mu.Lock()
		oldSecret = f.rec.secrets[old]
		f.rec.mu.Unlock()
		for deadline := time.Now().Add(5 * time.Second); probe(t.Context(), old, oldSecret) != nil; {
			if time.Now().After(deadline) {
				t.Fatal("the new key is never accepted")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// rotateWatched applies a change that replaces the user's key old, checking
// that it waits for AWS to accept the new key, that old keeps working
// meanwhile, and that one key remains.
func (f *fixture) rotateWatched(t *testing.T, c plan.Change, old, oldSecret string, probe KeyProbe, wantRegion string) {
	var progress []string
	var oldRefused error
	start := time.Now()
	res := f.p.Apply(t.Context(), providers.ApplyRequest{Stack: stack, Region: region, Changes: []plan.Change{c},
		Progress: func(a, msg string) {
			progress = append(progress, msg)
			// During the wait the old key still authenticates.
			if err := probe(t.Context(), old, oldSecret); err != nil && oldRefused == nil {
				oldRefused = err
			}
		}})
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	f.outputs = append(f.outputs, res[0].Message, strings.Join(progress, "\n"))
	if time.Since(start) < time.Second {
		t.Errorf("the rotation took %v: it did not wait for the new key", time.Since(start))
	}
	if len(progress) == 0 || !strings.Contains(progress[0], "waiting for AWS to accept new access key") || !strings.Contains(progress[0], "InvalidClientTokenId") {
		t.Errorf("progress = %q", progress)
	}
	if oldRefused != nil {
		t.Errorf("the old key was refused while the new one propagated: %v", oldRefused)
	}
	if id := f.converged(t, name, credLoc, wantRegion); id == old {
		t.Errorf("the key was not replaced")
	}
}

// TestRotationKeepsOldKeyWhenNewOneIsNotYetAccepted: when the wait runs out
// the run succeeds with two keys, the old still working; the next plan
// shows the user needs work and the next apply deletes the old key.
func TestRotationKeepsOldKeyWhenNewOneIsNotYetAccepted(t *testing.T) {
	f := newFixture(t)
	want := desiredWebapp()
	f.mustApply(t, planFor(want, f.read(t, want)))
	old := f.storedKey(t)
	refusing := true
	f.p.WithKeyProof(KeyProof{Wait: 300 * time.Millisecond, Poll: 50 * time.Millisecond,
		Probe: func(ctx context.Context, id, secret string) error {
			if refusing {
				return errors.New("refused")
			}
			return nil
		}})
	res := f.mustApply(t, rotate(f, t))
	if !strings.Contains(res[0].Message, "kept access key "+old) || !strings.Contains(res[0].Message, "the next apply deletes it") {
		t.Errorf("message = %q", res[0].Message)
	}
	ids := f.keyIDs(t)
	if len(ids) != 2 || f.storedKey(t) == old {
		t.Fatalf("keys %v, stored %s: want the old and the new key, the new one stored", ids, f.storedKey(t))
	}
	obs := f.read(t, want)
	if extras, _ := obs[0].Attrs["extra_access_key_ids"].([]any); len(extras) != 1 || extras[0] != old {
		t.Errorf("after an unfinished rotation extra_access_key_ids = %v, want the old key %s (plan deletes it)", obs[0].Attrs["extra_access_key_ids"], old)
	}
	// The next run finishes the job once the new key is old enough.
	refusing = false
	time.Sleep(300 * time.Millisecond)
	res = f.mustApply(t, planFor(want, obs))
	if !strings.Contains(res[0].Message, "deleted access key "+old) {
		t.Errorf("second run message = %q", res[0].Message)
	}
	f.converged(t, name, credLoc, region)
}

// TestRenameKeepsSecretsManagerCredentials: a new user_name with credentials
// in Secrets Manager overwrites the stored credentials instead of deleting
// the secret and creating it again (Secrets Manager holds a force-deleted
// name for a while): no wait, no moment without stored credentials.
func TestRenameKeepsSecretsManagerCredentials(t *testing.T) {
	f := newFixture(t)
	const loc = "secretsmanager:acme/smtp/webapp"
	first := desiredWebapp(func(a map[string]any) { a["credentials"] = loc })
	f.mustApply(t, planFor(first, f.read(t, first)))
	if err := f.s.Configure(func(o *awstest.Options) { o.SecretNameHold = time.Minute }); err != nil {
		t.Fatal(err)
	}
	renamed := desiredWebapp(func(a map[string]any) { a["credentials"] = loc; a["user_name"] = "acme-smtp-web" })
	obs := f.read(t, first)
	c := plan.Change{Addr: addr, Kind: specs.KindSMTPUser, Action: plan.Replace, ID: name, Before: obs[0].Attrs, After: renamed.Attrs,
		Diffs: []plan.AttrDiff{{Name: "user_name", Before: name, After: "acme-smtp-web", Replaces: true}}}
	f.mustApply(t, c)
	if n := f.s.Count("secretsmanager", "DeleteSecret"); n != 0 {
		t.Errorf("DeleteSecret calls = %d: the rename deleted the credentials it was about to write", n)
	}
	f.converged(t, "acme-smtp-web", loc, region)
}

// TestPlanRightAfterCreateFindsTheUser: while GetAccountAuthorizationDetails
// does not yet show a user created moments ago (the double's ListLag), Read
// finds the declared user by name, with its policy and stored password.
func TestPlanRightAfterCreateFindsTheUser(t *testing.T) {
	f := newFixture(t)
	if err := f.s.Configure(func(o *awstest.Options) { o.ListLag = time.Minute }); err != nil {
		t.Fatal(err)
	}
	want := desiredWebapp()
	f.mustApply(t, planFor(want, f.read(t, want)))
	obs := f.read(t, want)
	if len(obs) != 1 || obs[0].Owner != stack || obs[0].Attrs["policy"] != want.Attrs["policy"] {
		t.Fatalf("right after apply Read observes %+v", obs)
	}
	if _, ok := obs[0].Attrs["password"]; !ok {
		t.Errorf("password not observed: %v", obs[0].Attrs)
	}
}
