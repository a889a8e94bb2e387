package acceptance

import (
	"strings"
	"testing"
)

// check runs mailform check against the double, its DNS as the resolver.
func (e *env) check(want int, extra ...string) result {
	e.t.Helper()
	args := append([]string{"check", e.dir, "-endpoint-url", e.s.URL(), "-resolver", e.s.DNSAddr()}, extra...)
	return e.must(want, args...)
}

func TestCheckSESDomain(t *testing.T) {
	e := newEnv(t, "ses-domain")
	e.createZone("acme.example")
	e.must(0, "apply", e.dir, "-auto-approve")
	r := e.check(0)
	t.Logf("%s\n%s", r.stdout, r.stderr)
	if !strings.Contains(r.stdout, "0 FAIL") {
		t.Errorf("output:\n%s", r.stdout)
	}
}
