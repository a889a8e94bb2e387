package acceptance

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// CrashSweepEnv selects how thorough the reliability tests are: "full"
// tries every crash point of every example and ten seeds of each fault mix;
// unset, CI tries every crash point of the example with the fewest mutating
// calls (examples/ec2-mta), the first, middle and last of the others, and
// one seed of each fault mix.
const CrashSweepEnv = "MAILFORM_CRASH_SWEEP"

// smallestExample is swept in full even in CI.
const smallestExample = "ec2-mta"

// crashPoints are the k (1..n) after whose mutating call a run is killed.
func crashPoints(n int, full bool) []int {
	if full {
		ks := make([]int, n)
		for i := range ks {
			ks[i] = i + 1
		}
		return ks
	}
	ks := []int{1}
	if mid := (n + 1) / 2; mid > 1 {
		ks = append(ks, mid)
	}
	if n > ks[len(ks)-1] {
		ks = append(ks, n)
	}
	return ks
}

// TestCrashAtEveryStep kills an apply of each example right after its k-th
// mutating AWS call, for k from 1 to the number of mutating calls of a full
// apply (or a sample of them, see CrashSweepEnv). After 'mailform unlock
// -force' (a killed run leaves its lock) a second apply, without faults,
// must converge: the plan shows no changes, the account holds exactly what a
// clean apply leaves (no second Elastic IP, access key, identity, topic,
// queue, subscription, record set or marker), the stored SMTP secret belongs
// to the one active key, and no secret was ever printed.
func TestCrashAtEveryStep(t *testing.T) {
	full := os.Getenv(CrashSweepEnv) == "full"
	for _, sc := range scenarios {
		t.Run(sc.example, func(t *testing.T) {
			clean := newScenarioEnv(t, sc)
			before := clean.s.MutatingCalls()
			counter := newCrashSwitch(t, clean.s.URL(), 0)
			if r := counter.run(clean, "apply", clean.dir, "-auto-approve"); r.code != 0 {
				t.Fatalf("clean apply: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
			}
			calls := counter.calls()
			if got := clean.s.MutatingCalls() - before; got != len(calls) {
				t.Errorf("the switch counted %d mutating calls, the double %d", len(calls), got)
			}
			want := clean.inventory()
			clean.must(0, "plan", clean.dir, "-detailed-exitcode")
			t.Logf("a clean apply of examples/%s makes %d mutating calls: %s", sc.example, len(calls), strings.Join(calls, ", "))

			points := crashPoints(len(calls), full || sc.example == smallestExample)
			for i, k := range points {
				t.Run(fmt.Sprintf("k=%02d", k), func(t *testing.T) {
					e := newScenarioEnv(t, sc)
					sw := newCrashSwitch(t, e.s.URL(), k)
					killed := sw.run(e, "apply", e.dir, "-auto-approve")
					done := sw.calls()
					// The number of mutating calls may differ by one or two
					// between runs (what is batched together depends on
					// timing): a run whose k-th call was its last, the
					// lock's release, finished before the kill.
					if last := done[len(done)-1]; killed.code == 0 && last != "DeleteParameter" {
						t.Errorf("the apply killed after call %d (%s) exited 0", k, last)
					}
					secrets := e.keySecretsOfUsers(sc)

					if i == 0 {
						// The killed run's lock is reported, with the way out.
						r := e.must(1, "apply", e.dir, "-auto-approve")
						for _, want := range []string{"is locked by", " ago", "mailform unlock"} {
							if !strings.Contains(r.stderr, want) {
								t.Errorf("a lock left by a killed run is not reported with %q:\n%s", want, r.stderr)
							}
						}
					}
					e.must(0, "unlock", e.dir, "-force")
					e.must(0, "apply", e.dir, "-auto-approve")
					e.must(0, "plan", e.dir, "-detailed-exitcode")
					if diff := cmp.Diff(want, e.inventory()); diff != "" {
						t.Errorf("killed after mutating call %d (%s), the resumed apply does not leave what a clean apply leaves (-clean +resumed):\n%s", k, done[len(done)-1], diff)
					}
					secrets = append(secrets, e.requireSMTPSecrets(sc)...)
					secrets = append(secrets, e.keySecretsOfUsers(sc)...)
					secrets = append(secrets, e.keySecrets(sc)...)
					e.requireNoSecrets(nil, secrets...)
				})
			}
			t.Logf("examples/%s: %d crash points tested of %d mutating calls", sc.example, len(points), len(calls))
		})
	}
}

// faultMixes are the faults every apply must live through, each with a
// fixed seed per run. Rules are tried in order and the first that fires
// wins, so the rates of the later ones are a little lower than written; the
// test reports what was injected.
var faultMixes = []struct{ name, spec string }{
	// On every service: 30% of calls throttled, 5% answered 500 or 503, 1%
	// carried out with the answer lost (a cut connection).
	{"transient", "seed=%d,*:*=throttle@0.3,*:*=5xx@0.05,*:*=cut@0.01"},
	// One call in ten carried out with its answer lost: each is an
	// ambiguous failure that must not leak a second key, address or topic.
	{"lost-answers", "seed=%d,*:*=cut@0.1"},
}

// maxFaultyRuns is how many applies under faults an example may take to
// converge.
const maxFaultyRuns = 5

// faultSeeds are the seeds each mix runs with: one in CI, ten with
// MAILFORM_CRASH_SWEEP=full.
func faultSeeds() []int {
	n := 1
	if os.Getenv(CrashSweepEnv) == "full" {
		n = 10
	}
	seeds := make([]int, n)
	for i := range seeds {
		seeds[i] = 11 + i
	}
	return seeds
}

// TestAppliesConvergeUnderFaults applies each example under each fault mix
// (faultMixes, faultSeeds), running apply again while it fails, as a
// pipeline would. It must converge within maxFaultyRuns; then, without
// faults, the plan shows no changes, the account holds what a clean apply
// leaves, the stored SMTP secret is the active key's, and nothing printed
// holds a secret.
func TestAppliesConvergeUnderFaults(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.example, func(t *testing.T) {
			clean := newScenarioEnv(t, sc)
			clean.must(0, "apply", clean.dir, "-auto-approve")
			want := clean.inventory()

			for _, mix := range faultMixes {
				injected := map[string]int{}
				calls, runsTotal, worst := 0, 0, 0
				for _, seed := range faultSeeds() {
					spec := fmt.Sprintf(mix.spec, seed)
					t.Run(fmt.Sprintf("%s/seed=%d", mix.name, seed), func(t *testing.T) {
						e := newScenarioEnv(t, sc)
						if err := e.s.SetFaults(spec); err != nil {
							t.Fatal(err)
						}
						runs, converged := 0, false
						for runs < maxFaultyRuns && !converged {
							runs++
							r := e.mailform("apply", e.dir, "-auto-approve")
							converged = r.code == 0
							if !converged {
								t.Logf("run %d failed (run again):\n%s", runs, lastLines(r.stderr, 6))
								requireAddressOnce(t, r.stdout)
							}
						}
						for rule, n := range e.s.InjectedFaults() {
							injected[rule] += n
						}
						for _, ops := range e.s.Counts() {
							for _, n := range ops {
								calls += n
							}
						}
						runsTotal += runs
						worst = max(worst, runs)
						if err := e.s.SetFaults(""); err != nil {
							t.Fatal(err)
						}
						if !converged {
							t.Fatalf("did not converge in %d applies under %s", maxFaultyRuns, spec)
						}
						e.must(0, "plan", e.dir, "-detailed-exitcode")
						if diff := cmp.Diff(want, e.inventory()); diff != "" {
							t.Errorf("under %s, apply leaves something other than a clean apply does (-clean +faulty):\n%s", spec, diff)
						}
						var secrets []string
						secrets = append(secrets, e.requireSMTPSecrets(sc)...)
						secrets = append(secrets, e.keySecretsOfUsers(sc)...)
						secrets = append(secrets, e.keySecrets(sc)...)
						e.requireNoSecrets(nil, secrets...)
					})
				}
				t.Logf("examples/%s, %s faults, %d seeds: %d apply runs in all (at most %d for one seed), %d AWS calls, injected %v",
					sc.example, mix.name, len(faultSeeds()), runsTotal, worst, calls, injected)
				if len(injected) > 0 && injected[strings.SplitN(strings.SplitN(mix.spec, ",", 2)[1], ",", 2)[0]] == 0 {
					t.Errorf("%s: the first rule never fired: %v", mix.name, injected)
				}
			}
		})
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lineOf returns "file:line:col" of the first line of a spec file that
// starts with prefix.
func (e *env) lineOf(file, prefix string) string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dir, file))
	if err != nil {
		e.t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, prefix) {
			return fmt.Sprintf("%s:%d:1", file, i+1)
		}
	}
	e.t.Fatalf("%s has no line starting %q", file, prefix)
	return ""
}

// TestPermanentFailure: one AWS operation is refused (AccessDenied) on
// every call. Apply stops with an error at the block of the resource it
// failed on (file:line:col), naming the missing IAM permission, and the
// resources that do not need it are applied; plan reports a refused read
// the same way. Once the fault clears (the permission is granted), apply
// converges.
func TestPermanentFailure(t *testing.T) {
	tests := []struct {
		fault   string // service:Operation
		command string
		block   string // the line of main.hcl the error is reported at, "" for none
		kind    string // the fault; "" for fail (the service's own access-denied answer)
	}{
		{"sns:CreateTopic", "apply", `topic "feedback"`, ""},
		{"sns:CreateTopic", "apply", `topic "feedback"`, "fail:AccessDenied"},
		{"ses:CreateEmailIdentity", "apply", `domain "acme.example"`, ""},
		{"iam:CreateUser", "apply", `smtp_user "webapp"`, ""},
		{"route53:ChangeResourceRecordSets", "apply", "", ""},
		{"sqs:ListQueues", "plan", "", ""},
		{"ec2:DescribeAddresses", "plan", "", ""},
		{"ses:GetAccount", "plan", "", ""},
		{"ssm:PutParameter", "apply", "", ""}, // the stack lock
	}
	sc := scenarioNamed(t, "ses-domain")
	for _, tt := range tests {
		if tt.kind == "" {
			tt.kind = "fail"
		}
		rule := tt.fault + "=" + tt.kind
		t.Run(tt.command+"/"+rule, func(t *testing.T) {
			e := newScenarioEnv(t, sc)
			if err := e.s.SetFaults(rule); err != nil {
				t.Fatal(err)
			}
			args := []string{tt.command, e.dir}
			if tt.command == "apply" {
				args = append(args, "-auto-approve")
			}
			r := e.must(1, args...)
			if want := "missing IAM permission " + tt.fault; !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
			if tt.block != "" {
				if at := e.lineOf("main.hcl", tt.block); !strings.Contains(r.stderr, at) {
					t.Errorf("the error is not reported at %s (%s):\n%s", at, tt.block, r.stderr)
				}
				// What does not need the refused call is applied.
				if !regexp.MustCompile(`Apply complete: [1-9][0-9]* changed, 1 failed`).MatchString(r.stdout) {
					t.Errorf("apply did not carry out the changes independent of %s:\n%s", tt.fault, r.stdout)
				}
			}
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stderr shows a Go panic:\n%s", r.stderr)
			}
			if e.s.InjectedFaults()[rule] == 0 {
				t.Fatalf("the fault was never injected")
			}

			if err := e.s.SetFaults(""); err != nil {
				t.Fatal(err)
			}
			e.must(0, "apply", e.dir, "-auto-approve")
			e.must(0, "plan", e.dir, "-detailed-exitcode")
			e.requireNoSecrets(nil, append(e.requireSMTPSecrets(sc), e.keySecretsOfUsers(sc)...)...)
		})
	}
}

// TestTwoAppliesAtOnce: two applies of one stack run at once (two
// goroutines running the command line). The first takes the lock and is
// held right after it; the second, started then, plans, fails on the lock
// naming the holder and its age, and changes nothing (its only mutating
// call is the refused lock). The first then finishes, releases the lock,
// and the stack converges. (A lock left by a killed run, and 'mailform
// unlock -force', are covered by TestCrashAtEveryStep and TestStackLock.)
func TestTwoAppliesAtOnce(t *testing.T) {
	e := newScenarioEnv(t, scenarioNamed(t, "ses-domain"))
	first := newCrashSwitch(t, e.s.URL(), 0)
	locked := make(chan struct{})
	second := make(chan struct{})
	first.beforeMutating = func(n int, op string) {
		if n == 2 { // the first call after the lock's PutParameter
			close(locked)
			<-second
		}
	}
	firstDone := make(chan result, 1)
	go func() { firstDone <- first.run(e, "apply", e.dir, "-auto-approve") }()
	select {
	case <-locked:
	case r := <-firstDone:
		t.Fatalf("the first apply ended before taking the lock: exit %d\n%s", r.code, r.stderr)
	}

	counter := newCrashSwitch(t, e.s.URL(), 0)
	r := counter.run(e, "apply", e.dir, "-auto-approve")
	close(second)
	if r.code != 1 {
		t.Errorf("the second apply: exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{`stack "acme-prod" is locked by`, "(pid ", ", apply) since ", " ago", "mailform unlock"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the refusal lacks %q:\n%s", want, r.stderr)
		}
	}
	if calls := counter.calls(); len(calls) != 1 || calls[0] != "PutParameter" {
		t.Errorf("the refused apply made mutating calls %v, want only the lock's PutParameter", calls)
	}

	if r := <-firstDone; r.code != 0 {
		t.Fatalf("the first apply: exit %d\n%s", r.code, r.stderr)
	}
	e.must(0, "plan", e.dir, "-detailed-exitcode")
	if r := e.must(0, "unlock", e.dir); !strings.Contains(r.stdout, "is not locked") {
		t.Errorf("the first apply did not release its lock: %s", r.stdout)
	}
}

// TestNoSecretInAnyOutput runs every kind of output of each example (plan
// as text, JSON, Markdown and a saved plan file; apply as text and JSON, of
// a spec and of a plan file; a credential rotation; an apply that fails on a
// refused call; destroy) and scans every byte mailform wrote, plan files
// included, for every secret value, read back from the stores: the secret
// access keys of all SMTP keys created, the stored SMTP passwords, and the
// DKIM private keys. file: secrets must be mode 0600 (their atomic write is
// tested by TestFileStore in internal/secrets). Every run logs its AWS
// calls (MAILFORM_DEBUG=1), and that log is scanned too.
func TestNoSecretInAnyOutput(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.example, func(t *testing.T) {
			e := newScenarioEnv(t, sc)
			e.debug = true
			var written []byte
			savePlan := func() string {
				path := filepath.Join(t.TempDir(), "saved.plan")
				e.must(0, "plan", e.dir, "-out", path)
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				written = append(written, b...)
				return path
			}
			var secrets []string
			e.must(0, "plan", e.dir, "-json")
			e.must(0, "apply", savePlan())
			// The plan file's secrets went where the spec says: file:
			// locations beside the spec, not in the current folder.
			e.must(0, "plan", e.dir, "-detailed-exitcode")
			for _, loc := range sc.keys {
				if rel, ok := strings.CutPrefix(loc, "file:"); ok {
					if _, err := os.Stat(rel); err == nil {
						t.Errorf("applying a plan file wrote %s relative to the current folder", loc)
						os.RemoveAll(filepath.Dir(rel))
					}
				}
			}
			secrets = append(secrets, e.requireSMTPSecrets(sc)...) // before the rotation
			e.must(0, "plan", e.dir)
			e.must(0, "plan", e.dir, "-json")
			e.must(0, "plan", e.dir, "-markdown")
			savePlan()
			for _, u := range sc.smtp {
				label := u.location[strings.LastIndexByte(u.location, '/')+1:]
				e.must(0, "plan", e.dir, "-replace", "smtp_user."+label, "-json")
				e.must(0, "apply", e.dir, "-auto-approve", "-json", "-replace", "smtp_user."+label)
				secrets = append(secrets, e.keySecretsOfUsers(sc)...)
			}
			secrets = append(secrets, e.requireSMTPSecrets(sc)...)
			secrets = append(secrets, e.keySecrets(sc)...)

			// A refused call: the error output must not quote a secret either.
			e.write("extra.hcl", "topic \"extra\" {}\n")
			if err := e.s.SetFaults("*:*=fail>0"); err != nil {
				t.Fatal(err)
			}
			e.must(1, "apply", e.dir, "-auto-approve", "-json")
			e.must(1, "plan", e.dir)
			if err := e.s.SetFaults(""); err != nil {
				t.Fatal(err)
			}
			e.must(0, "apply", e.dir, "-auto-approve", "-destroy", "-json")
			e.must(0, "unlock", e.dir)
			if len(secrets) < len(sc.smtp)*3+len(sc.keys) {
				t.Fatalf("only %d secrets to look for", len(secrets))
			}
			if !strings.Contains(e.transcript.String(), "aws: Route 53 ChangeResourceRecordSets ") {
				t.Error("the transcript has no debug line for Route 53 ChangeResourceRecordSets: the AWS call log was not scanned")
			}
			e.requireNoSecrets(written, secrets...)
			t.Logf("examples/%s: %d bytes of output and plan files scanned for %d secret values", sc.example, e.transcript.Len()+len(written), len(secrets))
		})
	}
}
