package permissions

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mailform/mailform/internal/golden"
	"github.com/mailform/mailform/specs"
)

func loadExample(t *testing.T, name string) *specs.Spec {
	t.Helper()
	spec, diags := specs.Load(filepath.Join("..", "..", "examples", name), specs.LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("loading examples/%s: %v", name, diags)
	}
	return spec
}

// TestPolicyOfExamples compares the policy of each example, for each
// command and all, with testdata/<example>.<command>.json (partition and
// account as STS would give them).
func TestPolicyOfExamples(t *testing.T) {
	for _, example := range []string{"ses-domain", "ec2-mta", "hybrid"} {
		for _, cmd := range append(slices.Clone(Commands), All) {
			name := example + "." + string(cmd)
			t.Run(name, func(t *testing.T) {
				got, err := For(loadExample(t, example), Options{Command: cmd, Partition: "aws", Account: "123456789012"}).JSON()
				if err != nil {
					t.Fatal(err)
				}
				golden.Check(t, filepath.Join("testdata", name+".json"), got)
			})
		}
	}
}

// statement returns the statement sid of p, or nil.
func statement(p Policy, sid string) *Statement {
	for i := range p.Statement {
		if p.Statement[i].Sid == sid {
			return &p.Statement[i]
		}
	}
	return nil
}

// TestPolicyShape: what each part of the policy holds and leaves out.
func TestPolicyShape(t *testing.T) {
	tests := []struct {
		example       string
		cmd           Command
		sid           string
		want, notWant []string
		resource      string
	}{
		{"ses-domain", Plan, "MailformReads", []string{"ec2:DescribeAddresses", "ses:GetIdentityDkimAttributes", "tag:GetResources", "ssm:DescribeParameters", "secretsmanager:ListSecrets", "ssm:ListTagsForResource"}, []string{"ses:ListEmailIdentities", "sns:CreateTopic", "ssm:PutParameter", "ssm:GetParameter"}, "*"},
		{"ses-domain", Apply, "MailformReads", []string{"ses:GetIdentityDkimAttributes", "ses:GetIdentityVerificationAttributes", "ses:GetIdentityMailFromDomainAttributes"}, nil, "*"},
		{"ses-domain", Check, "MailformReads", []string{"ses:GetIdentityDkimAttributes", "ses:GetIdentityVerificationAttributes", "ses:GetIdentityMailFromDomainAttributes", "ses:GetEmailIdentity"}, []string{"ses:CreateEmailIdentity"}, "*"},
		{"ses-domain", Apply, "MailformChanges", []string{"route53:ChangeResourceRecordSets", "ses:CreateEmailIdentity", "sns:Unsubscribe"}, []string{"ec2:AllocateAddress", "ec2:ModifyAddressAttribute", "iam:CreateUser", "sns:CreateTopic"}, "*"},
		{"ses-domain", Apply, "MailformStackResources", []string{"sns:CreateTopic", "sns:Subscribe", "sqs:CreateQueue", "ses:CreateConfigurationSet"}, []string{"ses:CreateEmailIdentity"}, "arn:aws-us-gov:sns:us-west-2:111122223333:acme-prod-*"},
		{"ses-domain", Apply, "MailformStackResources", nil, nil, "arn:aws-us-gov:ses:us-west-2:111122223333:configuration-set/acme-prod-*"},
		{"ses-domain", Apply, "MailformSMTPUsers", []string{"iam:CreateUser", "iam:CreateAccessKey", "iam:PutUserPolicy", "iam:DeleteUser"}, []string{"iam:GetAccountAuthorizationDetails"}, "arn:aws-us-gov:iam::111122223333:user/mailform/acme-prod-smtp-webapp"},
		{"ses-domain", Apply, "MailformStackLock", []string{"ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameter"}, nil, "arn:aws-us-gov:ssm:us-west-2:111122223333:parameter/mailform/locks/acme-prod"},
		{"ses-domain", Unlock, "MailformStackLock", []string{"ssm:DeleteParameter", "ssm:GetParameter"}, []string{"ssm:PutParameter"}, "arn:aws-us-gov:ssm:us-west-2:111122223333:parameter/mailform/locks/acme-prod"},
		{"ses-domain", Apply, "MailformSecretsInSSM", []string{"ssm:PutParameter", "ssm:DeleteParameter", "ssm:GetParameter"}, []string{"ssm:DescribeParameters"}, "arn:aws-us-gov:ssm:us-west-2:111122223333:parameter/acme/mail/smtp/webapp"},
		{"ses-domain", TestSend, "MailformSecretsInSSM", []string{"ssm:GetParameter"}, []string{"ssm:PutParameter"}, "arn:aws-us-gov:ssm:us-west-2:111122223333:parameter/acme/mail/smtp/webapp"},
		{"ses-domain", TestSend, "MailformTestSend", []string{"ses:SendEmail", "sqs:ReceiveMessage", "sqs:DeleteMessage"}, nil, "*"},
		{"ses-domain", Status, "MailformReads", []string{"ses:GetAccount", "ses:GetSendStatistics"}, []string{"ec2:DescribeAddresses"}, "*"},
		{"ses-domain", Requests, "MailformProductionAccess", []string{"ses:PutAccountDetails"}, nil, "*"},
		{"ec2-mta", Apply, "MailformChanges", []string{"ec2:AllocateAddress", "ec2:ModifyAddressAttribute", "ec2:ResetAddressAttribute"}, []string{"ses:CreateEmailIdentity", "iam:CreateUser"}, "*"},
		{"hybrid", Apply, "MailformSecretsInSecretsManager", []string{"secretsmanager:GetSecretValue", "secretsmanager:CreateSecret"}, []string{"secretsmanager:ListSecrets"}, "arn:aws-us-gov:secretsmanager:us-east-1:111122223333:secret:globex/mail/dkim/partner-??????"},
	}
	for _, tt := range tests {
		t.Run(tt.example+"/"+string(tt.cmd)+"/"+tt.sid, func(t *testing.T) {
			p := For(loadExample(t, tt.example), Options{Command: tt.cmd, Partition: "aws-us-gov", Account: "111122223333"})
			st := statement(p, tt.sid)
			if st == nil {
				t.Fatalf("no statement %s in %+v", tt.sid, p)
			}
			for _, a := range tt.want {
				if !slices.Contains(st.Action, a) {
					t.Errorf("%s lacks %s: %v", tt.sid, a, st.Action)
				}
			}
			for _, a := range tt.notWant {
				if slices.Contains(p.Actions(), a) && slices.Contains(st.Action, a) {
					t.Errorf("%s allows %s, which the command does not need", tt.sid, a)
				}
			}
			if !slices.Contains(st.Resource, tt.resource) {
				t.Errorf("%s resources = %v, want %s", tt.sid, st.Resource, tt.resource)
			}
		})
	}
}

// TestPlanPolicyReadsNoSecret: the plan policy allows no action that
// creates, changes or deletes anything, and none that reads a secret's
// value.
func TestPlanPolicyReadsNoSecret(t *testing.T) {
	secretReads := []string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "secretsmanager:GetSecretValue", "kms:Decrypt"}
	for _, example := range []string{"ses-domain", "ec2-mta", "hybrid", "many-domains"} {
		for _, a := range For(loadExample(t, example), Options{Command: Plan}).Actions() {
			op := a[strings.IndexByte(a, ':')+1:]
			if !strings.HasPrefix(op, "Get") && !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Describe") {
				t.Errorf("%s: the plan policy allows %s", example, a)
			}
			if slices.Contains(secretReads, a) {
				t.Errorf("%s: the plan policy allows %s, which reads a secret value", example, a)
			}
		}
	}
}

// TestAllIsTheUnion: -for all allows every action of every command.
func TestAllIsTheUnion(t *testing.T) {
	spec := loadExample(t, "hybrid")
	all := For(spec, Options{Command: All}).Actions()
	for _, c := range Commands {
		for _, a := range For(spec, Options{Command: c}).Actions() {
			if !slices.Contains(all, a) {
				t.Errorf("all lacks %s of %s", a, c)
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
		{"ssm:/a/b", Read, []string{"ssm:ListTagsForResource"}},
		{"ssm:/a/b", ReadValue, []string{"ssm:GetParameter"}},
		{"ssm:/a/b", Delete, []string{"ssm:DeleteParameter"}},
		{"secretsmanager:a/b", Read, []string{"secretsmanager:DescribeSecret"}},
		{"secretsmanager:a/b", ReadValue, []string{"secretsmanager:GetSecretValue"}},
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
