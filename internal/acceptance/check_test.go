package acceptance

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
)

// check runs mailform check against the double, with the double's DNS
// server as the resolver.
func (e *env) check(want int, extra ...string) result {
	e.t.Helper()
	args := append([]string{"check", e.dir, "-endpoint-url", e.s.URL(), "-resolver", e.s.DNSAddr()}, extra...)
	return e.must(want, args...)
}

// setRecord replaces (or creates) a record set out of band, as someone
// editing the zone by hand would.
func (e *env) setRecord(zoneID, name string, typ r53types.RRType, values ...string) {
	e.t.Helper()
	e.changeRecord(zoneID, r53types.ChangeActionUpsert, name, typ, values...)
}

func (e *env) changeRecord(zoneID string, action r53types.ChangeAction, name string, typ r53types.RRType, values ...string) {
	e.t.Helper()
	var rrs []r53types.ResourceRecord
	for _, v := range values {
		rrs = append(rrs, r53types.ResourceRecord{Value: aws.String(v)})
	}
	ttl := int64(300)
	if typ == r53types.RRTypeCname {
		ttl = 1800
	}
	_, err := route53.NewFromConfig(e.s.Config("us-east-1")).ChangeResourceRecordSets(e.ctx(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action:            action,
			ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl), ResourceRecords: rrs},
		}}},
	})
	if err != nil {
		e.t.Fatalf("%s %s %s: %v", action, name, typ, err)
	}
}

// requireLine fails unless some line of out matches every pattern, in order.
func requireLine(t *testing.T, out string, patterns ...string) {
	t.Helper()
	re := regexp.MustCompile(strings.Join(patterns, ".*"))
	for _, line := range strings.Split(out, "\n") {
		if re.MatchString(line) {
			return
		}
	}
	t.Errorf("no line matches %q in:\n%s", re, out)
}

// requireBlock fails unless out has a line matching head, followed by the
// expected and served lines of that check.
func requireBlock(t *testing.T, out, head, expected, served string) {
	t.Helper()
	re := regexp.MustCompile(head + `[^\n]*\n\s+expected: ` + expected + `\n\s+served:   ` + served + `\n`)
	if !re.MatchString(out) {
		t.Errorf("no check matching %q with expected %q and served %q in:\n%s", head, expected, served, out)
	}
}

// TestCheckSESDomain applies examples/ses-domain, proves every check passes
// against the name servers, then breaks one thing at a time out of band and
// expects the right FAIL, with expected and served values.
func TestCheckSESDomain(t *testing.T) {
	e := newEnv(t, "ses-domain")
	zoneID := e.createZone("acme.example")
	// An include inside the zone, so that its lookups are counted live.
	e.edit("main.hcl", `include = ["amazonses.com"]`, `include = ["amazonses.com", "_spf.acme.example"]`)

	// A resolver that is not HOST:PORT is refused before anything is read.
	bad := e.mailform("check", e.dir, "-endpoint-url", e.s.URL(), "-resolver", "localhost")
	if bad.code != 1 || !strings.Contains(bad.stderr, `resolver "localhost": want HOST:PORT`) {
		t.Errorf("check -resolver localhost: exit %d, stderr %q", bad.code, bad.stderr)
	}

	// Before apply: nothing is there, and check says what to do.
	before := e.check(1)
	requireLine(t, before.stdout, "FAIL", "DKIM", "its value is not known yet: it waits for domain.acme.example \\(dkim_tokens\\); run mailform apply")
	requireLine(t, before.stdout, "FAIL", "SPF", "acme.example. TXT", "missing")
	requireLine(t, before.stdout, "FAIL", "SES identity", "acme.example", "NOT_FOUND")

	e.must(0, "apply", e.dir, "-auto-approve")
	e.setRecord(zoneID, "_spf.acme.example", r53types.RRTypeTxt, `"v=spf1 include:s1.acme.example ~all"`)
	e.setRecord(zoneID, "s1.acme.example", r53types.RRTypeTxt, `"v=spf1 ip4:192.0.2.1 -all"`)

	healthy := e.check(0)
	for _, want := range [][]string{
		{"OK", "DKIM", "_domainkey.acme.example. CNAME", "points at SES's key"},
		{"INFO", "DKIM key", "dkim.amazonses.com. TXT", "not followed"},
		{"OK", "SPF lookups", "acme.example. TXT", "3 of 10 DNS lookups"},
		{"include:amazonses.com = 1", "mailform's table"},
		{"include:_spf.acme.example = 2"},
		{"OK", "DMARC", "_dmarc.acme.example. TXT", "p=quarantine"},
		{"OK", "MAIL FROM MX", "bounce.acme.example. MX", "exactly one MX"},
		{"OK", "alignment"},
		{"OK", "SES", "verified", "DKIM SUCCESS, MAIL FROM SUCCESS"},
		{"INFO", "delegation", "not checked: -resolver"},
		{"^Checks: .* 0 FAIL"},
	} {
		requireLine(t, healthy.stdout, want...)
	}
	// The example declares no reputation alarms: check says so, and
	// nothing else is amiss.
	requireLine(t, healthy.stdout, "WARN", "reputation alarm", "Reputation.BounceRate", "no CloudWatch alarm")
	for _, line := range strings.Split(healthy.stdout, "\n") {
		if (strings.Contains(line, "FAIL ") || strings.Contains(line, "WARN ")) && !strings.Contains(line, "reputation alarm") {
			t.Errorf("a check did not pass: %s\n%s", line, healthy.stdout)
		}
	}

	sets := e.recordSets(zoneID)
	var dkimName, dkimTarget string
	for key, rs := range sets {
		if strings.HasSuffix(key, "._domainkey.acme.example. CNAME") {
			dkimName, dkimTarget = aws.ToString(rs.Name), values(rs)[0]
			break
		}
	}
	apexTXT := values(sets["acme.example. TXT"])
	const spfValue = `"v=spf1 include:amazonses.com include:_spf.acme.example ~all"`
	const dmarcValue = `"v=DMARC1; p=quarantine; rua=mailto:ops@acme.example"`
	const mx = "10 feedback-smtp.us-west-2.amazonses.com."

	cases := []struct {
		name    string
		break_  func()
		restore func()
		check   func(t *testing.T, out string)
	}{
		{
			name: "missing DKIM CNAME",
			break_: func() {
				e.changeRecord(zoneID, r53types.ChangeActionDelete, dkimName, r53types.RRTypeCname, dkimTarget)
			},
			restore: func() { e.setRecord(zoneID, dkimName, r53types.RRTypeCname, dkimTarget) },
			check: func(t *testing.T, out string) {
				requireBlock(t, out, `FAIL +DKIM +`+regexp.QuoteMeta(dkimName)+` CNAME +missing`, regexp.QuoteMeta(dkimTarget), `\(nothing\)`)
			},
		},
		{
			name: "two SPF records at the apex",
			break_: func() {
				e.setRecord(zoneID, "acme.example", r53types.RRTypeTxt, append([]string{`"v=spf1 -all"`}, apexTXT...)...)
			},
			restore: func() { e.setRecord(zoneID, "acme.example", r53types.RRTypeTxt, apexTXT...) },
			check: func(t *testing.T, out string) {
				requireBlock(t, out, `FAIL +SPF +acme.example. TXT +2 SPF records at one name`, regexp.QuoteMeta(spfValue), regexp.QuoteMeta(`"v=spf1 -all", `+spfValue))
			},
		},
		{
			name: "SPF over the lookup limit",
			break_: func() {
				e.setRecord(zoneID, "_spf.acme.example", r53types.RRTypeTxt, `"v=spf1 include:s1.acme.example include:s2.acme.example include:s3.acme.example include:s4.acme.example include:s5.acme.example ~all"`)
				for _, s := range []string{"s1", "s2", "s3", "s4"} {
					e.setRecord(zoneID, s+".acme.example", r53types.RRTypeTxt, `"v=spf1 include:leaf.acme.example ~all"`)
				}
				e.setRecord(zoneID, "s5.acme.example", r53types.RRTypeTxt, `"v=spf1 ip4:192.0.2.5 -all"`)
				e.setRecord(zoneID, "leaf.acme.example", r53types.RRTypeTxt, `"v=spf1 ip4:192.0.2.9 -all"`)
			},
			restore: func() {
				e.setRecord(zoneID, "_spf.acme.example", r53types.RRTypeTxt, `"v=spf1 include:s1.acme.example ~all"`)
				e.setRecord(zoneID, "s1.acme.example", r53types.RRTypeTxt, `"v=spf1 ip4:192.0.2.1 -all"`)
			},
			check: func(t *testing.T, out string) {
				requireLine(t, out, "FAIL", "SPF lookups", "acme.example. TXT", "permerror: 11 DNS lookups: receivers allow 10")
				requireLine(t, out, "include:_spf.acme.example = 10")
				requireLine(t, out, "include:amazonses.com = 1", "mailform's table")
			},
		},
		{
			name: "DMARC typo",
			break_: func() {
				e.setRecord(zoneID, "_dmarc.acme.example", r53types.RRTypeTxt, `"v=DMARC1; p=quarantin; rua=mailto:ops@acme.example"`)
			},
			restore: func() { e.setRecord(zoneID, "_dmarc.acme.example", r53types.RRTypeTxt, dmarcValue) },
			check: func(t *testing.T, out string) {
				requireBlock(t, out, `FAIL +DMARC +_dmarc.acme.example. TXT +does not parse: p=quarantin is not a policy`,
					regexp.QuoteMeta(dmarcValue), regexp.QuoteMeta(`"v=DMARC1; p=quarantin; rua=mailto:ops@acme.example"`))
			},
		},
		{
			name:    "MAIL FROM with two MX",
			break_:  func() { e.setRecord(zoneID, "bounce.acme.example", r53types.RRTypeMx, mx, "20 mx.acme.example.") },
			restore: func() { e.setRecord(zoneID, "bounce.acme.example", r53types.RRTypeMx, mx) },
			check: func(t *testing.T, out string) {
				requireBlock(t, out, `FAIL +MAIL FROM MX +bounce.acme.example. MX +2 MX records: SES needs exactly one`,
					regexp.QuoteMeta(mx), regexp.QuoteMeta(mx+", 20 mx.acme.example."))
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.break_()
			r := e.check(1)
			c.check(t, r.stdout)
			requireLine(t, r.stdout, `^Checks: .* [1-9][0-9]* FAIL: fix the failed checks`)
			if !regexp.MustCompile(`error: [0-9]+ checks? failed`).MatchString(r.stderr) {
				t.Errorf("stderr does not say checks failed: %q", r.stderr)
			}
			c.restore()
		})
	}
	// Everything restored: all pass again, in JSON too.
	e.s.ResetCounts()
	start := time.Now()
	js := e.check(0, "-json")
	elapsed := time.Since(start)
	counts := e.s.Counts()
	t.Logf("AWS calls of a check: %s", countsReport(counts))
	for _, service := range []string{"iam", "sns", "sqs"} {
		if n := len(counts[service]); n > 0 {
			t.Errorf("check called %s: %v", service, counts[service])
		}
	}
	for service, ops := range counts {
		for op := range ops {
			if !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Describe") {
				t.Errorf("check called %s %s, which is not a read", service, op)
			}
		}
	}
	var doc struct {
		Passed            bool `json:"passed"`
		DelegationChecked bool `json:"delegation_checked"`
		Summary           struct{ OK, Info, Warn, Fail int }
		DNSQueries        int `json:"dns_queries"`
		Checks            []struct{ Check, Status, Address string }
	}
	if err := json.Unmarshal([]byte(js.stdout), &doc); err != nil {
		t.Fatalf("check -json: %v\n%s", err, js.stdout)
	}
	t.Logf("check of examples/ses-domain: %d checks, %d DNS queries, %s (reading live state included)", len(doc.Checks), doc.DNSQueries, elapsed.Round(time.Millisecond))
	if doc.DNSQueries == 0 {
		t.Error("check -json reports no DNS queries")
	}
	if !doc.Passed || doc.DelegationChecked || doc.Summary.Fail != 0 || doc.Summary.OK != len(doc.Checks)-doc.Summary.Info-doc.Summary.Warn {
		t.Errorf("check -json: passed %v, delegation checked %v, summary %+v over %d checks", doc.Passed, doc.DelegationChecked, doc.Summary, len(doc.Checks))
	}

	// Nothing check printed holds the SMTP user's secrets.
	keyID, password := activeKey(t, e)
	secret, ok := e.s.AccessKeySecret(keyID)
	if !ok || password == "" {
		t.Fatal("the double did not see the SMTP key, or no password was stored")
	}
	e.requireNoSecrets(nil, secret, password)
}

// TestCheckMTAs applies examples/ec2-mta (without the instance, which the
// double does not have), proves the MTAs' A, PTR, forward confirmation and
// SPF, then points one PTR elsewhere out of band.
func TestCheckMTAs(t *testing.T) {
	e := newEnv(t, "ec2-mta")
	e.region = "eu-west-1"
	zoneID := e.createZone("northwind.example")
	e.edit("main.hcl", `instance_id = "i-0abc1234def567890" # associate the Elastic IP with the running server`, "")
	e.must(0, "apply", e.dir, "-auto-approve")

	c := ec2.NewFromConfig(e.cfg())
	addrs, err := c.DescribeAddresses(e.ctx(), &ec2.DescribeAddressesInput{})
	if err != nil {
		t.Fatal(err)
	}
	type eip struct{ allocationID, ip string }
	eips := map[string]eip{}
	for _, a := range addrs.Addresses {
		for _, tag := range a.Tags {
			if aws.ToString(tag.Key) == "mailform:addr" {
				eips[aws.ToString(tag.Value)] = eip{aws.ToString(a.AllocationId), aws.ToString(a.PublicIp)}
			}
		}
	}
	if len(eips) != 2 {
		t.Fatalf("Elastic IPs by address: %v, want mta.mx1 and mta.mx2", eips)
	}
	setPTR := func(label, name string) {
		t.Helper()
		if _, err := c.ModifyAddressAttribute(e.ctx(), &ec2.ModifyAddressAttributeInput{
			AllocationId: aws.String(eips["mta."+label].allocationID), DomainName: aws.String(name),
		}); err != nil {
			t.Fatal(err)
		}
	}

	// apply set the PTR records once the A records resolved: all pass.
	ok := e.check(0)
	for _, want := range [][]string{
		{"OK", "MTA A", "mx1.northwind.example. A", "resolves to the Elastic IP"},
		{"OK", "MTA PTR", "in-addr.arpa. PTR", "points back at the hostname"},
		{"OK", "MTA FCrDNS", "mx1.northwind.example. A", "forward-confirmed"},
		{"OK", "MTA SPF", "northwind.example. TXT", "lets " + regexp.QuoteMeta(eips["mta.mx2"].ip) + " send \\(pass\\)"},
		{"OK", "DKIM", "mx1._domainkey.northwind.example. TXT", "RSA 2048-bit key parses"},
		{"OK", "record", "northwind.example. MX"},
		{"OK", "alignment"},
	} {
		requireLine(t, ok.stdout, want...)
	}

	// Point mx1's PTR at another name of the zone that resolves to it.
	e.setRecord(zoneID, "other.northwind.example", r53types.RRTypeA, eips["mta.mx1"].ip)
	setPTR("mx1", "other.northwind.example")
	bad := e.check(1)
	rev, _ := dns.ReverseAddr(eips["mta.mx1"].ip)
	requireBlock(t, bad.stdout, `FAIL +MTA PTR +`+regexp.QuoteMeta(rev)+` PTR +the name servers serve other values`,
		regexp.QuoteMeta("mx1.northwind.example."), regexp.QuoteMeta("other.northwind.example."))

	// An A record that no longer points back: not forward-confirmed.
	e.setRecord(zoneID, "other.northwind.example", r53types.RRTypeA, "192.0.2.77")
	bad = e.check(1)
	requireBlock(t, bad.stdout, `FAIL +MTA FCrDNS +other.northwind.example. A +not forward-confirmed`,
		regexp.QuoteMeta(eips["mta.mx1"].ip), regexp.QuoteMeta("192.0.2.77"))
}

// nsdServer is an NSD authoritative server (Debian's nsd package) serving
// one zone from a temporary folder on a free loopback port.
type nsdServer struct {
	t    *testing.T
	bin  string
	dir  string
	zone string
	addr string
	cmd  *exec.Cmd
	done chan struct{} // closed when the running nsd has exited
}

// startNSD starts NSD for zone with the given records (zone-file lines).
// It skips the test when nsd is not installed, except in CI, where it fails.
func startNSD(t *testing.T, zone string, lines []string) *nsdServer {
	t.Helper()
	bin, err := exec.LookPath("nsd")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nsd"); serr != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("nsd is not installed (.ci/run installs it with apt-get install -y nsd)")
			}
			t.Skip("nsd is not installed: apt-get install -y nsd")
		}
		bin = "/usr/sbin/nsd"
	}
	n := &nsdServer{t: t, bin: bin, dir: t.TempDir(), zone: zone, addr: freeUDPTCPPort(t)}
	n.publish(lines)
	t.Cleanup(n.stop)
	return n
}

// freeUDPTCPPort returns a loopback address whose port is free for both
// UDP and TCP.
func freeUDPTCPPort(t *testing.T) string {
	t.Helper()
	for range 50 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := pc.LocalAddr().String()
		l, err := net.Listen("tcp", addr)
		pc.Close()
		if err == nil {
			l.Close()
			return addr
		}
	}
	t.Fatal("no loopback port free for both UDP and TCP")
	return ""
}

// publish writes the zone and (re)starts NSD on it, trying again for a few
// seconds while the port is still held by the previous run.
func (n *nsdServer) publish(lines []string) {
	n.t.Helper()
	var err error
	for range 20 {
		if err = n.start(lines); err == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	n.t.Fatal(err)
}

// start writes the zone and (re)starts NSD, waiting until it serves it.
func (n *nsdServer) start(lines []string) error {
	n.stop()
	_, port, _ := net.SplitHostPort(n.addr)
	zoneFile := filepath.Join(n.dir, n.zone+".zone")
	head := fmt.Sprintf("$ORIGIN %[1]s.\n$TTL 300\n@ IN SOA ns1.%[1]s. hostmaster.%[1]s. %[2]d 3600 600 86400 300\n@ IN NS ns1.%[1]s.\nns1 IN A 127.0.0.1\n",
		n.zone, time.Now().Unix())
	if err := os.WriteFile(zoneFile, []byte(head+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	conf := fmt.Sprintf(`server:
  ip-address: 127.0.0.1
  port: %[1]s
  username: ""
  chroot: ""
  zonesdir: "%[2]s"
  database: ""
  pidfile: "%[2]s/nsd.pid"
  xfrdfile: "%[2]s/xfrd.state"
  zonelistfile: "%[2]s/zone.list"
  logfile: "%[2]s/nsd.log"
  server-count: 1
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: %[3]s
  zonefile: "%[4]s"
`, port, n.dir, n.zone, zoneFile)
	confFile := filepath.Join(n.dir, "nsd.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		return err
	}
	var out bytes.Buffer
	n.cmd = exec.Command(n.bin, "-d", "-c", confFile)
	n.cmd.Stdout, n.cmd.Stderr = &out, &out
	if err := n.cmd.Start(); err != nil {
		return fmt.Errorf("starting nsd: %w", err)
	}
	done := make(chan struct{})
	n.done = done
	go func(cmd *exec.Cmd) { _ = cmd.Wait(); close(done) }(n.cmd)
	// Wait until it serves the zone.
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	m := new(dns.Msg)
	m.SetQuestion(n.zone+".", dns.TypeSOA)
	for deadline := time.Now().Add(10 * time.Second); ; {
		if in, _, err := c.Exchange(m, n.addr); err == nil && in.Rcode == dns.RcodeSuccess && len(in.Answer) > 0 {
			return nil
		}
		exited := false
		select {
		case <-done:
			exited = true
		case <-time.After(50 * time.Millisecond):
		}
		if exited || time.Now().After(deadline) {
			n.stop()
			log, _ := os.ReadFile(filepath.Join(n.dir, "nsd.log"))
			return fmt.Errorf("nsd does not answer on %s:\n%s\n%s", n.addr, out.String(), log)
		}
	}
}

func (n *nsdServer) stop() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(5 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
	n.cmd, n.done = nil, nil
}

// TestCheckDNSElsewhere: a domain whose DNS is not in Route 53. The user
// publishes the records 'mailform plan -json' lists (zone_file_lines) on an
// independent DNS server (NSD); check verifies them there: all OK, then a
// broken record fails.
func TestCheckDNSElsewhere(t *testing.T) {
	e := newEnv(t, "")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, "dkim.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	e.write("main.hcl", `mailform {
  stack  = "partner"
  region = "us-west-2"
}

domain "partner.example" {
  mail_from {
    subdomain = "bounce"
  }
  spf {
    include = ["amazonses.com"]
    ip4     = ["192.0.2.10"]
    all     = "fail"
  }
  dmarc {
    policy = "reject"
    rua    = ["mailto:dmarc@partner.example"]
  }
}

dkim_key "mta" {
  domain      = "partner.example"
  selector    = "mta"
  private_key = "file:dkim.pem"
}
`)
	e.must(0, "apply", e.dir, "-auto-approve")
	planJSON := e.must(0, "plan", e.dir, "-json")
	var doc struct {
		Manual []struct {
			Address string   `json:"address"`
			Lines   []string `json:"zone_file_lines"`
		} `json:"manual_records"`
	}
	if err := json.Unmarshal([]byte(planJSON.stdout), &doc); err != nil {
		t.Fatalf("plan -json: %v", err)
	}
	var lines []string
	for _, m := range doc.Manual {
		lines = append(lines, m.Lines...)
	}
	if len(doc.Manual) != 8 { // 3 DKIM CNAMEs, MAIL FROM MX and SPF, the apex SPF, DMARC, and the key's TXT
		t.Errorf("%d manual records, want 8: %+v", len(doc.Manual), doc.Manual)
	}
	for _, l := range lines {
		if strings.Contains(l, "known after apply") {
			t.Fatalf("a manual record is still unknown after apply: %s", l)
		}
	}
	ns := startNSD(t, "partner.example", lines)

	checkArgs := []string{"check", e.dir, "-endpoint-url", e.s.URL(), "-resolver", ns.addr}
	// The double's SES looks for records only in its own Route 53 zones, so
	// it never verifies a domain served by NSD: check fails on that, and on
	// nothing else.
	ok := e.must(1, checkArgs...)
	for _, want := range [][]string{
		{"^partner.example \\(DNS elsewhere\\)$"},
		{"OK", "DKIM", "_domainkey.partner.example. CNAME", "points at SES's key"},
		{"OK", "DKIM", "mta._domainkey.partner.example. TXT", "RSA 2048-bit key parses"},
		{"OK", "SPF lookups", "partner.example. TXT", "1 of 10 DNS lookups"},
		{"OK", "DMARC", "_dmarc.partner.example. TXT", "p=reject"},
		{"OK", "MAIL FROM MX", "bounce.partner.example. MX", "exactly one MX"},
	} {
		requireLine(t, ok.stdout, want...)
	}
	requireLine(t, ok.stdout, "FAIL", "SES DKIM", "partner.example", "PENDING")
	if regexp.MustCompile(`(?m)^\s+FAIL +[^S ]`).MatchString(ok.stdout) {
		t.Errorf("a check other than SES's status failed:\n%s", ok.stdout)
	}

	// The partner's DNS loses the DMARC record's policy.
	var broken []string
	for _, l := range lines {
		broken = append(broken, strings.Replace(l, "p=reject", "p=rejekt", 1))
	}
	ns.publish(broken)
	bad := e.must(1, checkArgs...)
	requireBlock(t, bad.stdout, `FAIL +DMARC +_dmarc.partner.example. TXT +does not parse: p=rejekt is not a policy`,
		regexp.QuoteMeta(`"v=DMARC1; p=reject; rua=mailto:dmarc@partner.example"`), regexp.QuoteMeta(`"v=DMARC1; p=rejekt; rua=mailto:dmarc@partner.example"`))
}

// TestCheckHybrid applies examples/hybrid (SES, an MTA, a BYODKIM partner
// domain whose DNS is elsewhere), publishes the partner's records where its
// DNS is (a zone the spec does not declare), and expects every check to pass.
func TestCheckHybrid(t *testing.T) {
	e := newEnv(t, "hybrid")
	e.region = "us-east-1"
	e.createZone("globex.example")
	partnerZone := e.createZone("globex-partner.example")
	e.must(0, "apply", e.dir, "-auto-approve")

	planJSON := e.must(0, "plan", e.dir, "-json")
	var doc struct {
		Manual []struct {
			Name   string   `json:"name"`
			Type   string   `json:"type"`
			Values []string `json:"values"`
		} `json:"manual_records"`
	}
	if err := json.Unmarshal([]byte(planJSON.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, m := range doc.Manual {
		e.setRecord(partnerZone, m.Name, r53types.RRType(m.Type), m.Values...)
	}

	// SES verifies an address once its owner follows the link SES mailed;
	// until then check fails.
	pending := e.check(1)
	requireLine(t, pending.stdout, "FAIL", "SES verification", "alerts@globex-partner.example", "PENDING")
	resp, err := http.PostForm(e.s.URL()+"/_awstest/verify-email", url.Values{"region": {e.region}, "address": {"alerts@globex-partner.example"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	r := e.check(0)
	for _, want := range [][]string{
		{"^globex-partner.example \\(DNS elsewhere\\)$"},
		{"OK", "DKIM", "globex1._domainkey.globex-partner.example. TXT", "RSA 2048-bit key parses"},
		{"OK", "SPF lookups", "globex.example. TXT", "5 of 10 DNS lookups"},
		{"include:_spf.google.com = 4", "mailform's table"},
		{"OK", "MTA PTR", "points back at the hostname"},
		{"OK", "MTA SPF", "globex.example. TXT", "pass"},
		{"OK", "SES", "alerts@globex-partner.example", "verified"},
	} {
		requireLine(t, r.stdout, want...)
	}
}
