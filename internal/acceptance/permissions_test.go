package acceptance

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/internal/permissions"
	"github.com/mailform/mailform/specs"
)

// The tests of this file prove that 'mailform permissions -for CMD' is
// enough and no more: the double enforces IAM (awstest.Options.EnforceIAM),
// and each command runs as an IAM user holding exactly the policy printed
// for it. Any call the double refuses fails the test; and with a statement
// removed, the command fails naming an action of that statement.

// iamUser is an IAM user the test created, with its access key.
type iamUser struct {
	name, keyID, secret string
}

// policyFor runs 'mailform permissions -for cmd' on the scenario's spec
// (partition and account from the double's STS) and returns the policy.
func (e *env) policyFor(cmd permissions.Command) permissions.Policy {
	e.t.Helper()
	r := e.must(0, "permissions", "-for", string(cmd), e.dir, "-endpoint-url", e.s.URL())
	var p permissions.Policy
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		e.t.Fatalf("mailform permissions printed no policy: %v\n%s", err, r.stdout)
	}
	if p.Version != "2012-10-17" || len(p.Statement) == 0 {
		e.t.Fatalf("policy = %+v", p)
	}
	return p
}

// userWith creates, with the account's root key, an IAM user holding
// exactly p as a customer managed policy (what a role would be given; none
// when p has no statement), and an access key for it.
func (e *env) userWith(name string, p permissions.Policy) iamUser {
	e.t.Helper()
	api := iam.NewFromConfig(e.s.Config("us-east-1"))
	ctx := e.ctx()
	if _, err := api.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String("/ci/")}); err != nil {
		e.t.Fatal(err)
	}
	if len(p.Statement) > 0 {
		doc, err := json.Marshal(p)
		if err != nil {
			e.t.Fatal(err)
		}
		if len(doc) > 6144 {
			e.t.Errorf("the policy for %s has %d characters; AWS allows a managed policy 6,144", name, len(doc))
		}
		pol, err := api.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(string(doc))})
		if err != nil {
			e.t.Fatal(err)
		}
		if _, err := api.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: pol.Policy.Arn}); err != nil {
			e.t.Fatal(err)
		}
	}
	key, err := api.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	return iamUser{name: name, keyID: aws.ToString(key.AccessKey.AccessKeyId), secret: aws.ToString(key.AccessKey.SecretAccessKey)}
}

// as runs mailform with u's credentials.
func (e *env) as(u iamUser, args ...string) result {
	e.t.Helper()
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	os.Setenv("AWS_ACCESS_KEY_ID", u.keyID)
	os.Setenv("AWS_SECRET_ACCESS_KEY", u.secret)
	defer func() {
		os.Setenv("AWS_ACCESS_KEY_ID", id)
		os.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	}()
	return e.mailform(args...)
}

// roles creates one IAM user per command, each holding that command's
// policy for the scenario's spec.
func (e *env) roles() map[permissions.Command]iamUser {
	e.t.Helper()
	out := map[permissions.Command]iamUser{}
	for _, c := range permissions.Commands {
		out[c] = e.userWith("mailform-"+string(c), e.policyFor(c))
	}
	return out
}

// iamPrefix is the IAM service prefix of the double's service names where
// the two differ.
var iamPrefix = map[string]string{
	"tagging":    "tag",        // the Resource Groups Tagging API
	"monitoring": "cloudwatch", // CloudWatch signs as monitoring
}

// step is one command of a scenario run as the user of its role.
type step struct {
	role permissions.Command
	args []string
	want int // the exit code; -1 for "whatever": the command fails for reasons of the double (SES never verifies an address)
}

// runSteps runs the steps, failing on any refused call and on an exit code
// other than the one wanted.
func (e *env) runSteps(roles map[permissions.Command]iamUser, steps []step) {
	e.t.Helper()
	for _, st := range steps {
		before := len(e.s.Denials())
		r := e.as(roles[st.role], st.args...)
		name := "mailform " + strings.Join(st.args, " ")
		if denied := e.s.Denials()[before:]; len(denied) > 0 {
			e.t.Errorf("%s, as the %s role, was refused:\n  %s\nstderr:\n%s", name, st.role, strings.Join(denied, "\n  "), r.stderr)
			continue
		}
		if st.want >= 0 && r.code != st.want {
			e.t.Errorf("%s, as the %s role: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", name, st.role, r.code, st.want, r.stdout, r.stderr)
		}
		for _, refusal := range []string{"missing IAM permission", "not authorized"} {
			if strings.Contains(r.stderr, refusal) {
				e.t.Errorf("%s, as the %s role, says %q:\n%s", name, st.role, refusal, r.stderr)
			}
		}
	}
}

// enforceIAM makes the shared double authorise IAM users' calls until the
// next reset.
func enforceIAM(t *testing.T, s *awstest.Server) {
	t.Helper()
	if err := s.Configure(func(o *awstest.Options) { o.EnforceIAM = true }); err != nil {
		t.Fatal(err)
	}
}

// TestEachCommandRunsWithItsPolicy runs every command of the examples as an
// IAM user holding exactly 'mailform permissions -for COMMAND', against the
// double enforcing IAM. The matrix covers each command on the example
// where it does the most: ses-domain (adopt of an unowned identity, -wait,
// check and check -bulk-sender, status, test-send with its queue, rotation), hybrid (Secrets
// Manager,
// BYODKIM, production-access -submit, two rotations), ec2-mta (Elastic IPs,
// reverse DNS, DKIM keys in SSM, port25 and rdns requests), each ending with
// unlock and destroy; and five domains of many-domains, whose -wait and
// check use SES v1's batch reads.
func TestEachCommandRunsWithItsPolicy(t *testing.T) {
	awstest.Shared(t) // skips in short mode, and without moto outside CI: the check at the end needs the scenarios
	wait := "-wait=20s"
	called := map[string]bool{} // "ses:CreateEmailIdentity", over every run
	kinds := map[specs.Kind]bool{}
	record := func(e *env) {
		for svc, ops := range e.s.Counts() {
			if prefix, ok := iamPrefix[svc]; ok {
				svc = prefix
			}
			for op := range ops {
				called[svc+":"+op] = true
			}
		}
		spec, diags := specs.Load(e.dir, specs.LoadOptions{})
		if diags.HasErrors() {
			e.t.Fatal(diags)
		}
		for _, r := range spec.Resources() {
			kinds[r.Kind] = true
		}
	}
	for _, sc := range scenarios {
		t.Run(sc.example, func(t *testing.T) {
			e := newScenarioEnv(t, sc)
			defer record(e)
			enforceIAM(t, e.s)
			roles := e.roles()
			url, dns := e.s.URL(), e.s.DNSAddr()
			check := []string{"check", e.dir, "-endpoint-url", url, "-resolver", dns}
			bulk := append(slices.Clone(check), "-bulk-sender", "-smtp-timeout", "1s")
			status := []string{"status", e.dir, "-endpoint-url", url}
			var steps []step
			switch sc.example {
			case "ses-domain":
				// An identity someone made by hand, adopted by apply.
				if _, err := sesv2.NewFromConfig(e.cfg()).CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")}); err != nil {
					t.Fatal(err)
				}
				steps = []step{
					// import reads the identity made by hand and writes a spec of it.
					{permissions.Import, []string{"import", "-stack", "acme-prod", "-domain", "acme.example", "-out", filepath.Join(t.TempDir(), "imported"), "-region", e.region}, 0},
					{permissions.Plan, []string{"plan", e.dir}, 1}, // refuses the unowned identity, naming -adopt
					{permissions.Apply, []string{"apply", e.dir, "-auto-approve", "-adopt", "domain.acme.example", wait}, 0},
					{permissions.Plan, []string{"plan", e.dir, "-detailed-exitcode"}, 0},
					{permissions.Check, check, 0},
					{permissions.Check, bulk, 0},
					{permissions.Status, status, 0},
					{permissions.TestSend, []string{"test-send", e.dir, "-endpoint-url", url, "-timeout", "20s"}, 0},
					{permissions.Apply, []string{"apply", e.dir, "-auto-approve", "-replace", "smtp_user.webapp"}, 0},
				}
			case "hybrid":
				steps = []step{
					{permissions.Plan, []string{"plan", e.dir}, 0},
					{permissions.Apply, []string{"apply", e.dir, "-auto-approve"}, 0},
					// An email identity is never verified in the double: the
					// wait ends, after the batch reads, with the identities
					// not yet verified, which is not a failed apply.
					{permissions.Apply, []string{"apply", e.dir, "-auto-approve", "-wait=3s"}, 0},
					{permissions.Check, check, -1},
					{permissions.Status, status, 0},
					{permissions.Requests, []string{"requests", "production-access", e.dir, "-endpoint-url", url, "-submit", "-force"}, 0},
					{permissions.Apply, []string{"apply", e.dir, "-auto-approve", "-replace", "smtp_user.billing", "-replace", "smtp_user.support"}, 0},
					{permissions.Plan, []string{"plan", e.dir, "-detailed-exitcode"}, 0},
				}
			case "ec2-mta":
				steps = []step{
					{permissions.Plan, []string{"plan", e.dir}, 0},
					{permissions.Apply, []string{"apply", e.dir, "-auto-approve", wait}, 0},
					{permissions.Plan, []string{"plan", e.dir, "-detailed-exitcode"}, 0},
					{permissions.Check, check, 0},
					{permissions.Check, bulk, -1},
					{permissions.Requests, []string{"requests", "port25", e.dir, "-endpoint-url", url}, 0},
					{permissions.Requests, []string{"requests", "rdns", e.dir, "-endpoint-url", url}, 0},
				}
			}
			steps = append(steps,
				step{permissions.Unlock, []string{"unlock", e.dir, "-force"}, 0},
				step{permissions.Apply, []string{"apply", e.dir, "-auto-approve", "-destroy"}, 0},
			)
			e.runSteps(roles, steps)
		})
	}

	// Waiting for many identities, apply -wait and check switch to SES v1's
	// batch reads, which the apply and check policies must allow.
	t.Run("many-domains", func(t *testing.T) {
		e := newEnv(t, "many-domains", "brands.example")
		e.region = "eu-central-1"
		b, err := os.ReadFile(filepath.Join(e.dir, "domains.hcl"))
		if err != nil {
			t.Fatal(err)
		}
		six := bytes.Index(b, []byte(`domain "brand006.brands.example"`))
		if six < 0 {
			t.Fatal("examples/many-domains changed: no brand006")
		}
		e.write("domains.hcl", string(b[:six]))
		defer record(e)
		enforceIAM(t, e.s)
		roles := e.roles()
		e.runSteps(roles, []step{
			{permissions.Apply, []string{"apply", e.dir, "-auto-approve"}, 0},
			{permissions.Apply, []string{"apply", e.dir, "-auto-approve", wait}, 0},
			{permissions.Check, []string{"check", e.dir, "-endpoint-url", e.s.URL(), "-resolver", e.s.DNSAddr()}, 0},
			{permissions.Apply, []string{"apply", e.dir, "-auto-approve", "-destroy"}, 0},
		})
		// (GetIdentityVerificationAttributes, the batch read for email
		// identities, is in the same statement.)
		for _, op := range []string{"GetIdentityDkimAttributes", "GetIdentityMailFromDomainAttributes"} {
			if e.s.Count("ses", op) == 0 {
				t.Errorf("no ses:%s call: waiting for five identities did not batch", op)
			}
		}
	})

	// The other way: the table grants no action for nothing. Every read,
	// create and delete action it lists for the kinds the examples hold was
	// called by some command, unless the table says why not
	// (permissions.Conditional); update actions not exercised are logged.
	if t.Failed() {
		return
	}
	for _, kind := range permissions.Kinds() {
		for _, access := range permissions.Accesses {
			if access != permissions.Read && !kinds[kind] {
				continue
			}
			for _, a := range permissions.Actions(kind, access) {
				if called[a] {
					continue
				}
				if reason, ok := permissions.Conditional[a]; ok {
					t.Logf("%s %s: %s not called: %s", kind, access, a, reason)
					continue
				}
				if access == permissions.Update {
					t.Logf("%s %s: %s is listed but no command called it", kind, access, a)
					continue
				}
				t.Errorf("%s %s: %s is listed but no command called it", kind, access, a)
			}
		}
	}
}

// TestEachStatementIsNeeded is the negative twin: with one statement of
// the apply policy removed (one service's actions of the plan policy, whose
// reads are one statement), the command fails and names an action of what
// was removed.
func TestEachStatementIsNeeded(t *testing.T) {
	sc := scenarioNamed(t, "ses-domain")
	type variant struct {
		cmd     permissions.Command
		name    string
		policy  permissions.Policy
		removed []string
	}
	var variants []variant
	{
		e := newScenarioEnv(t, sc)
		plan := e.policyFor(permissions.Plan)
		services := map[string]bool{}
		for _, a := range plan.Statement[0].Action {
			svc, _, _ := strings.Cut(a, ":")
			services[svc] = true
		}
		for svc := range services {
			p := clonePolicy(plan)
			var removed []string
			p.Statement[0].Action = slices.DeleteFunc(p.Statement[0].Action, func(a string) bool {
				if strings.HasPrefix(a, svc+":") {
					removed = append(removed, a)
					return true
				}
				return false
			})
			variants = append(variants, variant{permissions.Plan, "plan without " + svc + ":*", p, removed})
		}
		apply := e.policyFor(permissions.Apply)
		for i, st := range apply.Statement {
			p := clonePolicy(apply)
			p.Statement = slices.Delete(p.Statement, i, i+1)
			variants = append(variants, variant{permissions.Apply, "apply without " + st.Sid, p, st.Action})
		}
	}
	slices.SortFunc(variants, func(a, b variant) int { return strings.Compare(a.name, b.name) })
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			e := newScenarioEnv(t, sc)
			enforceIAM(t, e.s)
			u := e.userWith("mailform-partial", v.policy)
			args := []string{"plan", e.dir}
			if v.cmd == permissions.Apply {
				args = []string{"apply", e.dir, "-auto-approve"}
			}
			r := e.as(u, args...)
			if r.code == 0 {
				t.Fatalf("mailform %s succeeded without %v", strings.Join(args, " "), v.removed)
			}
			named := false
			for _, a := range v.removed {
				named = named || strings.Contains(r.stderr, "missing IAM permission "+a)
			}
			if !named {
				t.Errorf("mailform %s failed without naming one of %v:\n%s", strings.Join(args, " "), v.removed, r.stderr)
			}
			if len(e.s.Denials()) == 0 {
				t.Error("the double refused nothing")
			}
		})
	}
}

func clonePolicy(p permissions.Policy) permissions.Policy {
	b, _ := json.Marshal(p)
	var out permissions.Policy
	_ = json.NewDecoder(bytes.NewReader(b)).Decode(&out)
	return out
}

// TestDestroyKeepsSecretsRecoverable: the destroy plan names every secret it
// deletes; apply -destroy schedules Secrets Manager secrets for deletion
// (restorable), a later apply restores them, and -force-delete-secrets
// deletes them at once.
func TestDestroyKeepsSecretsRecoverable(t *testing.T) {
	e := newScenarioEnv(t, scenarioNamed(t, "hybrid"))
	e.must(0, "apply", e.dir, "-auto-approve")
	plan := e.must(0, "plan", e.dir, "-destroy")
	for _, want := range []string{
		"schedules the secret secretsmanager:globex/mail/smtp/support for deletion",
		"schedules the secret secretsmanager:globex/mail/dkim/partner for deletion",
		"deletes the secret ssm:/globex/prod/mail/smtp/billing (SSM keeps no deleted parameter)",
	} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("the destroy plan does not say %q:\n%s", want, plan.stdout)
		}
	}
	sm := secretsmanager.NewFromConfig(e.cfg())
	state := func(id string) string {
		out, err := sm.DescribeSecret(e.ctx(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
		switch {
		case err != nil:
			return "gone"
		case out.DeletedDate != nil:
			return "scheduled"
		}
		return "live"
	}
	e.must(0, "apply", e.dir, "-auto-approve", "-destroy")
	if got := state("globex/mail/smtp/support"); got != "scheduled" {
		t.Errorf("after destroy the credentials are %s, want scheduled for deletion", got)
	}
	// (Only the user: the rest of the stack is not needed here.)
	e.must(0, "apply", e.dir, "-auto-approve", "-target", "smtp_user.support")
	if got := state("globex/mail/smtp/support"); got != "live" {
		t.Errorf("after a new apply the credentials are %s, want restored", got)
	}
	e.must(0, "apply", e.dir, "-auto-approve", "-destroy", "-force-delete-secrets")
	if got := state("globex/mail/smtp/support"); got != "gone" {
		t.Errorf("after destroy -force-delete-secrets the credentials are %s, want gone", got)
	}
}
