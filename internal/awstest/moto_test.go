package awstest

import (
	"errors"
	"os"
	"testing"
	"time"
)

// TestMotoEndsWithItsLifeline: moto exits by itself when its standard input
// closes, as it does when the process that started it dies; on macOS and
// Windows nothing else would end it.
func TestMotoEndsWithItsLifeline(t *testing.T) {
	m, err := startMoto(t.Context(), "")
	if errors.Is(err, ErrMotoMissing) && os.Getenv("CI") == "" {
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.stop)
	m.lifeline.Close()
	select {
	case <-m.done:
	case <-time.After(20 * time.Second):
		t.Fatal("moto still runs 20s after its standard input closed")
	}
}
