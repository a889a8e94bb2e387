package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
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
	// Log is stdout and stderr as they came, each line prefixed with the
	// seconds since the start, to see where the wall time went (-keep).
	Log string `json:"-"`
}

// timedLog collects the lines of both output streams with their times.
type timedLog struct {
	mu      sync.Mutex
	start   time.Time
	partial map[string]string // per stream, the line not yet ended
	out     strings.Builder
}

func (l *timedLog) writer(stream string) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		text := l.partial[stream] + string(p)
		lines := strings.Split(text, "\n")
		l.partial[stream] = lines[len(lines)-1]
		for _, line := range lines[:len(lines)-1] {
			fmt.Fprintf(&l.out, "%8.2f %s %s\n", time.Since(l.start).Seconds(), stream, line)
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// runChild runs bin with args in dir and env, and measures it. A non-zero
// exit is not an error here: the caller decides which exit codes it expects.
func runChild(ctx context.Context, dir string, env []string, bin string, args ...string) (childRun, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	start := time.Now()
	log := &timedLog{start: start, partial: map[string]string{}}
	cmd.Stdout = io.MultiWriter(&stdout, log.writer("out"))
	cmd.Stderr = io.MultiWriter(&stderr, log.writer("err"))
	err := cmd.Run()
	wall := time.Since(start)
	run := childRun{Args: append([]string{bin}, args...), Wall: wall, Stdout: stdout.String(), Stderr: stderr.String(), Log: log.out.String()}
	if cmd.ProcessState == nil {
		return run, fmt.Errorf("running %s: %w", strings.Join(run.Args, " "), err)
	}
	run.ExitCode = cmd.ProcessState.ExitCode()
	run.CPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	run.PeakRSS = peakRSS(cmd.ProcessState)
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
