package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// startTLS connects to the MTA's port 25, says EHLO and, when STARTTLS is
// offered, completes a TLS handshake; it sends no mail. The whole test is
// bounded by opts.SMTPTimeout. A port that cannot be reached is a WARN
// ("could not test"), never a FAIL: the network between here and the MTA
// may block it.
func startTLS(ctx context.Context, m MTA, opts BulkOptions) (Status, string, []string) {
	timeout := opts.SMTPTimeout
	if timeout <= 0 {
		timeout = DefaultSMTPTimeout
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	address := net.JoinHostPort(m.IP, "25")
	dial := opts.DialSMTP
	if dial == nil {
		dial = func(ctx context.Context, address string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", address)
		}
	}
	conn, err := dial(ctx, address)
	if err != nil && parent.Err() != nil {
		return Warn, "could not test: interrupted", nil
	}
	if err != nil {
		return Warn, "could not test: port 25 of " + m.IP + " cannot be reached from here (" + shortNetError(err) + ")", nil
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return Warn, "could not test: " + err.Error(), nil
	}
	// The deadline bounds every read and write; an interrupt (the parent
	// context cancelled) must end them at once, so it closes the connection.
	stopClosing := context.AfterFunc(ctx, func() { conn.Close() })
	defer stopClosing()
	// stopped says why a step failed when it failed because the test was
	// stopped rather than because of the MTA.
	stopped := func(err error) (string, bool) {
		var netErr net.Error
		switch {
		case parent.Err() != nil:
			return "could not test: interrupted", true
		case ctx.Err() != nil, errors.As(err, &netErr) && netErr.Timeout():
			return fmt.Sprintf("could not test: port 25 of %s did not finish the STARTTLS test within %s (-smtp-timeout)", m.IP, timeout), true
		}
		return "", false
	}
	host := strings.TrimSuffix(m.Hostname, ".")
	c, err := smtp.NewClient(conn, host)
	if err != nil && parent.Err() != nil {
		return Warn, "could not test: interrupted", nil
	}
	if err != nil {
		return Warn, "could not test: no SMTP greeting on port 25 (" + shortNetError(err) + ")", nil
	}
	defer c.Close()
	if err := c.Hello("mailform-check.invalid"); err != nil {
		if msg, ok := stopped(err); ok {
			return Warn, msg, nil
		}
		return Warn, "could not test: EHLO was refused (" + shortNetError(err) + ")", nil
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		return Fail, "port 25 answers but does not offer STARTTLS: mail to Gmail travels unencrypted", nil
	}
	var verifyErr error
	var state tls.ConnectionState
	cfg := &tls.Config{
		ServerName: host,
		MinVersion: tls.VersionTLS12,
		// The test is whether TLS is offered and works, which is what the
		// providers ask; whether the certificate verifies for the hostname
		// is reported beside it, so the handshake must not stop at it.
		InsecureSkipVerify: true, //nolint:gosec // verified below, reported not enforced
		VerifyConnection: func(cs tls.ConnectionState) error {
			state = cs
			verifyErr = verifyChain(cs, host)
			return nil
		},
	}
	if err := c.StartTLS(cfg); err != nil {
		if msg, ok := stopped(err); ok {
			return Warn, msg, nil
		}
		return Fail, "STARTTLS is offered but the TLS handshake fails: " + shortNetError(err), nil
	}
	_ = c.Quit()
	msg := fmt.Sprintf("STARTTLS offered; %s handshake completed", tls.VersionName(state.Version))
	if verifyErr != nil {
		return OK, msg, []string{"the certificate does not verify for " + host + ": " + verifyErr.Error() + " (the providers ask for TLS, not for a valid certificate)"}
	}
	return OK, msg, nil
}

// verifyChain verifies the server's certificate for host against the
// system roots.
func verifyChain(cs tls.ConnectionState, host string) error {
	if len(cs.PeerCertificates) == 0 {
		return fmt.Errorf("no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{DNSName: host, Intermediates: inter, CurrentTime: time.Now()})
	return err
}

// shortNetError drops the "dial tcp ...:" prefix of a network error.
func shortNetError(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.HasPrefix(s, "dial ") {
		return s[i+2:]
	}
	return s
}
