package awstest

import "syscall"

// motoProcAttr puts moto in its own process group, and has Linux kill it
// when the process that started it dies (besides moto's lifeline).
func motoProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
