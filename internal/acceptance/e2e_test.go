package acceptance

// The end-to-end suite: the lifecycle scenarios (lifecycle_test.go) against
// a real AWS account, or against an endpoint standing for one (a started
// `mailform sandbox`), chosen by environment variables (docs/testing.md):
//
//	MAILFORM_E2E_AWS=1        a real account, from the default credential chain (AWS_PROFILE...)
//	MAILFORM_E2E_AWS=sandbox  the endpoint AWS_ENDPOINT_URL names
//	MAILFORM_E2E_ZONE         a public hosted zone of that account, delegated, under which
//	                          each scenario gets a zone of its own for the run
//	MAILFORM_E2E_REGION       run every scenario in this region (default: each example's)
//	MAILFORM_E2E_INSTANCE     a running EC2 instance of that region for ec2-mta (else skipped)
//	MAILFORM_E2E_RECORD       where to write AWS's answers (default e2e-answers.json)
//
// Every name a scenario creates starts with e2ePrefix and the run's id, so
// that runs never meet and `-e2e-sweep` finds what a killed run left.

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/mailform/mailform/cli"
	"github.com/mailform/mailform/internal/awsrecord"
)

const (
	e2eEnv         = "MAILFORM_E2E_AWS"
	e2eZoneEnv     = "MAILFORM_E2E_ZONE"
	e2eRegionEnv   = "MAILFORM_E2E_REGION"
	e2eInstanceEnv = "MAILFORM_E2E_INSTANCE"
	e2eRecordEnv   = "MAILFORM_E2E_RECORD"
	// e2ePrefix starts every zone, stack, user and secret name the suite makes.
	e2ePrefix = "mfe2e-"
	// e2eCleanupTimeout bounds the destroy of one stack in cleanup.
	e2eCleanupTimeout = 20 * time.Minute
)

var e2eSweep = flag.Bool("e2e-sweep", false, "with "+e2eEnv+": destroy every stack and zone a previous end-to-end run left (names starting "+e2ePrefix+")")

// e2e is the remote AWS of this test process, when MAILFORM_E2E_AWS is set.
var e2e *remoteAWS

// startE2E reads the end-to-end settings, if any, and installs the
// interrupt handler that destroys what the run created. It says whether
// the suite is on; it exits on a setting that cannot work.
func startE2E() bool {
	mode := os.Getenv(e2eEnv)
	if mode == "" {
		return false
	}
	r, err := newRemoteFromEnv(mode)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s=%s: %v\n", e2eEnv, mode, err)
		os.Exit(2)
	}
	flag.Parse()
	if err := checkE2EFlags(); err != nil {
		fmt.Fprintf(os.Stderr, "%s=%s: %v\n", e2eEnv, mode, err)
		os.Exit(2)
	}
	e2e = r
	r.handleSignals()
	return true
}

// e2eMinTimeout is the least -timeout the suite accepts: a test binary that
// times out panics without running any cleanup.
const e2eMinTimeout = time.Hour

// checkE2EFlags refuses a run that would run the double's tests with the
// caller's credentials in the environment, or that could time out before
// its cleanup.
func checkE2EFlags() error {
	if run := flag.Lookup("test.run").Value.String(); !strings.HasPrefix(run, "TestE2E") && !strings.HasPrefix(run, "^TestE2E") {
		return fmt.Errorf("-run %q: the end-to-end suite runs alone: pass -run TestE2E", run)
	}
	if d, err := time.ParseDuration(flag.Lookup("test.timeout").Value.String()); err == nil && d > 0 && d < e2eMinTimeout {
		return fmt.Errorf("-timeout %v: a test that times out does not clean up; pass -timeout %v or more", d, e2eMinTimeout)
	}
	return nil
}

func newRemoteFromEnv(mode string) (*remoteAWS, error) {
	var endpoint string
	switch mode {
	case "1":
		if os.Getenv("AWS_ENDPOINT_URL") != "" {
			return nil, errors.New("AWS_ENDPOINT_URL is set: unset it for a real account, or use " + e2eEnv + "=sandbox")
		}
	case "sandbox":
		endpoint = os.Getenv("AWS_ENDPOINT_URL")
		if endpoint == "" {
			return nil, errors.New("set AWS_ENDPOINT_URL to the endpoint of a started `mailform sandbox` (see its output)")
		}
	default:
		return nil, errors.New("want 1 (a real AWS account) or sandbox")
	}
	zone := strings.TrimSuffix(os.Getenv(e2eZoneEnv), ".")
	if zone == "" {
		return nil, fmt.Errorf("set %s to a public hosted zone of the account, delegated from its parent (e.g. e2e.example.org)", e2eZoneEnv)
	}
	record := os.Getenv(e2eRecordEnv)
	if record == "" {
		record = "e2e-answers.json"
	}
	r := newRemote(map[string]string{"1": "aws", "sandbox": "sandbox"}[mode], endpoint, zone)
	r.region, r.instance = os.Getenv(e2eRegionEnv), os.Getenv(e2eInstanceEnv)
	if r.backend == "aws" {
		r.smtp = awsSMTP
	}
	r.recordPath, _ = filepath.Abs(record)
	return r, nil
}

// remoteAWS is an AWS the suite does not own: every stack and zone it
// creates there is registered, and destroyed by the test's cleanup, on
// SIGINT or SIGTERM, or by the sweep.
type remoteAWS struct {
	backend    string // "aws" or "sandbox"
	endpoint   string // "" for AWS itself
	zone       string // the delegated parent zone
	region     string // overrides every scenario's region when set
	instance   string // for ec2-mta
	runID      string
	recordPath string
	rec        *awsrecord.Recorder
	smtp       *smtpEndpoint // SES's SMTP interfaces; nil: not checked

	// interrupted is closed on SIGINT/SIGTERM: every mailform run stops.
	interrupted chan struct{}
	stopOnce    sync.Once
	signalled   chan struct{} // closed when a signal starts the cleanup

	mu      sync.Mutex
	cfgs    map[string]aws.Config
	stopped bool   // interrupted: no new mailform run starts
	running int    // mailform runs under way
	parent  string // hosted zone id of zone
	stacks  []*e2eStack
	cleanMu sync.Mutex // one cleanup at a time
}

// e2eStack is one scenario's footprint: a copy of its spec as first
// written (the test may be editing its own when a signal comes), and the
// zones created for it.
type e2eStack struct {
	e       *env
	specDir string
	zones   []createdZone
	done    bool
}

type createdZone struct{ id, name string }

func newRemote(backend, endpoint, zone string) *remoteAWS {
	return &remoteAWS{
		backend: backend, endpoint: endpoint, zone: zone,
		runID:       e2ePrefix + randomLabel(6),
		rec:         awsrecord.New(backend),
		interrupted: make(chan struct{}),
		signalled:   make(chan struct{}),
		cfgs:        map[string]aws.Config{},
	}
}

func randomLabel(n int) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

// config is the SDK configuration for region, reporting to the recorder.
func (r *remoteAWS) config(t testing.TB, region string) aws.Config {
	cfg, err := r.configErr(region)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func (r *remoteAWS) configErr(region string) (aws.Config, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cfg, ok := r.cfgs[region]; ok {
		return cfg, nil
	}
	opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	if r.endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(r.endpoint))
	}
	cfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading the AWS configuration: %w", err)
	}
	if creds, err := cfg.Credentials.Retrieve(context.Background()); err == nil {
		r.rec.Redact(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)
	}
	cfg = r.rec.Config(cfg, "suite")
	r.cfgs[region] = cfg
	return cfg, nil
}

// names maps a name of example base (acme, northwind, globex, brands) to
// this run's: base.example becomes a zone under the delegated zone, and
// every other use of base (stack, users, secret paths) takes the token.
func (r *remoteAWS) names(token, base, s string) string {
	const zoneMark, tokenMark = "\x00zone\x00", "\x00token\x00"
	s = strings.ReplaceAll(s, base+".example", zoneMark)
	s = strings.ReplaceAll(s, base, tokenMark)
	return strings.NewReplacer(zoneMark, token+"."+r.zone, tokenMark, token).Replace(s)
}

// regionSetting is the region attribute of a mailform block.
var regionSetting = regexp.MustCompile(`(?m)^(\s*region\s*=\s*)"[^"]*"`)

// emailBlock is an email identity block: SES mails a verification link to
// the address, and the suite sends no mail.
var emailBlock = regexp.MustCompile(`(?ms)^email "[^"]*" \{.*?^\}\n`)

// newEnv prepares sc for this run (or, with token, for the run that made
// token, as the sweep does) in a fresh folder, registered for cleanup
// before anything is created.
func (r *remoteAWS) newEnv(t *testing.T, sc scenario, token string) *env {
	t.Helper()
	base := e2eBase(sc)
	if token == "" {
		token = r.runID + "-" + base
	}
	e := &env{t: t, dir: t.TempDir(), region: sc.region, remote: r, token: token, base: base}
	if err := os.CopyFS(e.dir, os.DirFS(filepath.Join("..", "..", "examples", sc.example))); err != nil {
		t.Fatal(err)
	}
	if r.region != "" {
		e.region = r.region
	}
	err := filepath.WalkDir(e.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".hcl") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		s := emailBlock.ReplaceAllString(e.name(string(b)), "")
		if r.region != "" {
			s = regionSetting.ReplaceAllString(s, `${1}"`+r.region+`"`)
		}
		return os.WriteFile(path, []byte(s), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if sc.example == "many-domains" {
		keepDomains(t, filepath.Join(e.dir, "domains.hcl"), 3)
	}
	specDir, err := os.MkdirTemp("", "mailform-e2e-"+token+"-")
	if err == nil {
		err = os.CopyFS(specDir, os.DirFS(e.dir))
	}
	if err != nil {
		t.Fatal(err)
	}
	st := &e2eStack{e: e, specDir: specDir}
	r.mu.Lock()
	r.stacks = append(r.stacks, st)
	r.mu.Unlock()
	t.Cleanup(func() {
		for _, err := range r.cleanup(st) {
			t.Error(err)
		}
	})
	return e
}

// saveSpec replaces the copy cleanup destroys from with e's spec as it is
// now (after the edits that make it applicable, before any the test makes).
func (r *remoteAWS) saveSpec(e *env) {
	e.t.Helper()
	r.cleanMu.Lock() // not while a cleanup reads it
	defer r.cleanMu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range r.stacks {
		if st.e == e && !st.done {
			if err := os.RemoveAll(st.specDir); err != nil {
				e.t.Fatal(err)
			}
			if err := os.CopyFS(st.specDir, os.DirFS(e.dir)); err != nil {
				e.t.Fatal(err)
			}
		}
	}
}

// e2eBase is the word an example's names are built from: its zone's first label.
func e2eBase(sc scenario) string {
	base, _, _ := strings.Cut(sc.zones[0], ".")
	return base
}

// name is s as this backend names it (unchanged on the double).
func (e *env) name(s string) string {
	if e.remote == nil {
		return s
	}
	return e.remote.names(e.token, e.base, s)
}

func (r *remoteAWS) parentZoneID(e *env) string {
	r.mu.Lock()
	id := r.parent
	r.mu.Unlock()
	if id != "" {
		return id
	}
	out, err := route53.NewFromConfig(r.config(e.t, "us-east-1")).ListHostedZonesByName(context.Background(), &route53.ListHostedZonesByNameInput{DNSName: aws.String(r.zone)})
	if err != nil {
		e.t.Fatalf("finding the hosted zone %s: %v", r.zone, err)
	}
	for _, z := range out.HostedZones {
		if aws.ToString(z.Name) == r.zone+"." && (z.Config == nil || !z.Config.PrivateZone) {
			r.mu.Lock()
			r.parent = aws.ToString(z.Id)
			r.mu.Unlock()
			return r.parent
		}
	}
	e.t.Fatalf("%s=%s: no public hosted zone of that name in the account", e2eZoneEnv, r.zone)
	return ""
}

// createZone creates the hosted zone name (under the delegated zone) and
// delegates it with an NS record in the parent zone.
func (r *remoteAWS) createZone(e *env, name string) string {
	e.t.Helper()
	if !strings.HasSuffix(name, "."+r.zone) {
		e.t.Fatalf("zone %s is not under %s", name, r.zone)
	}
	parent := r.parentZoneID(e)
	ctx := context.Background()
	r53 := route53.NewFromConfig(r.config(e.t, "us-east-1"))
	out, err := r53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{
		Name: aws.String(name), CallerReference: aws.String(name + "-" + randomLabel(8)),
		HostedZoneConfig: &r53types.HostedZoneConfig{Comment: aws.String("mailform end-to-end run " + r.runID + "; delete with -e2e-sweep")},
	})
	if err != nil {
		e.t.Fatalf("creating zone %s: %v", name, err)
	}
	id := aws.ToString(out.HostedZone.Id)
	r.mu.Lock()
	for _, st := range r.stacks {
		if st.e == e {
			st.zones = append(st.zones, createdZone{id, name})
		}
	}
	r.mu.Unlock()
	var ns []r53types.ResourceRecord
	if out.DelegationSet != nil {
		for _, n := range out.DelegationSet.NameServers {
			ns = append(ns, r53types.ResourceRecord{Value: aws.String(n)})
		}
	}
	if len(ns) > 0 {
		if err := changeNS(ctx, r53, parent, name, r53types.ChangeActionUpsert, ns); err != nil {
			e.t.Fatalf("delegating %s from %s: %v", name, r.zone, err)
		}
	}
	return id
}

func changeNS(ctx context.Context, r53 *route53.Client, zoneID, name string, action r53types.ChangeAction, ns []r53types.ResourceRecord) error {
	_, err := r53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: action, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name: aws.String(name + "."), Type: r53types.RRTypeNs, TTL: aws.Int64(300), ResourceRecords: ns,
		}}}},
	})
	return err
}

// mailform runs the command line in process against the remote AWS, with
// the recorder in every client; an interrupt stops it.
func (r *remoteAWS) mailform(e *env, args ...string) result {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		e.t.Fatal("interrupted")
	}
	r.running++
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.running--
		r.mu.Unlock()
	}()
	ctx, cancel := context.WithCancel(e.ctx())
	defer cancel()
	go func() {
		select {
		case <-r.interrupted:
			cancel()
		case <-ctx.Done():
		}
	}()
	return r.run(ctx, e, args...)
}

// run is one mailform run with the recorder installed.
func (r *remoteAWS) run(ctx context.Context, e *env, args ...string) result {
	full := slices.Clone(args)
	if r.endpoint != "" {
		switch args[0] {
		case "plan", "apply", "unlock":
			full = append(full, "-endpoint-url", r.endpoint)
		}
	}
	environ := []string{"NO_COLOR=1"}
	if r.backend == "sandbox" {
		// A double needs no pacing; AWS does.
		environ = append(environ, cli.PacingEnv+"=off")
	}
	var stdout, stderr strings.Builder
	code := cli.Run(ctx, full, cli.IO{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Env:           environ,
		AWSAPIOptions: []func(*middleware.Stack) error{r.rec.Middleware("mailform")},
	})
	e.transcript.WriteString(stdout.String())
	e.transcript.WriteString(stderr.String())
	return result{stdout.String(), stderr.String(), code}
}

// cleanup destroys st's stack (breaking the lock a stopped run may have
// left) and deletes its zones and their delegations. It returns what it
// could not do; it is safe to call twice.
func (r *remoteAWS) cleanup(st *e2eStack) []error {
	r.cleanMu.Lock()
	defer r.cleanMu.Unlock()
	if st.done {
		return nil
	}
	st.done = true
	ctx, cancel := context.WithTimeout(context.Background(), e2eCleanupTimeout)
	defer cancel()
	r.run(ctx, st.e, "unlock", st.specDir, "-force")
	if res := r.run(ctx, st.e, "apply", st.specDir, "-destroy", "-auto-approve"); res.code != 0 {
		// The zones stay: they are how -e2e-sweep finds the stack again.
		return []error{fmt.Errorf("destroying %s (a copy of its spec is kept in %s; its zones are kept for -e2e-sweep): exit %d\n%s", st.e.token, st.specDir, res.code, res.stderr)}
	}
	var errs []error
	for _, z := range st.zones {
		if err := r.deleteZone(ctx, z); err != nil {
			errs = append(errs, fmt.Errorf("deleting zone %s: %w", z.name, err))
		}
	}
	if len(errs) == 0 {
		_ = os.RemoveAll(st.specDir)
	}
	return errs
}

// deleteZone empties a zone the suite created (apex NS and SOA aside),
// deletes it, and removes its delegation from the parent zone.
func (r *remoteAWS) deleteZone(ctx context.Context, z createdZone) error {
	cfg, err := r.configErr("us-east-1")
	if err != nil {
		return err
	}
	r53 := route53.NewFromConfig(cfg)
	var changes []r53types.Change
	p := route53.NewListResourceRecordSetsPaginator(r53, &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(z.id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, rs := range page.ResourceRecordSets {
			if aws.ToString(rs.Name) == z.name+"." && (rs.Type == r53types.RRTypeNs || rs.Type == r53types.RRTypeSoa) {
				continue
			}
			changes = append(changes, r53types.Change{Action: r53types.ChangeActionDelete, ResourceRecordSet: &rs})
		}
	}
	for batch := range slices.Chunk(changes, 500) {
		if _, err := r53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(z.id), ChangeBatch: &r53types.ChangeBatch{Changes: batch}}); err != nil {
			return err
		}
	}
	if _, err := r53.DeleteHostedZone(ctx, &route53.DeleteHostedZoneInput{Id: aws.String(z.id)}); err != nil {
		var gone *r53types.NoSuchHostedZone
		if !errors.As(err, &gone) {
			return err
		}
	}
	r.mu.Lock()
	parent := r.parent
	r.mu.Unlock()
	if parent == "" {
		return nil
	}
	sets, err := r53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(parent), StartRecordName: aws.String(z.name + "."), StartRecordType: r53types.RRTypeNs, MaxItems: aws.Int32(1),
	})
	if err != nil {
		return err
	}
	for _, rs := range sets.ResourceRecordSets {
		if aws.ToString(rs.Name) == z.name+"." && rs.Type == r53types.RRTypeNs {
			return changeNS(ctx, r53, parent, z.name, r53types.ChangeActionDelete, rs.ResourceRecords)
		}
	}
	return nil
}

// cleanupAll stops every mailform run, waits for them (bounded), and
// cleans up every registered stack.
func (r *remoteAWS) cleanupAll() []error {
	r.mu.Lock()
	r.stopped = true
	r.mu.Unlock()
	r.stopOnce.Do(func() { close(r.interrupted) })
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		r.mu.Lock()
		n := r.running
		r.mu.Unlock()
		if n == 0 {
			break
		}
	}
	r.mu.Lock()
	stacks := slices.Clone(r.stacks)
	r.mu.Unlock()
	var errs []error
	for _, st := range stacks {
		errs = append(errs, r.cleanup(st)...)
	}
	return errs
}

// handleSignals makes SIGINT and SIGTERM destroy everything the run
// created, write the recording, and exit 1.
func (r *remoteAWS) handleSignals() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-ch
		close(r.signalled)
		fmt.Fprintf(os.Stderr, "end-to-end run %s: %v: destroying what it created (a second signal does not stop this; -e2e-sweep finishes the job)\n", r.runID, sig)
		errs := r.cleanupAll()
		for _, err := range errs {
			fmt.Fprintln(os.Stderr, err)
		}
		r.writeRecord()
		fmt.Fprintf(os.Stderr, "end-to-end run %s: cleanup done, %d problems\n", r.runID, len(errs))
		os.Exit(1)
	}()
}

// awaitInterruptCleanup returns at once unless a signal started the
// cleanup; then it never returns: the cleanup ends the process when done,
// and the tests that failed because of the interrupt must not end it first.
func (r *remoteAWS) awaitInterruptCleanup() {
	select {
	case <-r.signalled:
		select {}
	default:
	}
}

func (r *remoteAWS) writeRecord() {
	if r.recordPath == "" {
		return
	}
	if err := r.rec.WriteFile(r.recordPath); err != nil {
		fmt.Fprintf(os.Stderr, "writing the recorded AWS answers: %v\n", err)
	}
}

// sweep destroys what earlier runs left: every hosted zone under the
// delegated zone whose name starts with e2ePrefix is a scenario's zone; its
// first label is the token its stack was named from, so the spec is made
// again from the example and destroyed, then the zone is deleted.
func (r *remoteAWS) sweep(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	r53 := route53.NewFromConfig(r.config(t, "us-east-1"))
	var swept []string
	p := route53.NewListHostedZonesPaginator(r53, &route53.ListHostedZonesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, z := range page.HostedZones {
			name := strings.TrimSuffix(aws.ToString(z.Name), ".")
			token, rest, _ := strings.Cut(name, ".")
			if rest != r.zone || !strings.HasPrefix(token, e2ePrefix) {
				continue
			}
			sc, ok := e2eScenarioOfToken(token)
			if !ok {
				t.Errorf("zone %s: no scenario is named from %q; delete it by hand", name, token)
				continue
			}
			e := r.newEnv(t, sc, token)
			r.mu.Lock()
			r.stacks[len(r.stacks)-1].zones = []createdZone{{aws.ToString(z.Id), name}}
			r.mu.Unlock()
			r.parentZoneID(e)
			swept = append(swept, name)
		}
	}
	return swept
}

// e2eScenarioOfToken finds the scenario a token (prefix, run id, base) was made for.
func e2eScenarioOfToken(token string) (scenario, bool) {
	for _, sc := range lifecycleScenarios() {
		if strings.HasSuffix(token, "-"+e2eBase(sc)) {
			return sc, true
		}
	}
	return scenario{}, false
}

// TestE2EFlagsAreChecked: the suite refuses to run beside the double's
// tests, or with a timeout that would kill it before its cleanup.
func TestE2EFlagsAreChecked(t *testing.T) {
	run, timeout := flag.Lookup("test.run"), flag.Lookup("test.timeout")
	oldRun, oldTimeout := run.Value.String(), timeout.Value.String()
	t.Cleanup(func() {
		_ = run.Value.Set(oldRun)
		_ = timeout.Value.Set(oldTimeout)
	})
	for _, c := range []struct {
		run, timeout string
		ok           bool
	}{
		{"TestE2E", "3h", true},
		{"^TestE2E$", "0s", true},
		{"", "3h", false},
		{"TestCheck", "3h", false},
		{"TestE2E", "10m", false},
	} {
		_ = run.Value.Set(c.run)
		_ = timeout.Value.Set(c.timeout)
		if err := checkE2EFlags(); (err == nil) != c.ok {
			t.Errorf("-run %q -timeout %s: %v", c.run, c.timeout, err)
		}
	}
}
