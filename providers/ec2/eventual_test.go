package ec2

import (
	"strings"
	"testing"
	"time"

	"github.com/mailform/mailform/internal/awstest"
)

// TestLostAllocationWhileTheListLags: the answer of an AllocateAddress that
// allocated is lost, and the search by tags does not show the new address
// yet (the double's ListLag): mailform searches again through the settle
// window and adopts the address instead of allocating a second one; then
// it waits until the search lists the address, so a plan right after the
// apply finds it.
func TestLostAllocationWhileTheListLags(t *testing.T) {
	e := newEnv(t)
	e.p.opts.ListSettle = 3 * time.Second
	if err := e.s.Configure(func(o *awstest.Options) { o.ListLag = time.Second }); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetFaults("ec2:AllocateAddress=cut#1"); err != nil {
		t.Fatal(err)
	}
	res := e.applyOK(t, eipCreate("mta.mta1", "mta1.acme.example.", ""))
	if got := e.s.Count("ec2", "AllocateAddress"); got != 1 {
		t.Errorf("AllocateAddress called %d times, want 1", got)
	}
	if got := len(e.addresses(t)); got != 1 {
		t.Errorf("%d addresses after the run, want 1", got)
	}
	if !strings.Contains(res[0].Message, "adopted") {
		t.Errorf("message %q, want the lost address adopted", res[0].Message)
	}

	// A new allocation: apply returns once the search lists it.
	if err := e.s.SetFaults(""); err != nil {
		t.Fatal(err)
	}
	e.applyOK(t, eipCreate("mta.mta2", "mta2.acme.example.", ""))
	owned, err := e.p.describeOwned(t.Context(), testStack, []string{"mta.mta2"})
	if err != nil || len(owned) != 1 {
		t.Errorf("right after apply the search by tags finds %d addresses (%v), want 1", len(owned), err)
	}
}
