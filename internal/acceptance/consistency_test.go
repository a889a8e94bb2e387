package acceptance

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/smtp"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/mailform/mailform/internal/awstest"
)

// storedSMTP reads the credentials document apply stored for webapp.
func (e *env) storedSMTP() (username, password string, ok bool) {
	param, err := ssm.NewFromConfig(e.cfg()).GetParameter(e.ctx(), &ssm.GetParameterInput{Name: aws.String("/acme/mail/smtp/webapp"), WithDecryption: aws.Bool(true)})
	if err != nil {
		return "", "", false
	}
	var creds struct{ Username, Password string }
	if json.Unmarshal([]byte(aws.ToString(param.Parameter.Value)), &creds) != nil {
		return "", "", false
	}
	return creds.Username, creds.Password, true
}

// smtpAuth tries SMTP AUTH at the double's SMTP interface (us-west-2, the
// example's region) and returns AUTH's error.
func (e *env) smtpAuth(username, password string) error {
	e.t.Helper()
	pem, err := os.ReadFile(e.s.SMTPCAFile())
	if err != nil {
		e.t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c, err := smtp.Dial(e.s.SMTPAddr())
	if err != nil {
		e.t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(&tls.Config{ServerName: "127.0.0.1", RootCAs: pool}); err != nil {
		e.t.Fatal(err)
	}
	return c.Auth(smtp.PlainAuth("", username, password, "127.0.0.1"))
}

// TestSESDomainUnderAWSConsistency runs examples/ses-domain against the
// double as eventually consistent as AWS (ConsistencyAWS, time-scaled):
// apply; an immediate plan that shows no change although the list calls do
// not show what apply created; a rotation during which SMTP clients holding
// the previous credentials keep authenticating; destroy.
func TestSESDomainUnderAWSConsistency(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	const scale = 60
	if err := e.s.Configure(func(o *awstest.Options) {
		o.Consistency, o.TimeScale = awstest.ConsistencyAWS, scale
		// Longer than the defaults, so that the windows this test looks
		// into stay open while it looks (scaled: 3s and 30s).
		o.AccessKeyDelay = 3 * time.Minute
		o.ListLag = 30 * time.Minute
	}); err != nil {
		t.Fatal(err)
	}
	e.must(0, "apply", e.dir, "-auto-approve")
	if out, err := iam.NewFromConfig(e.cfg()).ListUsers(e.ctx(), &iam.ListUsersInput{}); err != nil || len(out.Users) != 0 {
		t.Fatalf("ListUsers right after apply lists %v (%v): the list lag is not on, the next plan proves nothing", out, err)
	}
	p := e.must(0, "plan", e.dir, "-detailed-exitcode")
	if !strings.Contains(p.stdout, "No changes") {
		t.Errorf("plan right after apply:\n%s", p.stdout)
	}
	oldKey, oldPassword := activeKey(t, e)
	// The key is older than the access-key delay, as a key in use is.
	deadline := time.Now().Add(10 * time.Second)
	for e.smtpAuth(oldKey, oldPassword) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the first key is never accepted by SMTP")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The rotation, watched from an SMTP client that holds the previous
	// credentials: once the new ones are stored, and while AWS still
	// refuses the new key, the old key must still authenticate.
	var wg sync.WaitGroup
	var rotated result
	wg.Add(1)
	go func() {
		defer wg.Done()
		rotated = e.mailform("apply", e.dir, "-auto-approve", "-replace", "smtp_user.webapp")
	}()
	windowSeen, oldRefused := false, error(nil)
	for done := false; !done; {
		select {
		case <-wait(&wg):
			done = true
		case <-time.After(25 * time.Millisecond):
		}
		user, pass, ok := e.storedSMTP()
		if !ok || user == oldKey || windowSeen {
			continue
		}
		if e.smtpAuth(user, pass) == nil {
			continue // the new key already works: not the window
		}
		windowSeen = true
		oldRefused = e.smtpAuth(oldKey, oldPassword)
	}
	if rotated.code != 0 {
		t.Fatalf("rotation: exit %d\n%s\n%s", rotated.code, rotated.stdout, rotated.stderr)
	}
	if !windowSeen {
		t.Error("never saw the new credentials stored while AWS refused the new key")
	}
	if oldRefused != nil {
		t.Errorf("SMTP AUTH with the previous credentials during the rotation: %v", oldRefused)
	}
	newKey, newPassword := activeKey(t, e) // exactly one key left
	if newKey == oldKey {
		t.Fatal("the key was not rotated")
	}
	if err := e.smtpAuth(newKey, newPassword); err != nil {
		t.Errorf("SMTP AUTH with the new credentials after apply: %v", err)
	}
	if err := e.smtpAuth(oldKey, oldPassword); err == nil {
		t.Error("the old key still authenticates after the rotation")
	}
	e.must(0, "plan", e.dir, "-detailed-exitcode")

	e.must(0, "apply", e.dir, "-auto-approve", "-destroy")
	e.must(0, "plan", e.dir, "-destroy", "-detailed-exitcode")
	oldSecret, _ := e.s.AccessKeySecret(oldKey)
	newSecret, _ := e.s.AccessKeySecret(newKey)
	e.requireNoSecrets(nil, oldSecret, newSecret, oldPassword, newPassword)
}

// wait returns a channel closed when wg is done.
func wait(wg *sync.WaitGroup) <-chan struct{} {
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }()
	return ch
}
