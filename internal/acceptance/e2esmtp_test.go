package acceptance

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"time"

	"github.com/mailform/mailform/internal/awstest"
)

// smtpEndpoint is where a remote AWS's SES SMTP interface of a region
// listens, and how to trust it.
type smtpEndpoint struct {
	addr       func(region string) (string, error)
	serverName func(region string) string
	roots      *x509.CertPool // nil: the system's
}

// awsSMTP is SES's SMTP interface on AWS, port 587 with STARTTLS.
var awsSMTP = &smtpEndpoint{
	addr:       func(region string) (string, error) { return "email-smtp." + region + ".amazonaws.com:587", nil },
	serverName: func(region string) string { return "email-smtp." + region + ".amazonaws.com" },
}

// doubleSMTP is the double's SMTP interfaces, one per region.
func doubleSMTP(s *awstest.Server) (*smtpEndpoint, error) {
	pem, err := os.ReadFile(s.SMTPCAFile())
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &smtpEndpoint{addr: s.SMTPAddrFor, serverName: func(string) string { return "127.0.0.1" }, roots: pool}, nil
}

// smtpAuthTimeout bounds the wait for a stored password to authenticate
// (IAM makes a new key usable by SES after a while).
const smtpAuthTimeout = 2 * time.Minute

// auth tries SMTP AUTH with username and password until it succeeds or
// smtpAuthTimeout passes. It sends no mail: it says QUIT after AUTH.
func (p *smtpEndpoint) auth(region, username, password string) error {
	deadline := time.Now().Add(smtpAuthTimeout)
	for {
		err := p.authOnce(region, username, password)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(5 * time.Second)
	}
}

func (p *smtpEndpoint) authOnce(region, username, password string) error {
	addr, err := p.addr(region)
	if err != nil {
		return err
	}
	conn, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		return err
	}
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	host, _, _ := net.SplitHostPort(addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.StartTLS(&tls.Config{ServerName: p.serverName(region), RootCAs: p.roots}); err != nil {
		return fmt.Errorf("STARTTLS: %w", err)
	}
	if err := c.Auth(smtp.PlainAuth("", username, password, p.serverName(region))); err != nil {
		return fmt.Errorf("AUTH: %w", err)
	}
	return c.Quit()
}
