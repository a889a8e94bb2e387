package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/mailform/mailform/apply"
	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/lock"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/planfile"
	"github.com/mailform/mailform/specs"
)

func applyCommand() *command {
	c := &command{
		name:     "apply",
		synopsis: "Make AWS match the spec",
		usage:    "mailform apply [PATH|PLANFILE] [-auto-approve] [-wait[=DURATION]] [-resolver HOST:PORT] [-json] [-destroy] [-target ADDR] [-adopt ADDR] [-replace ADDR] [-force-delete-secrets]",
		help: `Plans as 'mailform plan' does, shows the plan, asks for confirmation (unless
-auto-approve), then carries it out: in dependency order, in parallel where
independent, Route 53 changes as one atomic batch per zone. DKIM records are
written in the same run as the identity that needs them.

Given a plan file saved with 'mailform plan -out FILE', it applies exactly that
plan, and refuses it if anything the plan touches has changed in AWS since.
Run it from the folder plan ran in: file: secret locations are resolved against
the spec folder the plan recorded.

Only one apply runs at a time per stack: a lock is held in AWS (SSM parameter
/mailform/locks/STACK) and 'mailform unlock' breaks a lock left by a killed run.
A run that is interrupted can simply be run again: it converges without leaking.

-wait waits (default 10m) until SES has verified DKIM and MAIL FROM. SES
searches DNS for up to 72 hours, so a wait may end first: the apply then
still exits 0 (its changes succeeded) and ends with "Applied; not yet
verified", naming each pending identity with the records SES looks for and
what DNS answers for them (the zones' authoritative servers, or the server
given with -resolver); with -json the "verification" line has status
"not_yet_verified" and lists them. Follow up with 'mailform check', which
exits non-zero until every identity is verified, or 'mailform status'.
Exit status: 0 when the changes succeeded (verified or not yet); 1 when a
change failed, or SES gave up on an identity (FAILED) during the wait.

-replace smtp_user.NAME rotates an SMTP user's credentials: a new access key,
its password written to the secret store, then the old key deleted, so that
the stored secret always works.

Secrets a removed block or -destroy leaves behind are deleted (the plan names
each): Secrets Manager secrets are scheduled for deletion and stay restorable
for 30 days ('aws secretsmanager restore-secret'; a later apply that writes
the same name restores it); -force-delete-secrets deletes them at once. SSM
parameters keep no deleted value: they are gone at once.`,
		example: `mailform apply
mailform apply -auto-approve -wait=15m examples/ses-domain
mailform apply -auto-approve -wait=15m && mailform check
mailform plan -out ses.plan && mailform apply ses.plan
mailform apply -replace smtp_user.webapp -auto-approve
mailform apply -destroy
mailform apply -destroy -force-delete-secrets -auto-approve`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, specGroup|awsGroup)
		var pf planFlags
		pf.register(st.fs)
		autoApprove := st.fs.Bool("auto-approve", false, "apply without asking for confirmation")
		asJSON := st.fs.Bool("json", false, "print progress as JSON lines (one event per line) instead of text")
		var wait waitFlag
		st.fs.Var(&wait, "wait", "after applying, wait up to `DURATION` (default 10m) for SES to verify DKIM and MAIL FROM")
		resolver := st.fs.String("resolver", "", "when -wait ends with identities not yet verified, ask `HOST:PORT` what DNS answers instead of the authoritative servers")
		forceDeleteSecrets := st.fs.Bool("force-delete-secrets", false, "delete Secrets Manager secrets at once instead of scheduling them for deletion (restorable for 30 days)")
		path, code, ok := st.parsePath(args)
		if !ok {
			return code
		}
		color := st.color()
		view := newApplyView(io, *asJSON, color)

		var (
			todo    toApply
			release func()
		)
		if isPlanFile(path) {
			todo, release, ok = st.savedPlan(ctx, path, pf)
		} else {
			todo, release, ok = st.freshPlan(ctx, path, pf, view, *autoApprove)
		}
		if !ok {
			return ExitError
		}
		defer release()
		spec, p, observed, sess := todo.spec, todo.plan, todo.observed, todo.sess

		if *forceDeleteSecrets {
			sess.services.secrets.ForceDeleteSecrets()
		}
		if p.HasChanges() {
			outcome, runErr := apply.Run(ctx, p, observed, apply.Options{
				Stack: p.Stack, Region: p.Region, Providers: sess.providers,
				Events: view.Event,
			})
			if outcome != nil {
				view.Outcome(outcome)
			}
			if runErr != nil {
				errorf(io.Stderr, awscfg.Explain(runErr), "run apply again: it continues where this run stopped")
				return ExitError
			}
			if outcome.Err() != nil {
				printResourceErrors(io, outcome, spec, path, color)
				return ExitError
			}
			observed = outcome.Observed
		} else {
			view.NothingToApply()
		}
		release() // waiting for SES does not need the stack
		if wait.set {
			if !sess.waitForVerification(ctx, p, observed, wait.duration, view, *resolver) {
				return ExitError
			}
		}
		return ExitOK
	}
	return c
}

// toApply is what apply carries out: the plan, the live state it was made
// from or checked against, the spec it was made from (nil for a saved
// plan), and the session to AWS.
type toApply struct {
	spec     *specs.Spec
	plan     *plan.Plan
	observed []plan.Observed
	sess     *session
}

// savedPlan loads the plan file at path and checks it against AWS: the
// account it was made for, and that live state has not moved since. It takes
// the stack's lock when the plan changes anything; release frees it (it does
// nothing otherwise). It prints any problem itself and then holds no lock.
func (st *startup) savedPlan(ctx context.Context, path string, pf planFlags) (todo toApply, release func(), ok bool) {
	io := st.io
	release = func() {}
	defer func() {
		if !ok {
			release()
		}
	}()
	p, err := loadPlan(path)
	if err != nil {
		errorf(io.Stderr, err)
		return toApply{}, release, false
	}
	specDir := filepath.FromSlash(p.SpecDir)
	if specDir == "" {
		specDir = specDirOfPlan(p) // a plan file that did not record it
	}
	sess, ok := st.connectFor(ctx, p.Stack, p.Region, specDir, zoneRefsOfPlan(p))
	if !ok {
		return toApply{}, release, false
	}
	if p.Account != "" && p.Account != sess.account {
		errorf(io.Stderr, fmt.Errorf("%s was planned for AWS account %s, but these credentials are of account %s; nothing was changed", path, p.Account, sess.account),
			"use the credentials (-profile, AWS_PROFILE) of account "+p.Account+", or make a new plan")
		return toApply{}, release, false
	}
	if p.HasChanges() {
		if release, ok = sess.lock(ctx, p.Stack, lockOperation(p.Destroy), path); !ok {
			return toApply{}, func() {}, false
		}
	}
	pf.refresh.apply(sess)
	observed, err := sess.read(ctx, desiredFromPlan(p))
	if err != nil {
		errorf(io.Stderr, err)
		return toApply{}, release, false
	}
	if err := plan.CheckStale(p, observed); err != nil {
		errorf(io.Stderr, err, "make a new plan: mailform plan -out "+path)
		return toApply{}, release, false
	}
	return toApply{plan: p, observed: observed, sess: sess}, release, true
}

// freshPlan loads the spec at path, takes the stack's lock, makes the plan
// and shows it through view, then asks whether to apply it (unless
// autoApprove). release frees the lock. It prints any problem itself and
// then holds no lock.
func (st *startup) freshPlan(ctx context.Context, path string, pf planFlags, view applyView, autoApprove bool) (todo toApply, release func(), ok bool) {
	io := st.io
	release = func() {}
	defer func() {
		if !ok {
			release()
		}
	}()
	spec := st.load(path)
	if spec == nil {
		return toApply{}, release, false
	}
	sess, ok := st.connect(ctx, spec)
	if !ok {
		return toApply{}, release, false
	}
	// Lock first: a second run says who holds the stack before it
	// reads AWS and prints a plan it could not apply.
	if release, ok = sess.lock(ctx, spec.Stack, lockOperation(pf.destroy), path); !ok {
		return toApply{}, func() {}, false
	}
	p, observed, ok := sess.makePlan(ctx, spec, pf, path, st.color())
	if !ok {
		return toApply{}, release, false
	}
	if err := view.Plan(p); err != nil {
		errorf(io.Stderr, err)
		return toApply{}, release, false
	}
	if p.HasChanges() && !autoApprove {
		if !confirm(io, p) {
			fmt.Fprintln(io.Stderr, "Apply cancelled: nothing was changed.")
			return toApply{}, release, false
		}
	}
	return toApply{spec: spec, plan: p, observed: observed, sess: sess}, release, true
}

// lockOperation is how a lock names the run that holds it.
func lockOperation(destroy bool) string {
	if destroy {
		return "apply -destroy"
	}
	return "apply"
}

// lock takes the stack's lock, or prints who holds it. The returned function
// releases it (once, however often it is called), even when ctx is
// cancelled (an interrupted run), within 60 seconds (long enough for the
// SDK's retries of a throttled SSM call: 8 attempts, backoff up to 20s); a
// failure to release is
// printed with how to break the lock.
func (s *session) lock(ctx context.Context, stack, operation, path string) (func(), bool) {
	release, err := s.locker.Acquire(ctx, stack, operation)
	if err != nil {
		var held *lock.HeldError
		if errors.As(err, &held) {
			errorf(s.io.Stderr, fmt.Errorf("%w; nothing was read or changed", err), "if that run is dead, break its lock with: mailform unlock "+path)
		} else {
			errorf(s.io.Stderr, awscfg.Explain(err))
		}
		return nil, false
	}
	return sync.OnceFunc(func() {
		relCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
		defer cancel()
		if err := release(relCtx); err != nil {
			errorf(s.io.Stderr, fmt.Errorf("releasing the lock: %w", awscfg.Explain(err)), "break it with: mailform unlock "+path)
		}
	}), true
}

// waitFlag is -wait or -wait=DURATION.
type waitFlag struct {
	set      bool
	duration time.Duration
}

func (w *waitFlag) String() string {
	if !w.set {
		return ""
	}
	return w.duration.String()
}

func (w *waitFlag) Set(v string) error {
	w.set = true
	if v == "true" || v == "" {
		w.duration = 10 * time.Minute
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return fmt.Errorf("want a duration such as 10m or 90s, got %q", v)
	}
	w.duration = d
	return nil
}

func (w *waitFlag) IsBoolFlag() bool { return true }

// isPlanFile tells a saved plan from a spec path: a regular file that is not
// an .hcl file.
func isPlanFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && !strings.HasSuffix(path, ".hcl")
}

func loadPlan(path string) (*plan.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the plan file: %w", err)
	}
	defer f.Close()
	p, err := planfile.Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s is not a usable plan file: %w", path, err)
	}
	return p, nil
}

// confirm asks the user to type "yes" to a plan.
func confirm(io IO, p *plan.Plan) bool {
	s := p.Summary()
	return askYes(io, fmt.Sprintf("Do you want to apply these changes (%d to add, %d to change, %d to replace, %d to destroy)?", s.Create, s.Update, s.Replace, s.Delete))
}

// askYes asks a question on the terminal and is true only for "yes". When
// standard input is not a terminal it refuses, saying which flag to use.
func askYes(io IO, question string) bool {
	if f, ok := io.Stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice == 0 {
			errorf(io.Stderr, errors.New("this needs confirmation, and standard input is not a terminal"),
				"for apply use -auto-approve (or apply a plan saved with 'mailform plan -out FILE'); for unlock use -force")
			return false
		}
	}
	fmt.Fprintf(io.Stdout, "\n%s\n  Only 'yes' will be accepted: ", question)
	line, _ := bufio.NewReader(io.Stdin).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// printResourceErrors reports each failed change at its block in the spec.
func printResourceErrors(io IO, o *apply.Outcome, spec *specs.Spec, path string, color bool) {
	var diags hclDiagnostics
	for _, f := range o.Failed {
		diags = append(diags, resourceDiagnostic(f))
	}
	files := map[string]*hclFile{}
	if spec != nil {
		files = spec.Files()
	}
	printDiagnosticsWithFiles(io.Stderr, diags, files, path, color)
	fmt.Fprintln(io.Stderr, "hint: fix the cause and run apply again: it continues where this run stopped")
}
