// Command mailform provisions what an organisation needs to send email from
// AWS, through Amazon SES or its own MTA on EC2, from a declarative HCL spec.
// See README.md, or run 'mailform --help'.
package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"runtime/pprof"

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
	stop := profileCPU(os.Getenv("MAILFORM_CPUPROFILE"))
	code := cli.Main(os.Args[1:], cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Env: os.Environ()})
	stop()
	os.Exit(code)
}

// profileCPU writes a CPU profile of the whole run to path when path is set
// (MAILFORM_CPUPROFILE, used by the benchmark: docs/performance.md), and
// returns the function that finishes it.
func profileCPU(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "MAILFORM_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
