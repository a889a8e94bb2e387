package acceptance

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
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
		if a.ptr != w.hostname || a.ptrUpdate != "" {
			e.t.Errorf("%s: PTR of %s = %q (update %q), want %q in effect", addr, a.publicIP, a.ptr, a.ptrUpdate, w.hostname)
		}
	}
	return ips
}

// requireDKIMKey fails unless the TXT record <selector>._domainkey.<domain>
// carries the public half of the RSA key stored at the SSM parameter or
// file, and returns the stored private key in PEM, for the secret scans.
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

// secretLines are the lines of a PEM key's body: any of them in output
// would leak part of the key.
func (e *env) secretLines(pemKey []byte) []string {
	e.t.Helper()
	var out []string
	for _, l := range strings.Split(string(pemKey), "\n") {
		if len(l) >= 40 && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	block, _ := pem.Decode(pemKey)
	if block != nil {
		out = append(out, base64.StdEncoding.EncodeToString(block.Bytes)[:64])
	}
	if block == nil || len(out) < 2 {
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

// mtasOfNorthwind is what examples/ec2-mta must leave in AWS.
func (n *northwind) mtas() []mtaWant {
	return []mtaWant{
		{"mx1", "mx1.northwind.example.", n.instance},
		{"mx2", "mx2.northwind.example.", ""},
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

	again := n.must(0, "plan", n.dir, "-detailed-exitcode")
	if !strings.Contains(again.stdout, "No changes") {
		t.Errorf("second plan:\n%s", again.stdout)
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
	if len(allocated) == 0 {
		t.Fatalf("no Elastic IP was allocated before the kill (refused after it: %v)", k.after)
	}
	t.Logf("left by the killed run: %d Elastic IPs; calls refused after the kill: %v", len(allocated), k.after)

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
	if !strings.Contains(applied.stdout, "adopted the Elastic IP an interrupted allocation left") {
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
	ips := e.requireMTAs("globex", zoneID, mtaWant{"legacy", "legacy-mta.globex.example.", ""})
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
