package acceptance

import (
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/mailform/mailform/cli"
	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/providers/route53"
	"github.com/mailform/mailform/providers/ses"
)

// verifiedAfter finds how long apply -wait waited for SES.
var verifiedAfter = regexp.MustCompile(`All \d+ identities are verified \[(\w+)\]`)

// strictScale divides every delay of the double's AWS consistency mode
// (awstest.AWSDelays) in the strict scenarios, and scales mailform's own
// polling alike (cli.PacingEnv): SES verification takes 10 s, a PTR update
// 5 s, a Route 53 change 1 s, a new access key 0.5 s. docs/testing.md says
// what the scenarios cost at this scale.
const strictScale = 60

// strictRun is how one example goes through its life against the strict
// double: the scenario it starts from (inventory_test.go), whether its
// applies wait for SES verification, the edit of its change step, and the
// address its rotation replaces ("" when the example has nothing to rotate).
type strictRun struct {
	sc     scenario
	wait   bool
	file   string // the file the change edits
	oldNew []string
	// dnsOnly: the change is of Route 53 records alone, and waits for
	// nothing else (the ec2-mta change waits for a PTR removal).
	dnsOnly bool
	replace string
}

// strictRuns are the main scenarios of the acceptance suite.
func strictRuns(t *testing.T) map[string]strictRun {
	manyDomains := scenario{
		example: "many-domains", region: "eu-central-1", zones: []string{"brands.example"},
		prepare: func(e *env) { keepDomains(e.t, filepath.Join(e.dir, "domains.hcl"), 3) },
	}
	return map[string]strictRun{
		"ses-domain": {
			sc: scenarioNamed(t, "ses-domain"), wait: true,
			file: "main.hcl", oldNew: []string{`policy = "quarantine"`, `policy = "reject"`}, dnsOnly: true,
			replace: "smtp_user.webapp",
		},
		"ec2-mta": {
			sc:   scenarioNamed(t, "ec2-mta"),
			file: "main.hcl", oldNew: []string{`  reverse_dns = true
}

# One DKIM key`, `  reverse_dns = false
}

# One DKIM key`},
			replace: "dkim_key.mx2",
		},
		"hybrid": {
			sc:   scenarioNamed(t, "hybrid"),
			file: "ses.hcl", oldNew: []string{`policy = "quarantine"`, `policy = "reject"`}, dnsOnly: true,
			replace: "smtp_user.billing",
		},
		"many-domains": {
			sc: manyDomains, wait: true,
			file: "domains.hcl", oldNew: []string{`policy = "quarantine"`, `policy = "reject"`}, dnsOnly: true,
		},
	}
}

// strict runs mailform paced as the double is scaled, so that its polls
// (PTR status, SES verification) keep step with the scaled delays.
func (e *env) strict(want int, args ...string) result {
	e.t.Helper()
	r := e.runAt(e.ctx(), e.s.URL(), []string{cli.PacingEnv + "=" + strconv.Itoa(strictScale)}, args...)
	if r.code != want {
		e.t.Fatalf("mailform %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// noChanges fails unless a plan -detailed-exitcode of what is live shows
// nothing to do: what the last apply made is read back, although the
// double's list calls may not show it yet.
func (e *env) noChanges(when string, extra ...string) {
	e.t.Helper()
	args := append([]string{"plan", e.dir, "-detailed-exitcode"}, extra...)
	r := e.runAt(e.ctx(), e.s.URL(), []string{cli.PacingEnv + "=" + strconv.Itoa(strictScale)}, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "No changes") {
		e.t.Fatalf("plan %s: exit %d, want 0 and no changes\nstdout:\n%s\nstderr:\n%s", when, r.code, r.stdout, r.stderr)
	}
}

// accessKeys lists the access key IDs of the scenario's SMTP users.
func (e *env) accessKeys(sc scenario) []string {
	e.t.Helper()
	var out []string
	for _, c := range sc.smtp {
		keys, err := iam.NewFromConfig(e.cfg()).ListAccessKeys(e.ctx(), &iam.ListAccessKeysInput{UserName: aws.String(c.user)})
		if err != nil {
			e.t.Fatalf("ListAccessKeys %s: %v", c.user, err)
		}
		for _, k := range keys.AccessKeyMetadata {
			out = append(out, aws.ToString(k.AccessKeyId))
		}
	}
	slices.Sort(out)
	return out
}

// TestScenariosUnderAWSConsistency runs each main example through its life
// against the double as eventually consistent and as slow as AWS
// (awstest.ConsistencyAWS at strictScale): apply (with -wait where the
// example's SES identities can verify), an immediate plan with nothing to
// do, a change, a rotation, destroy, and a plan -destroy with nothing left.
func TestScenariosUnderAWSConsistency(t *testing.T) {
	for _, name := range []string{"ses-domain", "ec2-mta", "hybrid", "many-domains"} {
		t.Run(name, func(t *testing.T) {
			run := strictRuns(t)[name]
			e := newScenarioEnv(t, run.sc)
			if err := e.s.Configure(func(o *awstest.Options) {
				o.Consistency, o.TimeScale = awstest.ConsistencyAWS, strictScale
			}); err != nil {
				t.Fatal(err)
			}
			started := time.Now()
			apply := []string{"apply", e.dir, "-auto-approve"}
			if run.wait {
				apply = append(apply, "-wait=2m")
			}
			r := e.strict(0, apply...)
			if run.wait {
				// SES verifies after VerifyDelay (10 s scaled); mailform's
				// polls, paced as the double is scaled, see it well before
				// its unscaled poll interval has passed once.
				m := verifiedAfter.FindStringSubmatch(r.stdout)
				if m == nil {
					t.Fatalf("apply -wait did not see the identities verified:\n%s", r.stdout)
				}
				if took, _ := time.ParseDuration(m[1]); took >= ses.DefaultPollInterval {
					t.Errorf("apply -wait took %s to see a verification the double made in %s: its SES polls are not paced", took, awstest.AWSDelays.VerifyDelay/strictScale)
				}
			}
			e.noChanges("right after apply")
			// Every secret the stack held, for the output scan at the end.
			secrets := append(e.keySecretsOfUsers(run.sc), e.keySecrets(run.sc)...)

			e.edit(run.file, run.oldNew...)
			r = e.strict(2, "plan", e.dir, "-detailed-exitcode")
			if !strings.Contains(r.stdout, "to change") {
				t.Errorf("plan of the change:\n%s", r.stdout)
			}
			changeStarted := time.Now()
			e.strict(0, "apply", e.dir, "-auto-approve")
			// A Route 53 change is INSYNC after ChangeDelay (1 s scaled);
			// paced polls see it before one unscaled poll interval.
			if took := time.Since(changeStarted); run.dnsOnly && took >= route53.DefaultPollInterval {
				t.Errorf("the change took %s to apply with Route 53 changes INSYNC after %s: its Route 53 polls are not paced", took.Round(100*time.Millisecond), awstest.AWSDelays.ChangeDelay/strictScale)
			}
			e.noChanges("right after the change")

			if run.replace != "" {
				keysBefore, secretsBefore := e.accessKeys(run.sc), e.keySecrets(run.sc)
				e.strict(0, "apply", e.dir, "-auto-approve", "-replace", run.replace)
				if keysAfter := e.accessKeys(run.sc); strings.HasPrefix(run.replace, "smtp_user.") && (len(keysAfter) != len(keysBefore) || slices.Equal(keysAfter, keysBefore)) {
					t.Errorf("access keys %v before and %v after replacing %s", keysBefore, keysAfter, run.replace)
				}
				if secretsAfter := e.keySecrets(run.sc); strings.HasPrefix(run.replace, "dkim_key.") && slices.Equal(secretsAfter, secretsBefore) {
					t.Errorf("no DKIM key changed when replacing %s", run.replace)
				}
				e.noChanges("right after the rotation")
			}

			secrets = append(secrets, e.keySecretsOfUsers(run.sc)...)
			secrets = append(secrets, e.keySecrets(run.sc)...)
			e.strict(0, "apply", e.dir, "-auto-approve", "-destroy")
			e.noChanges("-destroy after destroy", "-destroy")
			e.requireNoSecrets(nil, secrets...)
			t.Logf("%s under AWS consistency (time scale %d): %s", name, strictScale, time.Since(started).Round(100*time.Millisecond))
		})
	}
}
