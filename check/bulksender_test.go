package check

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/mailform/mailform/internal/golden"
)

// bulkZone is a healthy acme.example: SES with MAIL FROM bounce.acme.example
// and Easy DKIM, one MTA at 192.0.2.10 listed in the apex SPF.
var bulkZone = []string{
	`acme.example. 300 IN TXT "v=spf1 include:amazonses.com ip4:192.0.2.10 ~all"`,
	`bounce.acme.example. 300 IN TXT "v=spf1 include:amazonses.com ~all"`,
	`_dmarc.acme.example. 300 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@acme.example"`,
	`tok1._domainkey.acme.example. 1800 IN CNAME tok1.dkim.amazonses.com.`,
	`mx1.acme.example. 300 IN A 192.0.2.10`,
	`10.2.0.192.in-addr.arpa. 300 IN PTR mx1.acme.example.`,
}

func bulkTarget() Target {
	return Target{
		Region: "us-west-2",
		Domains: []Domain{{
			Name: "acme.example.", SES: true, MailFrom: "bounce.acme.example.", SignedBy: []string{"Easy DKIM"},
			Records: []Record{
				{Addr: "domain.acme.example/dkim[0]", Part: "dkim", Name: "tok1._domainkey.acme.example.", Type: "CNAME", Values: []string{"tok1.dkim.amazonses.com."}},
				{Addr: "domain.acme.example/spf", Part: "spf", Name: "acme.example.", Type: "TXT", Values: []string{`"v=spf1 include:amazonses.com ip4:192.0.2.10 ~all"`}},
			},
		}},
		MTAs:       []MTA{{Addr: "mta.mx1", Hostname: "mx1.acme.example.", IP: "192.0.2.10", ReverseDNS: true}},
		Identities: []string{"acme.example"},
		SESStatus:  map[string]string{"acme.example": "verification SUCCESS, DKIM SUCCESS, MAIL FROM SUCCESS"},
	}
}

// replaceRR swaps the zone lines that start with prefix for lines.
func replaceRR(zone []string, prefix string, lines ...string) []string {
	var out []string
	for _, l := range zone {
		if !strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return append(out, lines...)
}

// metricsStub serves fixed datapoints per metric.
type metricsStub struct {
	rates map[string]float64 // metric -> rate; absent: no datapoint
	err   error
}

func (m metricsStub) GetMetricStatistics(_ context.Context, in *cloudwatch.GetMetricStatisticsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricStatisticsOutput, error) {
	if m.err != nil {
		return nil, m.err
	}
	out := &cloudwatch.GetMetricStatisticsOutput{}
	if r, ok := m.rates[aws.ToString(in.MetricName)]; ok {
		at := aws.ToTime(in.EndTime).Add(-time.Hour)
		out.Datapoints = []cwtypes.Datapoint{
			{Timestamp: aws.Time(at.Add(-time.Hour)), Average: aws.Float64(0)}, // older: not the one reported
			{Timestamp: aws.Time(at), Average: aws.Float64(r)},
		}
	}
	return out, nil
}

var fixedNow = func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }

// unreachableDial fails as a firewalled port 25 does.
func unreachableDial(context.Context, string) (net.Conn, error) {
	return nil, errors.New("dial tcp 192.0.2.10:25: i/o timeout")
}

// statusOf finds the status of the first result of check in group.
func statusOf(t *testing.T, rep *Report, group, check string) Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.Group == group && r.Check == check {
			return r
		}
	}
	t.Fatalf("no %s result in group %s: %+v", check, group, rep.Results)
	return Result{}
}

// TestBulkSenderRules drives each requirement to OK, WARN and FAIL through
// DNS answers, the target and the SES metrics.
func TestBulkSenderRules(t *testing.T) {
	healthyRates := metricsStub{rates: map[string]float64{"Reputation.ComplaintRate": 0.0004, "Reputation.BounceRate": 0.01}}
	cases := []struct {
		name    string
		zone    func([]string) []string
		target  func(*Target)
		metrics MetricsAPI
		group   string
		check   string
		want    Status
		message string // a substring of the message
	}{
		{name: "SPF SES path passes", group: "acme.example", check: "SPF", want: OK, message: "includes amazonses.com"},
		{name: "SPF SES path without include", zone: func(z []string) []string {
			return replaceRR(z, "bounce.", `bounce.acme.example. 300 IN TXT "v=spf1 ip4:192.0.2.99 -all"`)
		}, group: "acme.example", check: "SPF", want: Fail, message: "does not include amazonses.com"},
		{name: "SPF SES path without record", zone: func(z []string) []string { return replaceRR(z, "bounce.") },
			group: "acme.example", check: "SPF", want: Fail, message: "no SPF record at bounce.acme.example"},
		{name: "SPF SES path with two records", zone: func(z []string) []string {
			return append(z, `bounce.acme.example. 300 IN TXT "v=spf1 -all"`)
		}, group: "acme.example", check: "SPF", want: Fail, message: "2 SPF records"},
		{name: "SPF SES path without MAIL FROM", target: func(t *Target) { t.Domains[0].MailFrom = "" },
			group: "acme.example", check: "SPF", want: Warn, message: "amazonses.com"},
		{name: "DKIM served", group: "acme.example", check: "DKIM", want: OK, message: "d=acme.example"},
		{name: "DKIM CNAME missing", zone: func(z []string) []string { return replaceRR(z, "tok1.") },
			group: "acme.example", check: "DKIM", want: Fail, message: "is not served"},
		{name: "DKIM CNAME elsewhere", zone: func(z []string) []string {
			return replaceRR(z, "tok1.", `tok1._domainkey.acme.example. 1800 IN CNAME other.example.`)
		}, group: "acme.example", check: "DKIM", want: Fail, message: "serves other.example."},
		{name: "DKIM not signed", target: func(t *Target) { t.Domains[0].SignedBy = nil },
			group: "acme.example", check: "DKIM", want: Fail, message: "nothing signs"},
		{name: "DKIM pending in SES", target: func(t *Target) {
			t.SESStatus["acme.example"] = "verification SUCCESS, DKIM PENDING"
		}, group: "acme.example", check: "DKIM", want: Fail, message: "SES does not sign yet"},
		{name: "DMARC p=none", group: "acme.example", check: "DMARC", want: OK, message: "p=none"},
		{name: "DMARC missing", zone: func(z []string) []string { return replaceRR(z, "_dmarc.") },
			group: "acme.example", check: "DMARC", want: Fail, message: "no DMARC record"},
		{name: "DMARC broken", zone: func(z []string) []string {
			return replaceRR(z, "_dmarc.", `_dmarc.acme.example. 300 IN TXT "v=DMARC1; p=quarantin"`)
		}, group: "acme.example", check: "DMARC", want: Fail, message: "does not parse"},
		{name: "alignment by DKIM", group: "acme.example", check: "DMARC alignment", want: OK, message: "DKIM (d=acme.example)"},
		{name: "alignment fails: no signer, strict SPF", zone: func(z []string) []string {
			return replaceRR(z, "_dmarc.", `_dmarc.acme.example. 300 IN TXT "v=DMARC1; p=reject; aspf=s"`)
		}, target: func(t *Target) { t.Domains[0].SignedBy = nil; t.MTAs = nil },
			group: "acme.example", check: "DMARC alignment", want: Fail, message: "neither DKIM nor SPF aligns"},
		{name: "alignment without DMARC", zone: func(z []string) []string { return replaceRR(z, "_dmarc.") },
			group: "acme.example", check: "DMARC alignment", want: Fail, message: "nothing to align with"},
		{name: "unsubscribe is manual", group: "acme.example", check: "one-click unsubscribe", want: Info, message: "MANUAL"},
		{name: "FCrDNS", group: "mx1.acme.example (mta.mx1)", check: "FCrDNS", want: OK, message: "192.0.2.10 -> mx1.acme.example. -> 192.0.2.10"},
		{name: "FCrDNS without PTR", zone: func(z []string) []string { return replaceRR(z, "10.2.0.192") },
			group: "mx1.acme.example (mta.mx1)", check: "FCrDNS", want: Fail, message: "no PTR record"},
		{name: "FCrDNS not confirmed", zone: func(z []string) []string { return replaceRR(z, "mx1.", `mx1.acme.example. 300 IN A 192.0.2.77`) },
			group: "mx1.acme.example (mta.mx1)", check: "FCrDNS", want: Fail, message: "does not resolve back"},
		{name: "FCrDNS without IP", target: func(t *Target) { t.MTAs[0].IP = "" },
			group: "mx1.acme.example (mta.mx1)", check: "FCrDNS", want: Fail, message: "does not exist yet"},
		{name: "SPF MTA path passes", target: func(t *Target) { t.Domains[0].SES = false },
			group: "acme.example", check: "SPF", want: OK, message: "mta.mx1 path: SPF passes for 192.0.2.10"},
		{name: "SPF MTA path fails", zone: func(z []string) []string {
			return replaceRR(z, "acme.example. 300 IN TXT", `acme.example. 300 IN TXT "v=spf1 include:amazonses.com -all"`)
		}, target: func(t *Target) { t.Domains[0].SES = false },
			group: "acme.example", check: "SPF", want: Fail, message: "SPF gives fail for 192.0.2.10"},
		{name: "SPF no sending path", target: func(t *Target) { t.Domains[0].SES = false; t.MTAs = nil },
			group: "acme.example", check: "SPF", want: Warn, message: "names no sending path"},
		{name: "TLS unreachable is could not test", group: "mx1.acme.example (mta.mx1)", check: "TLS", want: Warn, message: "could not test"},
		{name: "complaint rate low", group: "SES account", check: "complaint rate", want: OK, message: "0.04%"},
		{name: "complaint rate warn", metrics: metricsStub{rates: map[string]float64{"Reputation.ComplaintRate": 0.0015}},
			group: "SES account", check: "complaint rate", want: Warn, message: "0.15%"},
		{name: "complaint rate fail", metrics: metricsStub{rates: map[string]float64{"Reputation.ComplaintRate": 0.003}},
			group: "SES account", check: "complaint rate", want: Fail, message: "0.30%"},
		{name: "complaint rate no data", metrics: metricsStub{},
			group: "SES account", check: "complaint rate", want: Info, message: "no value in the last 14 days"},
		{name: "complaint rate unreadable", metrics: metricsStub{err: errors.New("AccessDenied")},
			group: "SES account", check: "complaint rate", want: Warn, message: "could not test"},
		{name: "bounce rate low", group: "SES account", check: "bounce rate", want: OK, message: "1.00%"},
		{name: "bounce rate review", metrics: metricsStub{rates: map[string]float64{"Reputation.BounceRate": 0.05}},
			group: "SES account", check: "bounce rate", want: Warn, message: "5.00%"},
		{name: "bounce rate pause", metrics: metricsStub{rates: map[string]float64{"Reputation.BounceRate": 0.12}},
			group: "SES account", check: "bounce rate", want: Fail, message: "12.00%"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			zone := append([]string(nil), bulkZone...)
			if c.zone != nil {
				zone = c.zone(zone)
			}
			target := bulkTarget()
			if c.target != nil {
				c.target(&target)
			}
			metrics := c.metrics
			if metrics == nil {
				metrics = healthyRates
			}
			stub := newStub(t, zone...)
			stub.unreachable = []string{"amazonses.com."}
			rep := BulkSender(t.Context(), target, BulkOptions{DNS: stub, Metrics: metrics, DialSMTP: unreachableDial, Now: fixedNow})
			r := statusOf(t, rep, c.group, c.check)
			if r.Status != c.want || !strings.Contains(r.Message, c.message) {
				t.Errorf("%s: %s %q, want %s with %q", c.check, r.Status, r.Message, c.want, c.message)
			}
			if len(r.Sources) == 0 {
				t.Errorf("%s has no source", c.check)
			}
			if r.Status != OK && r.Status != Info && r.Fix == "" && !strings.Contains(r.Message, "could not") {
				t.Errorf("%s is %s without a fix", c.check, r.Status)
			}
		})
	}
}

func TestRateStatus(t *testing.T) {
	for _, c := range []struct {
		rate float64
		want Status
	}{{0, OK}, {0.00099, OK}, {0.001, Warn}, {0.0029, Warn}, {0.003, Fail}, {0.5, Fail}} {
		if got := RateStatus(c.rate, ComplaintRateWarn, ComplaintRateFail); got != c.want {
			t.Errorf("complaint rate %v: %s, want %s", c.rate, got, c.want)
		}
	}
	for _, c := range []struct {
		rate float64
		want Status
	}{{0.049, OK}, {0.05, Warn}, {0.099, Warn}, {0.10, Fail}} {
		if got := RateStatus(c.rate, BounceRateWarn, BounceRateFail); got != c.want {
			t.Errorf("bounce rate %v: %s, want %s", c.rate, got, c.want)
		}
	}
}

// smtpServer serves one SMTP conversation on a local port: a greeting, an
// EHLO answer offering STARTTLS when cert is set, and the TLS handshake.
func smtpServer(t *testing.T, cert *tls.Certificate, greet bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				if !greet {
					time.Sleep(2 * time.Second)
					return
				}
				tp := textproto.NewConn(conn)
				tp.PrintfLine("220 mx1.acme.example ESMTP")
				for {
					line, err := tp.ReadLine()
					if err != nil {
						return
					}
					switch verb := strings.ToUpper(strings.Fields(line + " x")[0]); verb {
					case "EHLO":
						if cert != nil {
							tp.PrintfLine("250-mx1.acme.example\r\n250-PIPELINING\r\n250 STARTTLS")
						} else {
							tp.PrintfLine("250-mx1.acme.example\r\n250 PIPELINING")
						}
					case "STARTTLS":
						tp.PrintfLine("220 go ahead")
						tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{*cert}})
						if tc.Handshake() != nil {
							return
						}
						tp = textproto.NewConn(tc)
					case "QUIT":
						tp.PrintfLine("221 bye")
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

func selfSigned(t *testing.T) *tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx1.acme.example"},
		DNSNames: []string{"mx1.acme.example"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestStartTLS: STARTTLS offered and working is OK (a self-signed
// certificate is noted, not failed); not offered is FAIL; no greeting
// within the timeout and a refused connection are WARN (could not test).
func TestStartTLS(t *testing.T) {
	m := MTA{Addr: "mta.mx1", Hostname: "mx1.acme.example.", IP: "192.0.2.10"}
	dialTo := func(addr string) func(context.Context, string) (net.Conn, error) {
		return func(ctx context.Context, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		}
	}
	closed := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}()
	for _, c := range []struct {
		name    string
		addr    string
		want    Status
		message string
		detail  string
	}{
		{"starttls", smtpServer(t, selfSigned(t), true), OK, "STARTTLS offered; TLS 1.3 handshake completed", "does not verify"},
		{"no starttls", smtpServer(t, nil, true), Fail, "does not offer STARTTLS", ""},
		{"silent", smtpServer(t, nil, false), Warn, "could not test", ""},
		{"refused", closed, Warn, "could not test: port 25 of 192.0.2.10 cannot be reached", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			st, msg, details := startTLS(t.Context(), m, BulkOptions{DialSMTP: dialTo(c.addr), SMTPTimeout: 500 * time.Millisecond})
			if st != c.want || !strings.Contains(msg, c.message) {
				t.Errorf("%s %q, want %s %q", st, msg, c.want, c.message)
			}
			if c.detail != "" && !strings.Contains(strings.Join(details, "\n"), c.detail) {
				t.Errorf("details %q, want %q", details, c.detail)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("the test took %v: the timeout does not bound it", d)
			}
		})
	}
}

// TestBulkSenderGolden fixes the human, JSON and checklist forms of a
// report with OK, INFO, WARN and FAIL results.
func TestBulkSenderGolden(t *testing.T) {
	zone := replaceRR(append([]string(nil), bulkZone...), "_dmarc.")
	stub := newStub(t, zone...)
	stub.unreachable = []string{"amazonses.com."}
	rep := BulkSender(t.Context(), bulkTarget(), BulkOptions{DNS: stub, Resolver: "127.0.0.1:5353", DialSMTP: unreachableDial, Now: fixedNow,
		Metrics: metricsStub{rates: map[string]float64{"Reputation.ComplaintRate": 0.0015, "Reputation.BounceRate": 0.02}}})
	var human, js, md bytes.Buffer
	for _, w := range []struct {
		f   func(*bytes.Buffer, *Report) error
		buf *bytes.Buffer
	}{
		{func(b *bytes.Buffer, r *Report) error { return WriteHuman(b, r) }, &human},
		{func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) }, &js},
		{func(b *bytes.Buffer, r *Report) error { return WriteChecklist(b, r) }, &md},
	} {
		if err := w.f(w.buf, rep); err != nil {
			t.Fatal(err)
		}
	}
	golden.Check(t, "testdata/bulk-sender.txt", human.Bytes())
	golden.Check(t, "testdata/bulk-sender.json", js.Bytes())
	golden.Check(t, "testdata/bulk-sender.md", md.Bytes())
	if rep.Passed() {
		t.Error("a report without DMARC passed")
	}
}
