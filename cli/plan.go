package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/plan/planfile"
	"github.com/mailform/mailform/providers/route53"
	"github.com/mailform/mailform/specs"
)

// awsFlags are the flags that say which AWS to talk to.
type awsFlags struct {
	profile     string
	region      string
	endpointURL string
	debug       bool
}

func (f *awsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "AWS shared-config `PROFILE` (default: the spec's profile, then the default credential chain)")
	fs.StringVar(&f.region, "region", "", "AWS `REGION` (default: the spec's region)")
	fs.BoolVar(&f.debug, "debug", false, "log every AWS call to stderr (service, operation, duration, retries, throttles; no secrets); "+DebugEnv+"=1 works too")
	fs.StringVar(&f.endpointURL, "endpoint-url", "", "send every AWS call to `URL` (a local AWS double such as 'mailform sandbox'); AWS_ENDPOINT_URL works too")
}

// planFlags are the flags shared by plan and apply that shape the plan.
type planFlags struct {
	destroy bool
	targets stringList
	adopt   stringList
	replace stringList
	refresh refreshFlag
}

func (f *planFlags) register(fs *flag.FlagSet) {
	f.refresh.register(fs)
	fs.BoolVar(&f.destroy, "destroy", false, "plan to delete everything the stack owns (and nothing else)")
	fs.Var(&f.targets, "target", "limit the plan to the resource at `ADDR` and what it needs (repeatable)")
	fs.Var(&f.adopt, "adopt", "take over the existing, unowned resource at `ADDR` by marking it as the stack's (repeatable)")
	fs.Func("adopt-file", "adopt every address listed in `FILE`, one a line, as -adopt does ('mailform import' writes it)", func(path string) error {
		addrs, err := readAdoptFile(path)
		f.adopt = append(f.adopt, addrs...)
		return err
	})
	fs.Var(&f.replace, "replace", "replace the resource at `ADDR` although it did not change; for smtp_user.NAME: rotate its key and password (repeatable)")
}

func (f *planFlags) options(spec *specs.Spec) plan.Options {
	return plan.Options{Stack: spec.Stack, Region: spec.Region, Destroy: f.destroy, Targets: f.targets, Adopt: f.adopt, Replace: f.replace}
}

// defaultMarkdownMax keeps a plan comment within GitHub's limit of 65,536
// characters, with room for a pipeline's own lines (a marker, a link).
const defaultMarkdownMax = 60000

func planCommand() *command {
	c := &command{
		name:     "plan",
		synopsis: "Show what apply would change in AWS",
		usage:    "mailform plan [PATH] [-out FILE] [-json|-markdown] [-detailed-exitcode] [-destroy] [-target ADDR] [-var NAME=VALUE]",
		help: `Reads the spec and the live state of the AWS account (SES, Route 53, IAM, SNS,
SQS, EC2, CloudWatch alarms, secret stores), and shows what apply would do to make AWS match:
create (+), update in place (~), replace (-/+) or delete (-), attribute by
attribute. Values only AWS can tell (DKIM tokens, ARNs, addresses) show as
(known after apply); secrets show as (sensitive) and never appear anywhere.

mailform changes and deletes only what carries the stack's mark. Records of
domains whose DNS is not in a declared zone are listed for you to publish.

-out FILE saves the plan (no secrets) for 'mailform apply FILE', which refuses it
if live state has changed since. -json prints the plan in the schema of
docs/plan-json.md; -markdown prints it for a pull-request comment, which
-markdown-max keeps within GitHub's 65,536-character limit: a longer plan
shows its counts and first changes, and says how many more it leaves out.

-refresh=full describes every SES identity of the spec one at a time (1 SES
call each: about 17 minutes per 1,000 identities at SES's 1 request/s) and so
also sees changes made outside mailform to an identity's default
configuration set, DKIM key length and BYODKIM selector; the default,
-refresh=batch, reads 100 identities a call and trusts what mailform recorded
for those (docs/performance.md). Use -refresh=full for a daily drift check.

Exit status: 0 no changes, 1 error, and with -detailed-exitcode 2 when there are
changes (use it for drift checks).`,
		example: `mailform plan
mailform plan -refresh=full -detailed-exitcode
mailform plan examples/ses-domain -out ses.plan
mailform plan -markdown > plan.md
mailform plan -detailed-exitcode >/dev/null; case $? in 0) echo "no drift";; 2) echo "drift";; *) exit 1;; esac`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, specGroup|awsGroup)
		var pf planFlags
		pf.register(st.fs)
		out := st.fs.String("out", "", "save the plan to `FILE` for 'mailform apply FILE'")
		asJSON := st.fs.Bool("json", false, "print the plan as JSON (docs/plan-json.md)")
		asMarkdown := st.fs.Bool("markdown", false, "print the plan as Markdown, for a pull-request comment")
		markdownMax := st.fs.Int("markdown-max", defaultMarkdownMax, "with -markdown: at most `CHARS` characters; a longer plan is summarised (0: no limit)")
		detailed := st.fs.Bool("detailed-exitcode", false, "exit 2 when there are changes, 0 when there are none")
		code, ok := st.parse(args)
		if !ok {
			return code
		}
		if *markdownMax < 0 {
			errorf(io.Stderr, fmt.Errorf("-markdown-max must be 0 (no limit) or more, got %d", *markdownMax))
			return ExitError
		}
		if *asJSON && *asMarkdown {
			errorf(io.Stderr, fmt.Errorf("-json and -markdown cannot be used together"))
			return ExitError
		}
		view := newPlanView(io, *asJSON, *asMarkdown, *markdownMax, st.color())
		path, spec, sess, ok := st.loadAndConnect(ctx, st.args)
		if !ok {
			return ExitError
		}
		p, _, ok := sess.makePlan(ctx, spec, pf, path, st.color())
		if !ok {
			return ExitError
		}
		if *out != "" {
			p.SpecDir = filepath.ToSlash(path)
			if err := savePlan(*out, p); err != nil {
				errorf(io.Stderr, err)
				return ExitError
			}
		}
		if err := view.Plan(p, *out); err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		if *detailed && p.HasChanges() {
			return ExitChanges
		}
		return ExitOK
	}
	return c
}

// makePlan reads live state and diffs the spec against it, printing
// diagnostics. It returns the plan and the state it was made from.
func (s *session) makePlan(ctx context.Context, spec *specs.Spec, pf planFlags, path string, color bool) (*plan.Plan, []plan.Observed, bool) {
	desired := spec.Resources()
	pf.refresh.apply(s)
	observed, err := s.read(ctx, desired)
	var missingZones *route53.MissingZonesError
	if errors.As(err, &missingZones) {
		printDiagnosticsWithFiles(s.io.Stderr, missingZoneDiagnostics(spec, missingZones), spec.Files(), path, color)
		return nil, nil, false
	}
	if err != nil {
		errorf(s.io.Stderr, err)
		return nil, nil, false
	}
	opts := pf.options(spec)
	p, diags := plan.Make(desired, observed, opts)
	diags = append(diags, problemDiagnostics(s.problems, desired, opts)...)
	p.Account = s.account
	if len(diags) > 0 {
		printDiagnosticsWithFiles(s.io.Stderr, diags, spec.Files(), path, color)
	}
	if diags.HasErrors() {
		return nil, nil, false
	}
	return p, observed, true
}

// missingZoneDiagnostics reports each zone that has no hosted zone at its
// block, with the two ways out.
func missingZoneDiagnostics(spec *specs.Spec, missing *route53.MissingZonesError) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range missing.Names {
		bare := strings.TrimSuffix(name, ".")
		diag := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("No public hosted zone %s in the account", bare),
			Detail: fmt.Sprintf("Nothing was changed. Create the zone (aws route53 create-hosted-zone --name %s --caller-reference mailform-%s) and delegate the domain to its name servers, "+
				"or drop the zone block: mailform then lists the domain's records for you to publish at your DNS provider.", bare, bare),
		}
		for _, z := range spec.Zones {
			if specs.Fqdn(z.Name) == name {
				rng := z.Range
				diag.Subject = &rng
			}
		}
		diags = append(diags, diag)
	}
	return diags
}

// savePlan writes a plan file atomically.
func savePlan(path string, p *plan.Plan) error {
	var buf bytes.Buffer
	if err := planfile.Save(&buf, p); err != nil {
		return fmt.Errorf("encoding the plan: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mailform-plan-*")
	if err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("saving the plan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	return nil
}

// desiredFromPlan rebuilds the desired resources a saved plan creates or
// updates, so that providers read exactly what it touches.
func desiredFromPlan(p *plan.Plan) []specs.Resource {
	var out []specs.Resource
	for _, ch := range append(append([]plan.Change(nil), p.Changes...), p.Manual...) {
		attrs := ch.After
		if attrs == nil {
			attrs = ch.Before
		}
		out = append(out, specs.Resource{Addr: ch.Addr, Kind: ch.Kind, Attrs: attrs, DependsOn: ch.DependsOn, DeclRange: ch.DeclRange})
	}
	return out
}

var _ = hcl.Range{}
