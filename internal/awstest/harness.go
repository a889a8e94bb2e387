package awstest

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
)

var (
	sharedOnce   sync.Once
	sharedServer *Server
	sharedErr    error
)

// SharedOptions are the options Shared starts the test binary's double with;
// a TestMain may set them before it calls Main. Every Reset restores them.
var SharedOptions Options

// Shared returns the double shared by all tests of the running test binary,
// starting it on first use, and resets its state for t. Without moto the test
// is skipped, except when the CI environment variable is set: then it fails.
// In short mode (go test -short, the inner loop) it is always skipped.
//
// A test binary that uses Shared should call Main from its TestMain, so that
// moto is stopped when the tests end.
func Shared(t testing.TB) *Server {
	t.Helper()
	SkipInShortMode(t)
	sharedOnce.Do(func() {
		// The double outlives the test that starts it.
		sharedServer, sharedErr = Start(context.WithoutCancel(t.Context()), SharedOptions)
	})
	if sharedErr != nil {
		if errors.Is(sharedErr, ErrMotoMissing) && os.Getenv("CI") == "" {
			t.Skipf("skipping: %v", sharedErr)
		}
		t.Fatalf("starting the local AWS double: %v", sharedErr)
	}
	if err := sharedServer.Reset(t.Context()); err != nil {
		t.Fatalf("resetting the local AWS double: %v", err)
	}
	return sharedServer
}

// Main runs the tests of m and then stops the shared double, if one was started.
// Use it as: func TestMain(m *testing.M) { awstest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	CloseShared()
	os.Exit(code)
}

// CloseShared stops the shared double, if one was started: for a TestMain
// that cannot use Main (one that hands m to another harness).
func CloseShared() {
	if sharedServer != nil {
		_ = sharedServer.Close()
	}
}

// SkipInShortMode skips t under go test -short: a test that starts the local
// AWS double (moto takes seconds to start) belongs to the full suite, not to
// the inner loop.
func SkipInShortMode(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping in short mode: needs the local AWS double")
	}
}
