package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/specs"
)

type options struct {
	ns            []int
	scenarios     []string
	ops           []string
	latency       time.Duration
	timeScale     float64
	changeDelay   time.Duration
	resultsDir    string
	terraform     string
	terraformMaxN string
	maxTerraformN int
	keep          bool
	tools         map[string]bool // "mailform", "terraform"
	cpuProfiles   string          // folder for mailform's CPU profiles, or ""
	foreign       int             // identities created in the region that the stack does not own
}

// The operations, in the order a user meets them.
const (
	opApply      = "apply"       // apply from an empty account
	opPlan       = "plan"        // plan with nothing to change
	opDMARCPlan  = "dmarc-plan"  // plan after every domain's DMARC policy changed
	opDMARCApply = "dmarc-apply" // apply of that change
)

var allOperations = []string{opApply, opPlan, opDMARCPlan, opDMARCApply}

func isOperation(op string) bool {
	for _, o := range allOperations {
		if o == op {
			return true
		}
	}
	return false
}

// specRegion is the region of examples/many-domains/main.hcl.
const specRegion = "eu-central-1"

// result is one measured operation of one tool.
type result struct {
	Tool      string `json:"tool"` // "mailform" or "terraform"
	Scenario  string `json:"scenario"`
	Domains   int    `json:"domains"`
	Operation string `json:"operation"`
	Resources int    `json:"resources"` // resources the spec expands into (Terraform: resource instances)
	ExitCode  int    `json:"exit_code"`
	Error     string `json:"error,omitempty"`

	Calls          map[string]map[string]int `json:"calls"`
	CallsTotal     int                       `json:"calls_total"`
	Throttled      map[string]map[string]int `json:"throttled,omitempty"`
	ThrottledTotal int                       `json:"throttled_total"`

	Minimum      []floorLine `json:"minimum,omitempty"`
	MinimumTotal int         `json:"minimum_total,omitempty"`
	CallsRatio   float64     `json:"calls_ratio,omitempty"`

	FloorSeconds float64 `json:"floor_seconds,omitempty"`
	// AWSSeconds is the time the calls counted would take at AWS's rate
	// limits (time scale 1, no latency): what the operation costs a user.
	AWSSeconds  float64 `json:"aws_seconds"`
	WallSeconds float64 `json:"wall_seconds"`
	WallRatio   float64 `json:"wall_ratio,omitempty"`

	PeakRSSMB        float64 `json:"peak_rss_mb"`
	CPUSeconds       float64 `json:"cpu_seconds"`
	CPUPerResourceMs float64 `json:"cpu_ms_per_resource,omitempty"`

	TimeScale float64 `json:"time_scale"`
	LatencyMs float64 `json:"latency_ms"`
}

// run carries out the whole benchmark and writes its report to out.
func run(ctx context.Context, o options, out io.Writer) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "mailform-bench-")
	if err != nil {
		return err
	}
	if !o.keep {
		defer os.RemoveAll(work)
	} else {
		fmt.Fprintf(out, "working folder: %s\n", work)
	}
	bins := map[string]string{"mailform": filepath.Join(work, "mailform"), "gen": filepath.Join(work, "gen")}
	for name, pkg := range map[string]string{"mailform": ".", "gen": "./examples/many-domains/gen"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bins[name], pkg)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("building %s: %v\n%s", pkg, err, b)
		}
	}
	tf, tfNote := findTerraform(o.terraform)
	if !o.tools["terraform"] {
		tf, tfNote = "", "terraform: off (-tools)"
	}
	fmt.Fprintf(out, "mailform benchmark: latency %s, time scale %g, Route 53 change delay %s; %s\n",
		o.latency, o.timeScale, o.changeDelay, tfNote)

	srv, err := awstest.Start(ctx, awstest.Options{
		RateLimits: "aws", TimeScale: o.timeScale, Latency: o.latency, Delays: awstest.Delays{ChangeDelay: o.changeDelay},
	})
	if err != nil {
		return fmt.Errorf("starting the local AWS double: %w", err)
	}
	defer srv.Close()

	var all []result
	for _, scenario := range o.scenarios {
		ns := o.ns
		if scenario == scenarioEC2 {
			ns = []int{0} // the spec has no domains to count
		}
		for _, n := range ns {
			b := &bench{o: o, srv: srv, root: root, bins: bins, scenario: scenario, n: n,
				dir: filepath.Join(work, fmt.Sprintf("%s-%d", scenario, n))}
			if o.tools["mailform"] {
				rs, err := b.runMailform(ctx, out)
				all = append(all, rs...)
				if err != nil {
					fmt.Fprintf(out, "mailform %s N=%d: %v\n", scenario, n, err)
				}
			}
			if tf != "" && n <= o.maxTerraformN && scenario != scenarioEC2 {
				rs, err := b.runTerraform(ctx, out, tf)
				all = append(all, rs...)
				if err != nil {
					fmt.Fprintf(out, "terraform %s N=%d: %v\n", scenario, n, err)
				}
			}
		}
	}
	fmt.Fprintln(out)
	writeTable(out, all)
	return writeResults(resultsPath(root, o.resultsDir), all)
}

// resultsPath is where -results DIR is: DIR itself when it is absolute,
// else DIR under the module root (the default, bench/results).
func resultsPath(root, dir string) string {
	if filepath.IsAbs(dir) {
		return dir
	}
	return filepath.Join(root, dir)
}

// moduleRoot is the folder of mailform's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(b))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run the benchmark inside the mailform module (go run ./bench)")
	}
	return filepath.Dir(mod), nil
}

// writeResults writes all results as one JSON file named by the time.
func writeResults(dir string, rs []result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rs, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(dir, time.Now().UTC().Format("20060102T150405Z")+".json")
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// bench is one scenario at one size.
type bench struct {
	o        options
	srv      *awstest.Server
	root     string
	bins     map[string]string
	scenario string
	n        int
	dir      string
}

// scenarioEC2 is examples/ec2-mta: Elastic IPs with reverse DNS, DKIM keys
// in SSM, the domain's records, and no SES identity.
const scenarioEC2 = "ec2"

// zoneNames are the hosted zones the scenario needs.
func (b *bench) zoneNames() []string {
	if b.scenario == scenarioEC2 {
		return []string{"northwind.example"}
	}
	if b.scenario == "s2" {
		return []string{"brands.example"}
	}
	out := make([]string, b.n)
	for i := range out {
		out[i] = fmt.Sprintf("brand%03d.example", i+1)
	}
	return out
}

func (b *bench) layout() string {
	if b.scenario == "s2" {
		return "one-zone"
	}
	return "zone-per-domain"
}

// route53Client is the benchmark's own client, paced like mailform so that
// its reads between operations are not throttled.
func (b *bench) route53Client() *route53.Client {
	cfg := awscfg.Pace(b.srv.Config("us-east-1"), awscfg.DefaultPacing.Scaled(b.o.timeScale))
	cfg.RetryMaxAttempts = 10
	return route53.NewFromConfig(cfg)
}

// settle waits until the double's rate-limit buckets are full again after
// the benchmark's own calls.
func (b *bench) settle() {
	time.Sleep(time.Duration(2*float64(time.Second)/b.o.timeScale) + 20*time.Millisecond)
}

// prepare resets the double, writes the spec and creates the zones.
func (b *bench) prepare(ctx context.Context) error {
	if err := b.srv.Reset(ctx); err != nil {
		return err
	}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return err
	}
	if b.scenario == scenarioEC2 {
		if err := b.writeEC2Spec(); err != nil {
			return err
		}
		if err := createZones(ctx, b.route53Client(), b.zoneNames()); err != nil {
			return err
		}
		return createForeignIdentities(ctx, b.srv, b.o.foreign)
	}
	main, err := os.ReadFile(filepath.Join(b.root, "examples", "many-domains", "main.hcl"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(b.dir, "main.hcl"), main, 0o644); err != nil {
		return err
	}
	gen := exec.CommandContext(ctx, b.bins["gen"], "-n", fmt.Sprint(b.n), "-layout", b.layout(), "-notifications", "-o", filepath.Join(b.dir, "domains.hcl"))
	if out, err := gen.CombinedOutput(); err != nil {
		return fmt.Errorf("generating the spec: %v\n%s", err, out)
	}
	if err := createZones(ctx, b.route53Client(), b.zoneNames()); err != nil {
		return err
	}
	return createForeignIdentities(ctx, b.srv, b.o.foreign)
}

// resources counts what the spec expands into.
func (b *bench) resources() (int, error) {
	spec, diags := specs.Load(b.dir, specs.LoadOptions{})
	if diags.HasErrors() {
		return 0, fmt.Errorf("loading the spec: %s", diags.Error())
	}
	return len(spec.Resources()), nil
}

// childEnv is the environment of every mailform and terraform run.
func (b *bench) childEnv() []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"AWS_ACCESS_KEY_ID=AKIDBENCH",
		"AWS_SECRET_ACCESS_KEY=bench-secret",
		"AWS_REGION=" + specRegion,
		"AWS_EC2_METADATA_DISABLED=true",
		"NO_COLOR=1",
		fmt.Sprintf("MAILFORM_PACING_SCALE=%g", b.o.timeScale),
	}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		env = append(env, "TMPDIR="+tmp)
	}
	return env
}

// runMailform measures every operation of mailform on the scenario.
func (b *bench) runMailform(ctx context.Context, out io.Writer) ([]result, error) {
	fmt.Fprintf(out, "mailform %s N=%d: preparing\n", b.scenario, b.n)
	if err := b.prepare(ctx); err != nil {
		return nil, err
	}
	nres, err := b.resources()
	if err != nil {
		return nil, err
	}
	applied, edited := false, false
	var results []result
	for _, op := range b.o.ops {
		if (op == opDMARCPlan || op == opDMARCApply) && b.scenario == scenarioEC2 {
			continue // no DMARC change to make in every domain
		}
		if (op == opDMARCPlan || op == opDMARCApply) && !edited {
			if err := b.changeDMARC(); err != nil {
				return results, err
			}
			edited = true
		}
		w, before, err := b.observe(ctx, applied, op == opApply || op == opDMARCApply)
		if err != nil {
			return results, err
		}
		args, want := []string{"plan", b.dir, "-detailed-exitcode"}, 0
		switch op {
		case opApply, opDMARCApply:
			args = []string{"apply", b.dir, "-auto-approve"}
		case opDMARCPlan:
			want = 2
		}
		args = append(args, "-endpoint-url", b.srv.URL())
		b.settle()
		b.srv.ResetCounts()
		env := b.childEnv()
		if b.o.cpuProfiles != "" {
			if err := os.MkdirAll(b.o.cpuProfiles, 0o755); err != nil {
				return results, err
			}
			prof, err := filepath.Abs(filepath.Join(b.o.cpuProfiles, fmt.Sprintf("%s-%d-%s.pprof", b.scenario, b.n, op)))
			if err != nil {
				return results, err
			}
			env = append(env, "MAILFORM_CPUPROFILE="+prof)
		}
		child, err := runChild(ctx, b.dir, env, b.bins["mailform"], args...)
		calls, throttled := b.srv.Counts(), b.srv.Throttles()
		if b.o.keep {
			if err := os.WriteFile(filepath.Join(b.dir, op+".log"), []byte(child.Log), 0o644); err != nil {
				return results, err
			}
		}
		r := result{Tool: "mailform", Scenario: b.scenario, Domains: b.n, Operation: op, Resources: nres,
			ExitCode: child.ExitCode, Calls: calls, Throttled: throttled,
			TimeScale: b.o.timeScale, LatencyMs: float64(b.o.latency) / float64(time.Millisecond)}
		r.measure(child)
		if err == nil && child.ExitCode != want {
			err = fmt.Errorf("mailform %s exited %d, want %d:\n%s\n%s", op, child.ExitCode, want, tail(child.Stdout, 15), tail(child.Stderr, 15))
		}
		if err != nil {
			r.Error = err.Error()
			results = append(results, r)
			return results, err
		}
		if op == opApply || op == opDMARCApply {
			applied = true
			after, err := readZones(ctx, b.route53Client())
			if err != nil {
				return results, err
			}
			w.ZoneChanges = diffZones(before, after)
		}
		if b.scenario != scenarioEC2 { // the minimum is derived for many-domains
			r.setMinimum(minimumCalls(w), b.o)
		}
		results = append(results, r)
		fmt.Fprintf(out, "  %-12s %6d calls (minimum %d), %7.2fs (floor %.2fs), %3.0f MB, CPU %.2fs, %d throttled %s\n",
			op, r.CallsTotal, r.MinimumTotal, r.WallSeconds, r.FloorSeconds, r.PeakRSSMB, r.CPUSeconds, r.ThrottledTotal,
			strings.Join(awstest.SortedCounts(r.Throttled), " "))
	}
	return results, nil
}

// observe describes the account before an operation; with zones it also
// returns the record sets, to compare with those after it.
func (b *bench) observe(ctx context.Context, applied, zones bool) (world, zoneSnapshot, error) {
	w := world{Domains: b.n, AccountZones: len(b.zoneNames()), Writes: zones}
	snap, err := readZones(ctx, b.route53Client())
	if err != nil {
		return w, nil, err
	}
	for _, z := range b.zoneNames() {
		w.DeclaredZoneSets = append(w.DeclaredZoneSets, len(snap[specs.Fqdn(z)]))
	}
	cfg := awscfg.Pace(b.srv.Config(specRegion), awscfg.DefaultPacing.Scaled(b.o.timeScale))
	ses := sesv2.NewFromConfig(cfg)
	p := sesv2.NewListEmailIdentitiesPaginator(ses, &sesv2.ListEmailIdentitiesInput{PageSize: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return w, nil, fmt.Errorf("listing SES identities: %w", err)
		}
		w.IdentitiesBefore += len(page.EmailIdentities)
		for _, id := range page.EmailIdentities {
			if !isForeign(aws.ToString(id.IdentityName)) {
				w.DesiredIdentities++
			}
		}
	}
	w.IdentitiesToCreate = b.n - w.DesiredIdentities
	w.ConfigSetExists, w.TopicExists = applied, applied
	return w, snap, nil
}

// changeDMARC sets every domain's DMARC policy to reject.
func (b *bench) changeDMARC() error {
	path := filepath.Join(b.dir, "domains.hcl")
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(src)
	if c := strings.Count(s, `policy = "quarantine"`); c != b.n {
		return fmt.Errorf("%s holds %d DMARC policies, want %d", path, c, b.n)
	}
	return os.WriteFile(path, []byte(strings.ReplaceAll(s, `policy = "quarantine"`, `policy = "reject"`)), 0o644)
}

// measure fills the totals and the child's costs.
func (r *result) measure(c childRun) {
	perService := map[string]int{}
	for svc, ops := range r.Calls {
		for _, n := range ops {
			r.CallsTotal += n
			perService[svc] += n
		}
	}
	r.AWSSeconds = floorTime(perService, 1, 0).Seconds()
	for _, ops := range r.Throttled {
		for _, n := range ops {
			r.ThrottledTotal += n
		}
	}
	r.WallSeconds = c.Wall.Seconds()
	r.PeakRSSMB = float64(c.PeakRSS) / (1 << 20)
	r.CPUSeconds = c.CPU.Seconds()
	if r.Resources > 0 {
		r.CPUPerResourceMs = r.CPUSeconds * 1000 / float64(r.Resources)
	}
}

// setMinimum records the minimum calls and the floor time.
func (r *result) setMinimum(lines []floorLine, o options) {
	r.Minimum = lines
	per := totals(lines)
	for _, n := range per {
		r.MinimumTotal += n
	}
	if r.MinimumTotal > 0 {
		r.CallsRatio = float64(r.CallsTotal) / float64(r.MinimumTotal)
	}
	r.FloorSeconds = floorTime(per, o.timeScale, o.latency).Seconds()
	if r.FloorSeconds > 0 {
		r.WallRatio = r.WallSeconds / r.FloorSeconds
	}
}

// writeEC2Spec writes examples/ec2-mta into the scenario's folder, in the
// benchmark's region and without the instance (the double runs none).
func (b *bench) writeEC2Spec() error {
	src, err := os.ReadFile(filepath.Join(b.root, "examples", "ec2-mta", "main.hcl"))
	if err != nil {
		return err
	}
	s := string(src)
	for _, edit := range [][2]string{
		{`region = "eu-west-1"`, `region = "` + specRegion + `"`},
		{`instance_id = "i-0abc1234def567890" # associate the Elastic IP with the running server`, ""},
	} {
		if !strings.Contains(s, edit[0]) {
			return fmt.Errorf("examples/ec2-mta/main.hcl no longer holds %q", edit[0])
		}
		s = strings.Replace(s, edit[0], edit[1], 1)
	}
	return os.WriteFile(filepath.Join(b.dir, "main.hcl"), []byte(s), 0o644)
}
