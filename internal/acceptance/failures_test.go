package acceptance

import (
	"slices"
	"strings"
	"testing"
)

// requireAddressOnce fails t when a failure line of apply's output names the
// address twice: apply adds the address (apply.ResourceError), so a
// provider's error must not.
func requireAddressOnce(t *testing.T, stdout string) {
	t.Helper()
	for _, line := range addressTwice(stdout) {
		t.Errorf("the failure names its address twice: %s", line)
	}
}

// addressTwice lists the failure lines ("ADDR: FAILED: MESSAGE") whose
// message begins with the address again.
func addressTwice(stdout string) []string {
	var out []string
	for _, line := range strings.Split(stdout, "\n") {
		addr, msg, ok := strings.Cut(line, ": FAILED: ")
		if ok && strings.HasPrefix(msg, addr) {
			out = append(out, line)
		}
	}
	return out
}

func TestAddressTwice(t *testing.T) {
	stdout := "route53.record.mx: Updating...\n" +
		"route53.record.mx: FAILED: Route 53 rejected the change batch: InvalidChangeBatch\n" +
		"mta.mx1: FAILED: mta.mx1: allocating an Elastic IP: AddressLimitExceeded\n"
	if got, want := addressTwice(stdout), []string{"mta.mx1: FAILED: mta.mx1: allocating an Elastic IP: AddressLimitExceeded"}; !slices.Equal(got, want) {
		t.Errorf("addressTwice = %q, want %q", got, want)
	}
}
