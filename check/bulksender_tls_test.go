package check

import (
	"context"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// hangingSMTPServer greets, offers STARTTLS and agrees to it, then never
// starts the handshake: an MTA (or a middlebox) that hangs mid-conversation.
func hangingSMTPServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { close(done); ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				tp := textproto.NewConn(conn)
				tp.PrintfLine("220 mx1.acme.example ESMTP")
				for {
					line, err := tp.ReadLine()
					if err != nil {
						return
					}
					switch strings.ToUpper(strings.Fields(line + " x")[0]) {
					case "EHLO":
						tp.PrintfLine("250-mx1.acme.example\r\n250 STARTTLS")
					case "STARTTLS":
						tp.PrintfLine("220 go ahead")
						<-done
						return
					default:
						tp.PrintfLine("250 ok")
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func dialAddr(addr string) func(context.Context, string) (net.Conn, error) {
	return func(ctx context.Context, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
}

// TestStartTLSHandshakeTimeoutCouldNotTest: a handshake that does not
// finish within -smtp-timeout is "could not test" (WARN), as docs/check.md
// says of a port that does not answer in time, not a FAIL telling the user
// to turn on the STARTTLS the MTA just offered.
func TestStartTLSHandshakeTimeoutCouldNotTest(t *testing.T) {
	m := MTA{Addr: "mta.mx1", Hostname: "mx1.acme.example.", IP: "192.0.2.10"}
	st, msg, _ := startTLS(t.Context(), m, BulkOptions{DialSMTP: dialAddr(hangingSMTPServer(t)), SMTPTimeout: 300 * time.Millisecond})
	if st != Warn || !strings.Contains(msg, "could not test") || !strings.Contains(msg, "300ms") {
		t.Errorf("%s %q, want WARN could not test ... within 300ms", st, msg)
	}
}

// TestStartTLSStopsWhenInterrupted: Ctrl-C (the context cancelled) ends the
// test at once, not when -smtp-timeout runs out, whatever stage it is in.
func TestStartTLSStopsWhenInterrupted(t *testing.T) {
	m := MTA{Addr: "mta.mx1", Hostname: "mx1.acme.example.", IP: "192.0.2.10"}
	for name, addr := range map[string]string{"silent": smtpServer(t, nil, false), "handshake": hangingSMTPServer(t)} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(200*time.Millisecond, cancel)
			start := time.Now()
			st, msg, _ := startTLS(ctx, m, BulkOptions{DialSMTP: dialAddr(addr), SMTPTimeout: 30 * time.Second})
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("startTLS returned %v after the interrupt", d)
			}
			if st != Warn || !strings.Contains(msg, "interrupted") {
				t.Errorf("%s %q, want WARN ... interrupted", st, msg)
			}
		})
	}
}
