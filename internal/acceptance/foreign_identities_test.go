package acceptance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/specs"
)

// createForeignIdentities creates, in e's region, identities that are not
// stack acme-prod's but look like its: names that share acme.example as
// prefix or suffix, the stack's tag keys with other values (another stack, a
// stack whose name starts with acme-prod, an empty one), the address tag
// alone, a key that differs in case, and n plain customer domains.
func (e *env) createForeignIdentities(n int) []string {
	e.t.Helper()
	v2 := sesv2.NewFromConfig(e.cfg())
	ids := map[string]map[string]string{
		"acme.example.other.example": nil,
		"mail.acme.example":          {specs.TagStack: "other-stack", specs.TagAddr: "domain.mail.acme.example"},
		"acme.examples":              {specs.TagStack: "acme-prod-2", specs.TagAddr: "domain.acme.example"},
		"addr-only.example":          {specs.TagAddr: "domain.acme.example"},
		"case.example":               {"Mailform:Stack": "acme-prod"},
		"empty.example":              {specs.TagStack: ""},
	}
	for i := range n {
		ids[fmt.Sprintf("customer%04d.example", i)] = map[string]string{"customer": "yes"}
	}
	var names []string
	for _, name := range specs.SortedKeys(ids) {
		in := &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String(name)}
		for _, k := range specs.SortedKeys(ids[name]) {
			in.Tags = append(in.Tags, sestypes.Tag{Key: aws.String(k), Value: aws.String(ids[name][k])})
		}
		if _, err := v2.CreateEmailIdentity(e.ctx(), in); err != nil {
			e.t.Fatalf("CreateEmailIdentity %s: %v", name, err)
		}
		names = append(names, name)
	}
	return names
}

// requireIdentities fails unless every name is still an identity, with the
// tags it had.
func (e *env) requireIdentitiesUntouched(names []string, tagsBefore map[string]int) {
	e.t.Helper()
	v2 := sesv2.NewFromConfig(e.cfg())
	for _, name := range names {
		out, err := v2.GetEmailIdentity(e.ctx(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(name)})
		if err != nil {
			e.t.Errorf("identity %s that is not the stack's: %v", name, err)
			continue
		}
		if tagsBefore != nil && len(out.Tags) != tagsBefore[name] {
			e.t.Errorf("identity %s: %d tags, had %d", name, len(out.Tags), tagsBefore[name])
		}
	}
}

// TestForeignIdentitiesCostNoReads: identities of the region that are not the
// stack's are never described by a plan, whatever their names and tags, and
// survive apply, destroy and a lost mark.
func TestForeignIdentitiesCostNoReads(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	foreign := e.createForeignIdentities(40)
	tags := map[string]int{}
	for _, name := range foreign {
		out, err := sesv2.NewFromConfig(e.cfg()).GetEmailIdentity(e.ctx(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		tags[name] = len(out.Tags)
	}

	e.must(0, "apply", e.dir, "-auto-approve")
	e.s.ResetCounts()
	e.must(0, "plan", e.dir, "-detailed-exitcode")
	ses := e.s.Counts()["ses"]
	if ses["GetEmailIdentity"] != 0 || ses["ListEmailIdentities"] != 0 || ses["GetIdentityDkimAttributes"] != 1 {
		t.Errorf("no-change plan of 1 declared identity among %d: SES calls %v, want the batch reads of 1 identity, no list, no GetEmailIdentity", len(foreign), ses)
	}
	e.s.ResetCounts()
	e.must(0, "plan", e.dir, "-detailed-exitcode", "-refresh=full")
	if ses := e.s.Counts()["ses"]; ses["GetEmailIdentity"] != 1 || ses["ListEmailIdentities"] != 0 {
		t.Errorf("no-change plan -refresh=full of 1 declared identity among %d: SES calls %v, want 1 GetEmailIdentity and no list", len(foreign), ses)
	}

	// apply and check with nothing to change read the same cheap way.
	e.s.ResetCounts()
	e.must(0, "apply", e.dir, "-auto-approve")
	if ses := e.s.Counts()["ses"]; ses["GetEmailIdentity"] != 0 || ses["ListEmailIdentities"] != 0 {
		t.Errorf("apply with nothing to change: SES calls %v, want no GetEmailIdentity and no list", ses)
	}
	e.s.ResetCounts()
	e.check(0)
	// Beside the read, check asks SES for the verification status of the
	// one identity: one GetEmailIdentity, cheaper than the three v1 batch
	// reads it uses for more identities (providers/ses wait.go).
	if ses := e.s.Counts()["ses"]; ses["GetEmailIdentity"] > 1 || ses["ListEmailIdentities"] != 0 {
		t.Errorf("check: SES calls %v, want at most the status read's GetEmailIdentity and no list", ses)
	}

	// The stack's identity loses its mark: it is no longer the stack's, and
	// -destroy leaves it.
	v2 := sesv2.NewFromConfig(e.cfg())
	arn := "arn:aws:ses:" + e.region + ":" + awstest.AccountID + ":identity/acme.example"
	if _, err := v2.UntagResource(e.ctx(), &sesv2.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{specs.TagStack}}); err != nil {
		t.Fatal(err)
	}
	p := e.must(0, "plan", e.dir, "-destroy")
	if strings.Contains(p.stdout, "- domain.acme.example ") || strings.Contains(p.stdout, "example.other") {
		t.Errorf("destroy plan touches identities that are not the stack's:\n%s", p.stdout)
	}
	e.must(0, "apply", e.dir, "-auto-approve", "-destroy")
	e.requireIdentitiesUntouched(append(foreign, "acme.example"), nil)
	e.requireIdentitiesUntouched(foreign, tags)
}

// TestEC2OnlySpecReadsNoIdentity: a spec without SES identities makes no
// per-identity SES call, however many identities the region holds.
func TestEC2OnlySpecReadsNoIdentity(t *testing.T) {
	n := newNorthwind(t)
	foreign := n.createForeignIdentities(40)
	n.s.ResetCounts()
	n.must(0, "plan", n.dir)
	ses := n.s.Counts()["ses"]
	if ses["GetEmailIdentity"] != 0 || ses["ListEmailIdentities"] != 0 {
		t.Errorf("plan of an EC2-only spec among %d identities: SES calls %v, want no identity read", len(foreign), ses)
	}
}

// TestPlainPlanTrustsRecordedSettings: a change made outside mailform to an
// identity's default configuration set goes unseen by a plain plan and is
// seen by plan -refresh=full (docs/performance.md); a MAIL FROM change is
// seen by both.
func TestPlainPlanTrustsRecordedSettings(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	e.must(0, "apply", e.dir, "-auto-approve")
	v2 := sesv2.NewFromConfig(e.cfg())
	if _, err := v2.CreateConfigurationSet(e.ctx(), &sesv2.CreateConfigurationSetInput{ConfigurationSetName: aws.String("someone-elses")}); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.PutEmailIdentityConfigurationSetAttributes(e.ctx(), &sesv2.PutEmailIdentityConfigurationSetAttributesInput{
		EmailIdentity: aws.String("acme.example"), ConfigurationSetName: aws.String("someone-elses"),
	}); err != nil {
		t.Fatal(err)
	}
	e.must(0, "plan", e.dir, "-detailed-exitcode")
	full := e.must(2, "plan", e.dir, "-detailed-exitcode", "-refresh=full")
	if !strings.Contains(full.stdout, "someone-elses") {
		t.Errorf("plan -refresh=full does not show the configuration set's drift:\n%s", full.stdout)
	}
	e.must(0, "apply", e.dir, "-auto-approve", "-refresh=full")
	e.must(0, "plan", e.dir, "-detailed-exitcode", "-refresh=full")

	if _, err := v2.PutEmailIdentityMailFromAttributes(e.ctx(), &sesv2.PutEmailIdentityMailFromAttributesInput{
		EmailIdentity: aws.String("acme.example"), MailFromDomain: aws.String("elsewhere.acme.example"),
	}); err != nil {
		t.Fatal(err)
	}
	e.must(2, "plan", e.dir, "-detailed-exitcode")
}

// TestStaleTagIndexNeverLeadsToAChange: the stack's identity loses its mark
// while the Tagging API's index still shows it (the double's index lags tag
// changes by ListLag). A plan may take the index's word for the declared
// identity, but apply describes it first and refuses to change it, and
// -destroy refuses to delete it.
func TestStaleTagIndexNeverLeadsToAChange(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	e.must(0, "apply", e.dir, "-auto-approve")
	// The identity is hours old when the lag starts, so that the index
	// shows it, with the tags it had before the change below.
	if err := e.s.Configure(func(o *awstest.Options) { o.ListLag = time.Hour }); err != nil {
		t.Fatal(err)
	}
	e.s.SetClock(func() time.Time { return time.Now().Add(3 * time.Hour) })
	t.Cleanup(func() { e.s.SetClock(nil) })
	v2 := sesv2.NewFromConfig(e.cfg())
	arn := "arn:aws:ses:" + e.region + ":" + awstest.AccountID + ":identity/acme.example"
	if _, err := v2.UntagResource(e.ctx(), &sesv2.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{specs.TagStack}}); err != nil {
		t.Fatal(err)
	}

	e.edit("main.hcl", `subdomain     = "bounce"`, `subdomain     = "returns"`)
	// The plan takes the index's word: the stack's identity, to update.
	p := e.must(2, "plan", e.dir, "-detailed-exitcode")
	if !strings.Contains(p.stdout, "~ domain.acme.example (ses.identity)") {
		t.Fatalf("the plan does not update the identity the stale index shows as the stack's; the index is not stale:\n%s", p.stdout)
	}
	// apply describes it first, and refuses.
	res := e.mailform("apply", e.dir, "-auto-approve")
	if res.code != 1 || !strings.Contains(res.stderr, "acme.example") {
		t.Errorf("apply of the identity that lost the mark: exit %d, want a refusal\n%s", res.code, res.stderr)
	}
	out, err := v2.GetEmailIdentity(e.ctx(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	if mf := aws.ToString(out.MailFromAttributes.MailFromDomain); mf != "bounce.acme.example" {
		t.Errorf("the identity that lost the mark was changed: MAIL FROM %s", mf)
	}

	// -destroy: the plan, made from the stale index, may list the
	// identity; apply describes it before deleting, and refuses.
	res = e.mailform("apply", e.dir, "-auto-approve", "-destroy")
	if res.code != 1 {
		t.Errorf("apply -destroy with the identity that lost the mark: exit %d, want a refusal\n%s", res.code, res.stderr)
	}
	if _, err := v2.GetEmailIdentity(e.ctx(), &sesv2.GetEmailIdentityInput{EmailIdentity: aws.String("acme.example")}); err != nil {
		t.Errorf("the identity that lost the mark was deleted: %v", err)
	}
}
