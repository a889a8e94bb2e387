package testsend

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/mailform/mailform/internal/secrets"
)

// SMTPPort is the STARTTLS port test-send uses on the SES SMTP endpoint.
const SMTPPort = "587"

// sendSMTP reads an smtp_user's stored credentials and sends one message to
// the simulator's success address through the SMTP interface: STARTTLS,
// then AUTH PLAIN. The password is used on the wire and nowhere else.
func sendSMTP(ctx context.Context, store secrets.Store, u SMTPUser, setup Setup, opts Options, pacer *pacedSender) SMTPResult {
	res := SMTPResult{User: u.Label}
	if store == nil {
		res.Error = "no secret store to read the credentials from"
		return res
	}
	raw, found, err := store.Get(ctx, u.Credentials)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	if !found {
		res.Error = fmt.Sprintf("no credentials at %s: run 'mailform apply' (a user adopted with the access key it had keeps its password outside mailform: 'mailform apply -replace smtp_user.%s' issues one stored there)", u.Credentials, u.Label)
		return res
	}
	creds, err := secrets.DecodeSMTPCredentials(raw)
	if err != nil {
		res.Error = fmt.Sprintf("credentials at %s: %v", u.Credentials, err)
		return res
	}
	res.Username = creds.Username
	res.Endpoint = opts.SMTPEndpoint
	if res.Endpoint == "" {
		host := creds.Host
		if host == "" {
			host = secrets.SMTPHost(setup.Region)
		}
		res.Endpoint = net.JoinHostPort(host, SMTPPort)
	}
	id, err := pacer.send(ctx, func() (string, error) {
		return smtpSend(ctx, res.Endpoint, opts.SMTPRootCAs, creds.Username, creds.Password(), setup, &res)
	})
	if err != nil {
		res.Error = redact(err.Error(), creds.Password())
		return res
	}
	res.Sent, res.MessageID = true, id
	return res
}

// redact removes the password from a message, should a server have echoed it.
func redact(msg, password string) string {
	if password == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, password, "(sensitive)")
	return strings.ReplaceAll(msg, base64.StdEncoding.EncodeToString([]byte(password)), "(sensitive)")
}

// smtpSend speaks SMTP to endpoint. It sets res.Authenticated once AUTH
// succeeds, and returns the message ID SES gives in its answer to DATA.
func smtpSend(ctx context.Context, endpoint string, roots *x509.CertPool, username, password string, setup Setup, res *SMTPResult) (string, error) {
	host, _, err := net.SplitHostPort(endpoint)
	if err != nil {
		return "", fmt.Errorf("SMTP endpoint %q is not HOST:PORT", endpoint)
	}
	d := net.Dialer{Timeout: 15 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", endpoint)
	if err != nil {
		return "", fmt.Errorf("connecting to %s: %w", endpoint, err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	} else {
		_ = conn.SetDeadline(time.Now().Add(time.Minute))
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return "", fmt.Errorf("SMTP greeting from %s: %w", endpoint, err)
	}
	defer c.Close()
	if err := c.Hello("mailform-test-send"); err != nil {
		return "", fmt.Errorf("EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		return "", fmt.Errorf("%s does not offer STARTTLS; SES requires TLS", endpoint)
	}
	// RootCAs nil means the system's roots.
	cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, RootCAs: roots}
	if err := c.StartTLS(cfg); err != nil {
		return "", fmt.Errorf("STARTTLS with %s: %w", endpoint, err)
	}
	var auth smtp.Auth = smtp.PlainAuth("", username, password, host)
	if _, mechs := c.Extension("AUTH"); !strings.Contains(" "+strings.ToUpper(mechs)+" ", " PLAIN ") && strings.Contains(" "+strings.ToUpper(mechs)+" ", " LOGIN ") {
		auth = loginAuth{username: username, password: password}
	}
	if err := c.Auth(auth); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) && te.Code == 535 {
			return "", fmt.Errorf("AUTH as %s refused: %w (the stored password does not match the key, the key is gone or inactive, or its user may not send; a key made in the last minute may not work yet, as IAM is eventually consistent)", username, err)
		}
		return "", fmt.Errorf("AUTH as %s refused: %w", username, err)
	}
	res.Authenticated = true
	recipient := "success@" + SimulatorDomain
	if err := c.Mail(setup.From); err != nil {
		return "", smtpError("MAIL FROM", err)
	}
	if err := c.Rcpt(recipient); err != nil {
		return "", smtpError("RCPT TO", err)
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: mailform test-send through SMTP as smtp_user.%s\r\n", setup.From, recipient, res.User)
	if setup.ConfigurationSet != "" {
		fmt.Fprintf(&msg, "X-SES-CONFIGURATION-SET: %s\r\n", setup.ConfigurationSet)
	}
	fmt.Fprintf(&msg, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nDate: %s\r\n\r\n", time.Now().UTC().Format(time.RFC1123Z))
	msg.WriteString("A test message from mailform test-send through the Amazon SES SMTP interface.\r\n")

	// DATA by hand: net/smtp's writer drops the server's answer, which
	// carries the SES message ID ("250 Ok <id>").
	id, err := c.Text.Cmd("DATA")
	if err != nil {
		return "", fmt.Errorf("DATA: %w", err)
	}
	c.Text.StartResponse(id)
	_, _, err = c.Text.ReadResponse(354)
	c.Text.EndResponse(id)
	if err != nil {
		return "", smtpError("DATA", err)
	}
	w := c.Text.DotWriter()
	if _, err := w.Write([]byte(msg.String())); err != nil {
		return "", fmt.Errorf("writing the message: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("writing the message: %w", err)
	}
	_, answer, err := c.Text.ReadResponse(250)
	if err != nil {
		return "", smtpError("end of DATA", err)
	}
	_ = c.Quit()
	fields := strings.Fields(answer)
	if len(fields) < 2 || !strings.EqualFold(fields[0], "Ok") {
		return "", fmt.Errorf("the answer to DATA carries no message ID: %q", answer)
	}
	return fields[1], nil
}

func smtpError(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && (te.Code == 454 || strings.Contains(te.Msg, "Maximum sending rate")) {
		return fmt.Errorf("%w: %s refused: %v", errRateExceeded, step, err)
	}
	return fmt.Errorf("%s refused: %w", step, err)
}

// loginAuth is AUTH LOGIN, for servers that do not offer PLAIN. Like
// net/smtp's PlainAuth it refuses to send the password without TLS.
type loginAuth struct{ username, password string }

func (a loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS {
		return "", nil, errors.New("refusing to send the password without TLS")
	}
	return "LOGIN", nil, nil
}

func (a loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:":
		return []byte(a.username), nil
	case "password:":
		return []byte(a.password), nil
	}
	return nil, fmt.Errorf("unexpected AUTH LOGIN prompt %q", fromServer)
}
