package acceptance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	smithy "github.com/aws/smithy-go"

	"github.com/mailform/mailform/internal/awsrecord"
	"github.com/mailform/mailform/internal/awstest"
)

// lifecycleScenarios are the main scenarios a lifecycle runs: the
// reliability scenarios and many-domains cut to three domains.
func lifecycleScenarios() []scenario {
	return append(slices.Clone(scenarios), scenario{
		example: "many-domains", region: "eu-central-1", zones: []string{"brands.example"},
		prepare: func(e *env) { keepDomains(e.t, filepath.Join(e.dir, "domains.hcl"), 3) },
	})
}

func lifecycleScenarioNamed(t *testing.T, name string) scenario {
	for _, sc := range lifecycleScenarios() {
		if sc.example == name {
			return sc
		}
	}
	t.Fatalf("no scenario %q", name)
	return scenario{}
}

// e2eListLag bounds how long a remote AWS's list calls may show what was deleted.
const e2eListLag = 3 * time.Minute

// lifecycleEdit is the change a lifecycle makes after the first apply: a
// DMARC policy, in the example's names, and the domain whose record shows it.
type lifecycleEdit struct {
	file, from, to, domain, want string
}

var lifecycleEdits = map[string]lifecycleEdit{
	"ses-domain":   {"main.hcl", `policy = "quarantine"`, `policy = "reject"`, "acme.example", "p=reject"},
	"ec2-mta":      {"main.hcl", `policy           = "reject"`, `policy           = "quarantine"`, "northwind.example", "p=quarantine"},
	"hybrid":       {"ses.hcl", `policy = "quarantine"`, `policy = "reject"`, "globex.example", "p=reject"},
	"many-domains": {"domains.hcl", `policy = "quarantine"`, `policy = "reject"`, "brand001.brands.example", "p=reject"},
}

// runLifecycle is one scenario's life, the same against the double and
// against AWS: apply; a plan with no changes; a change, applied, that the
// zone shows; each SMTP user's key rotated, the stored credentials
// following it; destroy, after which the stack's inventory is what it was
// before; and no secret in anything mailform printed. It returns the
// secrets it checked for.
func runLifecycle(e *env, sc scenario) []string {
	t := e.t
	t.Helper()
	edit := lifecycleEdits[sc.example]
	before := e.stackInventory()

	if e.remote != nil && e.remote.backend == "aws" {
		// On AWS, wait for SES to verify (the recorder sees how long it
		// takes); apply exits 0 whether or not it did in time.
		start := time.Now()
		r := e.must(0, "apply", e.dir, "-auto-approve", "-wait=20m")
		if strings.Contains(r.stdout, "identities are verified") {
			e.remote.rec.Note("apply-wait-verified", e.token, time.Since(start))
		} else {
			e.remote.rec.Note("apply-wait-gave-up", e.token, time.Since(start))
		}
	} else {
		e.must(0, "apply", e.dir, "-auto-approve")
	}
	e.must(0, "plan", e.dir, "-detailed-exitcode")
	zoneID := e.zoneID(e.name(sc.zones[0]))
	dmarc := "_dmarc." + e.name(edit.domain) + "."
	if got := values(e.recordSets(zoneID)[dmarc+" TXT"]); len(got) != 1 || !strings.Contains(got[0], "v=DMARC1") {
		t.Errorf("%s TXT after apply = %q", dmarc, got)
	}

	e.edit(edit.file, edit.from, edit.to)
	e.must(0, "apply", e.dir, "-auto-approve")
	e.must(0, "plan", e.dir, "-detailed-exitcode")
	if got := values(e.recordSets(zoneID)[dmarc+" TXT"]); len(got) != 1 || !strings.Contains(got[0], edit.want) {
		t.Errorf("%s TXT after the change = %q, want %s", dmarc, got, edit.want)
	}

	var secrets []string
	for _, c := range sc.smtp {
		block := c.location[strings.LastIndexAny(c.location, "/:")+1:]
		old := e.storedKey(c)
		e.must(0, "apply", e.dir, "-auto-approve", "-replace", "smtp_user."+block)
		if now := e.storedKey(c); now == old {
			t.Errorf("smtp_user.%s: the key was not rotated (%s)", block, old)
		}
		var stored struct{ Username, Password string }
		_ = json.Unmarshal(e.readSecret(e.name(c.location)), &stored)
		secrets = append(secrets, stored.Password)
		if e.remote != nil && e.remote.smtp != nil {
			// The stored credentials work where SMTP clients use them.
			if err := e.remote.smtp.auth(e.region, stored.Username, stored.Password); err != nil {
				t.Errorf("SMTP AUTH with the rotated credentials of smtp_user.%s: %v", block, err)
			}
		}
	}
	if e.s != nil {
		secrets = append(secrets, e.requireSMTPSecrets(sc)...)
		secrets = append(secrets, e.keySecretsOfUsers(sc)...)
	}
	for _, loc := range sc.keys {
		secrets = append(secrets, e.secretLines(e.readSecret(e.name(loc)))...)
	}
	if e.remote != nil {
		e.remote.rec.Redact(secrets...)
	}
	e.must(0, "plan", e.dir, "-detailed-exitcode")

	destroyed := e.must(0, "apply", e.dir, "-destroy", "-auto-approve")
	for _, loc := range sc.keys {
		// A key file carries no ownership mark: destroy keeps it (it is
		// not in a -destroy plan at all) and leaves it to the user, who
		// removes it.
		if rel, ok := strings.CutPrefix(loc, "file:"); ok {
			if strings.Contains(destroyed.stdout, loc) {
				t.Errorf("destroy names the kept key file %s:\n%s", loc, destroyed.stdout)
			}
			if err := os.Remove(filepath.Join(e.dir, rel)); err != nil {
				t.Error(err)
			}
		}
	}
	e.must(0, "plan", e.dir, "-destroy", "-detailed-exitcode")
	after, left := e.stackInventory(), e.notGone(sc, edit.domain)
	// AWS may show a resource for a while after its deletion (eventual
	// consistency); the double answers at once.
	for deadline := time.Now().Add(e2eListLag); e.remote != nil && (!slices.Equal(before, after) || len(left) > 0) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Second)
		after, left = e.stackInventory(), e.notGone(sc, edit.domain)
	}
	for _, problem := range left {
		t.Error(problem)
	}
	if !slices.Equal(before, after) {
		t.Errorf("after destroy the account holds\n%s\nwant, as before apply,\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	e.requireNoSecrets(nil, secrets...)
	return secrets
}

// notGone says which of the stack's SMTP users, their stored credentials
// and the domain's SES identity are not gone, each asked for by name (a
// list call may be paged; a read by name is not).
func (e *env) notGone(sc scenario, domain string) []string {
	e.t.Helper()
	var problems []string
	gone := func(what string, err error, codes ...string) {
		var apiErr smithy.APIError
		if err == nil {
			problems = append(problems, what+" is still there after destroy")
		} else if !errors.As(err, &apiErr) || !slices.Contains(codes, apiErr.ErrorCode()) {
			problems = append(problems, fmt.Sprintf("%s after destroy: %v, want one of %v", what, err, codes))
		}
	}
	for _, c := range sc.smtp {
		_, err := iam.NewFromConfig(e.cfg()).GetUser(e.ctx(), &iam.GetUserInput{UserName: aws.String(e.name(c.user))})
		gone("IAM user "+e.name(c.user), err, "NoSuchEntity")
		kind, name, _ := strings.Cut(e.name(c.location), ":")
		switch kind {
		case "ssm":
			_, err := ssm.NewFromConfig(e.cfg()).GetParameter(e.ctx(), &ssm.GetParameterInput{Name: aws.String(name)})
			gone("SSM parameter "+name, err, "ParameterNotFound")
		case "secretsmanager":
			_, err := secretsmanager.NewFromConfig(e.cfg()).GetSecretValue(e.ctx(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
			gone("secret "+name, err, "ResourceNotFoundException", "InvalidRequestException")
		}
	}
	_, err := sesv2.NewFromConfig(e.cfg()).GetEmailIdentity(e.ctx(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(e.name(domain))})
	gone("SES identity "+e.name(domain), err, "NotFoundException")
	return problems
}

// storedKey fails unless the SMTP user has exactly one access key and the
// stored credentials name it; it returns the key id.
func (e *env) storedKey(c smtpCredentials) string {
	e.t.Helper()
	keys, err := iam.NewFromConfig(e.cfg()).ListAccessKeys(e.ctx(), &iam.ListAccessKeysInput{UserName: aws.String(e.name(c.user))})
	if err != nil {
		e.t.Fatalf("access keys of %s: %v", e.name(c.user), err)
	}
	if len(keys.AccessKeyMetadata) != 1 {
		e.t.Fatalf("%s has %d access keys, want 1", e.name(c.user), len(keys.AccessKeyMetadata))
	}
	var stored struct{ Username string }
	if err := json.Unmarshal(e.readSecret(e.name(c.location)), &stored); err != nil {
		e.t.Fatalf("%s: %v", e.name(c.location), err)
	}
	id := aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId)
	if stored.Username != id {
		e.t.Errorf("%s: stored username %q is not the active key %q", e.name(c.location), stored.Username, id)
	}
	return id
}

// zoneID finds a hosted zone by name.
func (e *env) zoneID(name string) string {
	e.t.Helper()
	out, err := route53.NewFromConfig(e.configIn("us-east-1")).ListHostedZonesByName(e.ctx(), &route53.ListHostedZonesByNameInput{DNSName: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, z := range out.HostedZones {
		if aws.ToString(z.Name) == name+"." {
			return aws.ToString(z.Id)
		}
	}
	e.t.Fatalf("no hosted zone %s", name)
	return ""
}

// stackInventory is the inventory of what the scenario could leak (files
// of the spec folder aside: apply writes key files there); against a
// remote AWS, only what carries this run's names.
func (e *env) stackInventory() []string {
	e.t.Helper()
	var out []string
	for _, line := range e.inventory() {
		if strings.HasPrefix(line, "file ") || (e.remote != nil && !strings.Contains(line, e.token)) {
			continue
		}
		out = append(out, line)
	}
	return out
}

// TestScenarioLifecycle runs each main scenario's lifecycle against the double.
func TestScenarioLifecycle(t *testing.T) {
	for _, sc := range lifecycleScenarios() {
		t.Run(sc.example, func(t *testing.T) {
			runLifecycle(newScenarioEnv(t, sc), sc)
		})
	}
}

// newRemoteEnv prepares sc against r, skipping ec2-mta when there is no
// instance to give it.
func newRemoteEnv(t *testing.T, r *remoteAWS, sc scenario) *env {
	t.Helper()
	if sc.example == "ec2-mta" && r.instance == "" && r.backend != "sandbox" {
		t.Skipf("ec2-mta needs a running instance: set %s (in the scenario's region, or %s)", e2eInstanceEnv, e2eRegionEnv)
	}
	e := r.newEnv(t, sc, "")
	for _, z := range sc.zones {
		e.createZone(e.name(z))
	}
	if sc.example == "ec2-mta" {
		instance := r.instance
		if instance == "" {
			instance = e.runInstance()
		}
		e.edit("main.hcl", `"i-0abc1234def567890"`, `"`+instance+`"`)
		r.saveSpec(e)
	}
	return e
}

// TestE2E runs the lifecycles against the AWS MAILFORM_E2E_AWS names (a
// real account or a started sandbox), and writes the answers it met; with
// -e2e-sweep it destroys what earlier runs left instead.
func TestE2E(t *testing.T) {
	if e2e == nil {
		t.Skipf("set %s=1 (a real AWS account) or %s=sandbox to run the end-to-end suite (docs/testing.md)", e2eEnv, e2eEnv)
	}
	defer e2e.writeRecord()
	if *e2eSweep {
		for _, z := range e2e.sweep(t) {
			t.Logf("sweeping %s", z)
		}
		return
	}
	t.Logf("run %s; AWS's answers go to %s", e2e.runID, e2e.recordPath)
	for _, sc := range lifecycleScenarios() {
		t.Run(sc.example, func(t *testing.T) {
			runLifecycle(newRemoteEnv(t, e2e, sc), sc)
		})
	}
}

// selfTestZone is the delegated zone the self-tests create in the double.
const selfTestZone = "e2e.example.org"

// selfTestRemote resets the double and returns a remote AWS in front of
// it, as MAILFORM_E2E_AWS=sandbox would make, with the delegated zone.
func selfTestRemote(t *testing.T) (*awstest.Server, *remoteAWS) {
	s := awstest.Shared(t)
	newEnv(t, "", selfTestZone)
	r := newRemote("sandbox", s.URL(), selfTestZone)
	var err error
	if r.smtp, err = doubleSMTP(s); err != nil {
		t.Fatal(err)
	}
	return s, r
}

// TestE2EAgainstTheDouble runs the end-to-end suite's own code (names,
// zones and their delegation, the recorder, cleanup and the sweep) against
// the double, so that it cannot rot while nobody runs it against AWS.
func TestE2EAgainstTheDouble(t *testing.T) {
	s, r := selfTestRemote(t)
	secrets := []string{os.Getenv("AWS_SECRET_ACCESS_KEY"), os.Getenv("AWS_ACCESS_KEY_ID")}
	for _, name := range []string{"ses-domain", "ec2-mta", "hybrid", "many-domains"} {
		sc := lifecycleScenarioNamed(t, name)
		t.Run(name, func(t *testing.T) {
			e := newRemoteEnv(t, r, sc)
			if !strings.HasPrefix(e.token, r.runID+"-") || !strings.Contains(e.name("acme-prod"), r.runID) && name == "ses-domain" {
				t.Errorf("names are not the run's: token %s", e.token)
			}
			secrets = append(secrets, runLifecycle(e, sc)...)
		})
	}
	path := filepath.Join(t.TempDir(), "answers.json")
	if err := r.rec.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range secrets {
		// A dummy credential as short as a word ("sandbox") is no secret.
		if len(secret) >= 12 && strings.Contains(string(raw), secret) {
			t.Errorf("the recorded answers hold a secret starting %q", secret[:4])
		}
	}
	f := r.rec.Snapshot()
	ops := map[string]bool{}
	for _, c := range f.Calls {
		ops[c.Source+": "+c.Service+" "+c.Operation] = true
	}
	for _, want := range []string{"mailform: Route 53 ChangeResourceRecordSets", "mailform: SESv2 CreateEmailIdentity", "mailform: IAM CreateAccessKey", "suite: SSM GetParameter", "suite: Route 53 CreateHostedZone"} {
		if !ops[want] {
			t.Errorf("the recorder did not see %s (mailform's own calls): %v", want, ops)
		}
	}
	// The subtests' cleanups deleted the zones they made, and their delegations.
	zones := e2eZonesIn(t, s)
	if len(zones) != 1 || zones[0] != selfTestZone+"." {
		t.Errorf("hosted zones after cleanup: %v", zones)
	}

	// A stack a killed run left (registered nowhere) is found and
	// destroyed by the sweep.
	users, err := iam.NewFromConfig(s.Config("us-east-1")).ListUsers(t.Context(), &iam.ListUsersInput{})
	if err != nil || len(users.Users) != 0 {
		t.Fatalf("IAM users after the lifecycles: %v (%v)", users, err)
	}
	var leftToken string
	t.Run("leave", func(t *testing.T) {
		other := newRemote("sandbox", s.URL(), selfTestZone)
		e := newRemoteEnv(t, other, scenarioNamed(t, "ses-domain"))
		e.must(0, "apply", e.dir, "-auto-approve")
		leftToken = e.token
		other.mu.Lock()
		other.stacks[0].done = true // as if the process had been killed
		other.mu.Unlock()
	})
	if n := len(e2eZonesIn(t, s)); n != 2 {
		t.Fatalf("the left stack's zone is not there: %d zones", n)
	}
	t.Run("sweep", func(t *testing.T) {
		if swept := newRemote("sandbox", s.URL(), selfTestZone).sweep(t); len(swept) != 1 || !strings.HasPrefix(swept[0], leftToken+".") {
			t.Errorf("swept %v, want the zone of %s", swept, leftToken)
		}
	})
	zones = e2eZonesIn(t, s)
	if len(zones) != 1 {
		t.Errorf("hosted zones after the sweep: %v", zones)
	}
	users, err = iam.NewFromConfig(s.Config("us-east-1")).ListUsers(t.Context(), &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Users {
		t.Errorf("IAM user %s left after the sweep", aws.ToString(u.UserName))
	}
}

func e2eZonesIn(t *testing.T, s *awstest.Server) []string {
	t.Helper()
	out, err := route53.NewFromConfig(s.Config("us-east-1")).ListHostedZones(t.Context(), &route53.ListHostedZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, z := range out.HostedZones {
		names = append(names, aws.ToString(z.Name))
	}
	return names
}

// interruptChildEnv marks the test process TestE2EInterruptCleansUp starts.
const interruptChildEnv = "MAILFORM_E2E_INTERRUPT_CHILD"

// TestE2EInterruptCleansUp starts the suite in a process of its own against
// the double (MAILFORM_E2E_AWS=sandbox), interrupts it with SIGINT after its
// first apply, and finds that the process destroyed the stack, deleted its
// zone and wrote the recorded answers before exiting.
func TestE2EInterruptCleansUp(t *testing.T) {
	if os.Getenv(interruptChildEnv) != "" {
		t.Skip("the child runs TestE2EInterruptChild")
	}
	s, _ := selfTestRemote(t)
	record := filepath.Join(t.TempDir(), "answers.json")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^TestE2EInterruptChild$", "-test.v", "-test.timeout", "2h")
	cmd.Env = append(os.Environ(), interruptChildEnv+"=1", e2eEnv+"=sandbox", "AWS_ENDPOINT_URL="+s.URL(),
		e2eZoneEnv+"="+selfTestZone, e2eRecordEnv+"="+record, "AWS_REGION=us-east-1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	applied := false
	var transcript strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		transcript.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "E2E-APPLIED ") {
			applied = true
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
		}
	}
	err = cmd.Wait()
	if !applied {
		t.Fatalf("the child never applied (%v):\n%s\n%s", err, transcript.String(), stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("the interrupted run exited %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "cleanup done, 0 problems") {
		t.Errorf("the interrupted run did not report its cleanup:\n%s", stderr.String())
	}
	if zones := e2eZonesIn(t, s); len(zones) != 1 {
		t.Errorf("hosted zones after the interrupted run: %v", zones)
	}
	users, err := iam.NewFromConfig(s.Config("us-east-1")).ListUsers(t.Context(), &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users.Users {
		t.Errorf("IAM user %s left by the interrupted run", aws.ToString(u.UserName))
	}
	raw, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("the recorded answers: %v", err)
	}
	var f awsrecord.File
	if err := json.Unmarshal(raw, &f); err != nil || len(f.Calls) == 0 {
		t.Errorf("the recorded answers hold no call (%v)", err)
	}
}

// TestE2EInterruptChild is the process TestE2EInterruptCleansUp
// interrupts: it applies ses-domain, says so, and waits to be stopped.
func TestE2EInterruptChild(t *testing.T) {
	if os.Getenv(interruptChildEnv) == "" || e2e == nil {
		t.Skip("started by TestE2EInterruptCleansUp only")
	}
	e := newRemoteEnv(t, e2e, scenarioNamed(t, "ses-domain"))
	e.must(0, "apply", e.dir, "-auto-approve")
	os.Stdout.WriteString("E2E-APPLIED " + e.token + "\n")
	// A second apply runs while the signal arrives: it is stopped, and its
	// lock does not keep the cleanup from destroying the stack.
	e.edit("main.hcl", `policy = "quarantine"`, `policy = "reject"`)
	e.mailform("apply", e.dir, "-auto-approve")
	time.Sleep(5 * time.Minute)
	t.Error("not interrupted")
}
