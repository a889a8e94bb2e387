package secrets

import (
	"strings"
	"testing"
	"time"

	"github.com/mailform/mailform/internal/awstest"
)

// TestPutWaitsForAForceDeletedName: writing a Secrets Manager name force-
// deleted a moment ago waits until Secrets Manager releases it (the double's
// SecretNameHold), with progress, and fails clearly when the wait runs out.
func TestPutWaitsForAForceDeletedName(t *testing.T) {
	s := awstest.Shared(t)
	ctx := t.Context()
	router := Open(s.Config("us-west-2"), t.TempDir())
	router.ForceDeleteSecrets()
	router.sm.holdPoll = 50 * time.Millisecond
	const loc = "secretsmanager:acme/smtp"
	if err := router.Put(ctx, loc, []byte("one"), "acme"); err != nil {
		t.Fatal(err)
	}
	if err := s.Configure(func(o *awstest.Options) { o.SecretNameHold = time.Second }); err != nil {
		t.Fatal(err)
	}
	if err := router.Delete(ctx, loc); err != nil {
		t.Fatal(err)
	}
	var progress []string
	pctx := WithProgress(ctx, func(m string) { progress = append(progress, m) })
	start := time.Now()
	if err := router.Put(pctx, loc, []byte("two"), "acme"); err != nil {
		t.Fatalf("Put right after a force delete: %v", err)
	}
	if time.Since(start) < 500*time.Millisecond || len(progress) == 0 || !strings.Contains(progress[0], "waiting for Secrets Manager to release the name acme/smtp") {
		t.Errorf("Put took %v with progress %q: it did not wait for the name", time.Since(start), progress)
	}
	if got, found, err := router.Get(ctx, loc); err != nil || !found || string(got) != "two" {
		t.Errorf("Get = %q %v %v", got, found, err)
	}

	// A name held longer than the wait: a clear error, no secret in it.
	if err := s.Configure(func(o *awstest.Options) { o.SecretNameHold = time.Minute }); err != nil {
		t.Fatal(err)
	}
	router.sm.holdWait = 300 * time.Millisecond
	if err := router.Delete(ctx, loc); err != nil {
		t.Fatal(err)
	}
	err := router.Put(ctx, loc, []byte("secret-three"), "acme")
	if err == nil || !strings.Contains(err.Error(), "writing secret secretsmanager:acme/smtp: the name is still held by a secret deleted moments ago") || strings.Contains(err.Error(), "secret-three") {
		t.Errorf("Put past the wait: %v", err)
	}
}
