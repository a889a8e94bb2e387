package route53

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/mailform/mailform/providers"
)

func TestSplitMessageList(t *testing.T) {
	mx := "Tried to delete resource record set [name='acme.example.', type='MX'] but it was not found"
	txt := `Invalid Resource Record: 'FATAL problem: ValueTooLong (Value is longer than 4000 characters) encountered with '"a, b, and c"''`
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"[" + mx + "]", []string{mx}},
		{"[" + mx + ", " + txt + ", RDATA character limit of 32000 exceeded.]", []string{mx, txt, "RDATA character limit of 32000 exceeded."}},
		{"ChangeBatch errors occurred", []string{"ChangeBatch errors occurred"}},
		{"[unbalanced [x, Y]", []string{"[unbalanced [x, Y]"}},
	}
	for _, tc := range cases {
		if got := splitMessageList(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("splitMessageList(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRejectedBatchModernForm: Route 53's answer since 2024 (one Message
// "[m1, m2]"): each change gets only its own message, once, and a message
// naming no record is reported once for the batch.
func TestRejectedBatchModernForm(t *testing.T) {
	mxMsg := "Tried to delete resource record set [name='acme.example.', type='MX'] but the values provided do not match the current values"
	dmarcMsg := "Tried to create resource record set [name='_dmarc.acme.example.', type='TXT'] but it already exists"
	limitMsg := "RDATA character limit of 32000 exceeded."
	for _, tc := range []struct {
		name     string
		messages []string
		own      map[string][]string // address -> the messages its error holds
	}{
		{"each its own", []string{mxMsg, dmarcMsg, limitMsg}, map[string][]string{
			"domain.acme.example/dmarc": {dmarcMsg, limitMsg}, // the batch's first op
			"record.acme.example.MX":    {mxMsg},
		}},
		{"only the batch", []string{limitMsg}, map[string][]string{
			"domain.acme.example/dmarc": {limitMsg},
			"record.acme.example.MX":    {"not applied", "because of domain.acme.example/dmarc"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := ownedZone()
			api.changeErr = &types.InvalidChangeBatch{Message: aws.String("[" + strings.Join(tc.messages, ", ") + "]")}
			p := NewWithAPI(api, Options{PollInterval: -1})
			var all strings.Builder
			for _, r := range p.Apply(t.Context(), providers.ApplyRequest{Stack: "s", Changes: updates(t, p)}) {
				if r.Err == nil {
					t.Fatalf("%s: no error", r.Addr)
				}
				all.WriteString(r.Err.Error() + "\n")
				for _, w := range tc.own[r.Addr] {
					if !strings.Contains(r.Err.Error(), w) {
						t.Errorf("%s: %q lacks %q", r.Addr, r.Err, w)
					}
				}
				for _, m := range tc.messages {
					if strings.Contains(r.Err.Error(), m) && !slices.Contains(tc.own[r.Addr], m) {
						t.Errorf("%s: %q holds %q, which is not about it", r.Addr, r.Err, m)
					}
				}
				var icb *types.InvalidChangeBatch
				if !errors.As(r.Err, &icb) {
					t.Errorf("%s: the AWS error is not wrapped", r.Addr)
				}
			}
			for _, m := range tc.messages {
				if n := strings.Count(all.String(), m); n != 1 {
					t.Errorf("%q appears %d times in the errors, want once:\n%s", m, n, all.String())
				}
			}
		})
	}
}
