// Command mailform provisions what an organisation needs to send email from
// AWS, through Amazon SES or its own MTA on EC2, from a declarative HCL spec.
// See README.md, or run 'mailform --help'.
package main

import (
	"embed"
	"io/fs"
	"os"

	"github.com/mailform/mailform/cli"
)

// demoFiles is the spec 'mailform demo' walks through, built into the binary
// so that the demo works wherever mailform is installed.
//
//go:embed examples/ses-domain
var demoFiles embed.FS

func main() {
	if spec, err := fs.Sub(demoFiles, "examples/ses-domain"); err == nil {
		cli.DemoSpec = spec
	}
	os.Exit(cli.Main(os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Env: os.Environ()}))
}
