package ses

import (
	"net/http"
	"time"

	"github.com/mailform/mailform/internal/awstest"
	"github.com/mailform/mailform/internal/awstest/sesdouble"
)

// sesdoubleHandle is the SES emulation a test talks to, behind a counter.
type sesdoubleHandle struct {
	double  *sesdouble.Double
	counter *countingHandler
}

// wireSESDouble makes a fresh SES emulation serve every SES request to srv.
func wireSESDouble(srv *awstest.Server, b sesdouble.Backend, now func() time.Time) *sesdoubleHandle {
	d := sesdouble.New(b, sesdouble.Options{AccountID: awstest.AccountID, Now: now})
	c := &countingHandler{next: d, n: map[string]int{}}
	srv.Handle("ses", c)
	return &sesdoubleHandle{double: d, counter: c}
}

func (h *sesdoubleHandle) counts() map[string]int {
	h.counter.mu.Lock()
	defer h.counter.mu.Unlock()
	out := make(map[string]int, len(h.counter.n))
	for k, v := range h.counter.n {
		out[k] = v
	}
	return out
}

func (h *sesdoubleHandle) resetCounts() {
	h.counter.mu.Lock()
	defer h.counter.mu.Unlock()
	h.counter.n = map[string]int{}
}

func (h *sesdoubleHandle) verifyEmail(address string) error {
	return h.double.VerifyEmail(testRegion, address)
}

func sesOperation(r *http.Request) (string, error) { return sesdouble.Operation(r) }
