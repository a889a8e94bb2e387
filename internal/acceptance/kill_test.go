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
// killed at one moment: the first call of the given operation reaches AWS
// and is answered, then the run's context is cancelled; every call sent
// after it is refused without reaching AWS, as if the process were gone.
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
// from its form body, of a JSON or CBOR RPC request from its target or path;
// other requests by their method and path.
func operationOf(r *http.Request, body []byte) string {
	if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
		return form.Get("Action")
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		return target[strings.LastIndexByte(target, '.')+1:]
	}
	// Smithy RPC v2 CBOR: POST /service/<service>/operation/<operation>.
	if _, op, ok := strings.Cut(r.URL.Path, "/operation/"); ok && strings.HasPrefix(r.URL.Path, "/service/") {
		return op
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
	fatal := op == k.operation
	cancel := k.cancel
	if fatal {
		// Whatever is sent from now on is sent by a process about to die.
		k.killed = true
		k.matched++
	}
	k.mu.Unlock()
	k.proxy.ServeHTTP(w, r)
	if fatal {
		// Cancel once this answer is on its way back.
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		go cancel()
	}
}

// run runs mailform through the switch with a context it cancels at the kill.
func (k *killSwitch) run(e *env, args ...string) result {
	k.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx())
	defer cancel()
	k.mu.Lock()
	k.cancel = cancel
	k.mu.Unlock()
	return e.runAt(ctx, k.server.URL, nil, args...)
}

// calls returns how many calls of the operation got through, and the calls
// refused after the kill.
func (k *killSwitch) calls() (matched int, refused []string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.matched, append([]string(nil), k.after...)
}
