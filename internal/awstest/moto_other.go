//go:build !unix

package awstest

import (
	"os"
	"syscall"
)

// On Windows there are no process groups to signal and no SIGTERM to send
// to another process: moto is ended by closing its lifeline (its standard
// input, which moto_route53.py watches), then killed if it is still there.
// moto's server runs as one process, so killing it leaves nothing behind.

func motoProcAttr() *syscall.SysProcAttr { return nil }

func terminateMoto(p *os.Process) {}

func killMoto(p *os.Process) { _ = p.Kill() }
