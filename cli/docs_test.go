package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"

	"github.com/mailform/mailform/internal/awstest"
)

// The documentation's shell blocks and the help texts' examples are run as a
// user would paste them (docs/testing.md has the rules): each in a fresh
// folder holding a copy of examples/ (and examples/ses-domain's spec at its
// top), with the environment of a freshly reset sandbox (also in
// ./sandbox.env) in which the examples' hosted zones exist, and `mailform`
// on PATH. A block must exit 0, unless a marker before it says why it cannot
// run here:
//
//	<!-- docs-test: skip: REASON -->

// docsSkipMarker is the marker before a fence whose block is not run.
var docsSkipMarker = regexp.MustCompile(`^<!--\s*docs-test:\s*skip:\s*(\S.*?)\s*-->$`)

// untestedExamples are the help examples that cannot run against a sandbox
// in a test, with why (a help text cannot carry a marker).
var untestedExamples = map[string]string{
	"mailform sandbox": "serves until interrupted",
	"mailform sandbox -addr 127.0.0.1:4566 -rate-limits aws":                                                               "serves until interrupted",
	"AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x mailform plan examples/ses-domain": "needs a sandbox at 127.0.0.1:4566 (the README's by-hand section runs this flow)",
	"mailform demo":           "TestScripts/demo runs it",
	"go run . demo":           "compiles mailform (minutes); TestScripts/demo runs the demo",
	"mailform apply -destroy": "asks for confirmation at a terminal",
	"mailform check -resolver 127.0.0.1:5353 -endpoint-url http://127.0.0.1:4566":                                         "needs a DNS server at 127.0.0.1:5353 and a sandbox at 127.0.0.1:4566",
	"mailform test-send -smtp -smtp-endpoint 127.0.0.1:2587 -smtp-ca /tmp/sandbox-ca.pem":                                 "needs an SMTP server at 127.0.0.1:2587 (TestScripts/sandbox_env runs test-send -smtp against the sandbox)",
	"mailform requests production-access examples/hybrid -submit":                                                         "refuses until the spec is applied and verified, and the test applies examples/ses-domain only",
	"aws iam put-role-policy --role-name mail-deployer --policy-name mailform --policy-document file://apply-policy.json": "needs the IAM role mail-deployer of your account",
}

// docsZones are the hosted zones the examples expect to exist.
var docsZones = []string{"acme.example", "northwind.example", "globex.example"}

// docBlock is one fenced shell block of a Markdown file.
type docBlock struct {
	file string // relative to the repository
	line int    // of the opening fence
	body string
	skip string // the marker's reason, or ""
}

// docBlocks returns the ```sh (or bash, shell) blocks of the Markdown files
// under root (README.md, docs/, examples/), with their markers.
func docBlocks(t *testing.T, root string) []docBlock {
	var files []string
	for _, dir := range []string{".", "docs", "examples"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && dir == "." && p != root {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(p, ".md") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	fence := regexp.MustCompile("^\\s*```\\s*(sh|bash|shell)\\s*$")
	var blocks []docBlock
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, file)
		lines := strings.Split(string(src), "\n")
		for i := 0; i < len(lines); i++ {
			if !fence.MatchString(lines[i]) {
				continue
			}
			b := docBlock{file: filepath.ToSlash(rel), line: i + 1}
			for j := i - 1; j >= 0; j-- {
				if prev := strings.TrimSpace(lines[j]); prev != "" {
					if m := docsSkipMarker.FindStringSubmatch(prev); m != nil {
						b.skip = m[1]
					}
					break
				}
			}
			var body []string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
				body = append(body, lines[i])
			}
			b.body = strings.Join(body, "\n")
			blocks = append(blocks, b)
		}
	}
	return blocks
}

// docsRun is the environment a block or an example runs in.
type docsRun struct {
	t    *testing.T
	s    *awstest.Server
	dir  string
	env  []string
	repo string
}

// newDocsRun resets the shared double, creates the examples' zones, and
// prepares a folder as docs/testing.md describes.
func newDocsRun(t *testing.T, repo string) *docsRun {
	s := awstest.Shared(t)
	for _, zone := range docsZones {
		_, err := route53.NewFromConfig(s.Config("us-east-1")).CreateHostedZone(t.Context(),
			&route53.CreateHostedZoneInput{Name: aws.String(zone), CallerReference: aws.String("docs-" + zone)})
		if err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS(filepath.Join(repo, "examples"))); err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile(filepath.Join(repo, "examples", "ses-domain", "main.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), spec, 0o644); err != nil {
		t.Fatal(err)
	}
	vars := sandboxVars(s.Env(), "off", s.URL(), s.DNSAddr(), s.SMTPAddr(), s.SMTPCAFile())
	if err := os.WriteFile(filepath.Join(dir, "sandbox.env"), []byte(awstest.ShellExports(vars)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "NO_COLOR=1", "TMPDIR=" + t.TempDir(),
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "no-aws-credentials"),
	}
	if ci := os.Getenv("CI"); ci != "" {
		env = append(env, "CI="+ci)
	}
	return &docsRun{t: t, s: s, dir: dir, env: append(env, vars...), repo: repo}
}

// run runs script with bash (-e: every command must succeed), killing what
// it left in the background when it ends, and fails t unless it exits 0.
func (r *docsRun) run(where, script string) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), 3*time.Minute)
	defer cancel()
	full := "set -e\ntrap 'for job in $(jobs -p); do kill $job 2>/dev/null || true; done; wait || true' EXIT\n" + script + "\n"
	cmd := exec.CommandContext(ctx, "bash", "-c", full)
	cmd.Dir = r.dir
	cmd.Env = r.env
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Errorf("%s: %v\n--- script:\n%s\n--- output:\n%s", where, err, script, out)
	}
}

// requireTools skips (fails in CI) when the script uses a tool that is not
// installed.
func requireTools(t *testing.T, script string) {
	for _, tool := range []string{"aws", "jq", "git", "dig"} {
		if !regexp.MustCompile(`(^|[\s|;&(])` + tool + `\s`).MatchString(script) {
			continue
		}
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed", tool)
			}
			t.Skipf("skipping: %s is not installed", tool)
		}
	}
}

func repoRoot() string {
	_, thisFile, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(thisFile))
}

// TestDocsShellBlocks runs every shell block of README.md, docs/ and
// examples/ that has no skip marker.
func TestDocsShellBlocks(t *testing.T) {
	awstest.SkipInShortMode(t)
	repo := repoRoot()
	blocks := docBlocks(t, repo)
	if len(blocks) == 0 {
		t.Fatal("no shell block found")
	}
	for _, b := range blocks {
		where := fmt.Sprintf("%s:%d", b.file, b.line)
		t.Run(where, func(t *testing.T) {
			if b.skip != "" {
				t.Skipf("marked not runnable here: %s", b.skip)
			}
			requireTools(t, b.body)
			newDocsRun(t, repo).run(where, b.body)
		})
	}
}

// TestHelpExamples runs every example of every command's help, each line on
// its own, after applying examples/ses-domain (the spec at the folder's
// top), so that commands that read what apply made find it.
func TestHelpExamples(t *testing.T) {
	awstest.SkipInShortMode(t)
	repo := repoRoot()
	seen := map[string]bool{}
	for _, c := range commands() {
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(c.example), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
				seen[l] = true
			}
		}
		if len(lines) == 0 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			var run *docsRun
			for _, line := range lines {
				if reason, ok := untestedExamples[line]; ok {
					t.Logf("not run: %s: %s", line, reason)
					continue
				}
				requireTools(t, line)
				if run == nil {
					run = newDocsRun(t, repo)
					run.run("applying examples/ses-domain", "mailform apply -auto-approve >/dev/null")
				}
				run.run("mailform "+c.name+" -help: "+line, line)
			}
		})
	}
	for line := range untestedExamples {
		if !seen[line] {
			t.Errorf("untestedExamples lists %q, which no help text gives", line)
		}
	}
}

// TestDocsReferToFilesInTheRepository: every Markdown link to a relative
// path and every docs/*.md or *.md name in backquotes names a file that
// exists, so that no page cites notes kept outside the repository.
func TestDocsReferToFilesInTheRepository(t *testing.T) {
	repo := repoRoot()
	link := regexp.MustCompile(`\]\(([^)#:\s]+)(#[^)]*)?\)`)
	quoted := regexp.MustCompile("`([A-Za-z0-9_./-]+\\.md)`")
	for _, b := range []string{"README.md", "docs"} {
		_ = filepath.WalkDir(filepath.Join(repo, b), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(repo, p)
			for _, m := range link.FindAllStringSubmatch(string(src), -1) {
				if _, err := os.Stat(filepath.Join(filepath.Dir(p), m[1])); err != nil {
					t.Errorf("%s links to %s, which is not in the repository", rel, m[1])
				}
			}
			for _, m := range quoted.FindAllStringSubmatch(string(src), -1) {
				candidates := []string{filepath.Join(filepath.Dir(p), m[1]), filepath.Join(repo, m[1]), filepath.Join(repo, "docs", m[1])}
				found := false
				for _, c := range candidates {
					if _, err := os.Stat(c); err == nil {
						found = true
					}
				}
				if !found {
					t.Errorf("%s names %s, which is not in the repository", rel, m[1])
				}
			}
			return nil
		})
	}
}
