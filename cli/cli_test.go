package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mailform/mailform/internal/awstest"
)

func TestMain(m *testing.M) {
	testscript.Main(closingShared{m}, map[string]func(){
		"mailform": func() {
			// As main does, from the files it embeds.
			_, thisFile, _, _ := runtime.Caller(0)
			DemoSpec = os.DirFS(filepath.Join(filepath.Dir(filepath.Dir(thisFile)), "examples", "ses-domain"))
			os.Exit(Main(os.Args[1:], IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Env: os.Environ()}))
		},
	})
}

// TestScripts runs the command-line scenarios in testdata/script: each is a
// txtar archive of spec files and the mailform commands a user would type,
// with the output they must see. Scenarios that talk to AWS get a freshly
// reset local AWS double through AWS_ENDPOINT_URL.
func TestScripts(t *testing.T) {
	_, thisFile, _, _ := runtime.Caller(0)
	repo := filepath.Dir(filepath.Dir(thisFile))
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("EXAMPLES", filepath.Join(repo, "examples"))
			env.Setenv("NO_COLOR", "1")
			env.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
			env.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
			env.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			env.Setenv("AWS_CONFIG_FILE", filepath.Join(env.WorkDir, "no-aws-config"))
			env.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(env.WorkDir, "no-aws-credentials"))
			env.Values[doubleKey{}] = &doubleHolder{}
			return nil
		},
		// [moto] is true when moto can run, and always in CI, so that a
		// missing moto fails there instead of skipping; it is false in
		// short mode, whose inner loop does without the double.
		Condition: func(cond string) (bool, error) {
			if cond != "moto" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			if testing.Short() {
				return false, nil
			}
			if os.Getenv("CI") != "" {
				return true, nil
			}
			return exec.Command("python3", "-c", "import moto.server").Run() == nil, nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// double: start a local AWS double for this script (scripts run
			// in parallel, so each has its own) and point AWS_ENDPOINT_URL at it.
			"double": func(ts *testscript.TestScript, neg bool, args []string) {
				s, err := awstest.Start(context.Background(), awstest.Options{})
				ts.Check(err)
				ts.Defer(func() { _ = s.Close() })
				ts.Value(doubleKey{}).(*doubleHolder).server = s
				ts.Setenv("AWS_ENDPOINT_URL", s.URL())
			},
			// diagnostics: stdout is exactly one JSON diagnostics document
			// (docs/diagnostics-json.md) reporting at least one error.
			"diagnostics": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 0 {
					ts.Fatalf("usage: diagnostics")
				}
				dec := json.NewDecoder(strings.NewReader(ts.ReadFile("stdout")))
				dec.DisallowUnknownFields()
				var doc jsonDiagnostics
				if err := dec.Decode(&doc); err != nil {
					ts.Fatalf("stdout is not a diagnostics document: %v", err)
				}
				if dec.More() {
					ts.Fatalf("stdout holds more than the diagnostics document")
				}
				errs := 0
				for _, d := range doc.Diagnostics {
					if d.Severity == "error" {
						errs++
					}
					if d.Summary == "" {
						ts.Fatalf("a diagnostic without a summary")
					}
				}
				if doc.FormatVersion != JSONFormatVersion || doc.Type != "diagnostics" || doc.Valid || errs == 0 || doc.ErrorCount != errs || doc.WarningCount != len(doc.Diagnostics)-errs {
					ts.Fatalf("inconsistent diagnostics document: %+v", doc)
				}
			},
			// zone NAME: create a public hosted zone in the script's double,
			// as one that exists in the user's account.
			"zone": func(ts *testscript.TestScript, neg bool, args []string) {
				s := ts.Value(doubleKey{}).(*doubleHolder).server
				if s == nil || len(args) != 1 {
					ts.Fatalf("usage: double, then zone NAME")
				}
				_, err := route53.NewFromConfig(s.Config("us-east-1")).CreateHostedZone(context.Background(),
					&route53.CreateHostedZoneInput{Name: aws.String(args[0]), CallerReference: aws.String("script-" + args[0])})
				ts.Check(err)
			},
		},
	})
}

// closingShared runs the tests, then stops the double the documentation
// tests share (awstest.Main's job, which testscript.Main takes here).
type closingShared struct{ m *testing.M }

func (c closingShared) Run() int {
	code := c.m.Run()
	awstest.CloseShared()
	return code
}

type doubleKey struct{}

type doubleHolder struct{ server *awstest.Server }
