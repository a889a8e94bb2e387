package acceptance

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/smtp"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/mailform/mailform/internal/lock"
)

// requireSMTPAuth fails the test unless the double's SES SMTP interface
// accepts the username and password.
func requireSMTPAuth(t *testing.T, e *env, username, password string) {
	t.Helper()
	pem, err := os.ReadFile(e.s.SMTPCAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c, err := smtp.Dial(e.s.SMTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(&tls.Config{ServerName: "127.0.0.1", RootCAs: pool}); err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	if err := c.Auth(smtp.PlainAuth("", username, password, "127.0.0.1")); err != nil {
		t.Fatalf("the stored SMTP password no longer authenticates: %v", err)
	}
}

// requireOnlyLockCalls fails the test unless every mutating call the double
// counted since its last ResetCounts is the stack lock's (SSM PutParameter,
// DeleteParameter), each lock released.
func requireOnlyLockCalls(t *testing.T, e *env) {
	t.Helper()
	for svc, ops := range e.s.Counts() {
		for op, n := range ops {
			reading := strings.HasPrefix(op, "Get") || strings.HasPrefix(op, "List") || strings.HasPrefix(op, "Describe") || strings.HasPrefix(op, "Receive")
			if !reading && !(svc == "ssm" && (op == "PutParameter" || op == "DeleteParameter")) {
				t.Errorf("a refused run called %s:%s %d times", svc, op, n)
			}
		}
	}
	if put, del := e.s.Count("ssm", "PutParameter"), e.s.Count("ssm", "DeleteParameter"); put != del {
		t.Errorf("%d locks taken, %d released", put, del)
	}
}

// TestRunInAnotherRegionChangesNothing: a stack lives in one region. A plan
// or apply with -region naming another (or no region at all) is refused
// before any mutating call; a spec whose region was edited while the stack's
// IAM user and records are marked for the old one is refused before any
// change (an apply takes and releases its lock first). The live SMTP
// password still authenticates.
func TestRunInAnotherRegionChangesNothing(t *testing.T) {
	e := newEnv(t, "ses-domain", "acme.example")
	e.must(0, "apply", e.dir, "-auto-approve")
	keyID, password := activeKey(t, e)
	requireSMTPAuth(t, e, keyID, password)

	mutating := e.s.MutatingCalls()
	for _, args := range [][]string{
		{"apply", e.dir, "-auto-approve", "-region", "us-east-2"},
		{"plan", e.dir, "-destroy", "-region", "us-east-2"},
		{"apply", e.dir, "-auto-approve", "-destroy", "-region", "us-east-2"},
		{"plan", e.dir, "-region", "bogus-1"},
	} {
		r := e.must(1, args...)
		if !strings.Contains(r.stderr, "is not the region of stack acme-prod (us-west-2") || !strings.Contains(r.stderr, "nothing was changed") {
			t.Errorf("mailform %s: stderr:\n%s", strings.Join(args, " "), r.stderr)
		}
	}

	if n := e.s.MutatingCalls() - mutating; n != 0 {
		t.Errorf("%d mutating AWS calls by runs with -region of another region, want 0", n)
	}

	spec := filepath.Join(e.dir, "main.hcl")
	text, err := os.ReadFile(spec)
	if err != nil {
		t.Fatal(err)
	}
	e.write("main.hcl", strings.Replace(string(text), `region = "us-west-2"`, `region = "us-east-2"`, 1))
	e.s.ResetCounts()
	for _, args := range [][]string{
		{"apply", e.dir, "-auto-approve"},
		{"apply", e.dir, "-auto-approve", "-destroy"},
	} {
		r := e.must(1, args...)
		if !strings.Contains(r.stderr, "Stack acme-prod lives in us-west-2, not us-east-2") || !strings.Contains(r.stderr, "nothing was changed") {
			t.Errorf("mailform %s: stderr:\n%s", strings.Join(args, " "), r.stderr)
		}
	}
	requireOnlyLockCalls(t, e)
	if k, p := activeKey(t, e); k != keyID || p != password {
		t.Errorf("the SMTP key changed: %s -> %s", keyID, k)
	}
	requireSMTPAuth(t, e, keyID, password)

	e.write("main.hcl", string(text))
	p := e.must(0, "plan", e.dir, "-region", "us-west-2", "-replace", "smtp_user.webapp")
	if !strings.Contains(p.stdout, "for stack acme-prod in us-west-2, account 123456789012:") {
		t.Errorf("the plan header does not say the region and account used:\n%s", p.stdout)
	}
}

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
		e.write("main.hcl", keysSpec)
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

// TestEndpointThatNeverAnswers: a plan against an endpoint that accepts
// connections and never answers exits 1 within 120 seconds, naming the
// service and the endpoint with a hint; a refused connection gives one
// error line.
func TestEndpointThatNeverAnswers(t *testing.T) {
	e := newEnv(t, "ses-domain")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var held []net.Conn
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c) // never answered
			mu.Unlock()
		}
	}()
	silent := "http://" + ln.Addr().String()
	start := time.Now()
	r := e.runAt(e.ctx(), silent, nil, "plan", e.dir)
	took := time.Since(start)
	if r.code != 1 || took > 120*time.Second {
		t.Errorf("plan against a silent endpoint: exit %d after %s, want 1 within 120s", r.code, took.Round(time.Second))
	}
	if !strings.Contains(r.stderr, "AWS STS at "+silent+" did not answer") || !strings.Contains(r.stderr, "proxy") || !strings.Contains(r.stderr, "mailform sandbox") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	t.Logf("a silent endpoint failed the plan after %s", took.Round(time.Second))

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + closed.Addr().String()
	closed.Close()
	r = e.runAt(e.ctx(), refused, nil, "plan", e.dir)
	if r.code != 1 || !strings.Contains(r.stderr, "cannot connect to AWS STS at "+refused+": connection refused") {
		t.Errorf("plan against a closed port: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; lines > 2 {
		t.Errorf("a refused connection gave %d lines of error, want one (and a hint):\n%s", lines, r.stderr)
	}
}

// TestLockedStackIsReportedFirst: an apply of a locked stack says who holds
// it (user, host, CI job, pid, region and account, start) before reading
// AWS or printing a plan, and says when the holder's pid no longer runs on
// this host, without breaking the lock.
func TestLockedStackIsReportedFirst(t *testing.T) {
	e := newEnv(t, "ses-domain", "acme.example")
	e.must(0, "apply", e.dir, "-auto-approve")
	locker := lock.New(ssm.NewFromConfig(e.cfg()))
	locker.Region, locker.Account = "us-west-2", "123456789012"
	locker.Getenv = func(k string) string {
		return map[string]string{"USER": "deploy", "GITHUB_RUN_ID": "4711", "GITHUB_REPOSITORY": "acme/mail"}[k]
	}
	release, err := locker.Acquire(e.ctx(), "acme-prod", "apply")
	if err != nil {
		t.Fatal(err)
	}
	e.s.ResetCounts()
	r := e.must(1, "apply", e.dir, "-auto-approve")
	for _, want := range []string{`stack "acme-prod" is locked by deploy@`, "GitHub Actions run 4711 of acme/mail", fmt.Sprintf("pid %d,", os.Getpid()), "in us-west-2 account 123456789012", ", apply) since ", "mailform unlock"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "no longer running") {
		t.Errorf("a running holder is reported dead:\n%s", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("a refused apply printed:\n%s", r.stdout)
	}
	for svc := range e.s.Counts() {
		if svc != "sts" && svc != "ssm" {
			t.Errorf("a refused apply read %s: %v", svc, e.s.Counts()[svc])
		}
	}
	if err := release(e.ctx()); err != nil {
		t.Fatal(err)
	}

	// A holder whose pid no longer runs on this host.
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	body, _ := json.Marshal(lock.Holder{Who: "alice@" + host, Host: host, PID: gone.ProcessState.Pid(), Operation: "apply -destroy", Since: time.Now().Add(-time.Hour).UTC()})
	if _, err := ssm.NewFromConfig(e.cfg()).PutParameter(e.ctx(), &ssm.PutParameterInput{Name: aws.String(lock.Name("acme-prod")), Value: aws.String(string(body)), Type: ssmtypes.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	r = e.must(1, "apply", e.dir, "-auto-approve")
	if want := fmt.Sprintf("pid %d no longer running on this host", gone.ProcessState.Pid()); !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "mailform unlock") {
		t.Errorf("the refusal lacks %q:\n%s", want, r.stderr)
	}
	if h, err := locker.Holder(e.ctx(), "acme-prod"); err != nil || h == nil || h.Who != "alice@"+host {
		t.Errorf("the dead holder's lock was broken: %+v, %v", h, err)
	}
	e.must(0, "unlock", e.dir, "-force")
}

// interruptAt runs mailform through a proxy to the double that cancels the
// run's context (as Ctrl-C does) when the first call of operation is
// answered, and lets every call through, before and after.
func interruptAt(e *env, operation string, args ...string) result {
	e.t.Helper()
	target, err := url.Parse(e.s.URL())
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx())
	defer cancel()
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	var once sync.Once
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, r)
		if operationOf(r, body) == operation {
			once.Do(cancel)
		}
	}))
	defer server.Close()
	return e.runAt(ctx, server.URL, nil, args...)
}

// TestInterruptedApplyIsNotFailed: Ctrl-C during apply reports the changes
// it did not get to as "not attempted (interrupted)", apart from failures,
// in text and in JSON; the next apply converges.
func TestInterruptedApplyIsNotFailed(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		t.Run(fmt.Sprintf("json=%v", asJSON), func(t *testing.T) {
			e := newEnv(t, "ses-domain", "acme.example")
			args := []string{"apply", e.dir, "-auto-approve"}
			if asJSON {
				args = append(args, "-json")
			}
			r := interruptAt(e, "CreateTopic", args...)
			if r.code != 1 {
				t.Errorf("interrupted apply: exit %d, want 1", r.code)
			}
			if !asJSON {
				if i := strings.Index(r.stdout, "Apply interrupted: "); i >= 0 {
					t.Logf("%s", strings.SplitN(r.stdout[i:], "\n", 2)[0])
				}
				if strings.Contains(r.stdout, "FAILED") || !strings.Contains(r.stdout, ": not attempted (interrupted)") ||
					!strings.Contains(r.stdout, "Apply interrupted: ") || !strings.Contains(r.stdout, " 0 failed, ") {
					t.Errorf("stdout:\n%s", r.stdout)
				}
			} else {
				var summary struct {
					Type        string
					Failed      []map[string]string
					Interrupted []string
				}
				for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
					var ev struct{ Type, Phase string }
					if err := json.Unmarshal([]byte(line), &ev); err != nil {
						t.Fatalf("not JSON: %s", line)
					}
					if ev.Phase == "failed" {
						t.Errorf("an interrupted change reported as failed: %s", line)
					}
					if ev.Type == "summary" {
						_ = json.Unmarshal([]byte(line), &summary)
					}
				}
				if summary.Type != "summary" || len(summary.Failed) != 0 || len(summary.Interrupted) == 0 {
					t.Errorf("summary %+v\nstdout:\n%s", summary, r.stdout)
				}
			}
			if !strings.Contains(r.stderr, "interrupted") {
				t.Errorf("stderr:\n%s", r.stderr)
			}
			e.must(0, "apply", e.dir, "-auto-approve")
			e.must(0, "plan", e.dir, "-detailed-exitcode")
		})
	}
}

// TestUnreadableSecretLocationBlocksNothing: after an apply whose file:
// credentials location could not be written (its folder is a file), plan
// and 'apply -destroy' are not blocked by that location: it is reported at
// the smtp_user block, and the rest of the stack is planned and destroyed.
func TestUnreadableSecretLocationBlocksNothing(t *testing.T) {
	e := newEnv(t, "ses-domain", "acme.example")
	spec, err := os.ReadFile(filepath.Join(e.dir, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	e.write("main.hcl", strings.Replace(string(spec), `credentials  = "ssm:/acme/mail/smtp/webapp"`, `credentials  = "file:creds/smtp.json"`, 1))
	e.write("creds", "a file where the spec wants a folder\n")
	first := e.must(1, "apply", e.dir, "-auto-approve")
	t.Logf("the first apply:\n%s\n%s", first.stdout, first.stderr)

	p := e.mailform("plan", e.dir)
	if p.code != 0 || !strings.Contains(p.stderr, "file:creds/smtp.json") || !strings.Contains(p.stderr, `smtp_user "webapp"`) {
		t.Errorf("plan with an unreadable secret location: exit %d\nstdout:\n%s\nstderr:\n%s", p.code, p.stdout, p.stderr)
	}

	// The spec points elsewhere now: the old location still cannot be read.
	e.write("main.hcl", strings.Replace(string(spec), `credentials  = "ssm:/acme/mail/smtp/webapp"`, `credentials  = "ssm:/acme/mail/smtp/moved"`, 1))
	e.must(0, "plan", e.dir)
	d := e.must(0, "apply", e.dir, "-auto-approve", "-destroy")
	t.Logf("destroy:\n%s\n%s", d.stdout, d.stderr)
	if _, err := iam.NewFromConfig(e.cfg()).GetUser(e.ctx(), &iam.GetUserInput{UserName: aws.String("acme-prod-smtp-webapp")}); err == nil {
		t.Error("apply -destroy left the IAM user")
	}
	e.must(0, "plan", e.dir, "-destroy", "-detailed-exitcode")
}

// TestUnreadableDKIMKeyLocationBlocksNothing: a dkim_key whose file:
// location cannot be read does not stop plan or 'apply -destroy' of the
// rest; it is reported at its block.
func TestUnreadableDKIMKeyLocationBlocksNothing(t *testing.T) {
	e := newEnv(t, "")
	e.region = "eu-west-1"
	zoneID := e.createZone("keys.example")
	e.write("main.hcl", keysSpec+`
dkim_key "b" {
  domain      = "keys.example"
  selector    = "b"
  private_key = "file:keys/b.pem"
}
`)
	e.write("keys", "a file where the spec wants a folder\n")
	e.must(1, "apply", e.dir, "-auto-approve")
	p := e.must(0, "plan", e.dir)
	if !strings.Contains(p.stderr, "cannot read the DKIM key in file:keys/b.pem") || !strings.Contains(p.stderr, `dkim_key "b"`) {
		t.Errorf("plan:\nstdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
	}
	e.must(0, "apply", e.dir, "-auto-approve", "-destroy")
	for key := range e.recordSets(zoneID) {
		if strings.Contains(key, "_domainkey") {
			t.Errorf("record set %s left by apply -destroy", key)
		}
	}
	if _, err := ssm.NewFromConfig(e.cfg()).GetParameter(e.ctx(), &ssm.GetParameterInput{Name: aws.String("/keys/dkim/a")}); err == nil {
		t.Error("apply -destroy left the key of dkim_key.a")
	}
}

// TestPlanSeesConflictsFirst: a foreign SPF value in the shared apex TXT
// set is an error at the domain's block in the plan; with an unowned SES
// identity and a foreign record set at a declared name, one plan reports all
// three; apply changes nothing.
func TestPlanSeesConflictsFirst(t *testing.T) {
	e := newEnv(t, "ses-domain")
	zoneID := e.createZone("acme.example")
	_, err := route53.NewFromConfig(e.s.Config("us-east-1")).ChangeResourceRecordSets(e.ctx(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action: r53types.ChangeActionCreate,
			ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: aws.String("acme.example."), Type: r53types.RRTypeTxt, TTL: aws.Int64(300),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"v=spf1 include:_spf.google.com ~all"`)}, {Value: aws.String(`"google-site-verification=abc"`)}},
			},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := e.must(1, "plan", e.dir)
	for _, want := range []string{"acme.example already publishes an SPF record that is not this stack's", "v=spf1 include:_spf.google.com ~all", "main.hcl:", "drop the spf block"} {
		if !strings.Contains(p.stderr, want) {
			t.Errorf("plan stderr lacks %q:\n%s", want, p.stderr)
		}
	}
	// More conflicts, all reported by one plan: an identity that is not the
	// stack's, and a record set of someone else at a declared name.
	if _, err := sesv2.NewFromConfig(e.cfg()).CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")}); err != nil {
		t.Fatal(err)
	}
	_, err = route53.NewFromConfig(e.s.Config("us-east-1")).ChangeResourceRecordSets(e.ctx(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action: r53types.ChangeActionCreate,
			ResourceRecordSet: &r53types.ResourceRecordSet{
				Name: aws.String("bounce.acme.example."), Type: r53types.RRTypeMx, TTL: aws.Int64(300),
				ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("10 mx.elsewhere.example.")}},
			},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p = e.must(1, "plan", e.dir)
	for _, want := range []string{"already publishes an SPF record", "acme.example already exists in SES and is not managed by stack acme-prod", "bounce.acme.example", "-adopt domain.acme.example"} {
		if !strings.Contains(p.stderr, want) {
			t.Errorf("one plan does not report %q:\n%s", want, p.stderr)
		}
	}

	mutating := e.s.MutatingCalls()
	e.must(1, "apply", e.dir, "-auto-approve")
	if n := e.s.MutatingCalls() - mutating; n > 2 {
		t.Errorf("apply of a plan with a conflict made %d mutating calls, want only the lock's", n)
	}
}

// TestEveryMissingZoneInOneRun: a spec whose zones do not exist gets one
// error per zone, each at its zone block with the two ways out, in one run.
func TestEveryMissingZoneInOneRun(t *testing.T) {
	e := newEnv(t, "ses-domain")
	spec, err := os.ReadFile(filepath.Join(e.dir, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	e.write("main.hcl", string(spec)+`
zone "other.example" {}

domain "other.example" {
  configuration_set = configuration_set.default
}
`)
	r := e.must(1, "plan", e.dir)
	for _, want := range []string{
		"No public hosted zone acme.example in the account", `zone "acme.example"`,
		"No public hosted zone other.example in the account", `zone "other.example"`,
		"create-hosted-zone --name other.example", "or drop the zone block",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

// TestRecordsMarkedForAnotherRegion: Route 53 is global; the ownership
// markers of a stack's record sets name its region, so a plan for another
// region refuses them, before any change, even in a stack with nothing else
// global.
func TestRecordsMarkedForAnotherRegion(t *testing.T) {
	e := newEnv(t, "")
	e.region = "eu-west-1"
	zoneID := e.createZone("keys.example")
	spec := `mailform {
  stack  = "keys"
  region = "eu-west-1"
}

zone "keys.example" {}

dkim_key "a" {
  domain      = "keys.example"
  selector    = "a"
  private_key = "file:keys/a.pem"
}
`
	e.write("main.hcl", spec)
	e.must(0, "apply", e.dir, "-auto-approve")
	marker := e.recordSets(zoneID)["_mailform.a._domainkey.keys.example. TXT"]
	if len(marker.ResourceRecords) != 1 || !strings.Contains(aws.ToString(marker.ResourceRecords[0].Value), ";region=eu-west-1") {
		t.Errorf("the record's ownership marker does not name the region: %+v", marker.ResourceRecords)
	}
	before := e.recordSets(zoneID)
	mutating := e.s.MutatingCalls()
	e.write("main.hcl", strings.Replace(spec, `region = "eu-west-1"`, `region = "us-east-1"`, 1))
	for _, args := range [][]string{{"plan", e.dir}, {"apply", e.dir, "-auto-approve", "-destroy"}} {
		r := e.must(1, args...)
		if !strings.Contains(r.stderr, "Stack keys lives in eu-west-1, not us-east-1") || !strings.Contains(r.stderr, "dkim_key.a/txt") {
			t.Errorf("mailform %s: stderr:\n%s", strings.Join(args, " "), r.stderr)
		}
	}
	if n := e.s.MutatingCalls() - mutating; n != 2 {
		t.Errorf("%d mutating calls by runs for another region, want 2: the apply's lock, taken and released", n)
	}
	if after := e.recordSets(zoneID); len(after) != len(before) {
		t.Errorf("the zone changed: %d record sets, was %d", len(after), len(before))
	}
}

// keysSpec is a stack in eu-west-1 with one DKIM key kept in SSM.
const keysSpec = `mailform {
  stack  = "keys"
  region = "eu-west-1"
}

zone "keys.example" {}

dkim_key "a" {
  domain      = "keys.example"
  selector    = "a"
  private_key = "ssm:/keys/dkim/a"
}
`
