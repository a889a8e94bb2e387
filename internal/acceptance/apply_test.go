package acceptance

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	iamprov "github.com/mailform/mailform/providers/iam"
)

// activeKey returns the SMTP user's only access key and the stored password.
func activeKey(t *testing.T, e *env) (keyID, password string) {
	t.Helper()
	keys, err := iam.NewFromConfig(e.cfg()).ListAccessKeys(e.ctx(), &iam.ListAccessKeysInput{UserName: aws.String("acme-prod-smtp-webapp")})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 1 {
		t.Fatalf("the SMTP user has %d access keys, want 1", len(keys.AccessKeyMetadata))
	}
	param, err := ssm.NewFromConfig(e.cfg()).GetParameter(e.ctx(), &ssm.GetParameterInput{Name: aws.String("/acme/mail/smtp/webapp"), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var creds struct{ Username, Password string }
	if err := json.Unmarshal([]byte(aws.ToString(param.Parameter.Value)), &creds); err != nil {
		t.Fatal(err)
	}
	keyID = aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId)
	if creds.Username != keyID {
		t.Errorf("stored username %q is not the active key %q", creds.Username, keyID)
	}
	return keyID, creds.Password
}

// TestRotatingSMTPCredentials: -replace smtp_user.NAME gives a new key whose
// password is stored, and deletes the old key.
func TestRotatingSMTPCredentials(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	e.must(0, "apply", e.dir, "-auto-approve")
	oldKey, oldPassword := activeKey(t, e)

	p := e.must(0, "plan", e.dir, "-replace", "smtp_user.webapp")
	if !strings.Contains(p.stdout, "-/+ smtp_user.webapp") || !strings.Contains(p.stdout, "Plan: 0 to add, 0 to change, 1 to replace, 0 to destroy.") {
		t.Errorf("rotation plan:\n%s", p.stdout)
	}
	e.must(0, "apply", e.dir, "-auto-approve", "-replace", "smtp_user.webapp")
	newKey, newPassword := activeKey(t, e)
	if newKey == oldKey || newPassword == oldPassword {
		t.Fatalf("the key was not rotated: %s -> %s", oldKey, newKey)
	}
	secret, ok := e.s.AccessKeySecret(newKey)
	if !ok || newPassword != iamprov.SMTPPassword(secret, "us-west-2") {
		t.Error("the stored password is not the derivation of the new key's secret")
	}
	e.must(0, "plan", e.dir, "-detailed-exitcode")
	oldSecret, _ := e.s.AccessKeySecret(oldKey)
	e.requireNoSecrets(nil, secret, oldSecret, newPassword, oldPassword)

	r := e.must(1, "plan", e.dir, "-replace", "smtp_user.nobody")
	if !strings.Contains(r.stderr, "Nothing to replace at smtp_user.nobody") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// TestSavedPlanIsRefusedWhenStale: a plan file applies as saved, and is
// refused, naming what changed, after an out-of-band change.
func TestSavedPlanIsRefusedWhenStale(t *testing.T) {
	e := newEnv(t, "ses-domain")
	zoneID := e.createZone("acme.example")
	e.must(0, "apply", e.dir, "-auto-approve")

	e.edit("main.hcl", `policy = "quarantine"`, `policy = "reject"`)
	planFile := filepath.Join(t.TempDir(), "dmarc.plan")
	e.must(0, "plan", e.dir, "-out", planFile)

	// Someone edits the DMARC record by hand before the plan is applied.
	_, err := route53.NewFromConfig(e.s.Config("us-east-1")).ChangeResourceRecordSets(e.ctx(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action: r53types.ChangeActionUpsert,
			ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: aws.String("_dmarc.acme.example."), Type: r53types.RRTypeTxt, TTL: aws.Int64(300),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"v=DMARC1; p=none"`)}},
			},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := e.must(1, "apply", planFile)
	if !strings.Contains(r.stderr, "domain.acme.example/dmarc") || !strings.Contains(r.stderr, "mailform plan -out") {
		t.Errorf("stale refusal does not name the record or the way out:\n%s", r.stderr)
	}
	e.requireRecord(e.recordSets(zoneID), "_dmarc.acme.example.", "TXT", `"v=DMARC1; p=none"`)

	// A fresh plan applies as saved, and then there is nothing left to do.
	e.must(0, "plan", e.dir, "-out", planFile)
	e.must(0, "apply", planFile)
	e.requireRecord(e.recordSets(zoneID), "_dmarc.acme.example.", "TXT", `"v=DMARC1; p=reject; rua=mailto:ops@acme.example"`)
	e.must(0, "plan", e.dir, "-detailed-exitcode")
}

// TestStackLock: an apply refuses to start while another holds the lock,
// naming the holder; unlock breaks a lock left by a killed run.
func TestStackLock(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	_, err := ssm.NewFromConfig(e.cfg()).PutParameter(e.ctx(), &ssm.PutParameterInput{
		Name:  aws.String("/mailform/locks/acme-prod"),
		Type:  ssmtypes.ParameterTypeString,
		Value: aws.String(`{"who":"ci@runner-7","pid":4242,"operation":"apply","since":"2026-11-30T06:00:00Z"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := e.must(1, "apply", e.dir, "-auto-approve")
	for _, want := range []string{"locked by ci@runner-7", "pid 4242", "since 2026-11-30T06:00:00Z", "mailform unlock"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("lock refusal lacks %q:\n%s", want, r.stderr)
		}
	}
	// Nothing was changed while the lock was held.
	if p := e.must(0, "plan", e.dir); !strings.Contains(p.stdout, "Plan: 12 to add") {
		t.Errorf("something was applied despite the lock:\n%s", p.stdout)
	}
	r = e.must(1, "unlock", e.dir)
	if !strings.Contains(r.stdout, "locked by ci@runner-7") || !strings.Contains(r.stderr, "Lock kept") {
		t.Errorf("unlock without a terminal or -force:\nstdout %s\nstderr %s", r.stdout, r.stderr)
	}
	e.must(0, "unlock", e.dir, "-force")
	e.must(0, "apply", e.dir, "-auto-approve")
	// The apply released its own lock.
	if r := e.must(0, "unlock", e.dir); !strings.Contains(r.stdout, "is not locked") {
		t.Errorf("after apply: %s", r.stdout)
	}
}

// TestWaitForVerification: -wait returns once SES sees the records; for a
// domain whose DNS is elsewhere the wait ends with the apply done (exit 0)
// and the domain not yet verified, saying what SES expects and what DNS
// answers.
func TestWaitForVerification(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	r := e.must(0, "apply", e.dir, "-auto-approve", "-wait=2m")
	if !strings.Contains(r.stdout, "identities are verified") {
		t.Errorf("apply -wait:\n%s", r.stdout)
	}

	e.write("elsewhere.hcl", `domain "partner.example" {
  dmarc {
    policy = "none"
  }
}
`)
	p := e.must(0, "plan", e.dir)
	for _, want := range []string{"Publish these records at your DNS provider", "_dmarc.partner.example.", `"v=DMARC1; p=none"`} {
		if !strings.Contains(p.stdout, want) {
			t.Errorf("plan lacks %q for a domain whose DNS is elsewhere:\n%s", want, p.stdout)
		}
	}
	r = e.must(0, "apply", e.dir, "-auto-approve", "-wait=1s", "-resolver", e.s.DNSAddr())
	for _, want := range []string{"Applied; not yet verified", "partner.example is not verified yet", "_domainkey.partner.example. CNAME: SES expects ", "; DNS could not be asked: "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("a timed-out wait does not say %q:\n%s", want, r.stdout)
		}
	}
}

// TestApplyJSONProgress: with -json every line is a JSON event a pipeline
// can parse, ending with a summary.
func TestApplyJSONProgress(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	r := e.must(0, "apply", e.dir, "-auto-approve", "-json")
	var last map[string]any
	phases := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("not a JSON line: %q (%v)", sc.Text(), err)
		}
		if ph, ok := ev["phase"].(string); ok {
			phases[ph]++
		}
		last = ev
	}
	if phases["started"] != 12 || phases["done"] != 12 {
		t.Errorf("phases = %v, want 12 started and 12 done", phases)
	}
	if last["type"] != "summary" || last["applied"] != float64(12) {
		t.Errorf("last line = %v", last)
	}
}
