package cli

import (
	"context"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	snssdk "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/mailform/mailform/check"
	"github.com/mailform/mailform/internal/awscfg"
	"github.com/mailform/mailform/internal/secrets"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/providers/cloudwatch"
	"github.com/mailform/mailform/providers/dkimkey"
	"github.com/mailform/mailform/providers/ec2"
	"github.com/mailform/mailform/providers/iam"
	"github.com/mailform/mailform/providers/route53"
	"github.com/mailform/mailform/providers/ses"
	"github.com/mailform/mailform/providers/sns"
	"github.com/mailform/mailform/providers/sqs"
	"github.com/mailform/mailform/specs"
)

// services are the providers of one session, built on one AWS configuration
// so that they share its pacing.
type services struct {
	route53 *route53.Provider
	ses     *ses.Provider
	iam     *iam.Provider
	sns     *sns.Provider
	sqs     *sqs.Provider
	dkimkey *dkimkey.Provider
	ec2     *ec2.Provider
	secrets *secrets.Router
	alarms  *cloudwatch.Provider
}

// newServices builds every provider. zones are the hosted zones the spec
// declares, where the Route 53 provider also looks for records of removed
// blocks; specDir anchors file: secret locations; timeScale (PacingEnv, 1
// against AWS) divides the pauses between polls (Route 53 change status,
// SES verification, reverse-DNS status) and the window in which a search may
// miss a new Elastic IP, so that against a time-scaled double mailform waits
// in step with its scaled delays.
func newServices(cfg aws.Config, specDir string, zones []route53.ZoneRef, timeScale float64, caller callerIdentity) services {
	store := secrets.Open(cfg, specDir)
	who := awscfg.CallerOf(caller.out)
	return services{
		route53: route53.New(cfg, route53.Options{Zones: zones, PollInterval: time.Duration(float64(route53.DefaultPollInterval) / timeScale)}),
		ses: ses.New(cfg, store, ses.Options{
			AccountID: who.Account, Partition: who.Partition,
			PollInterval: time.Duration(float64(ses.DefaultPollInterval) / timeScale),
		}),
		iam:     iam.New(cfg, store),
		sns:     sns.NewWithAPI(snssdk.NewFromConfig(cfg), caller, cfg.Region),
		sqs:     sqs.New(cfg),
		dkimkey: dkimkey.New(store),
		ec2: ec2.New(cfg, ec2.Options{
			PollInterval: time.Duration(float64(ec2.DefaultPollInterval) / timeScale),
			ListSettle:   time.Duration(float64(ec2.DefaultListSettle) / timeScale),
		}),
		secrets: store,
		alarms:  cloudwatch.New(cfg),
	}
}

func (s services) all() []providers.Provider {
	return []providers.Provider{s.route53, s.ses, s.iam, s.sns, s.sqs, s.dkimkey, s.ec2, s.alarms}
}

// zoneRefs lists the zones a spec declares.
func zoneRefs(spec *specs.Spec) []route53.ZoneRef {
	var out []route53.ZoneRef
	for _, z := range spec.Zones {
		out = append(out, route53.ZoneRef{Name: specs.Fqdn(z.Name), ID: z.ZoneID})
	}
	return out
}

// specDirOfPlan is the folder of the spec a saved plan was made from, as
// its changes' source ranges name it, so that file: secret locations are
// found beside the spec, as when planning, and not in the current folder.
// It is "" when no change names its source (a plan of deletes only).
func specDirOfPlan(p *plan.Plan) string {
	for _, ch := range append(append([]plan.Change(nil), p.Changes...), p.Manual...) {
		if ch.DeclRange.Filename != "" {
			return filepath.Dir(ch.DeclRange.Filename)
		}
	}
	return ""
}

// zoneRefsOfPlan lists the zones the records of a saved plan live in.
func zoneRefsOfPlan(p *plan.Plan) []route53.ZoneRef {
	seen := map[string]bool{}
	var out []route53.ZoneRef
	for _, ch := range p.Changes {
		if ch.Kind != specs.KindRoute53Record {
			continue
		}
		for _, attrs := range []map[string]any{ch.After, ch.Before} {
			if z, ok := attrs["zone"].(string); ok && !seen[z] {
				seen[z] = true
				id, _ := attrs["zone_id"].(string)
				out = append(out, route53.ZoneRef{Name: z, ID: id})
			}
		}
	}
	return out
}

// waitForVerification waits for SES to verify the domain and email
// identities the plan manages, printing progress. It is false only when
// verification failed for good (SES gave up, an identity is missing) or
// the wait itself broke: identities still pending when the time is up are
// not a failure of the apply, and are summarised with what DNS answers
// (applyView.NotYetVerified).
func (s *session) waitForVerification(ctx context.Context, p *plan.Plan, observed []plan.Observed, timeout time.Duration, view applyView, dnsServer string) bool {
	identities := check.IdentitiesToVerify(p.Stack, observed)
	if len(identities) == 0 {
		return true
	}
	view.Waiting(timeout, len(identities))
	v := check.WaitForVerification(ctx, s.services.ses, identities, timeout, dnsServer, view.WaitProgress)
	switch {
	case v.Err == nil:
		view.Verified(v.Results, len(identities), v.Waited)
		return true
	case v.Pending:
		// Not an error: SES searches DNS for up to 72 hours, and 'mailform
		// check' or 'mailform status' follow it up.
		view.NotYetVerified(v.Results, v.Served, v.Waited)
		return true
	}
	view.NotVerified(v.Results)
	hint := "check what your DNS serves for the records above; run 'mailform apply -wait' again to keep waiting"
	if v.GaveUp {
		hint = "SES stopped looking; fix the records, then run 'mailform apply' again to restart verification"
	}
	errorf(s.io.Stderr, v.Err, hint)
	return false
}
