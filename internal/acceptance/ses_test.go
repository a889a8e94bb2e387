package acceptance

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	sesv1 "github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	iamprov "github.com/mailform/mailform/providers/iam"
)

// TestSESDomainFromEmpty applies examples/ses-domain to an empty account,
// reads every resource back with the SDK, plans again (no changes), and
// proves the stored SMTP password and that no secret was printed.
func TestSESDomainFromEmpty(t *testing.T) {
	e := newEnv(t, "ses-domain")
	zoneID := e.createZone("acme.example")
	ctx := e.ctx()

	plan := e.must(0, "plan", e.dir)
	for _, want := range []string{"+ domain.acme.example (ses.identity)", "(known after apply)", "password: (sensitive)", "Plan: 12 to add, 0 to change, 0 to replace, 0 to destroy."} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan output lacks %q:\n%s", want, plan.stdout)
		}
	}
	e.must(0, "apply", e.dir, "-auto-approve")

	// SES identity, its DKIM tokens, MAIL FROM, configuration set and ownership.
	v2 := sesv2.NewFromConfig(e.cfg())
	id, err := v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
	if err != nil {
		t.Fatalf("identity: %v", err)
	}
	tags := map[string]string{}
	for _, tag := range id.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if tags["mailform:stack"] != "acme-prod" {
		t.Errorf("identity tags = %v, want the stack mark", tags)
	}
	if got := aws.ToString(id.ConfigurationSetName); got != "acme-prod-default" {
		t.Errorf("default configuration set = %q", got)
	}
	if id.MailFromAttributes == nil || aws.ToString(id.MailFromAttributes.MailFromDomain) != "bounce.acme.example" {
		t.Errorf("MAIL FROM = %+v", id.MailFromAttributes)
	}
	tokens := id.DkimAttributes.Tokens
	if len(tokens) != 3 {
		t.Fatalf("DKIM tokens = %v", tokens)
	}

	// Every DNS record the domain implies, in the zone, with final values.
	sets := e.recordSets(zoneID)
	for _, tok := range tokens {
		e.requireRecord(sets, tok+"._domainkey.acme.example.", "CNAME", tok+".dkim.amazonses.com.")
	}
	e.requireRecord(sets, "bounce.acme.example.", "MX", "10 feedback-smtp.us-west-2.amazonses.com.")
	e.requireRecord(sets, "bounce.acme.example.", "TXT", `"v=spf1 include:amazonses.com ~all"`)
	e.requireRecord(sets, "_dmarc.acme.example.", "TXT", `"v=DMARC1; p=quarantine; rua=mailto:ops@acme.example"`)
	e.requireRecord(sets, "acme.example.", "TXT", `"v=spf1 include:amazonses.com ~all"`)

	// Identity notifications go to the topic (v1: no v2 equivalent).
	notif, err := sesv1.NewFromConfig(e.cfg()).GetIdentityNotificationAttributes(ctx, &sesv1.GetIdentityNotificationAttributesInput{Identities: []string{"acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	na := notif.NotificationAttributes["acme.example"]
	topicARN := "arn:aws:sns:us-west-2:123456789012:acme-prod-feedback"
	if aws.ToString(na.BounceTopic) != topicARN || aws.ToString(na.ComplaintTopic) != topicARN || na.ForwardingEnabled {
		t.Errorf("notification attributes = bounce %q complaint %q forwarding %v", aws.ToString(na.BounceTopic), aws.ToString(na.ComplaintTopic), na.ForwardingEnabled)
	}

	// Configuration set with its SNS event destination.
	dests, err := v2.GetConfigurationSetEventDestinations(ctx, &sesv2.GetConfigurationSetEventDestinationsInput{ConfigurationSetName: aws.String("acme-prod-default")})
	if err != nil {
		t.Fatal(err)
	}
	if len(dests.EventDestinations) != 1 || dests.EventDestinations[0].SnsDestination == nil || aws.ToString(dests.EventDestinations[0].SnsDestination.TopicArn) != topicARN {
		t.Errorf("event destinations = %+v", dests.EventDestinations)
	}

	// The topic lets SES publish; the queue is subscribed and lets only the topic send.
	attrs, err := sns.NewFromConfig(e.cfg()).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
	if err != nil {
		t.Fatal(err)
	}
	if p := attrs.Attributes["Policy"]; !strings.Contains(p, "ses.amazonaws.com") || !strings.Contains(p, "123456789012") {
		t.Errorf("topic policy does not let SES of this account publish: %s", p)
	}
	subs, err := sns.NewFromConfig(e.cfg()).ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Protocol) != "sqs" {
		t.Errorf("subscriptions = %+v", subs.Subscriptions)
	}
	q := sqs.NewFromConfig(e.cfg())
	qurl, err := q.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("acme-prod-feedback-feedback")})
	if err != nil {
		t.Fatal(err)
	}
	qattrs, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qurl.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if qattrs.Attributes["MessageRetentionPeriod"] != "1209600" || !strings.Contains(qattrs.Attributes["Policy"], topicARN) {
		t.Errorf("queue attributes = %v", qattrs.Attributes)
	}

	// The SMTP user: inline policy, one key, and the password in SSM is the
	// v4 derivation of that key's secret for the region.
	iamc := iam.NewFromConfig(e.cfg())
	keys, err := iamc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("acme-prod-smtp-webapp")})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys.AccessKeyMetadata) != 1 {
		t.Fatalf("access keys = %d, want 1", len(keys.AccessKeyMetadata))
	}
	keyID := aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId)
	pol, err := iamc.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("acme-prod-smtp-webapp"), PolicyName: aws.String("mailform-ses-send")})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := url.QueryUnescape(aws.ToString(pol.PolicyDocument))
	if !strings.Contains(doc, "ses:SendRawEmail") || !strings.Contains(doc, "*@acme.example") {
		t.Errorf("policy = %s", doc)
	}
	param, err := ssm.NewFromConfig(e.cfg()).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/acme/mail/smtp/webapp"), WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var creds struct {
		Username, Password, Host string
	}
	if err := json.Unmarshal([]byte(aws.ToString(param.Parameter.Value)), &creds); err != nil {
		t.Fatalf("stored credentials are not JSON: %v", err)
	}
	secret, ok := e.s.AccessKeySecret(keyID)
	if !ok {
		t.Fatal("the double did not see the key being created")
	}
	if creds.Username != keyID || creds.Password != iamprov.SMTPPassword(secret, "us-west-2") || creds.Host != "email-smtp.us-west-2.amazonaws.com" {
		t.Errorf("stored credentials: username %q host %q, password matches derivation: %v", creds.Username, creds.Host, creds.Password == iamprov.SMTPPassword(secret, "us-west-2"))
	}

	// Plan again: nothing to do. Record the calls a no-change plan makes.
	e.s.ResetCounts()
	again := e.must(0, "plan", e.dir, "-detailed-exitcode")
	if !strings.Contains(again.stdout, "No changes") {
		t.Errorf("second plan:\n%s", again.stdout)
	}
	counts := e.s.Counts()
	t.Logf("calls of a no-change plan of examples/ses-domain: %s", countsReport(counts))
	if n := counts["route53"]["ListResourceRecordSets"]; n != 1 {
		t.Errorf("no-change plan listed the one zone %d times, want 1", n)
	}
	if n := counts["ses"]["GetIdentityNotificationAttributes"]; n > 1 {
		t.Errorf("notification attributes read %d times, want one batched call", n)
	}

	// Save a plan file and JSON; scan everything for the secrets.
	planFile := filepath.Join(t.TempDir(), "ses.plan")
	e.must(0, "plan", e.dir, "-out", planFile)
	e.must(0, "plan", e.dir, "-json")
	e.must(0, "plan", e.dir, "-markdown")
	saved, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	e.requireNoSecrets(saved, secret, creds.Password)
}

// TestEditingTheSpec: a new domain, a changed DMARC policy and a dropped
// topic show as exactly those changes, and apply converges.
func TestEditingTheSpec(t *testing.T) {
	e := newEnv(t, "ses-domain")
	zoneID := e.createZone("acme.example")
	e.write("alerts.hcl", "topic \"alerts\" {}\n")
	e.must(0, "apply", e.dir, "-auto-approve")

	e.edit("main.hcl", `policy = "quarantine"`, `policy = "reject"`)
	e.write("alerts.hcl", `domain "news.acme.example" {
  dmarc {
    policy = "none"
  }
}
`)
	p := e.must(2, "plan", e.dir, "-detailed-exitcode")
	for _, want := range []string{
		"~ domain.acme.example/dmarc (route53.record)",
		"+ domain.news.acme.example (ses.identity)",
		"- topic.alerts (sns.topic)",
	} {
		if !strings.Contains(p.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, p.stdout)
		}
	}
	// Nothing else of the existing stack changes.
	for _, unchanged := range []string{"topic.feedback (", "smtp_user.webapp (", "configuration_set.default (", "domain.acme.example (ses.identity)"} {
		if strings.Contains(p.stdout, unchanged) {
			t.Errorf("plan touches %s although it did not change:\n%s", unchanged, p.stdout)
		}
	}
	e.must(0, "apply", e.dir, "-auto-approve")
	e.must(0, "plan", e.dir, "-detailed-exitcode")

	sets := e.recordSets(zoneID)
	e.requireRecord(sets, "_dmarc.acme.example.", "TXT", `"v=DMARC1; p=reject; rua=mailto:ops@acme.example"`)
	e.requireRecord(sets, "_dmarc.news.acme.example.", "TXT", `"v=DMARC1; p=none"`)
	topics, err := sns.NewFromConfig(e.cfg()).ListTopics(e.ctx(), &sns.ListTopicsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range topics.Topics {
		if strings.HasSuffix(aws.ToString(tp.TopicArn), ":acme-prod-alerts") {
			t.Error("the dropped topic still exists")
		}
	}
}

// TestUnrelatedRecordsSurvive: a zone with 30 records mailform does not own
// and an apex TXT set holding two site-verification values; apply, change and
// destroy leave those byte-identical.
func TestUnrelatedRecordsSurvive(t *testing.T) {
	e := newEnv(t, "ses-domain")
	zoneID := e.createZone("acme.example")
	r53 := route53.NewFromConfig(e.s.Config("us-east-1"))
	var changes []r53types.Change
	add := func(name string, typ r53types.RRType, vals ...string) {
		rs := &r53types.ResourceRecordSet{Name: aws.String(name), Type: typ, TTL: aws.Int64(600)}
		for _, v := range vals {
			rs.ResourceRecords = append(rs.ResourceRecords, r53types.ResourceRecord{Value: aws.String(v)})
		}
		changes = append(changes, r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: rs})
	}
	for i := range 26 {
		add("host"+string(rune('a'+i))+".acme.example.", r53types.RRTypeA, "198.51.100."+string(rune('1'+i%9)))
	}
	add("www.acme.example.", r53types.RRTypeCname, "hosting.example.net.")
	add("acme.example.", r53types.RRTypeMx, "10 mx1.mail.example.net.", "20 mx2.mail.example.net.")
	add("_github-challenge.acme.example.", r53types.RRTypeTxt, `"3f1c2d"`)
	add("bounce2.acme.example.", r53types.RRTypeTxt, `"v=spf1 -all"`)
	add("acme.example.", r53types.RRTypeTxt, `"google-site-verification=abc123"`, `"MS=ms48213"`)
	if _, err := r53.ChangeResourceRecordSets(e.ctx(), &route53.ChangeResourceRecordSetsInput{
		HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: changes},
	}); err != nil {
		t.Fatal(err)
	}
	before := e.recordSets(zoneID)
	unrelated := func(step string) {
		t.Helper()
		now := e.recordSets(zoneID)
		n := 0
		for key, rs := range before {
			if key == "acme.example. TXT" || key == "acme.example. NS" || key == "acme.example. SOA" {
				continue
			}
			n++
			got, ok := now[key]
			if !ok || !slices.Equal(values(got), values(rs)) || aws.ToInt64(got.TTL) != aws.ToInt64(rs.TTL) {
				t.Errorf("%s: unrelated record %s changed: %v -> %v", step, key, values(rs), values(got))
			}
		}
		if n != 30 {
			t.Fatalf("%s: checked %d unrelated sets, want 30", step, n)
		}
		apex := values(now["acme.example. TXT"])
		for _, v := range []string{`"google-site-verification=abc123"`, `"MS=ms48213"`} {
			if !slices.Contains(apex, v) {
				t.Errorf("%s: the apex TXT set lost %s: %v", step, v, apex)
			}
		}
	}

	e.must(0, "apply", e.dir, "-auto-approve")
	unrelated("after apply")
	if apex := values(e.recordSets(zoneID)["acme.example. TXT"]); !slices.Contains(apex, `"v=spf1 include:amazonses.com ~all"`) || len(apex) != 3 {
		t.Errorf("apex TXT after apply = %v, want the two site values and mailform's SPF", apex)
	}

	e.edit("main.hcl", `all     = "softfail"`, `all     = "fail"`)
	e.must(0, "apply", e.dir, "-auto-approve")
	unrelated("after a change")
	if apex := values(e.recordSets(zoneID)["acme.example. TXT"]); !slices.Contains(apex, `"v=spf1 include:amazonses.com -all"`) || len(apex) != 3 {
		t.Errorf("apex TXT after the SPF change = %v", apex)
	}

	e.must(0, "apply", e.dir, "-auto-approve", "-destroy")
	unrelated("after destroy")
	after := e.recordSets(zoneID)
	if apex := values(after["acme.example. TXT"]); len(apex) != 2 {
		t.Errorf("apex TXT after destroy = %v, want only the two site values", apex)
	}
	for key := range after {
		if _, existed := before[key]; !existed {
			t.Errorf("after destroy, %s is left behind", key)
		}
	}
}

// TestDestroyRemovesOnlyTheStack: -destroy deletes everything the stack
// owns and nothing that belongs to no stack or to another.
func TestDestroyRemovesOnlyTheStack(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	ctx := e.ctx()
	// Someone else's identity and topic in the same account.
	v2 := sesv2.NewFromConfig(e.cfg())
	if _, err := v2.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("other.example")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(e.cfg()).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("someone-elses")}); err != nil {
		t.Fatal(err)
	}
	e.must(0, "apply", e.dir, "-auto-approve")
	p := e.must(0, "plan", e.dir, "-destroy")
	if !strings.Contains(p.stdout, "to destroy") || strings.Contains(p.stdout, "other.example") {
		t.Errorf("destroy plan:\n%s", p.stdout)
	}
	e.must(0, "apply", e.dir, "-auto-approve", "-destroy")

	if _, err := v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")}); err == nil {
		t.Error("the stack's identity survived -destroy")
	}
	if _, err := v2.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("other.example")}); err != nil {
		t.Errorf("an unowned identity was deleted: %v", err)
	}
	topics, err := sns.NewFromConfig(e.cfg()).ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(topics.Topics) != 1 || !strings.HasSuffix(aws.ToString(topics.Topics[0].TopicArn), ":someone-elses") {
		t.Errorf("topics after destroy = %+v", topics.Topics)
	}
	if _, err := iam.NewFromConfig(e.cfg()).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("acme-prod-smtp-webapp")}); err == nil {
		t.Error("the SMTP user survived -destroy")
	}
	// A second destroy has nothing to do.
	again := e.must(0, "plan", e.dir, "-destroy", "-detailed-exitcode")
	if !strings.Contains(again.stdout, "No changes") {
		t.Errorf("second destroy plan:\n%s", again.stdout)
	}
}

// TestUnownedIdentityIsRefused: a declared identity that exists without the
// stack's mark is an error at its block, with the way to adopt it.
func TestUnownedIdentityIsRefused(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	if _, err := sesv2.NewFromConfig(e.cfg()).CreateEmailIdentity(e.ctx(), &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("acme.example")}); err != nil {
		t.Fatal(err)
	}
	r := e.must(1, "plan", e.dir)
	for _, want := range []string{"main.hcl:", "domain.acme.example", "-adopt"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("plan error lacks %q:\n%s", want, r.stderr)
		}
	}
	e.must(0, "apply", e.dir, "-auto-approve", "-adopt", "domain.acme.example")
	e.must(0, "plan", e.dir, "-detailed-exitcode")
}
