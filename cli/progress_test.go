package cli

import "testing"

func TestIdentityProgress(t *testing.T) {
	for _, tc := range []struct {
		done, total int
		rate        float64
		want        string
	}{
		{340, 1000, 1, "reading SES identities 340/1000, about 12 min left at SES's 1 request/s"},
		{990, 1000, 1, "reading SES identities 990/1000, about 11 s left at SES's 1 request/s"},
		{0, 5000, 1, "reading SES identities 0/5000, about 1 h 28 min left at SES's 1 request/s"},
		{340, 1000, 20, "reading SES identities 340/1000, about 35 s left at SES's 20 request/s"},
		{340, 1000, 0, "reading SES identities 340/1000"},
		{1000, 1000, 1, ""},
		{0, 0, 1, ""},
	} {
		if got := identityProgress(tc.done, tc.total, tc.rate, 0.05); got != tc.want {
			t.Errorf("identityProgress(%d, %d, %g) = %q, want %q", tc.done, tc.total, tc.rate, got, tc.want)
		}
	}
}
