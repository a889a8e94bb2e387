package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// childRun is what one run of a command-line program cost, as the kernel
// accounted it for the child process.
type childRun struct {
	Args     []string      `json:"args"`
	ExitCode int           `json:"exit_code"`
	Wall     time.Duration `json:"-"`
	CPU      time.Duration `json:"-"` // user + system time of the child (and of children it waited for)
	PeakRSS  int64         `json:"-"` // bytes
	Stdout   string        `json:"-"`
	Stderr   string        `json:"-"`
}

// runChild runs bin with args in dir and env, and measures it. A non-zero
// exit is not an error here: the caller decides which exit codes it expects.
func runChild(ctx context.Context, dir string, env []string, bin string, args ...string) (childRun, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	run := childRun{Args: append([]string{bin}, args...), Wall: wall, Stdout: stdout.String(), Stderr: stderr.String()}
	if cmd.ProcessState == nil {
		return run, fmt.Errorf("running %s: %w", strings.Join(run.Args, " "), err)
	}
	run.ExitCode = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		run.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		run.PeakRSS = ru.Maxrss * 1024 // Linux reports kilobytes
	}
	if err != nil && run.ExitCode < 0 {
		return run, fmt.Errorf("running %s: %w", strings.Join(run.Args, " "), err)
	}
	return run, nil
}

// tail returns the last n lines of s, for error messages.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
