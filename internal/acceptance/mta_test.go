package acceptance

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/cli"
	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/specs"
)

// mtaWant is what one mta block must leave in AWS.
type mtaWant struct {
	label    string // mta.<label>
	hostname string // fully qualified
	instance string // the instance the address is associated with, or ""
	noPTR    bool   // reverse_dns = false: the address has no PTR
}

// liveEIP is an Elastic IP as EC2 reports it, with its PTR record.
type liveEIP struct {
	allocationID, publicIP, instanceID string
	tags                               map[string]string
	ptr                                string // PtrRecord, "" when none
	ptrUpdate                          string // status of a pending update, "" when none
}

// eips returns every Elastic IP of the region, by the mailform:addr tag
// (addresses without one under ""), with their PTR records.
func (e *env) eips() map[string][]liveEIP {
	e.t.Helper()
	c := ec2.NewFromConfig(e.cfg())
	out, err := c.DescribeAddresses(e.ctx(), &ec2.DescribeAddressesInput{})
	if err != nil {
		e.t.Fatalf("DescribeAddresses: %v", err)
	}
	byAddr := map[string][]liveEIP{}
	var ids []string
	for _, a := range out.Addresses {
		ids = append(ids, aws.ToString(a.AllocationId))
	}
	ptrs := map[string]ec2types.AddressAttribute{}
	if len(ids) > 0 {
		attrs, err := c.DescribeAddressesAttribute(e.ctx(), &ec2.DescribeAddressesAttributeInput{
			AllocationIds: ids, Attribute: ec2types.AddressAttributeNameDomainName,
		})
		if err != nil {
			e.t.Fatalf("DescribeAddressesAttribute: %v", err)
		}
		for _, a := range attrs.Addresses {
			ptrs[aws.ToString(a.AllocationId)] = a
		}
	}
	for _, a := range out.Addresses {
		l := liveEIP{
			allocationID: aws.ToString(a.AllocationId),
			publicIP:     aws.ToString(a.PublicIp),
			instanceID:   aws.ToString(a.InstanceId),
			tags:         map[string]string{},
		}
		for _, t := range a.Tags {
			l.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if p, ok := ptrs[l.allocationID]; ok {
			l.ptr = aws.ToString(p.PtrRecord)
			if p.PtrRecordUpdate != nil {
				l.ptrUpdate = aws.ToString(p.PtrRecordUpdate.Status)
			}
		}
		byAddr[l.tags[specs.TagAddr]] = append(byAddr[l.tags[specs.TagAddr]], l)
	}
	return byAddr
}

// runInstance starts an instance in the double, for an mta block to
// associate its address with.
func (e *env) runInstance() string {
	e.t.Helper()
	out, err := ec2.NewFromConfig(e.cfg()).RunInstances(e.ctx(), &ec2.RunInstancesInput{
		ImageId: aws.String("ami-12c6146b"), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
	})
	if err != nil {
		e.t.Fatalf("RunInstances: %v", err)
	}
	return aws.ToString(out.Instances[0].InstanceId)
}

// requireMTAs fails unless the region holds exactly one Elastic IP per
// wanted MTA and nothing else, each tagged, associated as wanted, with its A
// record pointing at it and its PTR set to its host name. It returns the
// public IPs by label.
func (e *env) requireMTAs(stack, zoneID string, want ...mtaWant) map[string]string {
	e.t.Helper()
	live := e.eips()
	sets := e.recordSets(zoneID)
	ips := map[string]string{}
	total := 0
	for _, l := range live {
		total += len(l)
	}
	if total != len(want) {
		e.t.Errorf("the region holds %d Elastic IPs, want %d (one per mta block): %+v", total, len(want), live)
	}
	for _, w := range want {
		addr := "mta." + w.label
		got := live[addr]
		if len(got) != 1 {
			e.t.Errorf("%s: %d Elastic IPs carry its mark, want 1: %+v", addr, len(got), got)
			continue
		}
		a := got[0]
		ips[w.label] = a.publicIP
		wantTags := map[string]string{
			specs.TagStack:      stack,
			specs.TagAddr:       addr,
			"mailform:hostname": w.hostname,
			"Name":              strings.TrimSuffix(w.hostname, "."),
		}
		for k, v := range wantTags {
			if a.tags[k] != v {
				e.t.Errorf("%s: tag %s = %q, want %q (tags %v)", addr, k, a.tags[k], v, a.tags)
			}
		}
		if a.instanceID != w.instance {
			e.t.Errorf("%s: associated with %q, want %q", addr, a.instanceID, w.instance)
		}
		e.requireRecord(sets, w.hostname, "A", a.publicIP)
		if w.noPTR {
			if a.ptr != "" || a.ptrUpdate != "" {
				e.t.Errorf("%s: PTR of %s = %q (update %q), want none", addr, a.publicIP, a.ptr, a.ptrUpdate)
			}
		} else if a.ptr != w.hostname || a.ptrUpdate != "" {
			e.t.Errorf("%s: PTR of %s = %q (update %q), want %q in effect", addr, a.publicIP, a.ptr, a.ptrUpdate, w.hostname)
		}
	}
	return ips
}

// requireDKIMKey fails unless the TXT record name (<selector>._domainkey.
// <domain>.) carries the public half of stored, the PEM private key read
// from its secret location, and that key has bits bits.
func (e *env) requireDKIMKey(sets map[string]r53types.ResourceRecordSet, name string, stored []byte, bits int) {
	e.t.Helper()
	block, _ := pem.Decode(stored)
	if block == nil {
		e.t.Errorf("%s: the stored private key is not PEM", name)
		return
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		e.t.Errorf("%s: the stored private key is not PKCS#8: %v", name, err)
		return
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		e.t.Errorf("%s: the stored key is a %T, want RSA", name, parsed)
		return
	}
	if key.N.BitLen() != bits {
		e.t.Errorf("%s: the stored key has %d bits, want %d", name, key.N.BitLen(), bits)
	}
	rs, ok := sets[name+" TXT"]
	if !ok || len(rs.ResourceRecords) != 1 {
		e.t.Errorf("%s TXT: want one value, have %+v", name, rs.ResourceRecords)
		return
	}
	raw := aws.ToString(rs.ResourceRecords[0].Value)
	for _, s := range strings.Split(strings.Trim(raw, `"`), `" "`) {
		if len(s) > 255 {
			e.t.Errorf("%s TXT: a string of %d characters (Route 53 takes 255)", name, len(s))
		}
	}
	text := specs.UnquoteTXT(raw)
	tags := map[string]string{}
	for _, part := range strings.Split(text, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		tags[k] = v
	}
	if tags["v"] != "DKIM1" || tags["k"] != "rsa" {
		e.t.Errorf("%s TXT = %q: want v=DKIM1 and k=rsa", name, text)
	}
	der, err := base64.StdEncoding.DecodeString(tags["p"])
	if err != nil {
		e.t.Errorf("%s TXT: p= is not base64: %v", name, err)
		return
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		e.t.Errorf("%s TXT: p= is not a PKIX public key: %v", name, err)
		return
	}
	if !key.PublicKey.Equal(pub) {
		e.t.Errorf("%s TXT: the published public key is not the public half of the stored private key", name)
	}
}

func (e *env) ssmSecret(name string) []byte {
	e.t.Helper()
	out, err := ssm.NewFromConfig(e.cfg()).GetParameter(e.ctx(), &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if err != nil {
		e.t.Fatalf("reading %s: %v", name, err)
	}
	return []byte(aws.ToString(out.Parameter.Value))
}

func (e *env) fileSecret(rel string) []byte {
	e.t.Helper()
	path := filepath.Join(e.dir, rel)
	st, err := os.Stat(path)
	if err != nil {
		e.t.Fatalf("the key file: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		e.t.Errorf("%s has mode %v, want 0600", rel, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// secretLines are the full lines of a PEM key's body: any of them in
// output would leak part of the key, and the key in any other base64 form
// (one line, as SES BYODKIM takes it) contains them all.
func (e *env) secretLines(pemKey []byte) []string {
	e.t.Helper()
	var out []string
	for _, l := range strings.Split(string(pemKey), "\n") {
		if len(l) == 64 && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	if block, _ := pem.Decode(pemKey); block == nil || len(out) < 10 {
		e.t.Fatal("the key to scan the output for is not PEM")
	}
	sort.Strings(out)
	return out
}

// northwind is examples/ec2-mta applied to an empty account.
type northwind struct {
	*env
	zoneID   string
	instance string            // the instance mta.mx1 is associated with
	ips      map[string]string // public IP by mta label
}

// mtas is what examples/ec2-mta must leave in AWS.
func (n *northwind) mtas() []mtaWant {
	return []mtaWant{
		{"mx1", "mx1.northwind.example.", n.instance, false},
		{"mx2", "mx2.northwind.example.", "", false},
	}
}

// newNorthwind prepares examples/ec2-mta: its zone, and a running instance
// for mta.mx1 in place of the example's instance ID.
func newNorthwind(t *testing.T) *northwind {
	e := newEnv(t, "ec2-mta")
	e.region = "eu-west-1"
	n := &northwind{env: e, zoneID: e.createZone("northwind.example")}
	n.instance = e.runInstance()
	e.edit("main.hcl", `"i-0abc1234def567890"`, `"`+n.instance+`"`)
	return n
}

// TestEC2MTAFromEmpty applies examples/ec2-mta to an empty account: two
// Elastic IPs, tagged, one associated with its instance; A records and PTRs;
// both DKIM keys generated into SSM and published; SPF with the addresses.
// It plans again (no changes) and scans every output for the private keys.
func TestEC2MTAFromEmpty(t *testing.T) {
	n := newNorthwind(t)

	plan := n.must(0, "plan", n.dir)
	for _, want := range []string{
		"+ mta.mx1 (ec2.eip)", "+ mta.mx1/a (route53.record)", "+ mta.mx1/ptr (ec2.reverse_dns)",
		"+ mta.mx2/ptr (ec2.reverse_dns)", "+ dkim_key.mx1 (secret.dkim_key)",
		"Plan: 13 to add, 0 to change, 0 to replace, 0 to destroy.",
	} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, plan.stdout)
		}
	}
	applied := n.must(0, "apply", n.dir, "-auto-approve")
	// The PTR is asked for only once the A record is written.
	if a, ptr := strings.Index(applied.stdout, "mta.mx1/a: Created"), strings.Index(applied.stdout, "mta.mx1/ptr: Creating..."); a < 0 || ptr < a {
		t.Errorf("the PTR of mta.mx1 was not set after its A record:\n%s", applied.stdout)
	}

	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	sets := n.recordSets(n.zoneID)
	n.requireRecord(sets, "northwind.example.", "TXT", `"v=spf1 ip4:`+n.ips["mx1"]+` ip4:`+n.ips["mx2"]+` -all"`)
	n.requireRecord(sets, "northwind.example.", "MX", "10 mx1.northwind.example.", "20 mx2.northwind.example.")
	key1, key2 := n.ssmSecret("/northwind/mail/dkim/mx1"), n.ssmSecret("/northwind/mail/dkim/mx2")
	n.requireDKIMKey(sets, "mx1._domainkey.northwind.example.", key1, 2048)
	n.requireDKIMKey(sets, "mx2._domainkey.northwind.example.", key2, 2048)

	n.s.ResetCounts()
	again := n.must(0, "plan", n.dir, "-detailed-exitcode")
	if !strings.Contains(again.stdout, "No changes") {
		t.Errorf("second plan:\n%s", again.stdout)
	}
	// Reading the MTAs is two EC2 calls however many there are (docs/ec2.md).
	counts := n.s.Counts()
	t.Logf("calls of a no-change plan of examples/ec2-mta: %s", countsReport(counts))
	if got := counts["ec2"]; got["DescribeAddresses"] != 1 || got["DescribeAddressesAttribute"] != 1 || len(got) != 2 {
		t.Errorf("EC2 calls of a no-change plan: %v, want one DescribeAddresses and one DescribeAddressesAttribute", got)
	}
	if lists := counts["route53"]["ListResourceRecordSets"]; lists != 1 {
		t.Errorf("no-change plan listed the one zone %d times, want 1", lists)
	}

	planFile := filepath.Join(t.TempDir(), "mta.plan")
	n.must(0, "plan", n.dir, "-out", planFile)
	n.must(0, "plan", n.dir, "-json")
	n.must(0, "plan", n.dir, "-markdown")
	saved, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	n.requireNoSecrets(saved, append(n.secretLines(key1), n.secretLines(key2)...)...)
}

// TestRemovingAnMTA: with mta.mx2 gone from the spec, the plan resets its
// PTR and releases its address; apply does so and leaves mta.mx1 as it was.
func TestRemovingAnMTA(t *testing.T) {
	n := newNorthwind(t)
	n.must(0, "apply", n.dir, "-auto-approve")
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	before := n.eips()["mta.mx1"]

	n.edit("main.hcl",
		`mta "mx2" {
  hostname    = "mx2.northwind.example"
  reverse_dns = true
}`, "",
		`mtas = [mta.mx1, mta.mx2]`, `mtas = [mta.mx1]`,
		`, "20 mx2.northwind.example."`, "")
	plan := n.must(2, "plan", n.dir, "-detailed-exitcode")
	for _, want := range []string{
		"- mta.mx2/ptr (ec2.reverse_dns)", "- mta.mx2 (ec2.eip)", "- mta.mx2/a (route53.record)",
		"~ domain.northwind.example/spf (route53.record)", "~ record.northwind.example.MX (route53.record)",
		"Plan: 0 to add, 2 to change, 0 to replace, 3 to destroy.",
	} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, plan.stdout)
		}
	}
	for _, unwanted := range []string{"mta.mx1 (", "mta.mx1/a (", "mta.mx1/ptr ("} {
		if strings.Contains(plan.stdout, unwanted) {
			t.Errorf("plan touches %s:\n%s", unwanted, plan.stdout)
		}
	}

	applied := n.must(0, "apply", n.dir, "-auto-approve")
	if ptr, eip := strings.Index(applied.stdout, "mta.mx2/ptr: Deleted"), strings.Index(applied.stdout, "mta.mx2: Deleting..."); ptr < 0 || eip < ptr {
		t.Errorf("the address was not released after its PTR was reset:\n%s", applied.stdout)
	}
	live := n.eips()
	if len(live) != 1 || len(live["mta.mx1"]) != 1 {
		t.Fatalf("Elastic IPs after removing mta.mx2: %+v", live)
	}
	if diff := cmp.Diff(before, live["mta.mx1"], cmp.AllowUnexported(liveEIP{})); diff != "" {
		t.Errorf("mta.mx1 changed (-before +after):\n%s", diff)
	}
	sets := n.recordSets(n.zoneID)
	if _, ok := sets["mx2.northwind.example. A"]; ok {
		t.Error("the A record of mta.mx2 is still there")
	}
	n.requireRecord(sets, "mx1.northwind.example.", "A", n.ips["mx1"])
	n.requireRecord(sets, "northwind.example.", "TXT", `"v=spf1 ip4:`+n.ips["mx1"]+` -all"`)
	n.requireRecord(sets, "northwind.example.", "MX", "10 mx1.northwind.example.")
	// The released address has no PTR left behind in the double either.
	out, err := ec2.NewFromConfig(n.cfg()).DescribeAddressesAttribute(n.ctx(), &ec2.DescribeAddressesAttributeInput{Attribute: ec2types.AddressAttributeNameDomainName})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.Addresses {
		if aws.ToString(a.PublicIp) == n.ips["mx2"] {
			t.Errorf("the released address %s still has a PTR: %+v", n.ips["mx2"], a)
		}
	}
	n.must(0, "plan", n.dir, "-detailed-exitcode")
}

// TestApplyKilledAfterAllocateAddress: an apply dies as soon as AWS has
// answered its first AllocateAddress (the context is cancelled and no later
// call reaches AWS, not even the lock's release). After 'mailform unlock',
// the next apply adopts the address left behind: one Elastic IP per MTA, the
// first one being the address allocated before the kill.
func TestApplyKilledAfterAllocateAddress(t *testing.T) {
	n := newNorthwind(t)
	k := newKillSwitch(t, n.s.URL(), "AllocateAddress")
	killed := k.run(n.env, "apply", n.dir, "-auto-approve")
	if killed.code == 0 {
		t.Fatalf("the killed apply succeeded:\n%s", killed.stdout)
	}
	left := n.eips()
	var allocated []string
	for addr, list := range left {
		if addr == "" {
			t.Errorf("an Elastic IP without the mailform:addr tag: %+v", list)
		}
		for _, a := range list {
			allocated = append(allocated, a.allocationID)
		}
	}
	_, refused := k.calls()
	if len(allocated) == 0 {
		t.Fatalf("no Elastic IP was allocated before the kill (refused after it: %v)", refused)
	}
	t.Logf("left by the killed run: %d Elastic IPs; calls refused after the kill: %v", len(allocated), refused)

	locked := n.must(1, "apply", n.dir, "-auto-approve")
	if !strings.Contains(locked.stderr, "mailform unlock") {
		t.Errorf("the lock of the killed run did not stop the next apply:\n%s", locked.stderr)
	}
	n.must(0, "unlock", n.dir, "-force")
	resumed := n.must(0, "apply", n.dir, "-auto-approve")
	for addr := range left {
		if strings.Contains(resumed.stdout, "+ "+addr+" (ec2.eip)") {
			t.Errorf("the resumed apply plans a second address for %s:\n%s", addr, resumed.stdout)
		}
	}
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	for addr, list := range left {
		if got := n.eips()[addr]; len(got) != 1 || got[0].allocationID != list[0].allocationID {
			t.Errorf("%s: the resumed apply did not keep the address %s allocated before the kill: %+v", addr, list[0].allocationID, got)
		}
	}
	n.must(0, "plan", n.dir, "-detailed-exitcode")
}

// TestAllocateAddressAnswerLost: the double allocates the address but cuts
// the connection before answering. mailform cannot know whether the call
// worked (AllocateAddress has no client token), so it looks the address up
// by its tags and adopts it in the same run instead of allocating again.
func TestAllocateAddressAnswerLost(t *testing.T) {
	n := newNorthwind(t)
	if err := n.s.SetFaults("ec2:AllocateAddress=cut#1"); err != nil {
		t.Fatal(err)
	}
	applied := n.must(0, "apply", n.dir, "-auto-approve")
	if !strings.Contains(applied.stdout, "Note: mta.mx1: adopted Elastic IP") && !strings.Contains(applied.stdout, "Note: mta.mx2: adopted Elastic IP") {
		t.Errorf("apply does not say it adopted the address whose answer was lost:\n%s", applied.stdout)
	}
	if got := n.s.InjectedFaults(); len(got) == 0 {
		t.Fatalf("no fault was injected: %v", got)
	}
	if c := n.s.Count("ec2", "AllocateAddress"); c != 2 {
		t.Errorf("AllocateAddress called %d times for two MTAs, want 2", c)
	}
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	n.must(0, "plan", n.dir, "-detailed-exitcode")
}

// TestHybridFromEmpty applies examples/hybrid (SES and one MTA of its own)
// to an empty account: one Elastic IP with its A record and PTR, the MTA's
// DKIM key generated into a file beside the spec (mode 0600) and published,
// and the apex SPF value with ip4:<the Elastic IP> beside the includes.
func TestHybridFromEmpty(t *testing.T) {
	e := newEnv(t, "hybrid")
	e.region = "us-east-1"
	zoneID := e.createZone("globex.example")

	applied := e.must(0, "apply", e.dir, "-auto-approve", "-json")
	for _, line := range strings.Split(strings.TrimSpace(applied.stdout), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("apply -json wrote a line that is not JSON: %q", line)
		}
	}
	ips := e.requireMTAs("globex", zoneID, mtaWant{"legacy", "legacy-mta.globex.example.", "", false})
	sets := e.recordSets(zoneID)
	e.requireRecord(sets, "globex.example.", "TXT",
		`"v=spf1 ip4:`+ips["legacy"]+` include:amazonses.com include:_spf.google.com ~all"`)
	key := e.fileSecret("secrets/legacy-dkim.pem")
	e.requireDKIMKey(sets, "legacy._domainkey.globex.example.", key, 2048)

	again := e.must(0, "plan", e.dir, "-detailed-exitcode")
	if !strings.Contains(again.stdout, "No changes") {
		t.Errorf("second plan:\n%s", again.stdout)
	}
	planFile := filepath.Join(t.TempDir(), "hybrid.plan")
	e.must(0, "plan", e.dir, "-out", planFile)
	e.must(0, "plan", e.dir, "-json")
	saved, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	partner, err := secretsmanager.NewFromConfig(e.cfg()).GetSecretValue(e.ctx(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("globex/mail/dkim/partner")})
	if err != nil {
		t.Fatalf("the partner's BYODKIM key: %v", err)
	}
	e.requireNoSecrets(saved, append(e.secretLines(key), e.secretLines([]byte(aws.ToString(partner.SecretString)))...)...)
}

// TestPTRPendingWait: AWS takes a while to set and to remove a PTR record.
// With the double's reverse-DNS updates PENDING for 30 emulated seconds
// (time-scaled, and mailform's polls scaled alike), apply reports progress
// lines while it waits, finishes only once each PTR is in effect, and on
// removal releases the address only once its PTR is gone.
func TestPTRPendingWait(t *testing.T) {
	n := newNorthwind(t)
	const scale = 100
	if err := n.s.Configure(func(o *awstest.Options) { o.TimeScale, o.PTRDelay = scale, 30*time.Second }); err != nil {
		t.Fatal(err)
	}
	paced := []string{cli.PacingEnv + "=" + strconv.Itoa(scale)}

	applied := n.runAt(n.ctx(), n.s.URL(), paced, "apply", n.dir, "-auto-approve")
	if applied.code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", applied.code, applied.stdout, applied.stderr)
	}
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	for _, label := range []string{"mx1", "mx2"} {
		want := "mta." + label + "/ptr: waiting for AWS to set the PTR of " + n.ips[label] + " to " + label + ".northwind.example. (PENDING"
		if !strings.Contains(applied.stdout, want) {
			t.Errorf("apply shows no progress line %q:\n%s", want, applied.stdout)
		}
		if done, wait := strings.Index(applied.stdout, "mta."+label+"/ptr: Created"), strings.LastIndex(applied.stdout, want); done < wait {
			t.Errorf("mta.%s/ptr was reported done before AWS had set it:\n%s", label, applied.stdout)
		}
	}

	n.edit("main.hcl",
		`mta "mx2" {
  hostname    = "mx2.northwind.example"
  reverse_dns = true
}`, "",
		`mtas = [mta.mx1, mta.mx2]`, `mtas = [mta.mx1]`,
		`, "20 mx2.northwind.example."`, "")
	removed := n.runAt(n.ctx(), n.s.URL(), paced, "apply", n.dir, "-auto-approve")
	if removed.code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", removed.code, removed.stdout, removed.stderr)
	}
	want := "mta.mx2/ptr: waiting for AWS to remove the PTR of " + n.ips["mx2"] + " (PENDING"
	if !strings.Contains(removed.stdout, want) {
		t.Errorf("apply shows no progress line %q:\n%s", want, removed.stdout)
	}
	if wait, release := strings.LastIndex(removed.stdout, want), strings.Index(removed.stdout, "mta.mx2: Deleting..."); release < wait {
		t.Errorf("the address was released while its PTR was still being removed:\n%s", removed.stdout)
	}
	if live := n.eips(); len(live) != 1 || len(live["mta.mx1"]) != 1 {
		t.Errorf("Elastic IPs after removing mta.mx2: %+v", live)
	}
}

// TestEditingAnMTA changes the mta blocks of examples/ec2-mta one edit at a
// time, from the live state the previous edit left, and checks each plan and
// what AWS holds afterwards.
func TestEditingAnMTA(t *testing.T) {
	n := newNorthwind(t)
	n.must(0, "apply", n.dir, "-auto-approve")
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	first := n.eips()
	mx1 := mtaWant{"mx1", "mx1.northwind.example.", n.instance, false}

	steps := []struct {
		name  string
		edit  []string // old, new pairs for main.hcl
		plan  []string // lines the plan must show; none: the plan has no changes
		mtas  []mtaWant
		spf   []string // the MTAs in the SPF value, in order
		gone  []string // record sets that must no longer exist, "name TYPE"
		added string   // an MTA that gets a new address
	}{
		{
			name: "reverse DNS turned off",
			edit: []string{`hostname    = "mx2.northwind.example"
  reverse_dns = true`, `hostname    = "mx2.northwind.example"
  reverse_dns = false`},
			plan: []string{"- mta.mx2/ptr (ec2.reverse_dns)", "Plan: 0 to add, 0 to change, 0 to replace, 1 to destroy."},
			mtas: []mtaWant{mx1, {"mx2", "mx2.northwind.example.", "", true}},
			spf:  []string{"mx1", "mx2"},
		},
		{
			name: "reverse DNS turned on again",
			edit: []string{`hostname    = "mx2.northwind.example"
  reverse_dns = false`, `hostname    = "mx2.northwind.example"
  reverse_dns = true`},
			plan: []string{"+ mta.mx2/ptr (ec2.reverse_dns)", "Plan: 1 to add, 0 to change, 0 to replace, 0 to destroy."},
			mtas: []mtaWant{mx1, {"mx2", "mx2.northwind.example.", "", false}},
			spf:  []string{"mx1", "mx2"},
		},
		{
			name: "host name changed",
			edit: []string{`hostname    = "mx2.northwind.example"`, `hostname    = "relay.northwind.example"`,
				`"20 mx2.northwind.example."`, `"20 relay.northwind.example."`},
			plan: []string{"~ mta.mx2 (ec2.eip)", "~ mta.mx2/ptr (ec2.reverse_dns)", "-/+ mta.mx2/a (route53.record)"},
			mtas: []mtaWant{mx1, {"mx2", "relay.northwind.example.", "", false}},
			spf:  []string{"mx1", "mx2"},
			gone: []string{"mx2.northwind.example. A"},
		},
		{
			// Without instance_id mailform leaves the association to
			// whoever made it (docs/ec2.md): nothing to do.
			name: "instance_id dropped",
			edit: []string{`  instance_id = "` + n.instance + `" # associate the Elastic IP with the running server
`, ""},
			mtas: []mtaWant{mx1, {"mx2", "relay.northwind.example.", "", false}},
			spf:  []string{"mx1", "mx2"},
		},
		{
			name: "an MTA added",
			edit: []string{`mta "mx2" {`, `mta "mx3" {
  hostname = "mx3.northwind.example"
}

mta "mx2" {`, `mtas = [mta.mx1, mta.mx2]`, `mtas = [mta.mx1, mta.mx2, mta.mx3]`},
			plan:  []string{"+ mta.mx3 (ec2.eip)", "+ mta.mx3/a (route53.record)", "+ mta.mx3/ptr (ec2.reverse_dns)", "~ domain.northwind.example/spf (route53.record)"},
			mtas:  []mtaWant{mx1, {"mx2", "relay.northwind.example.", "", false}, {"mx3", "mx3.northwind.example.", "", false}},
			spf:   []string{"mx1", "mx2", "mx3"},
			added: "mx3",
		},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			n.env.t = t
			n.edit("main.hcl", step.edit...)
			if len(step.plan) == 0 {
				n.must(0, "plan", n.dir, "-detailed-exitcode")
			} else {
				plan := n.must(2, "plan", n.dir, "-detailed-exitcode")
				for _, want := range step.plan {
					if !strings.Contains(plan.stdout, want) {
						t.Errorf("plan output lacks %q:\n%s", want, plan.stdout)
					}
				}
				n.must(0, "apply", n.dir, "-auto-approve")
			}
			ips := n.requireMTAs("northwind-mta", n.zoneID, step.mtas...)
			live := n.eips()
			for addr, list := range first {
				if got := live[addr]; len(got) != 1 || got[0].allocationID != list[0].allocationID {
					t.Errorf("%s: the address changed from %s to %+v", addr, list[0].allocationID, got)
				}
			}
			if step.added != "" && ips[step.added] == "" {
				t.Errorf("mta.%s got no address", step.added)
			}
			sets := n.recordSets(n.zoneID)
			spf := "v=spf1"
			for _, label := range step.spf {
				spf += " ip4:" + ips[label]
			}
			n.requireRecord(sets, "northwind.example.", "TXT", `"`+spf+` -all"`)
			for _, g := range step.gone {
				if _, ok := sets[g]; ok {
					t.Errorf("record set %s is still there", g)
				}
			}
			n.must(0, "plan", n.dir, "-detailed-exitcode")
		})
	}
}

// TestDestroyingTheMTAs: apply -destroy removes every PTR before releasing
// its address, and leaves neither addresses, records nor keys of the stack.
func TestDestroyingTheMTAs(t *testing.T) {
	n := newNorthwind(t)
	n.must(0, "apply", n.dir, "-auto-approve")
	n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)

	plan := n.must(2, "plan", n.dir, "-destroy", "-detailed-exitcode")
	for _, want := range []string{"- mta.mx1/ptr (ec2.reverse_dns)", "- mta.mx1 (ec2.eip)", "- dkim_key.mx2 (secret.dkim_key)",
		"Plan: 0 to add, 0 to change, 0 to replace, 13 to destroy."} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("destroy plan lacks %q:\n%s", want, plan.stdout)
		}
	}
	destroyed := n.must(0, "apply", n.dir, "-destroy", "-auto-approve")
	for _, label := range []string{"mx1", "mx2"} {
		ptr, eip := strings.Index(destroyed.stdout, "mta."+label+"/ptr: Deleted"), strings.Index(destroyed.stdout, "mta."+label+": Deleting...")
		if ptr < 0 || eip < ptr {
			t.Errorf("mta.%s was released before its PTR was removed:\n%s", label, destroyed.stdout)
		}
	}
	if live := n.eips(); len(live) != 0 {
		t.Errorf("Elastic IPs left after destroy: %+v", live)
	}
	for key, rs := range n.recordSets(n.zoneID) {
		if rs.Type != r53types.RRTypeNs && rs.Type != r53types.RRTypeSoa {
			t.Errorf("record set %s left after destroy", key)
		}
	}
	params, err := ssm.NewFromConfig(n.cfg()).GetParametersByPath(n.ctx(), &ssm.GetParametersByPathInput{Path: aws.String("/northwind"), Recursive: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range params.Parameters {
		t.Errorf("parameter %s left after destroy", aws.ToString(p.Name))
	}
	n.must(0, "plan", n.dir, "-destroy", "-detailed-exitcode")
}

// TestMTAWithDNSElsewhere: an MTA whose host name is in no zone block. The
// first apply allocates the address and fails the PTR at once, saying which
// A record to publish (mailform does not write it); the plan then lists the
// record with the address. Once the user has published it (here: in a zone
// the spec does not declare), the next apply sets the PTR.
func TestMTAWithDNSElsewhere(t *testing.T) {
	e := newEnv(t, "")
	e.region = "eu-west-1"
	e.write("main.hcl", `mailform {
  stack  = "elsewhere"
  region = "eu-west-1"
}

mta "mx9" {
  hostname = "mx9.elsewhere.example"
}
`)
	first := e.must(1, "apply", e.dir, "-auto-approve")
	for _, want := range []string{"the A record mx9.elsewhere.example. -> ", "publish it, then run mailform apply again"} {
		if !strings.Contains(first.stderr, want) {
			t.Errorf("the failed apply does not say %q:\n%s", want, first.stderr)
		}
	}
	if strings.Contains(first.stdout, "waiting for AWS to see the A record") {
		t.Errorf("apply waited for a record it does not write:\n%s", first.stdout)
	}
	live := e.eips()["mta.mx9"]
	if len(live) != 1 {
		t.Fatalf("Elastic IPs of mta.mx9: %+v", live)
	}
	ip := live[0].publicIP

	plan := e.must(0, "plan", e.dir)
	if want := "mx9.elsewhere.example. 300 IN A " + ip; !strings.Contains(plan.stdout, want) {
		t.Errorf("the plan does not list %q for the user to publish:\n%s", want, plan.stdout)
	}

	zoneID := e.createZone("elsewhere.example")
	_, err := route53.NewFromConfig(e.s.Config("us-east-1")).ChangeResourceRecordSets(e.ctx(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name: aws.String("mx9.elsewhere.example."), Type: r53types.RRTypeA, TTL: aws.Int64(300),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(ip)}},
		}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.must(0, "apply", e.dir, "-auto-approve")
	live = e.eips()["mta.mx9"]
	if len(live) != 1 || live[0].ptr != "mx9.elsewhere.example." || live[0].publicIP != ip {
		t.Errorf("mta.mx9 after the record was published: %+v", live)
	}
	e.must(0, "plan", e.dir, "-detailed-exitcode")
}

// TestDuplicateAddressesAreReleased: two runs killed at the wrong moment can
// leave two addresses with the same mark. The plan shows an update of that
// MTA, and apply keeps the one its A record and PTR use and releases the other.
func TestDuplicateAddressesAreReleased(t *testing.T) {
	n := newNorthwind(t)
	n.must(0, "apply", n.dir, "-auto-approve")
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	kept := n.eips()["mta.mx2"][0]

	tags := []ec2types.Tag{}
	for k, v := range kept.tags {
		tags = append(tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	extra, err := ec2.NewFromConfig(n.cfg()).AllocateAddress(n.ctx(), &ec2.AllocateAddressInput{
		Domain:            ec2types.DomainTypeVpc,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeElasticIp, Tags: tags}},
	})
	if err != nil {
		t.Fatal(err)
	}
	plan := n.must(2, "plan", n.dir, "-detailed-exitcode")
	if !strings.Contains(plan.stdout, "~ mta.mx2 (ec2.eip)") {
		t.Errorf("the plan does not update mta.mx2, which has two addresses:\n%s", plan.stdout)
	}
	applied := n.must(0, "apply", n.dir, "-auto-approve")
	if !strings.Contains(applied.stdout, aws.ToString(extra.AllocationId)) {
		t.Errorf("apply does not name the address it released:\n%s", applied.stdout)
	}
	n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	if got := n.eips()["mta.mx2"]; len(got) != 1 || got[0].allocationID != kept.allocationID {
		t.Errorf("mta.mx2 kept %+v, want %s (the address its records use)", got, kept.allocationID)
	}
	n.must(0, "plan", n.dir, "-detailed-exitcode")
}

// TestEC2MTAFromSavedPlan: the GitOps path. A plan saved from an empty
// account is applied as saved, with every value known only after apply
// (addresses, allocation IDs, public keys) filled in during the run; then a
// key length change rotates one DKIM key and republishes it.
func TestEC2MTAFromSavedPlan(t *testing.T) {
	n := newNorthwind(t)
	planFile := filepath.Join(t.TempDir(), "mta.plan")
	n.must(0, "plan", n.dir, "-out", planFile)
	n.must(0, "apply", planFile)
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	n.must(0, "plan", n.dir, "-detailed-exitcode")
	saved, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	oldKey := n.ssmSecret("/northwind/mail/dkim/mx2")

	n.edit("main.hcl", `selector    = "mx2"`, `selector    = "mx2"
  key_length  = 1024`)
	plan := n.must(2, "plan", n.dir, "-detailed-exitcode")
	for _, want := range []string{"-/+ dkim_key.mx2 (secret.dkim_key)", "~ dkim_key.mx2/txt (route53.record)"} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, plan.stdout)
		}
	}
	n.must(0, "apply", n.dir, "-auto-approve")
	newKey := n.ssmSecret("/northwind/mail/dkim/mx2")
	if string(newKey) == string(oldKey) {
		t.Fatal("the key was not replaced")
	}
	sets := n.recordSets(n.zoneID)
	n.requireDKIMKey(sets, "mx2._domainkey.northwind.example.", newKey, 1024)
	n.requireDKIMKey(sets, "mx1._domainkey.northwind.example.", n.ssmSecret("/northwind/mail/dkim/mx1"), 2048)
	n.must(0, "plan", n.dir, "-detailed-exitcode")
	n.requireNoSecrets(saved, append(n.secretLines(oldKey), n.secretLines(newKey)...)...)
}

// TestAddressReleasedOutsideMailform: someone resets the PTR of mta.mx2 and
// releases its address by hand. The next plan allocates a new address and
// points the A record, the PTR and the SPF value at it.
func TestAddressReleasedOutsideMailform(t *testing.T) {
	n := newNorthwind(t)
	n.must(0, "apply", n.dir, "-auto-approve")
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	gone := n.eips()["mta.mx2"][0]
	c := ec2.NewFromConfig(n.cfg())
	if _, err := c.ResetAddressAttribute(n.ctx(), &ec2.ResetAddressAttributeInput{AllocationId: aws.String(gone.allocationID), Attribute: ec2types.AddressAttributeNameDomainName}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReleaseAddress(n.ctx(), &ec2.ReleaseAddressInput{AllocationId: aws.String(gone.allocationID)}); err != nil {
		t.Fatal(err)
	}

	plan := n.must(2, "plan", n.dir, "-detailed-exitcode")
	for _, want := range []string{"+ mta.mx2 (ec2.eip)", "~ mta.mx2/a (route53.record)", "+ mta.mx2/ptr (ec2.reverse_dns)", "~ domain.northwind.example/spf (route53.record)"} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, plan.stdout)
		}
	}
	n.must(0, "apply", n.dir, "-auto-approve")
	ips := n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	if ips["mx2"] == gone.publicIP || ips["mx1"] != n.ips["mx1"] {
		t.Errorf("addresses after the new allocation: %v (before: %v)", ips, n.ips)
	}
	n.requireRecord(n.recordSets(n.zoneID), "northwind.example.", "TXT", `"v=spf1 ip4:`+ips["mx1"]+` ip4:`+ips["mx2"]+` -all"`)
	n.must(0, "plan", n.dir, "-detailed-exitcode")
}

// TestPTRChangedOutsideMailform: someone points the PTR of mta.mx1 at
// another name. The plan shows the drift and apply sets the PTR back,
// leaving the record set mailform does not own alone.
func TestPTRChangedOutsideMailform(t *testing.T) {
	n := newNorthwind(t)
	n.must(0, "apply", n.dir, "-auto-approve")
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	mx1 := n.eips()["mta.mx1"][0]

	// AWS sets a PTR only for a name whose A record resolves to the address.
	_, err := route53.NewFromConfig(n.s.Config("us-east-1")).ChangeResourceRecordSets(n.ctx(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(n.zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name: aws.String("smtp.northwind.example."), Type: r53types.RRTypeA, TTL: aws.Int64(60),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(mx1.publicIP)}},
		}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ec2.NewFromConfig(n.cfg()).ModifyAddressAttribute(n.ctx(), &ec2.ModifyAddressAttributeInput{
		AllocationId: aws.String(mx1.allocationID), DomainName: aws.String("smtp.northwind.example"),
	}); err != nil {
		t.Fatal(err)
	}

	plan := n.must(2, "plan", n.dir, "-detailed-exitcode")
	for _, want := range []string{"~ mta.mx1/ptr (ec2.reverse_dns)", `"smtp.northwind.example." -> "mx1.northwind.example."`, "Plan: 0 to add, 1 to change, 0 to replace, 0 to destroy."} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, plan.stdout)
		}
	}
	n.must(0, "apply", n.dir, "-auto-approve")
	n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	n.requireRecord(n.recordSets(n.zoneID), "smtp.northwind.example.", "A", mx1.publicIP)
	n.must(0, "plan", n.dir, "-detailed-exitcode")
}

// TestEC2MTAUnderFaults applies examples/ec2-mta while EC2 and Route 53
// throttle, fail with 5xx answers and cut connections after carrying calls
// out. Each apply may fail; re-running converges, and no address leaks.
func TestEC2MTAUnderFaults(t *testing.T) {
	n := newNorthwind(t)
	if err := n.s.SetFaults("seed=7,ec2:AllocateAddress=cut@0.5,ec2:*=throttle@0.2,route53:*=5xx@0.2,ec2:ModifyAddressAttribute=cut@0.3"); err != nil {
		t.Fatal(err)
	}
	converged := false
	for run := 1; run <= 5 && !converged; run++ {
		r := n.mailform("apply", n.dir, "-auto-approve")
		t.Logf("apply %d: exit %d", run, r.code)
		converged = r.code == 0
	}
	injected := n.s.InjectedFaults()
	t.Logf("faults injected: %v", injected)
	if err := n.s.SetFaults(""); err != nil {
		t.Fatal(err)
	}
	if !converged {
		n.must(0, "apply", n.dir, "-auto-approve")
	}
	total := 0
	for _, c := range injected {
		total += c
	}
	if total == 0 {
		t.Fatal("no fault was injected")
	}
	n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	n.must(0, "plan", n.dir, "-detailed-exitcode")
}

// TestEC2MTAWithinAWSRateLimits applies examples/ec2-mta with the double
// enforcing AWS's rate limits and mailform pacing itself as it does against
// AWS: not one call of the run is throttled. (The limits are per account, so
// a second run started within a second of the first may see one throttle,
// which the SDK retries; one run is measured here.)
func TestEC2MTAWithinAWSRateLimits(t *testing.T) {
	n := newNorthwind(t)
	if err := n.s.Configure(func(o *awstest.Options) { o.RateLimits = "aws" }); err != nil {
		t.Fatal(err)
	}
	n.s.ResetCounts()
	awsPacing := []string{cli.PacingEnv + "="}
	if r := n.runAt(n.ctx(), n.s.URL(), awsPacing, "apply", n.dir, "-auto-approve"); r.code != 0 {
		t.Fatalf("apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if th := n.s.Throttles(); len(th) != 0 {
		t.Errorf("calls throttled: %v", th)
	}
	t.Logf("calls of the apply: %s", countsReport(n.s.Counts()))
	n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
}

// TestDKIMKeyLocations: dkim_key blocks with their keys in SSM, Secrets
// Manager and a file. Each key is generated where it belongs and published;
// removing the blocks removes the records and the stack's keys in AWS, and
// leaves the file alone (a file carries no ownership mark).
func TestDKIMKeyLocations(t *testing.T) {
	e := newEnv(t, "")
	e.region = "eu-west-1"
	zoneID := e.createZone("keys.example")
	header := `mailform {
  stack  = "keys"
  region = "eu-west-1"
}

zone "keys.example" {}
`
	e.write("main.hcl", header+`
dkim_key "a" {
  domain      = "keys.example"
  selector    = "a"
  private_key = "ssm:/keys/dkim/a"
}

dkim_key "b" {
  domain      = "keys.example"
  selector    = "b"
  key_length  = 1024
  private_key = "secretsmanager:keys/dkim/b"
}

dkim_key "c" {
  domain      = "keys.example"
  selector    = "c"
  private_key = "file:keys/c.pem"
}
`)
	e.must(0, "apply", e.dir, "-auto-approve")
	sm, err := secretsmanager.NewFromConfig(e.cfg()).GetSecretValue(e.ctx(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("keys/dkim/b")})
	if err != nil {
		t.Fatal(err)
	}
	keyA, keyB, keyC := e.ssmSecret("/keys/dkim/a"), []byte(aws.ToString(sm.SecretString)), e.fileSecret("keys/c.pem")
	sets := e.recordSets(zoneID)
	e.requireDKIMKey(sets, "a._domainkey.keys.example.", keyA, 2048)
	e.requireDKIMKey(sets, "b._domainkey.keys.example.", keyB, 1024)
	e.requireDKIMKey(sets, "c._domainkey.keys.example.", keyC, 2048)
	e.must(0, "plan", e.dir, "-detailed-exitcode")

	e.write("main.hcl", header)
	plan := e.must(2, "plan", e.dir, "-detailed-exitcode")
	for _, want := range []string{"- dkim_key.a (secret.dkim_key)", "- dkim_key.b (secret.dkim_key)", "- dkim_key.b/txt (route53.record)", "- dkim_key.c/txt (route53.record)"} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, plan.stdout)
		}
	}
	e.must(0, "apply", e.dir, "-auto-approve")
	for key := range e.recordSets(zoneID) {
		if strings.Contains(key, "_domainkey") {
			t.Errorf("record set %s left after its dkim_key was removed", key)
		}
	}
	if _, err := ssm.NewFromConfig(e.cfg()).GetParameter(e.ctx(), &ssm.GetParameterInput{Name: aws.String("/keys/dkim/a")}); err == nil {
		t.Error("the SSM key of the removed dkim_key.a is still there")
	}
	if _, err := secretsmanager.NewFromConfig(e.cfg()).GetSecretValue(e.ctx(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("keys/dkim/b")}); err == nil {
		t.Error("the Secrets Manager key of the removed dkim_key.b can still be read")
	}
	if got := e.fileSecret("keys/c.pem"); string(got) != string(keyC) {
		t.Error("the key file changed")
	}
	e.must(0, "plan", e.dir, "-detailed-exitcode")
	e.requireNoSecrets(nil, append(append(e.secretLines(keyA), e.secretLines(keyB)...), e.secretLines(keyC)...)...)
}

// TestEC2MTAReadyAfterApply: once examples/ec2-mta is applied, 'mailform
// check' (asking the double's name server) finds the A, PTR, forward-
// confirmed reverse DNS and SPF of each MTA, and the port-25 request finds
// every pre-flight check met.
func TestEC2MTAReadyAfterApply(t *testing.T) {
	n := newNorthwind(t)
	n.must(0, "apply", n.dir, "-auto-approve")
	n.ips = n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)

	check := n.runAt(n.ctx(), n.s.URL(), nil, "check", n.dir, "-endpoint-url", n.s.URL(), "-resolver", n.s.DNSAddr())
	if check.code != 0 || !strings.Contains(check.stdout, " 0 FAIL") {
		t.Errorf("check: exit %d\n%s\n%s", check.code, check.stdout, check.stderr)
	}
	for _, label := range []string{"mx1", "mx2"} {
		fcrdns := "forward-confirmed: " + n.ips[label] + " -> " + label + ".northwind.example. -> " + n.ips[label]
		if !strings.Contains(check.stdout, fcrdns) {
			t.Errorf("check does not confirm %q:\n%s", fcrdns, check.stdout)
		}
	}
	port25 := n.runAt(n.ctx(), n.s.URL(), nil, "requests", "port25", n.dir, "-endpoint-url", n.s.URL())
	met := regexp.MustCompile(`(\d+) of (\d+) met`).FindStringSubmatch(port25.stdout)
	if port25.code != 0 || met == nil || met[1] != met[2] {
		t.Errorf("requests port25: exit %d, pre-flight %v\n%s\n%s", port25.code, met, port25.stdout, port25.stderr)
	}
	for _, label := range []string{"mx1", "mx2"} {
		if want := n.ips[label] + " " + label + ".northwind.example"; !strings.Contains(port25.stdout, want) {
			t.Errorf("the port-25 request does not list %q:\n%s", want, port25.stdout)
		}
	}
}

// TestApplyKilledAfterModifyAddressAttribute: an apply dies as soon as AWS
// has accepted its first PTR. The next apply (after 'mailform unlock')
// finishes the job without asking for that PTR again.
func TestApplyKilledAfterModifyAddressAttribute(t *testing.T) {
	n := newNorthwind(t)
	k := newKillSwitch(t, n.s.URL(), "ModifyAddressAttribute")
	if killed := k.run(n.env, "apply", n.dir, "-auto-approve"); killed.code == 0 {
		t.Fatalf("the killed apply succeeded:\n%s", killed.stdout)
	}
	if matched, _ := k.calls(); matched != 1 {
		t.Fatalf("the kill came after %d ModifyAddressAttribute calls, want 1", matched)
	}
	n.must(0, "unlock", n.dir, "-force")
	n.s.ResetCounts()
	n.must(0, "apply", n.dir, "-auto-approve")
	if got := n.s.Count("ec2", "ModifyAddressAttribute"); got != 1 {
		t.Errorf("the resumed apply asked for %d PTRs, want 1 (the one the killed run did not ask for)", got)
	}
	if got := n.s.Count("ec2", "AllocateAddress"); got != 0 {
		t.Errorf("the resumed apply allocated %d addresses, want 0", got)
	}
	n.requireMTAs("northwind-mta", n.zoneID, n.mtas()...)
	n.must(0, "plan", n.dir, "-detailed-exitcode")
}
