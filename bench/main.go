// Command bench measures how close mailform runs to the physical limit AWS
// sets for outbound-email infrastructure at scale: the fewest API calls an
// operation needs and the time those calls take under AWS's account-wide
// rate limits (Route 53 5 requests/s, SES control plane 1 request/s).
//
//	go run ./bench -n 10,100,1000 -scenario s1,s2
//
// It generates specs with examples/many-domains/gen, starts the local AWS
// double (internal/awstest) with AWS's rate limits, a per-call latency and a
// time scale, creates the hosted zones, and runs the mailform binary as a
// child process so that its own CPU time and peak memory are measured. For
// each operation it prints and writes (bench/results/*.json) the calls per
// service and operation, the minimum calls derived in docs/performance.md,
// the floor time of those calls, wall time, ratios, peak RSS, CPU time and
// throttled calls. Where terraform is installed it runs the equivalent
// Terraform configuration against the same double.
//
// It is a measuring tool, not a test: nothing in CI passes or fails on it.
// It prints to the terminal and exits, so it must not be imported.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

func main() {
	var o options
	var ns, scenarios, ops, tools string
	flag.StringVar(&ns, "n", "10,100", "comma-separated numbers of domains")
	flag.StringVar(&scenarios, "scenario", "s1,s2", "s1 (each domain its own zone), s2 (all domains under one zone), ec2 (examples/ec2-mta: two MTAs and no SES identity, run once whatever -n; with -foreign, what identities of others cost a spec that has none)")
	flag.StringVar(&ops, "ops", strings.Join(allOperations, ","), "operations to run, in this order")
	flag.DurationVar(&o.latency, "latency", 20*time.Millisecond, "latency the double adds to every AWS call (before the time scale)")
	flag.Float64Var(&o.timeScale, "timescale", 20, "speed-up of the emulated world: rate limits multiplied, delays divided")
	flag.DurationVar(&o.changeDelay, "change-delay", 0, "how long a Route 53 change stays PENDING (before the time scale)")
	flag.StringVar(&o.resultsDir, "results", "bench/results", "folder for the JSON results (a relative one is under the module root)")
	flag.StringVar(&o.terraform, "terraform", "auto", "auto (run where terraform is installed), off, or the path of the terraform binary")
	flag.StringVar(&o.terraformMaxN, "terraform-max-n", "100", "largest N to run terraform at (it is slow)")
	flag.StringVar(&tools, "tools", "mailform,terraform", "tools to measure: mailform, terraform or both")
	flag.StringVar(&o.cpuProfiles, "cpuprofile", "", "folder to write a CPU profile of each mailform run into (<scenario>-<n>-<operation>.pprof)")
	flag.BoolVar(&o.keep, "keep", false, "keep the generated specs and working folders, with a log of each mailform run (<operation>.log, lines timed from its start)")
	flag.IntVar(&o.foreign, "foreign", 0, "SES identities to create in the region, tagged but not by the stack, before each scenario (5000: a SaaS account's customers)")
	flag.Parse()

	var err error
	if o.ns, err = parseInts(ns); err != nil {
		fatal(fmt.Errorf("-n: %w", err))
	}
	for _, s := range strings.Split(scenarios, ",") {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "s1" && s != "s2" && s != scenarioEC2 {
			fatal(fmt.Errorf("-scenario %q: use s1, s2 or ec2", s))
		}
		o.scenarios = append(o.scenarios, s)
	}
	for _, op := range strings.Split(ops, ",") {
		if !isOperation(op) {
			fatal(fmt.Errorf("-ops: unknown operation %q (use %s)", op, strings.Join(allOperations, ", ")))
		}
		o.ops = append(o.ops, op)
	}
	o.tools = map[string]bool{}
	for _, t := range strings.Split(tools, ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "mailform" && t != "terraform" {
			fatal(fmt.Errorf("-tools %q: use mailform, terraform or both", t))
		}
		o.tools[t] = true
	}
	if o.timeScale <= 0 {
		fatal(fmt.Errorf("-timescale must be positive"))
	}
	if o.maxTerraformN, err = strconv.Atoi(o.terraformMaxN); err != nil {
		fatal(fmt.Errorf("-terraform-max-n: %w", err))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 10000 {
			return nil, fmt.Errorf("%q: want 1 to 10000", f)
		}
		out = append(out, n)
	}
	return out, nil
}
