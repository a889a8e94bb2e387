package acceptance

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	sesv1types "github.com/aws/aws-sdk-go-v2/service/ses/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/internal/permissions"
	mfiam "github.com/mailform/mailform/providers/iam"
	"github.com/mailform/mailform/specs"
)

// brownfieldSESDomain builds, with the SDK and not with mailform, what a
// person sets up by hand for the ses-domain example's shape: an identity
// with Easy DKIM, MAIL FROM and a default configuration set, feedback by SNS,
// the set's event destination, DMARC and SPF beside a site verification
// token, and the account's suppression list. It returns the zone's ID.
func (e *env) brownfieldSESDomain(domain, stack string) string {
	e.t.Helper()
	zoneID := e.createZone(domain)
	topic := e.handTopic(stack+"-feedback", 0)
	e.handSet(stack+"-default", topic, false)
	e.handDomain(zoneID, domain, stack+"-default", topic, `"v=DMARC1; p=quarantine; rua=mailto:dmarc@`+domain+`"`,
		`"v=spf1 include:amazonses.com ~all"`, `"google-site-verification=abc123"`)
	if _, err := sesv2.NewFromConfig(e.cfg()).PutAccountSuppressionAttributes(e.ctx(), &sesv2.PutAccountSuppressionAttributesInput{
		SuppressedReasons: []sestypes.SuppressionListReason{sestypes.SuppressionListReasonBounce},
	}); err != nil {
		e.t.Fatal(err)
	}
	return zoneID
}

// handTopic creates an SNS topic SES may publish to, as AWS's guide writes
// its policy (aws:SourceAccount), and, when retentionDays > 0, the queue
// <name>-feedback subscribed to it with the policy SNS needs; it returns the
// topic's ARN.
func (e *env) handTopic(name string, retentionDays int) string {
	e.t.Helper()
	api := sns.NewFromConfig(e.cfg())
	topic, err := api.CreateTopic(e.ctx(), &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	arn := aws.ToString(topic.TopicArn)
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"ses-publish","Effect":"Allow","Principal":{"Service":"ses.amazonaws.com"},"Action":"SNS:Publish","Resource":"` +
		arn + `","Condition":{"StringEquals":{"AWS:SourceAccount":"` + awstest.AccountID + `"}}}]}`
	if _, err := api.SetTopicAttributes(e.ctx(), &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)}); err != nil {
		e.t.Fatal(err)
	}
	if retentionDays == 0 {
		return arn
	}
	q := sqs.NewFromConfig(e.cfg())
	qName := name + "-feedback"
	qARN := "arn:aws:sqs:" + e.region + ":" + awstest.AccountID + ":" + qName
	qPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` +
		qARN + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + arn + `"}}}]}`
	if _, err := q.CreateQueue(e.ctx(), &sqs.CreateQueueInput{QueueName: aws.String(qName), Attributes: map[string]string{
		"MessageRetentionPeriod": strconv.Itoa(retentionDays * 86400), "Policy": qPolicy,
	}}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := api.Subscribe(e.ctx(), &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(qARN)}); err != nil {
		e.t.Fatal(err)
	}
	return arn
}

// handSet creates a configuration set that suppresses bounces and
// complaints, requires TLS and publishes them to topic.
func (e *env) handSet(name, topic string, reputation bool) {
	e.t.Helper()
	v2 := sesv2.NewFromConfig(e.cfg())
	if _, err := v2.CreateConfigurationSet(e.ctx(), &sesv2.CreateConfigurationSetInput{
		ConfigurationSetName: aws.String(name),
		DeliveryOptions:      &sestypes.DeliveryOptions{TlsPolicy: sestypes.TlsPolicyRequire},
		ReputationOptions:    &sestypes.ReputationOptions{ReputationMetricsEnabled: reputation},
		SuppressionOptions:   &sestypes.SuppressionOptions{SuppressedReasons: []sestypes.SuppressionListReason{sestypes.SuppressionListReasonBounce, sestypes.SuppressionListReasonComplaint}},
	}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := v2.CreateConfigurationSetEventDestination(e.ctx(), &sesv2.CreateConfigurationSetEventDestinationInput{
		ConfigurationSetName: aws.String(name), EventDestinationName: aws.String("feedback"),
		EventDestination: &sestypes.EventDestinationDefinition{
			Enabled:            true,
			MatchingEventTypes: []sestypes.EventType{sestypes.EventTypeBounce, sestypes.EventTypeComplaint},
			SnsDestination:     &sestypes.SnsDestination{TopicArn: aws.String(topic)},
		},
	}); err != nil {
		e.t.Fatal(err)
	}
}

// handDomain creates an Easy DKIM identity with MAIL FROM bounce.<domain>,
// default configuration set set, bounces and complaints to topic without
// email forwarding, and publishes its DKIM and MAIL FROM records, dmarc at
// _dmarc.<domain> and apex as the apex TXT set (none when empty).
func (e *env) handDomain(zoneID, domain, set, topic, dmarc string, apex ...string) {
	e.t.Helper()
	v2 := sesv2.NewFromConfig(e.cfg())
	v1 := sesv1.NewFromConfig(e.cfg())
	if _, err := v2.CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{
		EmailIdentity: aws.String(domain), ConfigurationSetName: aws.String(set),
		DkimSigningAttributes: &sestypes.DkimSigningAttributes{NextSigningKeyLength: sestypes.DkimSigningKeyLengthRsa2048Bit},
	}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := v2.PutEmailIdentityMailFromAttributes(e.ctx(), &sesv2.PutEmailIdentityMailFromAttributesInput{
		EmailIdentity: aws.String(domain), MailFromDomain: aws.String("bounce." + domain), BehaviorOnMxFailure: sestypes.BehaviorOnMxFailureUseDefaultValue,
	}); err != nil {
		e.t.Fatal(err)
	}
	for _, t := range []sesv1types.NotificationType{sesv1types.NotificationTypeBounce, sesv1types.NotificationTypeComplaint} {
		if _, err := v1.SetIdentityNotificationTopic(e.ctx(), &sesv1.SetIdentityNotificationTopicInput{Identity: aws.String(domain), NotificationType: t, SnsTopic: aws.String(topic)}); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := v1.SetIdentityFeedbackForwardingEnabled(e.ctx(), &sesv1.SetIdentityFeedbackForwardingEnabledInput{Identity: aws.String(domain), ForwardingEnabled: false}); err != nil {
		e.t.Fatal(err)
	}
	id, err := v2.GetEmailIdentity(e.ctx(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(domain)})
	if err != nil {
		e.t.Fatal(err)
	}
	var changes []r53types.Change
	upsert := func(name string, typ r53types.RRType, ttl int64, values ...string) {
		rs := &r53types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl)}
		for _, v := range values {
			rs.ResourceRecords = append(rs.ResourceRecords, r53types.ResourceRecord{Value: aws.String(v)})
		}
		changes = append(changes, r53types.Change{Action: r53types.ChangeActionUpsert, ResourceRecordSet: rs})
	}
	for _, t := range id.DkimAttributes.Tokens {
		upsert(t+"._domainkey."+domain+".", r53types.RRTypeCname, 1800, t+".dkim.amazonses.com.")
	}
	upsert("bounce."+domain+".", r53types.RRTypeMx, 300, "10 feedback-smtp."+e.region+".amazonses.com.")
	upsert("bounce."+domain+".", r53types.RRTypeTxt, 300, `"v=spf1 include:amazonses.com ~all"`)
	upsert("_dmarc."+domain+".", r53types.RRTypeTxt, 300, dmarc)
	if len(apex) > 0 {
		upsert(domain+".", r53types.RRTypeTxt, 300, apex...)
	}
	if _, err := route53.NewFromConfig(e.configIn("us-east-1")).ChangeResourceRecordSets(e.ctx(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: changes},
	}); err != nil {
		e.t.Fatal(err)
	}
}

// TestImportSESDomain: an account set up by hand in the ses-domain shape is
// imported, the spec validates, its plan only adopts, apply adopts, and the
// next plan changes nothing; identities that are not asked for or belong to
// another stack are reported or left out, and untouched.
func TestImportSESDomain(t *testing.T) {
	e := newEnv(t, "")
	zoneID := e.brownfieldSESDomain("acme.example", "acme-prod")
	v2 := sesv2.NewFromConfig(e.cfg())
	foreign := map[string][]sestypes.Tag{
		"other.example":   nil,
		"partner.example": {{Key: aws.String(specs.TagStack), Value: aws.String("partner-prod")}, {Key: aws.String(specs.TagAddr), Value: aws.String("domain.partner.example")}},
	}
	for name, tags := range foreign {
		if _, err := v2.CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(name), Tags: tags}); err != nil {
			t.Fatal(err)
		}
	}
	// SMTP credentials made by hand: an IAM user allowed ses:SendRawEmail.
	iamAPI := iam.NewFromConfig(e.cfg())
	if _, err := iamAPI.CreateUser(e.ctx(), &iam.CreateUserInput{UserName: aws.String("webapp-smtp")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamAPI.PutUserPolicy(e.ctx(), &iam.PutUserPolicyInput{UserName: aws.String("webapp-smtp"), PolicyName: aws.String("send"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ses:SendRawEmail","Resource":"*","Condition":{"StringLike":{"ses:FromAddress":"*@acme.example"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	key, err := iamAPI.CreateAccessKey(e.ctx(), &iam.CreateAccessKeyInput{UserName: aws.String("webapp-smtp")})
	if err != nil {
		t.Fatal(err)
	}
	recordsBefore := e.recordSets(zoneID)

	out := filepath.Join(e.dir, "acme-prod")
	r := e.must(0, "import", "-stack", "acme-prod", "-domain", "acme.example", "-domain", "partner.example", "-out", out, "-region", e.region)
	t.Logf("import:\n%s\n%s", r.stdout, r.stderr)
	if !strings.Contains(r.stderr, "partner-prod") {
		t.Errorf("import does not say that partner.example belongs to another stack:\n%s", r.stderr)
	}
	src, err := os.ReadFile(filepath.Join(out, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("main.hcl:\n%s", src)
	// The SMTP user made by hand is declared, adopting its key as it is.
	if want := "smtp_user \"webapp_smtp\" {\n  user_name    = \"webapp-smtp\"\n  allowed_from = [\"*@acme.example\"]\n  credentials  = \"ssm:/acme-prod/smtp/webapp_smtp\"\n}"; !strings.Contains(string(src), want) {
		t.Errorf("main.hcl lacks\n%s", want)
	}
	oldSecret := aws.ToString(key.AccessKey.SecretAccessKey)
	oldKey, oldPassword := aws.ToString(key.AccessKey.AccessKeyId), mfiam.SMTPPassword(oldSecret, e.region)
	secretFree := func(what string, r result) {
		t.Helper()
		for _, secret := range []string{oldSecret, oldPassword} {
			if strings.Contains(r.stdout+r.stderr, secret) {
				t.Errorf("%s prints a secret", what)
			}
		}
	}
	secretFree("import", r)
	// The apex SPF value is declared by a spf block, which owns that value
	// only: the verification token beside it stays outside the spec.
	if !strings.Contains(string(src), "spf {") || strings.Contains(string(src), "google-site-verification") {
		t.Errorf("the apex SPF value is not written as a spf block:\n%s", src)
	}
	if strings.Contains(string(src), "other.example") || strings.Contains(string(src), "partner.example") {
		t.Errorf("the spec declares identities it was not asked for, or another stack's:\n%s", src)
	}
	formatted, diags := specs.Format(src, "main.hcl")
	if diags.HasErrors() || string(formatted) != string(src) {
		t.Errorf("the spec is not in the canonical layout (%v)", diags)
	}
	e.must(0, "validate", out)
	adopt := filepath.Join(out, "adopt.txt")
	p := e.must(0, "plan", out, "-adopt-file", adopt, "-json")
	requireOnlyAdoptions(t, p.stdout)
	secretFree("plan", p)
	words := e.must(0, "plan", out, "-adopt-file", adopt)
	for _, want := range []string{
		"keeps access key " + oldKey + ": the SMTP password in use keeps working (mailform cannot read it), and nothing is stored at ssm:/acme-prod/smtp/webapp_smtp",
		"its inline policy send becomes mailform's",
	} {
		if !strings.Contains(words.stdout, want) {
			t.Errorf("plan does not say %q:\n%s", want, words.stdout)
		}
	}

	applied := e.must(0, "apply", out, "-adopt-file", adopt, "-auto-approve")
	secretFree("apply", applied)
	again := e.must(0, "plan", out, "-detailed-exitcode")
	t.Logf("re-plan:\n%s", again.stdout)
	// The password in use still authenticates at SES's SMTP interface, and
	// mailform stored no credentials for it.
	if err := e.smtpAuth(oldKey, oldPassword); err != nil {
		t.Errorf("the SMTP password in use no longer authenticates after adoption: %v", err)
	}
	if _, err := ssm.NewFromConfig(e.cfg()).GetParameter(e.ctx(), &ssm.GetParameterInput{Name: aws.String("/acme-prod/smtp/webapp_smtp")}); err == nil {
		t.Error("adoption stored credentials at ssm:/acme-prod/smtp/webapp_smtp")
	}
	if pols, err := iamAPI.ListUserPolicies(e.ctx(), &iam.ListUserPoliciesInput{UserName: aws.String("webapp-smtp")}); err != nil || !slices.Equal(pols.PolicyNames, []string{mfiam.PolicyName}) {
		t.Errorf("the user's inline policies after adoption: %v, %v", pols, err)
	}

	for name, tags := range foreign {
		got, err := v2.GetEmailIdentity(e.ctx(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(name)})
		if err != nil {
			t.Fatalf("foreign identity %s: %v", name, err)
		}
		if len(got.Tags) != len(tags) {
			t.Errorf("foreign identity %s: tags %v, had %v", name, got.Tags, tags)
		}
	}
	keys, err := iamAPI.ListAccessKeys(e.ctx(), &iam.ListAccessKeysInput{UserName: aws.String("webapp-smtp")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != aws.ToString(key.AccessKey.AccessKeyId) {
		t.Errorf("the SMTP user's access key changed: %+v, %v", keys, err)
	}

	// Rotation, when asked: a new key whose password is stored; the old
	// one is deleted once the new one works.
	rotatePlan := e.must(0, "plan", out, "-replace", "smtp_user.webapp_smtp")
	if want := "access key " + oldKey + " is deleted once AWS accepts the new one"; !strings.Contains(rotatePlan.stdout, want) {
		t.Errorf("plan -replace does not say %q:\n%s", want, rotatePlan.stdout)
	}
	secretFree("apply -replace", e.must(0, "apply", out, "-replace", "smtp_user.webapp_smtp", "-auto-approve"))
	param, err := ssm.NewFromConfig(e.cfg()).GetParameter(e.ctx(), &ssm.GetParameterInput{Name: aws.String("/acme-prod/smtp/webapp_smtp"), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatalf("no credentials stored after -replace: %v", err)
	}
	var creds struct{ Username, Password string }
	if err := json.Unmarshal([]byte(aws.ToString(param.Parameter.Value)), &creds); err != nil || creds.Username == oldKey {
		t.Fatalf("stored credentials after -replace: key %q, %v", creds.Username, err)
	}
	if err := e.smtpAuth(creds.Username, creds.Password); err != nil {
		t.Errorf("the stored password does not authenticate: %v", err)
	}
	if e.smtpAuth(oldKey, oldPassword) == nil {
		t.Error("the old password still authenticates after the rotation")
	}
	e.must(0, "plan", out, "-detailed-exitcode")
	after := e.recordSets(zoneID)
	for key, rs := range recordsBefore {
		now, ok := after[key]
		if !ok {
			t.Errorf("record set %s is gone", key)
			continue
		}
		if !slices.Equal(recordValues(rs), recordValues(now)) {
			t.Errorf("record set %s: %v, was %v", key, recordValues(now), recordValues(rs))
		}
	}
}

func recordValues(rs r53types.ResourceRecordSet) []string {
	var out []string
	for _, r := range rs.ResourceRecords {
		out = append(out, aws.ToString(r.Value))
	}
	slices.Sort(out)
	return out
}

// requireOnlyAdoptions fails unless the JSON plan has changes and every one
// adopts an existing resource without changing it otherwise.
func requireOnlyAdoptions(t *testing.T, planJSON string) {
	t.Helper()
	var doc struct {
		Changes []struct {
			Address string `json:"address"`
			Action  string `json:"action"`
			Adopt   bool   `json:"adopt"`
			Diffs   []struct {
				Name string `json:"name"`
			} `json:"diffs"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(planJSON), &doc); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, planJSON)
	}
	if len(doc.Changes) == 0 {
		t.Fatalf("the plan adopts nothing:\n%s", planJSON)
	}
	for _, c := range doc.Changes {
		if !c.Adopt || len(c.Diffs) > 0 {
			t.Errorf("%s: %s (adopt %v, diffs %v), want only an adoption", c.Address, c.Action, c.Adopt, c.Diffs)
		}
	}
}

// TestImportCareless: import refuses a folder that is not empty unless
// -force, says plainly when the region holds nothing to import, and leaves
// no file behind when interrupted.
func TestImportCareless(t *testing.T) {
	e := newEnv(t, "")
	e.brownfieldSESDomain("acme.example", "acme-prod")
	out := filepath.Join(e.dir, "spec")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(out, "main.hcl")
	if err := os.WriteFile(mine, []byte("# my own spec\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"import", "-stack", "acme-prod", "-domain", "acme.example", "-out", out, "-region", e.region}
	r := e.must(1, args...)
	if !strings.Contains(r.stderr, "is not empty") || !strings.Contains(r.stderr, "-force") {
		t.Errorf("import into a folder that is not empty does not say so:\n%s", r.stderr)
	}
	if b, _ := os.ReadFile(mine); string(b) != "# my own spec\n" {
		t.Errorf("the refused import changed %s:\n%s", mine, b)
	}
	e.must(0, append(args, "-force")...)
	if b, _ := os.ReadFile(mine); !strings.Contains(string(b), `domain "acme.example"`) {
		t.Errorf("import -force did not write the spec:\n%s", b)
	}

	// Another region: nothing there, nothing written.
	empty := filepath.Join(e.dir, "eu")
	r = e.must(1, "import", "-stack", "acme-prod", "-domain", "acme.example", "-out", empty, "-region", "eu-west-1")
	if !strings.Contains(r.stderr, "found nothing to import in eu-west-1") || !strings.Contains(r.stderr, "is the region right?") {
		t.Errorf("import from an empty region:\n%s", r.stderr)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("import that found nothing wrote %s (%v)", empty, err)
	}
	// The right region, a domain it does not hold: the ones it holds are named.
	r = e.must(1, "import", "-stack", "acme-prod", "-domain", "acme.exmaple", "-out", empty, "-region", e.region)
	if !strings.Contains(r.stderr, "acme.example") {
		t.Errorf("import of a misspelt domain does not name the region's identities:\n%s", r.stderr)
	}

	// Ctrl-C while reading the topics: no file, no temporary file.
	cut := filepath.Join(e.dir, "cut")
	r = interruptAt(e, "GetTopicAttributes", "import", "-stack", "acme-prod", "-domain", "acme.example", "-out", cut, "-region", e.region)
	if r.code != 1 {
		t.Errorf("interrupted import: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(cut); len(entries) > 0 {
		t.Errorf("interrupted import left %v in %s", entries, cut)
	}
}

// TestImportManyDomains: the many-domains shape (several domains in one
// zone sharing a configuration set, and a topic with its queue), imported
// with -all beside an identity of another stack and a configuration set
// named outside the stack, is adopted whole; the foreign ones are reported
// and untouched.
func TestImportManyDomains(t *testing.T) {
	e := newEnv(t, "")
	e.region = "eu-central-1"
	zoneID := e.createZone("brands.example")
	topic := e.handTopic("brands-feedback", 7)
	e.handSet("brands-default", topic, true)
	var domains []string
	for i := 1; i <= 4; i++ {
		d := "brand00" + strconv.Itoa(i) + ".brands.example"
		domains = append(domains, d)
		e.handDomain(zoneID, d, "brands-default", topic, `"v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@brands.example; ruf=mailto:forensic@brands.example"`)
	}
	v2 := sesv2.NewFromConfig(e.cfg())
	if _, err := v2.CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("alerts@brand001.brands.example"), ConfigurationSetName: aws.String("brands-default")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("legacy.example"), Tags: []sestypes.Tag{{Key: aws.String(specs.TagStack), Value: aws.String("legacy")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.CreateConfigurationSet(e.ctx(), &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String("marketing")}); err != nil {
		t.Fatal(err)
	}
	recordsBefore := e.recordSets(zoneID)

	out := filepath.Join(e.dir, "brands")
	e.s.ResetCounts()
	r := e.must(0, "import", "-stack", "brands", "-all", "-out", out, "-region", e.region, "-json")
	// Each of the region's 5 identities of no stack is described once, as a
	// plan describes it; legacy.example, which the tag index shows with
	// another stack's mark, is not read at all; the check of the written spec
	// reads record sets only.
	if n := e.s.Count("ses", "GetEmailIdentity"); n != 5 {
		t.Errorf("import described identities %d times, want 5, once each of those no other stack marks", n)
	}
	var doc struct {
		Adopt []string `json:"adopt"`
		Notes []struct {
			Thing, Reason string
		} `json:"notes"`
		Pending []string `json:"pending"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("import -json: %v\n%s", err, r.stdout)
	}
	for _, want := range []string{"legacy.example", "marketing"} {
		if !slices.ContainsFunc(doc.Notes, func(n struct{ Thing, Reason string }) bool { return strings.Contains(n.Thing, want) }) {
			t.Errorf("import -json notes nothing about %s: %+v", want, doc.Notes)
		}
	}
	if len(doc.Pending) > 0 {
		t.Errorf("import says a plan would change more than it adopts: %v", doc.Pending)
	}
	for _, want := range append([]string{"configuration_set.default", "topic.feedback", "email.alerts@brand001.brands.example"}, "domain."+domains[0]) {
		if !slices.Contains(doc.Adopt, want) {
			t.Errorf("adopt list lacks %s: %v", want, doc.Adopt)
		}
	}
	src, err := os.ReadFile(filepath.Join(out, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), `zone "brands.example" {}`) || strings.Contains(string(src), "legacy") || strings.Contains(string(src), "marketing") {
		t.Errorf("main.hcl:\n%s", src)
	}
	e.must(0, "validate", out)
	adopt := filepath.Join(out, "adopt.txt")
	p := e.must(0, "plan", out, "-adopt-file", adopt, "-json")
	requireOnlyAdoptions(t, p.stdout)
	e.must(0, "apply", out, "-adopt-file", adopt, "-auto-approve")
	e.must(0, "plan", out, "-detailed-exitcode")

	got, err := v2.GetEmailIdentity(e.ctx(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("legacy.example")})
	if err != nil || len(got.Tags) != 1 || aws.ToString(got.Tags[0].Value) != "legacy" {
		t.Errorf("the other stack's identity was touched: %+v, %v", got, err)
	}
	set, err := v2.GetConfigurationSet(e.ctx(), &sesv2.GetConfigurationSetInput{ConfigurationSetName: aws.String("marketing")})
	if err != nil || len(set.Tags) != 0 {
		t.Errorf("the set named outside the stack was touched: %+v, %v", set, err)
	}
	after := e.recordSets(zoneID)
	for key, rs := range recordsBefore {
		if !slices.Equal(recordValues(rs), recordValues(after[key])) {
			t.Errorf("record set %s: %v, was %v", key, recordValues(after[key]), recordValues(rs))
		}
	}
}

// TestImportOwnMTAs: the ec2-mta shape (a domain that sends from its own
// servers: no SES identity, two Elastic IPs with A records and reverse DNS,
// one associated with an instance, SPF naming their addresses, DMARC)
// imports as a domain with ses_identity = false and one mta block per
// address, naming it by allocation_id; apply of the adoption list tags the
// addresses without allocating, associating or setting a PTR; the next plan
// changes nothing. Another stack's address is reported and left as it is.
func TestImportOwnMTAs(t *testing.T) {
	e := newEnv(t, "")
	e.region = "eu-west-1"
	zoneID := e.createZone("northwind.example")
	api := ec2.NewFromConfig(e.cfg())
	instance := e.runInstance()
	var ips, allocs []string
	// mx4 and www have no reverse DNS: mx4's address is in the SPF value,
	// www's (a web server's) is not.
	for _, host := range []string{"mx1", "mx2", "mx3", "mx4", "www"} {
		in := &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc}
		if host == "mx3" {
			in.TagSpecifications = []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeElasticIp, Tags: []ec2types.Tag{
				{Key: aws.String(specs.TagStack), Value: aws.String("partner-prod")}, {Key: aws.String(specs.TagAddr), Value: aws.String("mta.mx3")},
			}}}
		}
		a, err := api.AllocateAddress(e.ctx(), in)
		if err != nil {
			t.Fatal(err)
		}
		ip := aws.ToString(a.PublicIp)
		ips, allocs = append(ips, ip), append(allocs, aws.ToString(a.AllocationId))
		if host == "mx2" {
			// An A record of another TTL than mailform's default.
			e.setRecordTTL(zoneID, host+".northwind.example.", r53types.RRTypeA, 3600, ip)
		} else {
			e.setRecord(zoneID, host+".northwind.example.", r53types.RRTypeA, ip)
		}
		if host == "mx4" || host == "www" {
			continue
		}
		if _, err := api.ModifyAddressAttribute(e.ctx(), &ec2.ModifyAddressAttributeInput{AllocationId: a.AllocationId, DomainName: aws.String(host + ".northwind.example")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := api.AssociateAddress(e.ctx(), &ec2.AssociateAddressInput{AllocationId: aws.String(allocs[0]), InstanceId: aws.String(instance)}); err != nil {
		t.Fatal(err)
	}
	e.setRecord(zoneID, "northwind.example.", r53types.RRTypeTxt, `"v=spf1 ip4:`+ips[0]+` ip4:`+ips[1]+` ip4:`+ips[3]+` -all"`)
	e.setRecord(zoneID, "_dmarc.northwind.example.", r53types.RRTypeTxt, `"v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc-reports@northwind.example; adkim=s"`)
	// The MTAs sign with a DKIM key of their own: its public key is published
	// in two strings, as a 2048-bit key must be.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	dkim := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(pub)
	e.setRecord(zoneID, "mta2025._domainkey.northwind.example.", r53types.RRTypeTxt, `"`+dkim[:255]+`" "`+dkim[255:]+`"`)
	recordsBefore := e.recordSets(zoneID)

	out := filepath.Join(e.dir, "northwind")
	args := []string{"import", "-stack", "northwind-mta", "-domain", "northwind.example", "-out", out, "-region", e.region}
	r := e.must(1, args...)
	if !strings.Contains(r.stderr, "-dns-only") {
		t.Errorf("import of a domain without SES identity does not name -dns-only:\n%s", r.stderr)
	}
	r = e.must(0, append(args, "-dns-only")...)
	if !strings.Contains(r.stderr, "Elastic IP "+ips[2]+" ("+allocs[2]+"): belongs to stack partner-prod") {
		t.Errorf("import does not report the other stack's Elastic IP:\n%s", r.stderr)
	}
	src, err := os.ReadFile(filepath.Join(out, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"ses_identity = false",
		"mta \"mx1\" {\n  hostname      = \"mx1.northwind.example\"\n  instance_id   = \"" + instance + "\"\n  allocation_id = \"" + allocs[0] + "\"\n}",
		"mta \"mx2\" {\n  hostname      = \"mx2.northwind.example\"\n  allocation_id = \"" + allocs[1] + "\"\n  ttl           = 3600\n}",
		// Without reverse DNS, the A record that points at the address names it.
		"mta \"mx4\" {\n  hostname      = \"mx4.northwind.example\"\n  reverse_dns   = false\n  allocation_id = \"" + allocs[3] + "\"\n}",
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("main.hcl lacks\n%s\nin:\n%s", want, src)
		}
	}
	if !strings.Contains(r.stderr, "Elastic IP "+ips[4]+" ("+allocs[4]+"): has no reverse DNS, and no SPF value") {
		t.Errorf("import does not say why the web server's address is not an MTA:\n%s", r.stderr)
	}
	// The DKIM key is written as the record it is, with no private key.
	if !strings.Contains(string(src), `record "mta2025._domainkey.northwind.example" "TXT" {`) || !strings.Contains(string(src), base64.StdEncoding.EncodeToString(pub)[:40]) || strings.Contains(string(src), "dkim_key") {
		t.Errorf("main.hcl does not declare the MTAs' DKIM key as a record block:\n%s", src)
	}
	if !strings.Contains(r.stderr, "DKIM key record mta2025._domainkey.northwind.example: is the public key of a DKIM signer of yours") || !strings.Contains(r.stderr, "cannot read the private key") {
		t.Errorf("import does not say why the DKIM key is a record block:\n%s", r.stderr)
	}
	if strings.Contains(string(src), "mx3") || strings.Contains(string(src), "www") {
		t.Errorf("main.hcl declares the other stack's address:\n%s", src)
	}
	// The SPF value names the MTAs' addresses: written as the MTAs.
	if !strings.Contains(string(src), "mtas = [mta.mx1, mta.mx2, mta.mx4]") || strings.Contains(string(src), "ip4") {
		t.Errorf("the SPF value does not name the imported MTAs by their blocks:\n%s", src)
	}
	e.must(0, "validate", out)
	adopt := filepath.Join(out, "adopt.txt")
	if b, _ := os.ReadFile(adopt); !strings.Contains(string(b), "mta.mx1\nmta.mx2\n") || !strings.Contains(string(b), "record.mta2025._domainkey.northwind.example.TXT\n") {
		t.Errorf("adopt.txt:\n%s", b)
	}
	// Without the adoption list, plan refuses the addresses it names.
	e.must(1, "plan", out)
	requireOnlyAdoptions(t, e.must(0, "plan", out, "-adopt-file", adopt, "-json").stdout)
	before := e.s.Counts()["ec2"]
	e.must(0, "apply", out, "-adopt-file", adopt, "-auto-approve")
	after := e.s.Counts()["ec2"]
	if after["CreateTags"] == before["CreateTags"] {
		t.Errorf("apply of the adoptions tagged no Elastic IP (EC2 calls: %v)", after)
	}
	for _, op := range []string{"AllocateAddress", "AssociateAddress", "DisassociateAddress", "ModifyAddressAttribute", "ResetAddressAttribute", "ReleaseAddress"} {
		if after[op] != before[op] {
			t.Errorf("apply of the adoptions called %s %d times", op, after[op]-before[op])
		}
	}
	e.must(0, "plan", out, "-detailed-exitcode")

	addrs, err := api.DescribeAddresses(e.ctx(), &ec2.DescribeAddressesInput{})
	if err != nil || len(addrs.Addresses) != 5 {
		t.Fatalf("Elastic IPs after apply: %+v, %v", addrs, err)
	}
	for _, a := range addrs.Addresses {
		owner, addr := "", ""
		for _, tg := range a.Tags {
			switch aws.ToString(tg.Key) {
			case specs.TagStack:
				owner = aws.ToString(tg.Value)
			case specs.TagAddr:
				addr = aws.ToString(tg.Value)
			}
		}
		switch aws.ToString(a.AllocationId) {
		case allocs[0]:
			if owner != "northwind-mta" || addr != "mta.mx1" || aws.ToString(a.InstanceId) != instance {
				t.Errorf("mx1 after apply: stack %q, addr %q, instance %q", owner, addr, aws.ToString(a.InstanceId))
			}
		case allocs[1]:
			if owner != "northwind-mta" || addr != "mta.mx2" || aws.ToString(a.AssociationId) != "" {
				t.Errorf("mx2 after apply: stack %q, addr %q, association %q", owner, addr, aws.ToString(a.AssociationId))
			}
		case allocs[3]:
			if owner != "northwind-mta" || addr != "mta.mx4" {
				t.Errorf("mx4 after apply: stack %q, addr %q", owner, addr)
			}
		case allocs[4]:
			if len(a.Tags) != 0 {
				t.Errorf("the web server's address was tagged: %v", a.Tags)
			}
		default:
			if owner != "partner-prod" || len(a.Tags) != 2 {
				t.Errorf("the other stack's address was touched: %v", a.Tags)
			}
		}
	}
	ptrs, err := api.DescribeAddressesAttribute(e.ctx(), &ec2.DescribeAddressesAttributeInput{AllocationIds: allocs[:3], Attribute: ec2types.AddressAttributeNameDomainName})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ptrs.Addresses {
		if p := aws.ToString(a.PtrRecord); !strings.HasPrefix(p, "mx") || a.PtrRecordUpdate != nil {
			t.Errorf("the PTR of %s is %q (update %+v) after apply", aws.ToString(a.PublicIp), p, a.PtrRecordUpdate)
		}
	}
	after2 := e.recordSets(zoneID)
	for key, rs := range recordsBefore {
		if !slices.Equal(recordValues(rs), recordValues(after2[key])) {
			t.Errorf("record set %s: %v, was %v", key, recordValues(after2[key]), recordValues(rs))
		}
	}
}

// setRecordTTL upserts a record set with the TTL given.
func (e *env) setRecordTTL(zoneID, name string, typ r53types.RRType, ttl int64, values ...string) {
	e.t.Helper()
	var rrs []r53types.ResourceRecord
	for _, v := range values {
		rrs = append(rrs, r53types.ResourceRecord{Value: aws.String(v)})
	}
	_, err := route53.NewFromConfig(e.s.Config("us-east-1")).ChangeResourceRecordSets(e.ctx(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID),
		ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{
			Action:            r53types.ChangeActionUpsert,
			ResourceRecordSet: &r53types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(ttl), ResourceRecords: rrs},
		}}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestAdoptMTAByAllocationIDIsCareful: an mta block's allocation_id adopts
// nothing without -adopt, never another stack's address even with it, and
// an allocation_id that names no address makes apply fail without
// allocating one in its place.
func TestAdoptMTAByAllocationIDIsCareful(t *testing.T) {
	e := newEnv(t, "", "acme.example")
	api := ec2.NewFromConfig(e.cfg())
	theirs, err := api.AllocateAddress(e.ctx(), &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc, TagSpecifications: []ec2types.TagSpecification{{
		ResourceType: ec2types.ResourceTypeElasticIp, Tags: []ec2types.Tag{{Key: aws.String(specs.TagStack), Value: aws.String("partner-prod")}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	unmarked, err := api.AllocateAddress(e.ctx(), &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	spec := func(alloc string) string {
		return "mailform {\n  stack  = \"acme-prod\"\n  region = \"us-west-2\"\n}\n\nzone \"acme.example\" {}\n\n" +
			"mta \"mx1\" {\n  hostname      = \"mx1.acme.example\"\n  reverse_dns   = false\n  allocation_id = \"" + alloc + "\"\n}\n"
	}
	e.write("main.hcl", spec(aws.ToString(unmarked.AllocationId)))
	if r := e.must(1, "plan", e.dir); !strings.Contains(r.stderr, "-adopt mta.mx1") {
		t.Errorf("plan of an unmarked address named by allocation_id does not ask for -adopt:\n%s", r.stderr)
	}
	e.write("main.hcl", spec(aws.ToString(theirs.AllocationId)))
	if r := e.must(1, "plan", e.dir, "-adopt", "mta.mx1"); !strings.Contains(r.stderr, "partner-prod") {
		t.Errorf("plan -adopt of another stack's address:\n%s", r.stderr)
	}
	e.write("main.hcl", spec("eipalloc-0123456789abcdef0"))
	if r := e.must(1, "apply", e.dir, "-auto-approve", "-adopt", "mta.mx1"); !strings.Contains(r.stderr, "eipalloc-0123456789abcdef0, which allocation_id names, does not exist") {
		t.Errorf("apply naming an address that does not exist:\n%s", r.stderr)
	}
	if n := e.s.Count("ec2", "AllocateAddress"); n != 2 {
		t.Errorf("AllocateAddress called %d times, want the test's 2", n)
	}
	addrs, err := api.DescribeAddresses(e.ctx(), &ec2.DescribeAddressesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs.Addresses {
		if aws.ToString(a.AllocationId) == aws.ToString(unmarked.AllocationId) && len(a.Tags) != 0 {
			t.Errorf("the unmarked address was tagged without -adopt: %v", a.Tags)
		}
		if aws.ToString(a.AllocationId) == aws.ToString(theirs.AllocationId) && len(a.Tags) != 1 {
			t.Errorf("the other stack's address was tagged: %v", a.Tags)
		}
	}
}

// TestImportLeavesOutBYODKIM: the hybrid shape's partner domain signs with a
// key brought to SES, which mailform cannot read: import leaves the domain
// out and says how to declare it, instead of writing a domain that adopting
// would switch to Easy DKIM.
func TestImportLeavesOutBYODKIM(t *testing.T) {
	e := newEnv(t, "")
	e.createZone("globex-partner.example")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	v2 := sesv2.NewFromConfig(e.cfg())
	if _, err := v2.CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{
		EmailIdentity: aws.String("globex-partner.example"),
		DkimSigningAttributes: &sestypes.DkimSigningAttributes{
			DomainSigningSelector: aws.String("globex1"), DomainSigningPrivateKey: aws.String(base64.StdEncoding.EncodeToString(der)),
		},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("alerts@globex-partner.example")}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "globex")
	r := e.must(0, "import", "-stack", "globex", "-all", "-out", out, "-region", e.region)
	if !strings.Contains(r.stderr, "BYODKIM key of globex-partner.example") || !strings.Contains(r.stderr, `selector = "globex1"`) {
		t.Errorf("import does not explain the BYODKIM domain it leaves out:\n%s", r.stderr)
	}
	src, err := os.ReadFile(filepath.Join(out, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), `domain "globex-partner.example"`) || !strings.Contains(string(src), `email "alerts@globex-partner.example"`) {
		t.Errorf("main.hcl:\n%s", src)
	}
	if strings.Contains(r.stdout+r.stderr+string(src), base64.StdEncoding.EncodeToString(der)[:40]) {
		t.Error("the private key appears in import's output")
	}
	e.must(0, "validate", out)
	p := e.must(0, "plan", out, "-adopt-file", filepath.Join(out, "adopt.txt"), "-json")
	requireOnlyAdoptions(t, p.stdout)
}

// TestImportRoutingPolicy: a DMARC record set with a routing policy (two
// weighted sets) is not mailform's to manage: import says so and writes the
// domain without it.
func TestImportRoutingPolicy(t *testing.T) {
	e := newEnv(t, "")
	zoneID := e.createZone("acme.example")
	if _, err := sesv2.NewFromConfig(e.cfg()).CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")}); err != nil {
		t.Fatal(err)
	}
	var changes []r53types.Change
	for i, policy := range []string{"none", "quarantine"} {
		changes = append(changes, r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name: aws.String("_dmarc.acme.example."), Type: r53types.RRTypeTxt, TTL: aws.Int64(300),
			SetIdentifier: aws.String("set" + strconv.Itoa(i)), Weight: aws.Int64(50),
			ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(`"v=DMARC1; p=` + policy + `"`)}},
		}})
	}
	if _, err := route53.NewFromConfig(e.configIn("us-east-1")).ChangeResourceRecordSets(e.ctx(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: changes},
	}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "acme")
	r := e.must(0, "import", "-stack", "acme-prod", "-domain", "acme.example", "-out", out, "-region", e.region)
	if !strings.Contains(r.stderr, "DMARC record of acme.example: is an alias or has a routing policy") {
		t.Errorf("import does not report the weighted DMARC sets:\n%s", r.stderr)
	}
	src, err := os.ReadFile(filepath.Join(out, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "dmarc") {
		t.Errorf("main.hcl declares the weighted DMARC:\n%s", src)
	}
	e.must(0, "validate", out)
}

// TestAdoptFindsHandPublishedDKIMRecords: the Easy DKIM CNAMEs of an
// identity set up by hand are named after tokens only its live state tells;
// a plan that adopts the identity reads them by those names and adopts them
// with it, instead of planning to create sets that are there (which apply
// then refused as not the stack's).
func TestAdoptFindsHandPublishedDKIMRecords(t *testing.T) {
	e := newEnv(t, "ses-domain")
	zoneID := e.createZone("acme.example")
	v2 := sesv2.NewFromConfig(e.cfg())
	if _, err := v2.CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")}); err != nil {
		t.Fatal(err)
	}
	id, err := v2.GetEmailIdentity(e.ctx(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	// Written as people write them: Route 53 keeps a CNAME's value as given,
	// with or without the final dot, and the plan's value has the dot.
	for i, tok := range id.DkimAttributes.Tokens {
		value := tok + ".dkim.amazonses.com."
		if i > 0 {
			value = strings.TrimSuffix(value, ".")
		}
		e.setRecord(zoneID, tok+"._domainkey.acme.example.", r53types.RRTypeCname, value)
	}
	p := e.must(0, "plan", e.dir, "-adopt", "domain.acme.example", "-json")
	var doc struct {
		Changes []struct {
			Address, Action string
			Adopt           bool
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(p.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, c := range doc.Changes {
		if strings.HasPrefix(c.Address, "domain.acme.example/dkim[") {
			found++
			if c.Action != "update" || !c.Adopt {
				t.Errorf("%s: %s (adopt %v), want an adoption of the set published by hand", c.Address, c.Action, c.Adopt)
			}
		}
	}
	if found != 3 {
		t.Errorf("the plan has %d DKIM records, want 3", found)
	}
	e.must(0, "apply", e.dir, "-adopt", "domain.acme.example", "-auto-approve")
	e.must(0, "plan", e.dir, "-detailed-exitcode")
}

// TestImportReportsAlarms: the reputation-alarms shape (account suppression
// and an alarm on SES's bounce rate, made by hand): the suppression list is
// imported; the alarm, which mailform cannot take over under another name,
// is reported and left as it is.
func TestImportReportsAlarms(t *testing.T) {
	e := newEnv(t, "")
	zoneID := e.createZone("acme.example")
	v2 := sesv2.NewFromConfig(e.cfg())
	created, err := v2.CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range created.DkimAttributes.Tokens {
		e.setRecord(zoneID, tok+"._domainkey.acme.example.", r53types.RRTypeCname, tok+".dkim.amazonses.com.")
	}
	if _, err := v2.PutAccountSuppressionAttributes(e.ctx(), &sesv2.PutAccountSuppressionAttributesInput{
		SuppressedReasons: []sestypes.SuppressionListReason{sestypes.SuppressionListReasonBounce, sestypes.SuppressionListReasonComplaint},
	}); err != nil {
		t.Fatal(err)
	}
	e.putForeignAlarm("ses-bounce-rate", 0.05)
	out := filepath.Join(e.dir, "acme")
	r := e.must(0, "import", "-stack", "acme-prod", "-domain", "acme.example", "-out", out, "-region", e.region)
	if !strings.Contains(r.stderr, "CloudWatch alarm ses-bounce-rate: watches SES's reputation metrics") {
		t.Errorf("import does not report the alarm:\n%s", r.stderr)
	}
	src, err := os.ReadFile(filepath.Join(out, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), `suppression = ["BOUNCE", "COMPLAINT"]`) || strings.Contains(string(src), "alarms") {
		t.Errorf("main.hcl:\n%s", src)
	}
	e.must(0, "validate", out)
	adopt := filepath.Join(out, "adopt.txt")
	requireOnlyAdoptions(t, e.must(0, "plan", out, "-adopt-file", adopt, "-json").stdout)
	e.must(0, "apply", out, "-adopt-file", adopt, "-auto-approve")
	e.must(0, "plan", out, "-detailed-exitcode")
	if _, ok := e.liveAlarms()["ses-bounce-rate"]; !ok {
		t.Error("the alarm made by hand is gone")
	}
}

// reputationAlarmsAccount builds by hand the reputation-alarms shape
// without the alarms: an identity with its DKIM records and the account's
// suppression list.
func (e *env) reputationAlarmsAccount() {
	e.t.Helper()
	zoneID := e.createZone("acme.example")
	v2 := sesv2.NewFromConfig(e.cfg())
	created, err := v2.CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, tok := range created.DkimAttributes.Tokens {
		e.setRecord(zoneID, tok+"._domainkey.acme.example.", r53types.RRTypeCname, tok+".dkim.amazonses.com.")
	}
	if _, err := v2.PutAccountSuppressionAttributes(e.ctx(), &sesv2.PutAccountSuppressionAttributesInput{
		SuppressedReasons: []sestypes.SuppressionListReason{sestypes.SuppressionListReasonBounce, sestypes.SuppressionListReasonComplaint},
	}); err != nil {
		e.t.Fatal(err)
	}
}

// putReputationAlarm creates, with the SDK, an alarm on an SES reputation
// metric (key bounce or complaint) notifying topics, with description.
func (e *env) putReputationAlarm(name, key, description string, threshold float64, topics ...string) {
	e.t.Helper()
	metric := "Reputation.BounceRate"
	if key == "complaint" {
		metric = "Reputation.ComplaintRate"
	}
	if _, err := cloudwatch.NewFromConfig(e.cfg()).PutMetricAlarm(e.ctx(), &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), AlarmDescription: aws.String(description),
		Namespace: aws.String("AWS/SES"), MetricName: aws.String(metric),
		Statistic: cwtypes.StatisticAverage, ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		Threshold: aws.Float64(threshold), Period: aws.Int32(1800), EvaluationPeriods: aws.Int32(2),
		TreatMissingData: aws.String("ignore"), AlarmActions: topics,
	}); err != nil {
		e.t.Fatal(err)
	}
}

// TestImportAlarms: the stack's pair of reputation alarms, made without
// mailform's mark (their tags lost, or made from its documentation), is
// written as an alarms block with their thresholds, period and topics; the
// plan only adopts them, apply tags them, and the next plan changes nothing.
// An alarm of another name stays reported and untouched.
func TestImportAlarms(t *testing.T) {
	e := newEnv(t, "")
	e.reputationAlarmsAccount()
	pager := "arn:aws:sns:us-west-2:123456789012:pager-escalation"
	oncall := e.handTopic("acme-prod-oncall", 0)
	e.putReputationAlarm("acme-prod-reputation-bounce-rate", "bounce", "mailform stack acme-prod: the SES account's bounce rate is at or above 3.5%", 0.035, oncall, pager)
	e.putReputationAlarm("acme-prod-reputation-complaint-rate", "complaint", "mailform stack acme-prod: the SES account's complaint rate is at or above 0.05%", 0.0005, oncall, pager)
	e.putForeignAlarm("ses-bounce-rate", 0.05)
	out := filepath.Join(e.dir, "acme")
	r := e.must(0, "import", "-stack", "acme-prod", "-domain", "acme.example", "-out", out, "-region", e.region)
	if !strings.Contains(r.stderr, "CloudWatch alarm ses-bounce-rate: watches SES's reputation metrics") {
		t.Errorf("import does not report the foreign alarm:\n%s", r.stderr)
	}
	src, err := os.ReadFile(filepath.Join(out, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"alarms {", "bounce_percent     = 3.5", "complaint_percent  = 0.05", "period_minutes     = 30", "evaluation_periods = 2", `notify             = ["` + oncall + `", "` + pager + `"]`} {
		if !strings.Contains(string(src), want) {
			t.Errorf("main.hcl lacks %q:\n%s", want, src)
		}
	}
	adopt := filepath.Join(out, "adopt.txt")
	e.must(0, "validate", out)
	requireOnlyAdoptions(t, e.must(0, "plan", out, "-adopt-file", adopt, "-json").stdout)
	e.must(0, "apply", out, "-adopt-file", adopt, "-auto-approve")
	e.must(0, "plan", out, "-detailed-exitcode")
	live := e.liveAlarms()
	for _, name := range []string{"acme-prod-reputation-bounce-rate", "acme-prod-reputation-complaint-rate"} {
		if got := e.alarmTags(aws.ToString(live[name].AlarmArn))[specs.TagStack]; got != "acme-prod" {
			t.Errorf("%s: mailform:stack %q after apply, want acme-prod", name, got)
		}
	}
	foreign, ok := live["ses-bounce-rate"]
	if !ok || aws.ToFloat64(foreign.Threshold) != 0.05 || len(e.alarmTags(aws.ToString(foreign.AlarmArn))) != 0 {
		t.Errorf("the alarm made by hand was touched: %+v", foreign)
	}
}

// TestImportAlarmsThatDoNotMap: the stack's pair of alarms with their own
// description (an alarms block would rewrite it), and a bounce alarm alone
// (a block would create the complaint one), are reported, not written, so
// that the plan still only adopts.
func TestImportAlarmsThatDoNotMap(t *testing.T) {
	e := newEnv(t, "")
	e.reputationAlarmsAccount()
	pager := "arn:aws:sns:us-west-2:123456789012:pager-escalation"
	e.putReputationAlarm("acme-prod-reputation-bounce-rate", "bounce", "Bounces: call the mail team", 0.04, pager)
	e.putReputationAlarm("acme-prod-reputation-complaint-rate", "complaint", "Complaints: call the mail team", 0.0008, pager)
	e.putReputationAlarm("acme-stage-reputation-bounce-rate", "bounce", "stage bounces", 0.04, pager)

	out := filepath.Join(e.dir, "acme")
	r := e.must(0, "import", "-stack", "acme-prod", "-domain", "acme.example", "-out", out, "-region", e.region)
	if !strings.Contains(r.stderr, "are left out: an alarms block would update account/bounce_alarm (description)") {
		t.Errorf("import does not say why the alarms are left out:\n%s", r.stderr)
	}
	src, err := os.ReadFile(filepath.Join(out, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(src), "alarms") {
		t.Errorf("main.hcl declares alarms that do not map:\n%s", src)
	}
	requireOnlyAdoptions(t, e.must(0, "plan", out, "-adopt-file", filepath.Join(out, "adopt.txt"), "-json").stdout)

	out = filepath.Join(e.dir, "stage")
	r = e.must(0, "import", "-stack", "acme-stage", "-domain", "acme.example", "-out", out, "-region", e.region)
	if !strings.Contains(r.stderr, "acme-stage-reputation-complaint-rate does not exist, so declaring the block would create it") {
		t.Errorf("import does not report the lone alarm:\n%s", r.stderr)
	}
	if src, _ := os.ReadFile(filepath.Join(out, "main.hcl")); strings.Contains(string(src), "alarms") {
		t.Errorf("main.hcl declares a lone alarm:\n%s", src)
	}
}

// TestImportOfAnotherStacksDomain: a -domain whose identity another stack
// owns imports nothing: no spec of the account settings alone, and the
// reason on stderr.
func TestImportOfAnotherStacksDomain(t *testing.T) {
	e := newEnv(t, "")
	if _, err := sesv2.NewFromConfig(e.cfg()).CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{
		EmailIdentity: aws.String("partner.example"), Tags: []sestypes.Tag{{Key: aws.String(specs.TagStack), Value: aws.String("partner-prod")}},
	}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(e.dir, "spec")
	r := e.must(1, "import", "-stack", "acme-prod", "-domain", "partner.example", "-out", out, "-region", e.region)
	if !strings.Contains(r.stderr, "belongs to stack partner-prod") || !strings.Contains(r.stderr, "found nothing to import in "+e.region) {
		t.Errorf("import of another stack's domain:\n%s", r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("import wrote %s (%v)", out, err)
	}
}

// TestImportAndAdoptionRunWithTheirPolicies: an account with an SES domain,
// an SMTP user, an MTA's Elastic IP and the stack's reputation alarms, all
// made by hand, is imported, planned and adopted by IAM users holding
// exactly 'mailform permissions -for import', '-for plan' and '-for apply'
// of the imported spec, against the double enforcing IAM: no call is
// refused, and the next plan changes nothing.
func TestImportAndAdoptionRunWithTheirPolicies(t *testing.T) {
	e := newEnv(t, "")
	zoneID := e.brownfieldSESDomain("acme.example", "acme-prod")
	iamAPI := iam.NewFromConfig(e.cfg())
	if _, err := iamAPI.CreateUser(e.ctx(), &iam.CreateUserInput{UserName: aws.String("webapp-smtp")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamAPI.PutUserPolicy(e.ctx(), &iam.PutUserPolicyInput{UserName: aws.String("webapp-smtp"), PolicyName: aws.String("send"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ses:SendRawEmail"],"Resource":"*","Condition":{"StringLike":{"ses:FromAddress":["*@acme.example"]}}}}`)}); err != nil {
		t.Fatal(err)
	}
	key, err := iamAPI.CreateAccessKey(e.ctx(), &iam.CreateAccessKeyInput{UserName: aws.String("webapp-smtp")})
	if err != nil {
		t.Fatal(err)
	}
	api := ec2.NewFromConfig(e.cfg())
	eip, err := api.AllocateAddress(e.ctx(), &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
	if err != nil {
		t.Fatal(err)
	}
	e.setRecord(zoneID, "mta1.acme.example.", r53types.RRTypeA, aws.ToString(eip.PublicIp))
	if _, err := api.ModifyAddressAttribute(e.ctx(), &ec2.ModifyAddressAttributeInput{AllocationId: eip.AllocationId, DomainName: aws.String("mta1.acme.example")}); err != nil {
		t.Fatal(err)
	}
	pager := "arn:aws:sns:us-west-2:123456789012:pager-escalation"
	e.putReputationAlarm("acme-prod-reputation-bounce-rate", "bounce", "mailform stack acme-prod: the SES account's bounce rate is at or above 4%", 0.04, pager)
	e.putReputationAlarm("acme-prod-reputation-complaint-rate", "complaint", "mailform stack acme-prod: the SES account's complaint rate is at or above 0.08%", 0.0008, pager)

	// The spec the roles' policies are made for: the import's own output.
	e.dir = filepath.Join(t.TempDir(), "acme-prod")
	e.must(0, "import", "-stack", "acme-prod", "-domain", "acme.example", "-out", e.dir, "-region", e.region)
	src, err := os.ReadFile(filepath.Join(e.dir, "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`smtp_user "webapp_smtp"`, `mta "mta1"`, "alarms {"} {
		if !strings.Contains(string(src), want) {
			t.Fatalf("main.hcl lacks %s:\n%s", want, src)
		}
	}
	roles := e.roles()
	enforceIAM(t, e.s)
	again := filepath.Join(t.TempDir(), "again")
	adopt := filepath.Join(e.dir, "adopt.txt")
	e.runSteps(roles, []step{
		{permissions.Import, []string{"import", "-stack", "acme-prod", "-domain", "acme.example", "-out", again, "-region", e.region}, 0},
		{permissions.Plan, []string{"plan", e.dir, "-adopt-file", adopt}, 0},
		{permissions.Apply, []string{"apply", e.dir, "-adopt-file", adopt, "-auto-approve"}, 0},
		{permissions.Plan, []string{"plan", e.dir, "-detailed-exitcode"}, 0},
	})
	if b, _ := os.ReadFile(filepath.Join(again, "main.hcl")); string(b) != string(src) {
		t.Errorf("import under its policy wrote another spec:\n%s", b)
	}
	keys, err := iamAPI.ListAccessKeys(e.ctx(), &iam.ListAccessKeysInput{UserName: aws.String("webapp-smtp")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != aws.ToString(key.AccessKey.AccessKeyId) {
		t.Errorf("the SMTP user's access key changed: %+v, %v", keys, err)
	}
}
