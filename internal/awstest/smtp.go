package awstest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mailform/mailform/internal/awstest/sesdouble"
)

// smtpServer is the double's SES SMTP interface: STARTTLS with a certificate
// made at start, AUTH with the SMTP passwords derived from access keys made
// through the double, and sends into the SES emulation.
type smtpServer struct {
	s        *Server
	region   string // the region whose endpoint this listener stands for
	listener net.Listener
	tls      *tls.Config
	dir      string // holds the CA file
	caFile   string
	wg       sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]bool // open sessions, closed by close
}

// DefaultSMTPRegion is the region of the SMTP interface at SMTPAddr when
// Options.SMTPRegion is "".
const DefaultSMTPRegion = "us-west-2"

// SMTPAddr is the HOST:PORT of the double's SES SMTP interface (STARTTLS,
// as on port 587 of email-smtp.REGION.amazonaws.com) for the region
// Options.SMTPRegion (default DefaultSMTPRegion). Like AWS's endpoint of one
// region, it accepts only passwords derived for that region.
func (s *Server) SMTPAddr() string {
	if s.smtp == nil {
		return ""
	}
	return s.smtp.listener.Addr().String()
}

// SMTPRegion is the region of the SMTP interface at SMTPAddr.
func (s *Server) SMTPRegion() string {
	if s.smtp == nil {
		return ""
	}
	return s.smtp.region
}

// SMTPAddrFor returns the HOST:PORT of the SMTP interface of region,
// starting it on first use. It shares SMTPCAFile with SMTPAddr.
func (s *Server) SMTPAddrFor(region string) (string, error) {
	if s.smtp == nil {
		return "", errors.New("the SMTP interface is not running")
	}
	if region == s.smtp.region {
		return s.SMTPAddr(), nil
	}
	if !slices.Contains(sesRegions, region) {
		return "", fmt.Errorf("SES has no SMTP endpoint in region %q", region)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.smtpRegions[region]; m != nil {
		return m.listener.Addr().String(), nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listening for SMTP: %w", err)
	}
	m := &smtpServer{s: s, region: region, listener: l, tls: s.smtp.tls}
	m.wg.Add(1)
	go m.accept()
	if s.smtpRegions == nil {
		s.smtpRegions = map[string]*smtpServer{}
	}
	s.smtpRegions[region] = m
	return l.Addr().String(), nil
}

// SMTPCAFile is the path of a PEM file holding the CA certificate that signed
// the SMTP interface's certificate; clients trust it to talk TLS to it.
func (s *Server) SMTPCAFile() string {
	if s.smtp == nil {
		return ""
	}
	return s.smtp.caFile
}

// smtpIdentityHost is how the double names itself in SMTP greetings.
const smtpIdentityHost = "email-smtp.amazonaws.com"

func startSMTP(s *Server, region string) (*smtpServer, error) {
	if region == "" {
		region = DefaultSMTPRegion
	}
	if !slices.Contains(sesRegions, region) {
		return nil, fmt.Errorf("SMTP region %q: SES has no SMTP endpoint there", region)
	}
	dir, err := os.MkdirTemp("", "mailform-double-smtp-")
	if err != nil {
		return nil, fmt.Errorf("making a folder for the SMTP CA: %w", err)
	}
	cert, caPEM, err := smtpCertificate()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("writing the SMTP CA: %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("listening for SMTP: %w", err)
	}
	m := &smtpServer{s: s, region: region, listener: l, dir: dir, caFile: caFile,
		tls: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	m.wg.Add(1)
	go m.accept()
	return m, nil
}

func (m *smtpServer) close() {
	_ = m.listener.Close()
	m.mu.Lock()
	for c := range m.conns {
		_ = c.Close()
	}
	m.mu.Unlock()
	m.wg.Wait()
	if m.dir != "" {
		_ = os.RemoveAll(m.dir)
	}
}

func (m *smtpServer) accept() {
	defer m.wg.Done()
	for {
		conn, err := m.listener.Accept()
		if err != nil {
			return
		}
		m.mu.Lock()
		if m.conns == nil {
			m.conns = map[net.Conn]bool{}
		}
		m.conns[conn] = true
		m.mu.Unlock()
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.serve(conn)
			m.mu.Lock()
			delete(m.conns, conn)
			m.mu.Unlock()
		}()
	}
}

// smtpCertificate makes a CA and a certificate for the loopback addresses
// signed by it. It returns the server's certificate and the CA in PEM.
func smtpCertificate() (tls.Certificate, []byte, error) {
	fail := func(err error) (tls.Certificate, []byte, error) {
		return tls.Certificate{}, nil, fmt.Errorf("making the SMTP certificate: %w", err)
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fail(err)
	}
	now := time.Now()
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailform local AWS double SMTP CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return fail(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return fail(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fail(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		return fail(err)
	}
	return tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), nil
}

// smtpSession is the state of one SMTP connection.
type smtpSession struct {
	tp     *textproto.Conn
	conn   net.Conn
	secure bool
	user   *smtpUser
	from   string
	rcpts  []string
}

func (ss *smtpSession) reply(format string, args ...any) error {
	return ss.tp.PrintfLine(format, args...)
}

func (ss *smtpSession) resetMail() { ss.from, ss.rcpts = "", nil }

func (m *smtpServer) serve(conn net.Conn) {
	defer conn.Close()
	ctx, cancel := context.WithTimeout(m.s.life, 5*time.Minute)
	defer cancel()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Minute))
	ss := &smtpSession{tp: textproto.NewConn(conn), conn: conn}
	if ss.reply("220 %s ESMTP SimpleEmailService (mailform local AWS double)", smtpIdentityHost) != nil {
		return
	}
	for {
		line, err := ss.tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if err := m.command(ctx, ss, verb, strings.TrimSpace(arg)); err != nil {
			return
		}
		if verb == "QUIT" {
			return
		}
	}
}

// errSMTPClose ends a session after a reply.
var errSMTPClose = errors.New("closing the SMTP session")

func (m *smtpServer) command(ctx context.Context, ss *smtpSession, verb, arg string) error {
	switch verb {
	case "EHLO", "HELO":
		ss.resetMail()
		if verb == "HELO" {
			return ss.reply("250 %s", smtpIdentityHost)
		}
		lines := []string{smtpIdentityHost, "8BITMIME", "SIZE 10485760"}
		if ss.secure {
			lines = append(lines, "AUTH PLAIN LOGIN")
		} else {
			lines = append(lines, "STARTTLS")
		}
		lines = append(lines, "Ok")
		for i, l := range lines {
			sep := "-"
			if i == len(lines)-1 {
				sep = " "
			}
			if err := ss.reply("250%s%s", sep, l); err != nil {
				return err
			}
		}
		return nil
	case "STARTTLS":
		if ss.secure {
			return ss.reply("503 TLS already active")
		}
		if err := ss.reply("220 Ready to start TLS"); err != nil {
			return err
		}
		tc := tls.Server(ss.conn, m.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return errSMTPClose
		}
		ss.conn, ss.tp, ss.secure = tc, textproto.NewConn(tc), true
		ss.user = nil
		ss.resetMail()
		return nil
	case "AUTH":
		if !ss.secure {
			return ss.reply("530 Must issue a STARTTLS command first")
		}
		if ss.user != nil {
			return ss.reply("503 Already authenticated")
		}
		username, password, ok, err := readAuth(ss, arg)
		if err != nil {
			return err
		}
		if !ok {
			return ss.reply("501 Invalid AUTH arguments")
		}
		u, err := m.authenticate(ctx, username, password)
		if err != nil {
			return ss.reply("535 Authentication Credentials Invalid")
		}
		ss.user = u
		return ss.reply("235 Authentication successful.")
	case "MAIL":
		if !ss.secure {
			return ss.reply("530 Must issue a STARTTLS command first")
		}
		if ss.user == nil {
			return ss.reply("530 Authentication required")
		}
		addr, ok := pathArg(arg, "FROM:")
		if !ok {
			return ss.reply("501 Syntax: MAIL FROM:<address>")
		}
		if !ss.user.mayFrom(addr) {
			return ss.reply("%s", ss.user.denied(addr))
		}
		ss.resetMail()
		ss.from = addr
		return ss.reply("250 Ok")
	case "RCPT":
		if ss.from == "" {
			return ss.reply("503 Error: need MAIL command")
		}
		addr, ok := pathArg(arg, "TO:")
		if !ok || addr == "" {
			return ss.reply("501 Syntax: RCPT TO:<address>")
		}
		if len(ss.rcpts) >= 50 {
			return ss.reply("452 Too many recipients")
		}
		ss.rcpts = append(ss.rcpts, addr)
		return ss.reply("250 Ok")
	case "DATA":
		if len(ss.rcpts) == 0 {
			return ss.reply("503 Error: need RCPT command")
		}
		if err := ss.reply("354 End data with <CR><LF>.<CR><LF>"); err != nil {
			return err
		}
		data, err := ss.tp.ReadDotBytes()
		if err != nil {
			return err
		}
		defer ss.resetMail()
		return ss.reply("%s", m.deliver(ctx, ss, data))
	case "RSET":
		ss.resetMail()
		return ss.reply("250 Ok")
	case "NOOP":
		return ss.reply("250 Ok")
	case "QUIT":
		return ss.reply("221 Bye")
	}
	return ss.reply("502 Command not implemented")
}

// readAuth reads the credentials of AUTH PLAIN or AUTH LOGIN.
func readAuth(ss *smtpSession, arg string) (username, password string, ok bool, err error) {
	mech, initial, _ := strings.Cut(arg, " ")
	ask := func(prompt string) (string, error) {
		if err := ss.reply("334 %s", base64.StdEncoding.EncodeToString([]byte(prompt))); err != nil {
			return "", err
		}
		line, err := ss.tp.ReadLine()
		if err != nil {
			return "", err
		}
		b, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(line))
		if derr != nil {
			return "\x00invalid", nil
		}
		return string(b), nil
	}
	switch strings.ToUpper(mech) {
	case "PLAIN":
		var resp []byte
		if initial != "" {
			if resp, err = base64.StdEncoding.DecodeString(initial); err != nil {
				return "", "", false, nil
			}
		} else {
			if err := ss.reply("334 "); err != nil {
				return "", "", false, err
			}
			line, err := ss.tp.ReadLine()
			if err != nil {
				return "", "", false, err
			}
			if resp, err = base64.StdEncoding.DecodeString(strings.TrimSpace(line)); err != nil {
				return "", "", false, nil
			}
		}
		parts := bytes.Split(resp, []byte{0})
		if len(parts) != 3 {
			return "", "", false, nil
		}
		return string(parts[1]), string(parts[2]), true, nil
	case "LOGIN":
		if initial != "" {
			b, derr := base64.StdEncoding.DecodeString(initial)
			if derr != nil {
				return "", "", false, nil
			}
			username = string(b)
		} else if username, err = ask("Username:"); err != nil {
			return "", "", false, err
		}
		if password, err = ask("Password:"); err != nil {
			return "", "", false, err
		}
		return username, password, true, nil
	}
	return "", "", false, nil
}

// pathArg reads "FROM:<addr> [params]" or "TO:<addr>".
func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

// deliver hands an accepted message to the SES emulation and returns the
// SMTP reply, as SES's SMTP interface words it.
func (m *smtpServer) deliver(ctx context.Context, ss *smtpSession, data []byte) string {
	from := ss.from
	if msg, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		if h, err := mail.ParseAddress(msg.Header.Get("From")); err == nil {
			from = h.Address
		}
	}
	if !ss.user.mayFrom(from) {
		return ss.user.denied(from)
	}
	ses, ok := m.s.sesDouble()
	if !ok {
		return "451 Local error: the SES emulation is not running"
	}
	id, err := ses.SendRaw(ctx, ss.user.region, sesdouble.RawMessage{
		Source: ss.from, Destinations: ss.rcpts, Data: data, SourceIP: remoteHost(ss.conn),
	})
	var rejected *sesdouble.SendError
	switch {
	case err == nil:
		return "250 Ok " + id
	case errors.As(err, &rejected) && rejected.Throttled:
		return "454 Throttling failure: " + rejected.Message
	case errors.As(err, &rejected):
		return "554 Message rejected: " + rejected.Message
	}
	return "451 Local error: " + err.Error()
}

func remoteHost(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return ""
	}
	return host
}

// sesDouble returns the SES emulation serving the service "ses".
func (s *Server) sesDouble() (*sesdouble.Double, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.handlers["ses"].(*sesdouble.Double)
	return d, ok
}

// smtpPassword derives the SES SMTP password (version 4) of a secret access
// key for a region, as AWS documents it. It is written here apart from
// mailform's own derivation so that each checks the other.
func smtpPassword(secret, region string) string {
	sign := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	k := sign([]byte("AWS4"+secret), "11111111")
	for _, msg := range []string{region, "ses", "aws4_request", "SendRawEmail"} {
		k = sign(k, msg)
	}
	return base64.StdEncoding.EncodeToString(append([]byte{0x04}, k...))
}

// sesRegions are the regions with an SES SMTP endpoint.
var sesRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
	"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
	"ap-south-1", "ap-south-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
	"af-south-1", "me-south-1", "me-central-1", "il-central-1", "sa-east-1",
	"us-gov-east-1", "us-gov-west-1",
}
