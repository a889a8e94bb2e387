package acceptance

import (
	"bytes"
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// crashSwitch stands between mailform and the double and plays a process
// killed right after its k-th mutating AWS call: that call is carried out
// and answered, then the run's context is cancelled and every later call is
// refused without reaching AWS, not even the lock's release. With k = 0 it
// only counts: the mutating calls of a whole run, in order.
//
// A call is mutating as the double counts them (Server.MutatingCalls): any
// operation not named Get*, List*, Describe* or Receive*; a REST call
// (Route 53, SES v2) by its method.
type crashSwitch struct {
	t      *testing.T
	k      int
	proxy  *httputil.ReverseProxy
	server *httptest.Server
	cancel context.CancelFunc

	// beforeMutating, when set, is called before the n-th mutating call
	// (from 1) goes on to AWS; it may block to hold the run there.
	beforeMutating func(n int, op string)

	mu       sync.Mutex
	mutating []string // mutating calls let through, in the order they started
	killed   bool
	refused  int // calls refused after the kill
}

func newCrashSwitch(t *testing.T, target string, k int) *crashSwitch {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	c := &crashSwitch{t: t, k: k, proxy: httputil.NewSingleHostReverseProxy(u)}
	c.proxy.ErrorLog = log.New(io.Discard, "", 0)
	c.server = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.server.Close)
	return c
}

// mutatingCall tells whether a call may change state, as the double decides.
func mutatingCall(r *http.Request, op string) bool {
	if strings.Contains(op, " ") { // REST: "METHOD /path"
		if strings.HasPrefix(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], "list-") {
			return false // SES v2 lists by POST /v2/email/list-identities
		}
		return r.Method != http.MethodGet && r.Method != http.MethodHead
	}
	for _, p := range []string{"Get", "List", "Describe", "Receive"} {
		if strings.HasPrefix(op, p) {
			return false
		}
	}
	return true
}

func (c *crashSwitch) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := operationOf(r, body)
	mutating := mutatingCall(r, op)

	c.mu.Lock()
	if c.killed || (mutating && c.k > 0 && len(c.mutating) >= c.k) {
		// The process is gone (or dies before this call leaves it): a
		// refusal the SDK does not retry ends the call at once.
		c.refused++
		c.mu.Unlock()
		http.Error(w, "the process was killed", http.StatusForbidden)
		return
	}
	last, n := false, 0
	if mutating {
		c.mutating = append(c.mutating, op)
		n = len(c.mutating)
		last = c.k > 0 && n == c.k
	}
	hook := c.beforeMutating
	c.mu.Unlock()
	if hook != nil && n > 0 {
		hook(n, op)
	}

	c.proxy.ServeHTTP(w, r)
	if last {
		c.mu.Lock()
		c.killed = true
		c.mu.Unlock()
		go c.cancel()
	}
}

// run runs mailform through the switch, with a context it cancels at the kill.
func (c *crashSwitch) run(e *env, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx())
	defer cancel()
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
	return e.runAt(ctx, c.server.URL, nil, args...)
}

// calls returns the mutating calls let through, in order.
func (c *crashSwitch) calls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.mutating...)
}
