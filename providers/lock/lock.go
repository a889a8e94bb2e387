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
	PID       int       `json:"pid"`
	Operation string    `json:"operation"` // "apply", "apply -destroy"
	Since     time.Time `json:"since"`
	// Run tells this holder from another run of the same user and process
	// that took a lock in the same second.
	Run string `json:"run,omitempty"`
}

// HeldError is returned when another run holds the lock.
type HeldError struct {
	Stack  string
	Holder Holder
	Age    time.Duration
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("stack %q is locked by %s (pid %d, %s) since %s, %s ago",
		e.Stack, e.Holder.Who, e.Holder.PID, e.Holder.Operation,
		e.Holder.Since.UTC().Format(time.RFC3339), e.Age.Round(time.Second))
}

// Name is the SSM parameter that holds the lock of stack.
func Name(stack string) string { return "/mailform/locks/" + stack }

// Locker takes and releases stack locks.
type Locker struct {
	api API
	now func() time.Time
}

// New returns a Locker over an SSM client.
func New(api API) *Locker { return &Locker{api: api, now: time.Now} }

// Acquire takes the lock of stack for operation, or returns *HeldError.
// The returned function releases it.
func (l *Locker) Acquire(ctx context.Context, stack, operation string) (func(context.Context) error, error) {
	holder := Holder{Who: whoAmI(), PID: os.Getpid(), Operation: operation, Since: l.now().UTC().Truncate(time.Second), Run: runID()}
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

func whoAmI() string {
	user := os.Getenv("USER")
	if user == "" {
		user = "unknown"
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return user + "@" + host
}
