// Package lock keeps one apply at a time per stack: a lock held in AWS as an
// SSM parameter created without overwrite, naming its holder and the time it
// was taken. It must not be used for anything but that mutual exclusion.
package lock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// API is the part of the SSM client the lock uses.
type API interface {
	PutParameter(ctx context.Context, in *ssm.PutParameterInput, opts ...func(*ssm.Options)) (*ssm.PutParameterOutput, error)
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, opts ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
	DeleteParameter(ctx context.Context, in *ssm.DeleteParameterInput, opts ...func(*ssm.Options)) (*ssm.DeleteParameterOutput, error)
}

// Holder says who holds a lock.
type Holder struct {
	Who       string    `json:"who"` // user@host
	Host      string    `json:"host,omitempty"`
	PID       int       `json:"pid"`
	CIJob     string    `json:"ci_job,omitempty"` // "GitHub Actions run 123", when run by a CI system
	Operation string    `json:"operation"`        // "apply", "apply -destroy"
	Region    string    `json:"region,omitempty"`
	Account   string    `json:"account,omitempty"`
	Since     time.Time `json:"since"`
	// Run tells this holder from another run of the same user and process
	// that took a lock in the same second.
	Run string `json:"run,omitempty"`
}

// Describe says who holds the lock in one line: user and host, CI job,
// pid, operation, region and account, start time and age; a pid on this
// host that no longer runs is said to be dead (the lock is not broken).
func (h Holder) Describe(now time.Time) string {
	var about []string
	if h.CIJob != "" {
		about = append(about, h.CIJob)
	}
	if h.PID != 0 {
		pid := fmt.Sprintf("pid %d", h.PID)
		if host, err := os.Hostname(); err == nil && h.Host != "" && h.Host == host && !processRuns(h.PID) {
			pid += " no longer running on this host: that run was killed"
		}
		about = append(about, pid)
	}
	if h.Region != "" {
		where := "in " + h.Region
		if h.Account != "" {
			where += " account " + h.Account
		}
		about = append(about, where)
	}
	if h.Operation != "" {
		about = append(about, h.Operation)
	}
	return fmt.Sprintf("%s (%s) since %s, %s ago", h.Who, strings.Join(about, ", "),
		h.Since.UTC().Format(time.RFC3339), now.Sub(h.Since).Round(time.Second))
}

// HeldError is returned when another run holds the lock.
type HeldError struct {
	Stack  string
	Holder Holder
	Age    time.Duration
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("stack %q is locked by %s", e.Stack, e.Holder.Describe(e.Holder.Since.Add(e.Age)))
}

// Name is the SSM parameter that holds the lock of stack.
func Name(stack string) string { return "/mailform/locks/" + stack }

// Locker takes and releases stack locks.
type Locker struct {
	api API
	now func() time.Time
	// Getenv reads the environment the holder's user and CI job come
	// from; default os.Getenv.
	Getenv func(string) string
	// Region and Account are recorded in the locks this Locker takes.
	Region, Account string
}

// New returns a Locker over an SSM client.
func New(api API) *Locker { return &Locker{api: api, now: time.Now, Getenv: os.Getenv} }

// Acquire takes the lock of stack for operation, or returns *HeldError.
// The returned function releases it.
func (l *Locker) Acquire(ctx context.Context, stack, operation string) (func(context.Context) error, error) {
	user := l.Getenv("USER")
	if user == "" {
		user = "unknown"
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	holder := Holder{Who: user + "@" + host, Host: host, PID: os.Getpid(), CIJob: ciJob(l.Getenv), Operation: operation,
		Region: l.Region, Account: l.Account, Since: l.now().UTC().Truncate(time.Second), Run: runID()}
	body, err := json.Marshal(holder)
	if err != nil {
		return nil, err
	}
	_, err = l.api.PutParameter(ctx, &ssm.PutParameterInput{
		Name:        aws.String(Name(stack)),
		Value:       aws.String(string(body)),
		Type:        types.ParameterTypeString,
		Overwrite:   aws.Bool(false),
		Description: aws.String("mailform: one apply at a time for this stack; 'mailform unlock' breaks it"),
	})
	var exists *types.ParameterAlreadyExists
	if errors.As(err, &exists) {
		current, getErr := l.Holder(ctx, stack)
		if getErr != nil {
			return nil, fmt.Errorf("stack %q is locked, and reading the lock failed: %w", stack, getErr)
		}
		if current != nil && *current == holder {
			// Our own lock: the call that created it lost its answer and the
			// SDK's retry found the parameter.
			return l.releaser(stack, holder), nil
		}
		if current == nil {
			return nil, fmt.Errorf("taking the lock of stack %q: it was released while being taken; try again", stack)
		}
		return nil, &HeldError{Stack: stack, Holder: *current, Age: l.now().Sub(current.Since)}
	}
	if err != nil {
		return nil, fmt.Errorf("taking the lock of stack %q: %w", stack, err)
	}
	return l.releaser(stack, holder), nil
}

// releaser returns the function that releases holder's lock of stack.
func (l *Locker) releaser(stack string, holder Holder) func(context.Context) error {
	return func(ctx context.Context) error {
		// Release only our own lock: someone may have broken it and taken it since.
		current, err := l.Holder(ctx, stack)
		if err != nil || current == nil || *current != holder {
			return err
		}
		return l.Release(ctx, stack)
	}
}

// runID is a random name for one Acquire.
func runID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return ""
	}
	return hex.EncodeToString(b[:])
}

// Holder returns the current holder of the lock, or nil when it is free.
func (l *Locker) Holder(ctx context.Context, stack string) (*Holder, error) {
	out, err := l.api.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(Name(stack))})
	var notFound *types.ParameterNotFound
	if errors.As(err, &notFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var h Holder
	if err := json.Unmarshal([]byte(aws.ToString(out.Parameter.Value)), &h); err != nil {
		return &Holder{Who: "unknown (the lock's value is not mailform's)"}, nil
	}
	return &h, nil
}

// Release deletes the lock of stack, whoever holds it.
func (l *Locker) Release(ctx context.Context, stack string) error {
	_, err := l.api.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(Name(stack))})
	var notFound *types.ParameterNotFound
	if errors.As(err, &notFound) {
		return nil
	}
	return err
}

// ciJobs are the environment variables that name the job of a CI system,
// in the order they are looked for.
var ciJobs = []struct{ env, name string }{
	{"GITHUB_RUN_ID", "GitHub Actions run"},
	{"CI_JOB_ID", "GitLab CI job"},
	{"CIRCLE_BUILD_NUM", "CircleCI build"},
	{"BUILDKITE_BUILD_ID", "Buildkite build"},
	{"CODEBUILD_BUILD_ID", "CodeBuild build"},
	{"BUILD_TAG", "Jenkins build"},
	{"BUILD_BUILDID", "Azure Pipelines build"},
}

// ciJob names the CI job the run is part of, or "".
func ciJob(getenv func(string) string) string {
	for _, j := range ciJobs {
		if v := getenv(j.env); v != "" {
			if j.env == "GITHUB_RUN_ID" {
				if repo := getenv("GITHUB_REPOSITORY"); repo != "" {
					return fmt.Sprintf("%s %s of %s", j.name, v, repo)
				}
			}
			return j.name + " " + v
		}
	}
	return ""
}

// processRuns reports whether a process with this pid runs on this host.
// Where that cannot be told, it says it runs.
func processRuns(pid int) bool {
	if runtime.GOOS == "windows" || pid <= 0 {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
