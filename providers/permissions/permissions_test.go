package permissions

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mailform/mailform/specs"
)

var update = flag.Bool("update", false, "rewrite the golden policies under testdata/")

func loadExample(t *testing.T, name string) *specs.Spec {
	t.Helper()
	spec, diags := specs.Load(filepath.Join("..", "..", "examples", name), specs.LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("loading examples/%s: %v", name, diags)
	}
	return spec
}

// TestPolicyOfExamples compares the policy of each example, for apply and
// for plan only, with testdata/<example>[.plan-only].json.
func TestPolicyOfExamples(t *testing.T) {
	for _, example := range []string{"ses-domain", "ec2-mta", "hybrid"} {
		for _, planOnly := range []bool{false, true} {
			name := example
			if planOnly {
				name += ".plan-only"
			}
			t.Run(name, func(t *testing.T) {
				got, err := For(loadExample(t, example), Options{PlanOnly: planOnly}).JSON()
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", name+".json")
				if *update {
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("policy differs from %s (run go test -update after checking):\n%s", golden, got)
				}
			})
		}
	}
}

// TestPolicyShape: what each part of the policy holds and leaves out.
func TestPolicyShape(t *testing.T) {
	tests := []struct {
		example, sid  string
		planOnly      bool
		want, notWant []string
		resource      string
	}{
		{"ses-domain", "MailformPlanReads", true, []string{"ec2:DescribeAddresses", "ses:ListEmailIdentities", "ssm:DescribeParameters", "secretsmanager:ListSecrets"}, []string{"sns:CreateTopic", "ssm:PutParameter"}, "*"},
		{"ses-domain", "MailformApplyChanges", false, []string{"sns:CreateTopic", "iam:CreateAccessKey", "route53:ChangeResourceRecordSets", "ses:CreateEmailIdentity"}, []string{"ec2:AllocateAddress", "ec2:ModifyAddressAttribute"}, "*"},
		{"ses-domain", "MailformStackLock", false, []string{"ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameter"}, nil, "arn:aws:ssm:us-west-2:*:parameter/mailform/locks/acme-prod"},
		{"ses-domain", "MailformWriteSecret", false, []string{"ssm:PutParameter", "ssm:DeleteParameter"}, []string{"ssm:DescribeParameters"}, "arn:aws:ssm:us-west-2:*:parameter/acme/mail/smtp/webapp"},
		{"ec2-mta", "MailformApplyChanges", false, []string{"ec2:AllocateAddress", "ec2:ModifyAddressAttribute", "ec2:ResetAddressAttribute"}, []string{"ses:CreateEmailIdentity", "iam:CreateUser"}, "*"},
		{"hybrid", "MailformReadSecretA", false, []string{"secretsmanager:GetSecretValue"}, []string{"secretsmanager:ListSecrets"}, "arn:aws:secretsmanager:us-east-1:*:secret:globex/mail/dkim/partner-??????"},
	}
	for _, tt := range tests {
		t.Run(tt.example+"/"+tt.sid, func(t *testing.T) {
			p := For(loadExample(t, tt.example), Options{PlanOnly: tt.planOnly})
			var st *Statement
			for i := range p.Statement {
				if p.Statement[i].Sid == tt.sid {
					st = &p.Statement[i]
				}
			}
			if st == nil {
				t.Fatalf("no statement %s in %+v", tt.sid, p)
			}
			for _, a := range tt.want {
				if !slices.Contains(st.Action, a) {
					t.Errorf("%s lacks %s: %v", tt.sid, a, st.Action)
				}
			}
			for _, a := range tt.notWant {
				if slices.Contains(st.Action, a) {
					t.Errorf("%s allows %s, which the spec does not need", tt.sid, a)
				}
			}
			if !slices.Contains(st.Resource, tt.resource) {
				t.Errorf("%s resources = %v, want %s", tt.sid, st.Resource, tt.resource)
			}
		})
	}
}

// TestPlanOnlyChangesNothing: the plan-only policy allows no action that
// creates, changes or deletes anything.
func TestPlanOnlyChangesNothing(t *testing.T) {
	for _, example := range []string{"ses-domain", "ec2-mta", "hybrid"} {
		for _, a := range For(loadExample(t, example), Options{PlanOnly: true}).Actions() {
			op := a[strings.IndexByte(a, ':')+1:]
			if !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Describe") {
				t.Errorf("%s: the plan-only policy allows %s", example, a)
			}
		}
	}
}

// TestEveryKindIsListed: each kind mailform manages has an entry, and
// every action is written service:Operation.
func TestEveryKindIsListed(t *testing.T) {
	all := []specs.Kind{
		specs.KindSESIdentity, specs.KindSESConfigSet, specs.KindSESAccount, specs.KindSNSTopic,
		specs.KindSQSQueue, specs.KindSMTPUser, specs.KindEIP, specs.KindReverseDNS, specs.KindDKIMKey,
		specs.KindRoute53Record, specs.KindManualDNSRecord,
	}
	for _, k := range all {
		if !slices.Contains(Kinds(), k) {
			t.Errorf("kind %s is not in the table", k)
		}
	}
	for _, k := range Kinds() {
		for _, access := range Accesses {
			for _, a := range Actions(k, access) {
				svc, op, ok := strings.Cut(a, ":")
				if !ok || svc == "" || op == "" || strings.ToUpper(op[:1]) != op[:1] {
					t.Errorf("%s %s: %q is not service:Operation", k, access, a)
				}
			}
		}
	}
	for a := range Conditional {
		found := false
		for _, k := range Kinds() {
			for _, access := range Accesses {
				found = found || slices.Contains(Actions(k, access), a)
			}
		}
		if !found {
			t.Errorf("Conditional names %s, which the table does not list", a)
		}
	}
}

// TestSecretActions: each store's actions; file: needs none.
func TestSecretActions(t *testing.T) {
	tests := []struct {
		location string
		access   Access
		want     []string
	}{
		{"ssm:/a/b", Read, []string{"ssm:GetParameter", "ssm:ListTagsForResource"}},
		{"ssm:/a/b", Delete, []string{"ssm:DeleteParameter"}},
		{"secretsmanager:a/b", Read, []string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}},
		{"file:secrets/k.pem", Create, nil},
	}
	for _, tt := range tests {
		t.Run(tt.location+"/"+string(tt.access), func(t *testing.T) {
			if got := SecretActions(tt.location, tt.access); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
