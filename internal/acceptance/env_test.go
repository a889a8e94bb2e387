// Package acceptance runs mailform as a user does (the command line, in
// process) against the local AWS double, and checks what AWS holds afterwards
// with the SDK, never with mailform's own readers.
package acceptance

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/mailform/mailform/cli"
	"github.com/mailform/mailform/internal/awstest"
)

func TestMain(m *testing.M) {
	if startE2E() {
		// The end-to-end suite uses the caller's credentials and endpoint.
		code := m.Run()
		e2e.awaitInterruptCleanup()
		awstest.CloseShared()
		os.Exit(code)
	}
	// The SDK's credential chain reads the process environment.
	os.Setenv("AWS_ACCESS_KEY_ID", "AKIDACCEPTANCE")
	os.Setenv("AWS_SECRET_ACCESS_KEY", "acceptance-secret")
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Unsetenv("AWS_PROFILE")
	os.Unsetenv("AWS_ENDPOINT_URL")
	awstest.Main(m)
}

// env is one scenario: a spec folder and a freshly reset double.
type env struct {
	t      *testing.T
	s      *awstest.Server
	dir    string
	region string
	// transcript holds every byte mailform wrote, for the secret scans.
	transcript bytes.Buffer
	// debug runs mailform with its log of AWS calls (MAILFORM_DEBUG=1).
	debug bool
	// remote is the AWS of the end-to-end suite (a real account, or an
	// endpoint standing for one) when not nil; s is then nil.
	remote *remoteAWS
	// token and base rename the example's names for remote (remoteAWS.names).
	token, base string
}

// newEnv copies the example (a folder under examples/) into a temporary
// folder and creates the hosted zones named in zones.
func newEnv(t *testing.T, example string, zones ...string) *env {
	t.Helper()
	e := &env{t: t, s: awstest.Shared(t), dir: t.TempDir(), region: "us-west-2"}
	if example != "" {
		if err := os.CopyFS(e.dir, os.DirFS(filepath.Join("..", "..", "examples", example))); err != nil {
			t.Fatal(err)
		}
	}
	for _, z := range zones {
		e.createZone(z)
	}
	return e
}

func (e *env) ctx() context.Context { return e.t.Context() }

func (e *env) cfg() aws.Config { return e.configIn(e.region) }

// configIn is the SDK configuration for region of the AWS the scenario runs against.
func (e *env) configIn(region string) aws.Config {
	if e.remote != nil {
		return e.remote.config(e.t, region)
	}
	return e.s.Config(region)
}

func (e *env) createZone(name string) string {
	e.t.Helper()
	if e.remote != nil {
		return e.remote.createZone(e, name)
	}
	out, err := route53.NewFromConfig(e.s.Config("us-east-1")).CreateHostedZone(e.ctx(), &route53.CreateHostedZoneInput{
		Name: aws.String(name), CallerReference: aws.String("acceptance-" + name),
	})
	if err != nil {
		e.t.Fatalf("creating zone %s: %v", name, err)
	}
	return aws.ToString(out.HostedZone.Id)
}

// write replaces (or adds) a file of the spec.
func (e *env) write(name, content string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.dir, name), []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// edit applies replacements to a spec file, failing if one does not match.
func (e *env) edit(name string, oldNew ...string) {
	e.t.Helper()
	path := filepath.Join(e.dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	s := string(b)
	for i := 0; i < len(oldNew); i += 2 {
		if !strings.Contains(s, oldNew[i]) {
			e.t.Fatalf("%s does not contain %q", name, oldNew[i])
		}
		s = strings.Replace(s, oldNew[i], oldNew[i+1], 1)
	}
	e.write(name, s)
}

// result is one mailform run.
type result struct {
	stdout, stderr string
	code           int
}

// mailform runs the command line in process against the double.
func (e *env) mailform(args ...string) result {
	e.t.Helper()
	if e.remote != nil {
		return e.remote.mailform(e, args...)
	}
	var stdout, stderr bytes.Buffer
	full := append([]string(nil), args...)
	switch args[0] {
	case "plan", "apply", "unlock", "import":
		full = append(full, "-endpoint-url", e.s.URL())
	}
	io := cli.IO{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Env: []string{"NO_COLOR=1", cli.PacingEnv + "=off"},
	}
	if e.debug {
		io.Env = append(io.Env, cli.DebugEnv+"=1")
	}
	code := cli.Run(e.ctx(), full, io)
	e.transcript.Write(stdout.Bytes())
	e.transcript.Write(stderr.Bytes())
	return result{stdout.String(), stderr.String(), code}
}

// must runs mailform and fails the test unless it exits with want.
func (e *env) must(want int, args ...string) result {
	e.t.Helper()
	r := e.mailform(args...)
	if r.code != want {
		e.t.Fatalf("mailform %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

// recordSets returns every record set of a zone, keyed "name TYPE", values
// in Route 53's form.
func (e *env) recordSets(zoneID string) map[string]r53types.ResourceRecordSet {
	e.t.Helper()
	out := map[string]r53types.ResourceRecordSet{}
	p := route53.NewListResourceRecordSetsPaginator(route53.NewFromConfig(e.configIn("us-east-1")),
		&route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)})
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx())
		if err != nil {
			e.t.Fatal(err)
		}
		for _, rs := range page.ResourceRecordSets {
			out[aws.ToString(rs.Name)+" "+string(rs.Type)] = rs
		}
	}
	return out
}

func values(rs r53types.ResourceRecordSet) []string {
	var out []string
	for _, r := range rs.ResourceRecords {
		out = append(out, aws.ToString(r.Value))
	}
	sort.Strings(out)
	return out
}

// requireRecord fails unless the zone has the record set with exactly values.
func (e *env) requireRecord(sets map[string]r53types.ResourceRecordSet, name, typ string, want ...string) {
	e.t.Helper()
	rs, ok := sets[name+" "+typ]
	if !ok {
		e.t.Errorf("record %s %s missing", name, typ)
		return
	}
	sort.Strings(want)
	if got := values(rs); !slices.Equal(got, want) {
		e.t.Errorf("record %s %s = %q, want %q", name, typ, got, want)
	}
}

// requireNoSecrets fails if any secret appears in anything mailform wrote.
func (e *env) requireNoSecrets(extra []byte, secrets ...string) {
	e.t.Helper()
	all := append(e.transcript.Bytes(), extra...)
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		if bytes.Contains(all, []byte(secret)) {
			e.t.Errorf("a secret (%d characters, starting %q) appears in mailform's output", len(secret), secret[:min(4, len(secret))])
		}
	}
}

func countsReport(counts map[string]map[string]int) string {
	return fmt.Sprint(awstest.SortedCounts(counts))
}
