package mailauth

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSPF(t *testing.T) {
	cases := []struct {
		text    string
		terms   []string // String() of each term
		wantErr string
	}{
		{text: "v=spf1 -all", terms: []string{"-all"}},
		{text: "V=SPF1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx/24 a:mail.example.com/24//64 ~all",
			terms: []string{"ip4:192.0.2.0/24", "ip6:2001:db8::/32", "a", "mx/24", "a:mail.example.com/24//64", "~all"}},
		{text: "v=spf1 include:_spf.google.com redirect=_spf.example.com exp=explain.example.com",
			terms: []string{"include:_spf.google.com", "redirect=_spf.example.com", "exp=explain.example.com"}},
		{text: "v=spf1 exists:%{i}._spf.example.com ?all", terms: []string{"exists:%{i}._spf.example.com", "?all"}},
		{text: "v=spf1 +ptr unknown-mod=x -all", terms: []string{"ptr", "unknown-mod=x", "-all"}},
		{text: "v=spf10 -all", wantErr: "does not start with v=spf1"},
		{text: "spf1 -all", wantErr: "does not start with v=spf1"},
		{text: "v=spf1 include -all", wantErr: `"include": include needs a domain`},
		{text: "v=spf1 include: -all", wantErr: `nothing after ':'`},
		{text: "v=spf1 ip4:192.0.2.300 -all", wantErr: "not an IPv4 address"},
		{text: "v=spf1 ip4:2001:db8::1 -all", wantErr: "not an IPv4 address"},
		{text: "v=spf1 ip6:192.0.2.1 -all", wantErr: "not an IPv6 address"},
		{text: "v=spf1 a/33 -all", wantErr: "invalid prefix length"},
		{text: "v=spf1 foo:bar -all", wantErr: `unknown mechanism "foo"`},
		{text: "v=spf1 all:x", wantErr: "all takes no argument"},
		{text: "v=spf1 redirect=a.example redirect=b.example", wantErr: "redirect= appears twice"},
		{text: "v=spf1 include:nodot -all", wantErr: "include needs a domain"},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			rec, err := ParseSPF(c.text)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, term := range rec.Terms {
				got = append(got, term.String())
			}
			if diff := cmp.Diff(c.terms, got); diff != "" {
				t.Errorf("terms (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsSPF(t *testing.T) {
	for text, want := range map[string]bool{
		"v=spf1 -all": true, "v=spf1": true, "V=SPF1 ~all": true, " v=spf1 a": true,
		"v=spf10 -all": false, "v=DMARC1; p=none": false, "google-site-verification=x": false, "": false,
	} {
		if got := IsSPF(text); got != want {
			t.Errorf("IsSPF(%q) = %v, want %v", text, got, want)
		}
	}
}
