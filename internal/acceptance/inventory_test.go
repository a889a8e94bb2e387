package acceptance

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	iamprov "github.com/mailform/mailform/providers/iam"
	"github.com/mailform/mailform/specs"
)

// scenario is an example prepared for a reliability test: its region, its
// hosted zones, what it needs before the first apply, and where it keeps
// secrets.
type scenario struct {
	example string
	region  string
	zones   []string
	prepare func(e *env) // after the zones exist; may edit the spec
	smtp    []smtpCredentials
	keys    []string // DKIM private key locations: ssm:NAME, secretsmanager:ID, file:PATH
}

// smtpCredentials is one smtp_user: its IAM user and its secret location.
type smtpCredentials struct {
	user     string
	location string
}

var scenarios = []scenario{
	{
		example: "ses-domain", region: "us-west-2", zones: []string{"acme.example"},
		smtp: []smtpCredentials{{"acme-prod-smtp-webapp", "ssm:/acme/mail/smtp/webapp"}},
	},
	{
		example: "ec2-mta", region: "eu-west-1", zones: []string{"northwind.example"},
		prepare: func(e *env) {
			e.edit("main.hcl", `"i-0abc1234def567890"`, `"`+e.runInstance()+`"`)
		},
		keys: []string{"ssm:/northwind/mail/dkim/mx1", "ssm:/northwind/mail/dkim/mx2"},
	},
	{
		example: "hybrid", region: "us-east-1", zones: []string{"globex.example"},
		smtp: []smtpCredentials{
			{"globex-smtp-billing", "ssm:/globex/prod/mail/smtp/billing"},
			{"globex-support-smtp", "secretsmanager:globex/mail/smtp/support"},
		},
		keys: []string{"file:secrets/legacy-dkim.pem", "secretsmanager:globex/mail/dkim/partner"},
	},
}

func scenarioNamed(t *testing.T, name string) scenario {
	for _, sc := range scenarios {
		if sc.example == name {
			return sc
		}
	}
	t.Fatalf("no scenario %q", name)
	return scenario{}
}

// newScenarioEnv resets the double and prepares sc in a fresh folder.
func newScenarioEnv(t *testing.T, sc scenario) *env {
	e := newEnv(t, sc.example)
	e.region = sc.region
	for _, z := range sc.zones {
		e.createZone(z)
	}
	if sc.prepare != nil {
		sc.prepare(e)
	}
	return e
}

// dkimToken is a 32-character Easy DKIM token as a DNS label: it differs
// from one identity creation to the next, so inventories name it by shape.
var dkimToken = regexp.MustCompile(`(^|\.)[a-z0-9]{32}\.`)

// inventory lists, by name, everything of the account the scenario could
// leak: Elastic IPs (by their mailform:addr tag), IAM users and their access
// keys, SES identities and configuration sets, SNS topics and
// subscriptions, SQS queues, every record set of the zones (ownership
// markers included), SSM parameters (the stack lock included), Secrets
// Manager secrets, and the files of the spec folder. Two runs that converge
// to the same state have equal inventories.
func (e *env) inventory() []string {
	e.t.Helper()
	ctx := e.ctx()
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	check := func(what string, err error) {
		if err != nil {
			e.t.Fatalf("inventory: %s: %v", what, err)
		}
	}

	addrs, err := ec2.NewFromConfig(e.cfg()).DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	check("DescribeAddresses", err)
	for _, a := range addrs.Addresses {
		tag := "(untagged)"
		for _, t := range a.Tags {
			if aws.ToString(t.Key) == specs.TagAddr {
				tag = aws.ToString(t.Value)
			}
		}
		add("eip %s associated=%v", tag, a.AssociationId != nil)
	}

	iamc := iam.NewFromConfig(e.cfg())
	users, err := iamc.ListUsers(ctx, &iam.ListUsersInput{})
	check("ListUsers", err)
	for _, u := range users.Users {
		keys, err := iamc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: u.UserName})
		check("ListAccessKeys", err)
		add("iam user %s with %d access keys", aws.ToString(u.UserName), len(keys.AccessKeyMetadata))
	}

	v2 := sesv2.NewFromConfig(e.cfg())
	ids, err := v2.ListEmailIdentities(ctx, &sesv2.ListEmailIdentitiesInput{})
	check("ListEmailIdentities", err)
	for _, id := range ids.EmailIdentities {
		add("ses identity %s", aws.ToString(id.IdentityName))
	}
	sets, err := v2.ListConfigurationSets(ctx, &sesv2.ListConfigurationSetsInput{})
	check("ListConfigurationSets", err)
	for _, name := range sets.ConfigurationSets {
		dests, err := v2.GetConfigurationSetEventDestinations(ctx, &sesv2.GetConfigurationSetEventDestinationsInput{ConfigurationSetName: aws.String(name)})
		check("GetConfigurationSetEventDestinations", err)
		add("ses configuration set %s with %d event destinations", name, len(dests.EventDestinations))
	}

	topics, err := sns.NewFromConfig(e.cfg()).ListTopics(ctx, &sns.ListTopicsInput{})
	check("ListTopics", err)
	for _, tp := range topics.Topics {
		add("sns topic %s", aws.ToString(tp.TopicArn))
	}
	subs, err := sns.NewFromConfig(e.cfg()).ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	check("ListSubscriptions", err)
	for _, s := range subs.Subscriptions {
		add("sns subscription %s -> %s", aws.ToString(s.TopicArn), aws.ToString(s.Endpoint))
	}
	queues, err := sqs.NewFromConfig(e.cfg()).ListQueues(ctx, &sqs.ListQueuesInput{})
	check("ListQueues", err)
	for _, q := range queues.QueueUrls {
		add("sqs queue %s", q[strings.LastIndexByte(q, '/')+1:])
	}

	r53 := route53.NewFromConfig(e.configIn("us-east-1"))
	zones, err := r53.ListHostedZones(ctx, &route53.ListHostedZonesInput{})
	check("ListHostedZones", err)
	for _, z := range zones.HostedZones {
		for key, rs := range e.recordSets(aws.ToString(z.Id)) {
			add("record %s with %d values", dkimToken.ReplaceAllString(key, "${1}<token>."), len(rs.ResourceRecords))
		}
	}

	params, err := ssm.NewFromConfig(e.cfg()).DescribeParameters(ctx, &ssm.DescribeParametersInput{})
	check("DescribeParameters", err)
	for _, p := range params.Parameters {
		add("ssm parameter %s", aws.ToString(p.Name))
	}
	secrets, err := secretsmanager.NewFromConfig(e.cfg()).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	check("ListSecrets", err)
	for _, s := range secrets.SecretList {
		add("secretsmanager secret %s", aws.ToString(s.Name))
	}

	check("listing the spec folder", filepath.WalkDir(e.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(e.dir, path)
		add("file %s", filepath.ToSlash(rel))
		return nil
	}))
	sort.Strings(out)
	return out
}

// readSecret reads a secret location back from its store.
func (e *env) readSecret(location string) []byte {
	e.t.Helper()
	kind, name, _ := strings.Cut(location, ":")
	switch kind {
	case "ssm":
		return e.ssmSecret(name)
	case "file":
		return e.fileSecret(name)
	case "secretsmanager":
		out, err := secretsmanager.NewFromConfig(e.cfg()).GetSecretValue(e.ctx(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		if err != nil {
			e.t.Fatalf("reading %s: %v", location, err)
		}
		return []byte(aws.ToString(out.SecretString))
	}
	e.t.Fatalf("unknown secret location %q", location)
	return nil
}

// requireSMTPSecrets fails unless each SMTP user has exactly one access
// key, active, and its stored credentials are that key and the password
// derived from its secret. It returns every secret value involved: the
// secret access keys of all keys the double ever created for the users
// seen, and the stored passwords.
func (e *env) requireSMTPSecrets(sc scenario) []string {
	e.t.Helper()
	var secrets []string
	iamc := iam.NewFromConfig(e.cfg())
	for _, c := range sc.smtp {
		keys, err := iamc.ListAccessKeys(e.ctx(), &iam.ListAccessKeysInput{UserName: aws.String(c.user)})
		if err != nil {
			e.t.Fatalf("access keys of %s: %v", c.user, err)
		}
		if len(keys.AccessKeyMetadata) != 1 {
			e.t.Errorf("%s has %d access keys, want 1", c.user, len(keys.AccessKeyMetadata))
			continue
		}
		key := keys.AccessKeyMetadata[0]
		if key.Status != "Active" {
			e.t.Errorf("%s: the access key is %s", c.user, key.Status)
		}
		var stored struct{ Username, Password string }
		if err := json.Unmarshal(e.readSecret(c.location), &stored); err != nil {
			e.t.Errorf("%s: the stored credentials are not JSON: %v", c.location, err)
			continue
		}
		keyID := aws.ToString(key.AccessKeyId)
		secret, ok := e.s.AccessKeySecret(keyID)
		if !ok {
			e.t.Errorf("%s: the double did not see key %s being created", c.user, keyID)
			continue
		}
		if stored.Username != keyID {
			e.t.Errorf("%s: stored username %q is not the active key %q", c.location, stored.Username, keyID)
		}
		if stored.Password != iamprov.SMTPPassword(secret, sc.region) {
			e.t.Errorf("%s: the stored password is not derived from the active key's secret", c.location)
		}
		secrets = append(secrets, secret, stored.Password)
	}
	return secrets
}

// keySecrets reads the scenario's DKIM private keys back from their stores
// and returns the pieces of them that must never appear in output.
func (e *env) keySecrets(sc scenario) []string {
	e.t.Helper()
	var out []string
	for _, loc := range sc.keys {
		out = append(out, e.secretLines(e.readSecret(loc))...)
	}
	return out
}

// keySecretsOfUsers returns the secret access keys of the SMTP users' keys
// as they are now, for the output scans: a key replaced later is gone from
// IAM, but its secret must not have been printed either.
func (e *env) keySecretsOfUsers(sc scenario) []string {
	e.t.Helper()
	var out []string
	iamc := iam.NewFromConfig(e.cfg())
	for _, c := range sc.smtp {
		keys, err := iamc.ListAccessKeys(e.ctx(), &iam.ListAccessKeysInput{UserName: aws.String(c.user)})
		if err != nil {
			continue // the user does not exist (yet)
		}
		for _, k := range keys.AccessKeyMetadata {
			if secret, ok := e.s.AccessKeySecret(aws.ToString(k.AccessKeyId)); ok {
				out = append(out, secret)
			}
		}
	}
	return out
}
