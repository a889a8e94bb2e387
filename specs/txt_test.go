package specs

import (
	"strings"
	"testing"
)

func TestQuoteTXT(t *testing.T) {
	long := strings.Repeat("a", 255)
	tests := []struct {
		text string
		want string
	}{
		{"", `""`},
		{"v=spf1 include:amazonses.com ~all", `"v=spf1 include:amazonses.com ~all"`},
		{`say "hi"\`, `"say \"hi\"\\"`},
		{"tab\there", `"tab\011here"`},
		{long, `"` + long + `"`},
		{long + "b", `"` + long + `" "b"`},
		{strings.Repeat("a", 254) + `"x`, `"` + strings.Repeat("a", 254) + `\"" "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.want[:min(len(tt.want), 20)], func(t *testing.T) {
			got := QuoteTXT(tt.text)
			if got != tt.want {
				t.Errorf("QuoteTXT = %s, want %s", got, tt.want)
			}
			if back := UnquoteTXT(got); back != tt.text {
				t.Errorf("UnquoteTXT(QuoteTXT(x)) = %q, want %q", back, tt.text)
			}
		})
	}
}

// checkTXTRoundTrip checks the properties of QuoteTXT for one input.
func checkTXTRoundTrip(t *testing.T, text string) {
	q := QuoteTXT(text)
	if back := UnquoteTXT(q); back != text {
		t.Fatalf("round trip of %q gave %q (quoted %s)", text, back, q)
	}
	// Every string holds at most 255 characters of text.
	for _, part := range strings.Split(q, `" "`) {
		if n := len(UnquoteTXT(`"` + strings.Trim(part, `"`) + `"`)); n > 255 {
			t.Fatalf("a string of %s carries %d characters", q, n)
		}
	}
	if QuoteTXT(UnquoteTXT(q)) != q {
		t.Fatalf("quoting is not stable for %q", text)
	}
}

func FuzzQuoteTXT(f *testing.F) {
	for _, seed := range []string{"", "v=spf1 ~all", `a"b\c`, "\x00\xff\n", strings.Repeat("x", 600), strings.Repeat(`"`, 300)} {
		f.Add(seed)
	}
	f.Fuzz(checkTXTRoundTrip)
}
