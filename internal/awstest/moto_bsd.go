//go:build unix && !linux

package awstest

import "syscall"

// motoProcAttr puts moto in its own process group. macOS and the BSDs have
// no parent-death signal: moto's lifeline (its standard input) ends it
// when the process that started it dies.
func motoProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
