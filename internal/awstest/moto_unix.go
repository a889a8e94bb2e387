//go:build unix

package awstest

import (
	"os"
	"syscall"
)

// moto runs in its own process group (motoProcAttr), so that a signal
// reaches every process it started.

func terminateMoto(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGTERM) }

func killMoto(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
