package acceptance

import (
	"strings"
	"testing"
)

// TestReplaceRotatesEachKind: for each kind whose secret -replace renews,
// 'apply -replace ADDR' stores a new secret, and the next plan has nothing to
// do. Providers decide this from the change's typed cause, never from its
// words.
func TestReplaceRotatesEachKind(t *testing.T) {
	t.Run("smtp_user", func(t *testing.T) {
		e := newEnv(t, "ses-domain", "acme.example")
		e.must(0, "apply", e.dir, "-auto-approve")
		oldKey, oldPassword := activeKey(t, e)
		e.must(0, "apply", e.dir, "-auto-approve", "-replace", "smtp_user.webapp")
		newKey, newPassword := activeKey(t, e)
		if newKey == oldKey || newPassword == oldPassword {
			t.Errorf("the access key was not rotated: %s -> %s", oldKey, newKey)
		}
		e.must(0, "plan", e.dir, "-detailed-exitcode")
	})
	t.Run("dkim_key", func(t *testing.T) {
		e := newEnv(t, "")
		e.region = "eu-west-1"
		zoneID := e.createZone("keys.example")
		e.write("main.hcl", `mailform {
  stack  = "keys"
  region = "eu-west-1"
}

zone "keys.example" {}

dkim_key "a" {
  domain      = "keys.example"
  selector    = "a"
  private_key = "ssm:/keys/dkim/a"
}
`)
		e.must(0, "apply", e.dir, "-auto-approve")
		oldKey := e.ssmSecret("/keys/dkim/a")
		p := e.must(0, "plan", e.dir, "-replace", "dkim_key.a")
		if !strings.Contains(p.stdout, "-/+ dkim_key.a") {
			t.Errorf("plan -replace dkim_key.a:\n%s", p.stdout)
		}
		e.must(0, "apply", e.dir, "-auto-approve", "-replace", "dkim_key.a")
		newKey := e.ssmSecret("/keys/dkim/a")
		if string(newKey) == string(oldKey) {
			t.Fatal("the DKIM key was not replaced")
		}
		e.requireDKIMKey(e.recordSets(zoneID), "a._domainkey.keys.example.", newKey, 2048)
		e.must(0, "plan", e.dir, "-detailed-exitcode")
		e.requireNoSecrets(nil, append(e.secretLines(oldKey), e.secretLines(newKey)...)...)
	})
}
