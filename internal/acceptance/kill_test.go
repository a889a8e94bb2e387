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

// killSwitch stands between mailform and the double and plays a process
// killed at one moment: once the double has answered the first call of the
// given operation, the run's context is cancelled and every later call is
// refused without reaching AWS, as if the process were gone.
type killSwitch struct {
	t         *testing.T
	operation string // e.g. "AllocateAddress"
	proxy     *httputil.ReverseProxy
	server    *httptest.Server
	cancel    context.CancelFunc

	mu      sync.Mutex
	killed  bool
	after   []string // calls refused after the kill, as "Action" or path
	matched int
}

// operationOf names the call of a Query-protocol request (EC2, IAM, SNS...)
// from its form body; other requests by their method and path.
func operationOf(r *http.Request, body []byte) string {
	if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
		return form.Get("Action")
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		return target[strings.LastIndexByte(target, '.')+1:]
	}
	return r.Method + " " + r.URL.Path
}

func newKillSwitch(t *testing.T, target, operation string) *killSwitch {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	k := &killSwitch{t: t, operation: operation, proxy: httputil.NewSingleHostReverseProxy(u)}
	// Calls cut short by the kill are expected: no log lines for them.
	k.proxy.ErrorLog = log.New(io.Discard, "", 0)
	k.server = httptest.NewServer(http.HandlerFunc(k.serve))
	t.Cleanup(k.server.Close)
	return k
}

func (k *killSwitch) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := operationOf(r, body)
	k.mu.Lock()
	if k.killed {
		k.after = append(k.after, op)
		k.mu.Unlock()
		// A dead process makes no more calls. A refusal the SDK does not
		// retry ends each one at once, and nothing reaches AWS.
		http.Error(w, "the process was killed", http.StatusForbidden)
		return
	}
	k.mu.Unlock()
	k.proxy.ServeHTTP(w, r)
	if op != k.operation {
		return
	}
	k.mu.Lock()
	k.matched++
	k.killed = true
	k.mu.Unlock()
	// Cancel once this answer is on its way back.
	go k.cancel()
}

// run runs mailform through the switch with a context it cancels at the kill.
func (k *killSwitch) run(e *env, args ...string) result {
	k.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx())
	defer cancel()
	k.cancel = cancel
	return e.runAt(ctx, k.server.URL, nil, args...)
}
