package awstest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/http"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// TestSMTPPasswordDerivation checks the double's derivation against the
// vectors providers/iam's TestSMTPPassword checks mailform's with.
func TestSMTPPasswordDerivation(t *testing.T) {
	tests := []struct{ secret, region, want string }{
		{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9"},
		{"some+secret+key", "eu-central-1", "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2"},
		{"another+secret+key", "us-west-1", "BKVmjjMDFk/qqw8EROW99bjCS65PF8WKvK5bSr4Y6EqF"},
	}
	for _, tc := range tests {
		t.Run(tc.region, func(t *testing.T) {
			if got := smtpPassword(tc.secret, tc.region); got != tc.want {
				t.Errorf("double: %s, want %s", got, tc.want)
			}
		})
	}
}

func TestIAMLike(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*@acme.example", "a@acme.example", true},
		{"*@acme.example", "a@evil.example", false},
		{"*@acme.example", "a@acme.example.evil", false},
		{"ses:Send*", "ses:SendRawEmail", true},
		{"*", "", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*b*b", "abxbb", true},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+"~"+tc.s, func(t *testing.T) {
			if got := wildcardMatch(tc.pattern, tc.s, false); got != tc.want {
				t.Errorf("got %v", got)
			}
		})
	}
}

// smtpFixture makes an IAM user with the given inline policy and an access
// key through the double, and a verified email identity to send from.
func smtpFixture(t *testing.T, s *Server, policy string) (keyID, secret string) {
	t.Helper()
	ctx := t.Context()
	c := iam.NewFromConfig(s.Config("us-east-1"))
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mailer")}); err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("mailer"), PolicyName: aws.String("send"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("mailer")})
	if err != nil {
		t.Fatal(err)
	}
	v2 := sesv2.NewFromConfig(s.Config("eu-west-1"))
	for _, addr := range []string{"app@acme.example", "other@acme.test"} {
		if _, err := v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(addr)}); err != nil {
			t.Fatal(err)
		}
		resp, err := http.PostForm(s.URL()+"/_awstest/verify-email", url.Values{"region": {"eu-west-1"}, "address": {addr}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	return aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
}

// fixtureRegion is the region of smtpFixture's identities, and of the SMTP
// interface dialSMTP connects to.
const fixtureRegion = "eu-west-1"

// smtpAddr is the address of the SMTP interface of region.
func smtpAddr(t *testing.T, s *Server, region string) string {
	t.Helper()
	addr, err := s.SMTPAddrFor(region)
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// dialSMTP connects to the double's SMTP interface of fixtureRegion and
// starts TLS trusting its CA.
func dialSMTP(t *testing.T, s *Server) *smtp.Client {
	t.Helper()
	return dialSMTPIn(t, s, fixtureRegion)
}

// dialSMTPIn connects to the SMTP interface of region and starts TLS.
func dialSMTPIn(t *testing.T, s *Server, region string) *smtp.Client {
	t.Helper()
	pem, err := os.ReadFile(s.SMTPCAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("the CA file holds no certificate")
	}
	c, err := smtp.Dial(smtpAddr(t, s, region))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.StartTLS(&tls.Config{ServerName: "127.0.0.1", RootCAs: pool}); err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	return c
}

func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

const sendPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendRawEmail","Resource":"*","Condition":{"StringLike":{"ses:FromAddress":["*@acme.example"]}}}]}`

func TestSMTPAuthAndSend(t *testing.T) {
	s := Shared(t)
	keyID, secret := smtpFixture(t, s, sendPolicy)
	password := smtpPassword(secret, "eu-west-1")

	t.Run("wrong password", func(t *testing.T) {
		c := dialSMTP(t, s)
		err := c.Auth(smtp.PlainAuth("", keyID, smtpPassword("not-the-secret", "eu-west-1"), "127.0.0.1"))
		if smtpCode(err) != 535 || !strings.Contains(err.Error(), "Authentication Credentials Invalid") {
			t.Errorf("err = %v, want 535 Authentication Credentials Invalid", err)
		}
	})
	t.Run("the secret itself is not the password", func(t *testing.T) {
		c := dialSMTP(t, s)
		if err := c.Auth(smtp.PlainAuth("", keyID, secret, "127.0.0.1")); smtpCode(err) != 535 {
			t.Errorf("err = %v, want 535", err)
		}
	})
	t.Run("unknown key", func(t *testing.T) {
		c := dialSMTP(t, s)
		if err := c.Auth(smtp.PlainAuth("", "AKIANOTAKEY000000000", password, "127.0.0.1")); smtpCode(err) != 535 {
			t.Errorf("err = %v, want 535", err)
		}
	})
	t.Run("AUTH before STARTTLS", func(t *testing.T) {
		conn, err := textproto.Dial("tcp", smtpAddr(t, s, fixtureRegion))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, _, err := conn.ReadResponse(220); err != nil {
			t.Fatal(err)
		}
		id, _ := conn.Cmd("AUTH PLAIN AGtleQBwdw==")
		conn.StartResponse(id)
		code, _, _ := conn.ReadResponse(0)
		conn.EndResponse(id)
		if code != 530 {
			t.Errorf("AUTH without TLS answered %d, want 530", code)
		}
	})
	t.Run("a sender the policy does not allow", func(t *testing.T) {
		c := dialSMTP(t, s)
		if err := c.Auth(smtp.PlainAuth("", keyID, password, "127.0.0.1")); err != nil {
			t.Fatalf("AUTH: %v", err)
		}
		err := c.Mail("other@acme.test")
		if smtpCode(err) != 554 || !strings.Contains(err.Error(), "not authorized to perform `ses:SendRawEmail'") {
			t.Errorf("MAIL FROM: %v, want 554 Access denied", err)
		}
	})
	t.Run("sends into SES", func(t *testing.T) {
		c := dialSMTP(t, s)
		if err := c.Auth(smtp.PlainAuth("", keyID, password, "127.0.0.1")); err != nil {
			t.Fatalf("AUTH: %v", err)
		}
		before := len(sesStats(t, s))
		if err := c.Mail("app@acme.example"); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt("bounce@simulator.amazonses.com"); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("From: app@acme.example\r\nTo: bounce@simulator.amazonses.com\r\nSubject: hi\r\n\r\nhello\r\n"))
		if err := w.Close(); err != nil {
			t.Fatalf("end of DATA: %v", err)
		}
		stats := sesStats(t, s)
		if len(stats) == before || stats[len(stats)-1].Bounces != 1 {
			t.Errorf("statistics after the SMTP send: %+v", stats)
		}
	})
	t.Run("From header the policy does not allow", func(t *testing.T) {
		c := dialSMTP(t, s)
		if err := c.Auth(smtp.PlainAuth("", keyID, password, "127.0.0.1")); err != nil {
			t.Fatal(err)
		}
		if err := c.Mail("app@acme.example"); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt("success@simulator.amazonses.com"); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("From: other@acme.test\r\nTo: success@simulator.amazonses.com\r\nSubject: hi\r\n\r\nhello\r\n"))
		if err := w.Close(); smtpCode(err) != 554 {
			t.Errorf("end of DATA: %v, want 554", err)
		}
	})
}

func sesStats(t *testing.T, s *Server) []struct{ Bounces int64 } {
	t.Helper()
	d, ok := s.sesDouble()
	if !ok {
		t.Fatal("no SES emulation")
	}
	var out []struct{ Bounces int64 }
	for _, p := range d.Stats("eu-west-1") {
		out = append(out, struct{ Bounces int64 }{p.Bounces})
	}
	return out
}

func TestSMTPRefusesUsersWithoutSendPermission(t *testing.T) {
	tests := []struct {
		name, policy string
	}{
		{"no policy", ""},
		{"another action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendEmail","Resource":"*"}]}`},
		{"denied outright", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:*","Resource":"*"},{"Effect":"Deny","Action":"ses:SendRawEmail","Resource":"*"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Shared(t)
			keyID, secret := smtpFixture(t, s, tc.policy)
			c := dialSMTP(t, s)
			if err := c.Auth(smtp.PlainAuth("", keyID, smtpPassword(secret, "eu-west-1"), "127.0.0.1")); smtpCode(err) != 535 {
				t.Errorf("err = %v, want 535", err)
			}
		})
	}
}

// TestSMTPAuthLogin: AUTH LOGIN, as older mail libraries use it, works too.
func TestSMTPAuthLogin(t *testing.T) {
	s := Shared(t)
	keyID, secret := smtpFixture(t, s, sendPolicy)
	for _, tc := range []struct {
		name     string
		password string
		want     int
	}{
		{"right password", smtpPassword(secret, "eu-west-1"), 235},
		{"password of another secret", smtpPassword(secret+"x", "eu-west-1"), 535},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialSMTP(t, s)
			b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
			step := func(line string, want int) (int, string) {
				t.Helper()
				id, err := c.Text.Cmd("%s", line)
				if err != nil {
					t.Fatal(err)
				}
				c.Text.StartResponse(id)
				defer c.Text.EndResponse(id)
				code, msg, _ := c.Text.ReadResponse(want)
				return code, msg
			}
			if code, msg := step("AUTH LOGIN", 334); code != 334 || msg != b64("Username:") {
				t.Fatalf("AUTH LOGIN: %d %s", code, msg)
			}
			if code, _ := step(b64(keyID), 334); code != 334 {
				t.Fatalf("username: %d", code)
			}
			if code, _ := step(b64(tc.password), tc.want); code != tc.want {
				t.Errorf("password: %d, want %d", code, tc.want)
			}
		})
	}
}
