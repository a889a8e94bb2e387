package acceptance

import (
	"bytes"
	"context"
	"strings"

	"github.com/mailform/mailform/cli"
)

// runAt runs mailform in process with its own context, against endpoint,
// with environment variables added to (or replacing) the usual ones.
func (e *env) runAt(ctx context.Context, endpoint string, extraEnv []string, args ...string) result {
	e.t.Helper()
	full := append([]string(nil), args...)
	switch args[0] {
	case "plan", "apply", "unlock", "import":
		full = append(full, "-endpoint-url", endpoint)
	}
	environ := append([]string{"NO_COLOR=1", cli.PacingEnv + "=off"}, extraEnv...)
	var stdout, stderr bytes.Buffer
	code := cli.Run(ctx, full, cli.IO{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Env: environ})
	e.transcript.Write(stdout.Bytes())
	e.transcript.Write(stderr.Bytes())
	return result{stdout.String(), stderr.String(), code}
}
