package acceptance

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mailform/mailform/providers/permissions"
	"github.com/mailform/mailform/specs"
)

// policyActions runs 'mailform permissions' on the scenario's spec and
// returns the actions of the policy it prints.
func (e *env) policyActions(extra ...string) []string {
	e.t.Helper()
	r := e.must(0, append([]string{"permissions", e.dir}, extra...)...)
	var p permissions.Policy
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		e.t.Fatalf("mailform permissions printed no policy: %v\n%s", err, r.stdout)
	}
	if p.Version != "2012-10-17" || len(p.Statement) == 0 {
		e.t.Fatalf("policy = %+v", p)
	}
	return p.Actions()
}

// calledActions returns the IAM actions of every AWS call the double
// counted since its last reset ("sns:CreateTopic"), leaving out the calls
// that need no permission.
func (e *env) calledActions() map[string]int {
	out := map[string]int{}
	for svc, ops := range e.s.Counts() {
		if prefix, ok := iamPrefix[svc]; ok {
			svc = prefix
		}
		for op, n := range ops {
			a := svc + ":" + op
			if !slices.Contains(permissions.Free, a) {
				out[a] += n
			}
		}
	}
	return out
}

// iamPrefix maps the services whose SigV4 signing name (what the double
// counts by) differs from their IAM action prefix.
var iamPrefix = map[string]string{"monitoring": "cloudwatch"}

// TestPermissionsCoverEveryCall runs plan, apply, an edit, a credential
// rotation, unlock and destroy of every example against the double, and
// fails if mailform called any AWS operation the policy of 'mailform
// permissions' (apply, or -plan-only for the plans) leaves out; and, the
// other way, if the table lists a read, create or delete action that no
// scenario called, unless the table says why (permissions.Conditional).
// Update actions not exercised are logged.
func TestPermissionsCoverEveryCall(t *testing.T) {
	called := map[string]bool{}
	kinds := map[specs.Kind]bool{}
	requireCovered := func(e *env, step string, policy []string) {
		t.Helper()
		var missing []string
		for a := range e.calledActions() {
			called[a] = true
			if !slices.Contains(policy, a) {
				missing = append(missing, a)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s: mailform called operations its policy does not allow: %s", step, strings.Join(missing, ", "))
		}
		e.s.ResetCounts()
	}
	ran := 0
	for _, sc := range scenarios {
		t.Run(sc.example, func(t *testing.T) {
			e := newScenarioEnv(t, sc) // skips without moto, outside CI
			ran++
			spec, diags := specs.Load(e.dir, specs.LoadOptions{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			for _, r := range spec.Resources() {
				kinds[r.Kind] = true
			}
			planOnly := e.policyActions("-plan-only")
			full := e.policyActions()
			for _, a := range planOnly {
				if !slices.Contains(full, a) {
					t.Errorf("the plan-only policy allows %s, the full one does not", a)
				}
			}
			e.s.ResetCounts()

			e.must(0, "plan", e.dir)
			requireCovered(e, "plan of an empty account", planOnly)
			e.must(0, "apply", e.dir, "-auto-approve")
			requireCovered(e, "apply", full)
			e.must(0, "plan", e.dir, "-detailed-exitcode")
			requireCovered(e, "plan with nothing to do", planOnly)
			for _, u := range sc.smtp {
				label := u.location[strings.LastIndexByte(u.location, '/')+1:]
				e.must(0, "apply", e.dir, "-auto-approve", "-replace", "smtp_user."+label)
				requireCovered(e, "rotation of smtp_user."+label, full)
			}
			e.must(0, "unlock", e.dir, "-force")
			requireCovered(e, "unlock", full)
			e.must(0, "apply", e.dir, "-auto-approve", "-destroy")
			requireCovered(e, "destroy", full)
		})
	}

	if ran == 0 {
		t.Skip("skipping: no scenario ran, so no call was counted")
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
					t.Logf("%s %s: %s is listed but no scenario called it", kind, access, a)
					continue
				}
				t.Errorf("%s %s: %s is listed but no scenario called it", kind, access, a)
			}
		}
	}
}
