package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/mailform/mailform/importer"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// Files `mailform import` writes in its -out folder.
const (
	importSpecFile  = "main.hcl"
	importAdoptFile = "adopt.txt"
)

func importCommand() *command {
	c := &command{
		name:     "import",
		synopsis: "Write a spec, and the list of what to adopt, from an account set up by hand",
		usage:    "mailform import -stack NAME (-domain NAME ... | -all) [-dns-only] [-smtp-credentials PREFIX] [-out DIR] [-force] [-json] [-region REGION] [-profile PROFILE]",
		help: `Reads what the account already holds in one region: SES identities (DKIM mode
and key length, MAIL FROM, default configuration set, feedback topics), their
configuration sets and event destinations, the SNS topics and SQS queues these
use, the account's suppression list, and the DMARC and SPF records of the
domains in the account's Route 53 zones (with -dns-only, a -domain that has
no SES identity is written with ses_identity = false: its SPF and DMARC, for
mail sent from your own servers), the stack's reputation alarms, the Elastic
IPs whose reverse DNS names a host of those domains, or, without reverse DNS,
that an A record of their zones names and their SPF lists (as mta blocks naming
the address to adopt), the DKIM keys of your own signers (TXT records under
_domainkey, as record blocks: their private keys are not in the account), and the IAM users that send through SES's SMTP interface
(as smtp_user blocks whose adoption keeps the access key, and the password,
in use; -smtp-credentials says where a later rotation stores the new one).
Writes DIR/main.hcl, a spec in the
canonical layout (as 'mailform fmt' writes it), and DIR/adopt.txt, the
addresses to adopt, one a line, for 'plan -adopt-file' and 'apply -adopt-file'.
It changes nothing in AWS.

Configuration sets and topics are named <stack>-<label> by mailform: those of
other names cannot be declared, and are reported. So are what belongs to
another stack, records with routing policies, and a BYODKIM key SES holds,
which cannot be read. No secret value is ever written.

Before writing, import plans the spec against the account: a value the spec
language cannot write exactly (a DMARC tag it has no attribute for) is written
as a record block instead, and whatever would still change beyond adopting is
listed. DIR must be empty or absent; -force replaces main.hcl and adopt.txt in
it. Exit status: 0 written, 1 error or nothing found (nothing written).`,
		example: `mailform import -stack acme-prod -domain acme.example -out acme-prod
mailform plan acme-prod -adopt-file acme-prod/adopt.txt
mailform import -stack acme-prod -all -out imported -json | jq -r '.adopt[]'`,
	}
	c.run = func(ctx context.Context, io IO, args []string) int {
		st := start(c, io, awsGroup)
		fs := st.fs
		// import has no spec to take a region or profile from.
		fs.Lookup("region").Usage = "the AWS `REGION` to read (default: AWS_REGION, then AWS_DEFAULT_REGION, then the region of the AWS profile)"
		fs.Lookup("profile").Usage = "AWS shared-config `PROFILE` (default: AWS_PROFILE, then the default credential chain)"
		var domains stringList
		fs.Var(&domains, "domain", "import the SES identity `NAME` (a domain; its email-address identities too), its records and what it uses (repeatable)")
		all := fs.Bool("all", false, "import every SES identity of the region")
		dnsOnly := fs.Bool("dns-only", false, "import a -domain that has no SES identity but a hosted zone (mail from your own servers) with ses_identity = false: its SPF and DMARC")
		stack := fs.String("stack", "", "the `NAME` of the stack the spec declares (required): configuration sets and topics named NAME-<label> become its blocks")
		out := fs.String("out", "", "write the spec into `DIR` (default: the stack name)")
		force := fs.Bool("force", false, "replace main.hcl and adopt.txt in a folder that is not empty")
		smtpCredentials := fs.String("smtp-credentials", "", "the secret location `PREFIX` of the SMTP users' credentials: each smtp_user gets PREFIX<label> (default ssm:/<stack>/smtp/); nothing is stored there until you rotate with apply -replace")
		asJSON := fs.Bool("json", false, "print the outcome as JSON on stdout")
		code, ok := st.parse(args)
		if !ok {
			return code
		}
		view := newImportView(io, *asJSON)
		positional := st.args
		if len(positional) > 0 {
			errorf(io.Stderr, fmt.Errorf("import takes no arguments, got %s", strings.Join(positional, " ")), "name domains with -domain NAME, or give -all")
			return ExitError
		}
		if *stack == "" {
			errorf(io.Stderr, errors.New("-stack NAME is required"), "the stack is the name mailform marks what it manages with, such as -stack acme-prod")
			return ExitError
		}
		dir := *out
		if dir == "" {
			dir = *stack
		}
		if err := checkImportDir(dir, *force); err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		sess, ok := st.connectFor(ctx, *stack, "", dir, nil)
		if !ok {
			return ExitError
		}
		res, err := importer.Import(ctx, importAccount{sess}, importer.Options{
			Stack: *stack, Region: sess.region, Domain: domains, All: *all, DNSOnly: *dnsOnly, SMTPCredentials: *smtpCredentials,
			Progress: func(line string) { fmt.Fprintf(io.Stderr, "Import: %s...\n", line) },
		})
		if err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		for _, n := range res.Notes {
			fmt.Fprintf(io.Stderr, "warning: not imported as found: %s: %s\n", n.Thing, n.Reason)
		}
		if res.Blocks == 0 {
			err := fmt.Errorf("found nothing to import in %s for %s", sess.region, importWhat(domains, *all))
			var hints []string
			if len(res.Notes) > 0 {
				hints = append(hints, "the warnings above say what was found and why it is not imported")
			}
			if len(res.Identities) > 0 {
				hints = append(hints, fmt.Sprintf("the identities of %s are: %s", sess.region, strings.Join(firstN(res.Identities, 10), ", ")))
			} else {
				hints = append(hints, fmt.Sprintf("%s holds no SES identity; is the region right? give -region", sess.region))
			}
			errorf(io.Stderr, err, hints...)
			return ExitError
		}
		if err := writeImport(dir, res); err != nil {
			errorf(io.Stderr, err)
			return ExitError
		}
		for _, p := range res.Pending {
			fmt.Fprintf(io.Stderr, "warning: beyond adopting, a plan of the spec changes %s\n", p)
		}
		specPath, adoptPath := filepath.Join(dir, importSpecFile), filepath.Join(dir, importAdoptFile)
		return exitOf(io, view.Outcome(importOutcome{stack: *stack, region: sess.region, dir: dir, specPath: specPath, adoptPath: adoptPath, res: res}))
	}
	return c
}

// importAccount is what an import reads: the session's providers.
type importAccount struct{ s *session }

func (a importAccount) IdentityNames(ctx context.Context) ([]string, error) {
	return a.s.services.ses.IdentityNames(ctx)
}

func (a importAccount) IdentityOwners(ctx context.Context) (map[string]string, error) {
	return a.s.services.ses.IdentityOwners(ctx)
}

func (a importAccount) ConfigurationSetNames(ctx context.Context) ([]string, error) {
	return a.s.services.ses.ConfigurationSetNames(ctx)
}

func (a importAccount) PublicZoneNames(ctx context.Context) ([]string, error) {
	return a.s.services.route53.PublicZoneNames(ctx)
}

func (a importAccount) SMTPUsers(ctx context.Context) ([]importer.SMTPUser, error) {
	users, err := a.s.services.iam.SendingUsers(ctx)
	out := make([]importer.SMTPUser, len(users))
	for i, u := range users {
		out[i] = importer.SMTPUser{Name: u.Name, Owner: u.Owner, Policy: u.Policy, Path: u.Path, Policies: u.Policies}
	}
	return out, err
}

func (a importAccount) ElasticIPs(ctx context.Context) ([]importer.ElasticIP, error) {
	addrs, err := a.s.services.ec2.Addresses(ctx)
	out := make([]importer.ElasticIP, len(addrs))
	for i, x := range addrs {
		out[i] = importer.ElasticIP{PublicIP: x.PublicIP, AllocationID: x.AllocationID, PTR: x.PTR, Owner: x.Owner,
			InstanceID: x.InstanceID, NetworkInterfaceID: x.NetworkInterfaceID}
	}
	return out, err
}

func (a importAccount) ZoneRecordSets(ctx context.Context, zones []string) ([]importer.RecordSet, error) {
	sets, err := a.s.services.route53.ZoneRecordSets(ctx, zones)
	out := make([]importer.RecordSet, len(sets))
	for i, x := range sets {
		out[i] = importer.RecordSet{Name: x.Name, Type: x.Type, TTL: x.TTL, Values: x.Values, Simple: x.Simple}
	}
	return out, err
}

func (a importAccount) ReputationAlarms(ctx context.Context) ([]string, error) {
	return a.s.services.alarms.AccountWatched(ctx)
}

func (a importAccount) Read(ctx context.Context, desired []specs.Resource) ([]plan.Observed, error) {
	return a.s.read(ctx, desired)
}

// checkImportDir refuses a folder that holds anything, unless force.
func checkImportDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("-out %s: %w", dir, err)
	}
	if len(entries) > 0 && !force {
		return fmt.Errorf("-out %s is not empty: import writes a new spec and overwrites nothing; give an empty or new folder, or -force to replace %s and %s in it", dir, importSpecFile, importAdoptFile)
	}
	return nil
}

// writeImport writes the adoption list, then the spec, each to a temporary
// file renamed into place, so that an interrupted import leaves no
// half-written file.
func writeImport(dir string, res *importer.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var adopt strings.Builder
	adopt.WriteString("# Addresses to adopt, one a line: mailform plan|apply -adopt-file " + importAdoptFile + "\n")
	for _, a := range res.Adopt {
		adopt.WriteString(a + "\n")
	}
	if err := writeFileAtomic(filepath.Join(dir, importAdoptFile), []byte(adopt.String())); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, importSpecFile), res.Spec)
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mailform-import-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// readAdoptFile reads an adoption list: one address a line; blank lines
// are skipped and # starts a comment, on its own line or after an address
// and a space (an address holds no space, but a label may hold a #). A
// leading byte-order mark, which Windows editors write, is dropped.
func readAdoptFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	first := true
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if first {
			line = strings.TrimPrefix(line, "\ufeff")
			first = false
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		if i := strings.Index(line, "\t#"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !adoptAddress.MatchString(line) {
			return nil, fmt.Errorf("line %d: %q is not a resource address (KIND.NAME, such as domain.acme.example, one a line); is %s the list 'mailform import' wrote (adopt.txt)?", n, line, path)
		}
		out = append(out, line)
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return nil, fmt.Errorf("line %d: longer than %d bytes, so not a resource address; is %s the list 'mailform import' wrote (adopt.txt)?", n+1, bufio.MaxScanTokenSize, path)
	}
	return out, sc.Err()
}

// adoptAddress is the shape of a resource address in an adoption list: a
// kind, then "." or "/" and a name without spaces or control characters
// ("account" alone is one). It tells an adoption list from another file.
var adoptAddress = regexp.MustCompile(`^[a-z][a-z0-9_]*([./][^\s\x00-\x1f\x7f]+)?$`)

func importWhat(domains []string, all bool) string {
	if all {
		return "-all"
	}
	return "-domain " + strings.Join(domains, ", -domain ")
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string(nil), s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// exitOf is the exit code of writing a command's output: ExitOK, or
// ExitError with err printed.
func exitOf(io IO, err error) int {
	if err != nil {
		errorf(io.Stderr, err)
		return ExitError
	}
	return ExitOK
}
