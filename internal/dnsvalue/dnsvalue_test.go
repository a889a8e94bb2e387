package dnsvalue

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/quick"

	"github.com/miekg/dns"
)

// spellings are groups of values of one type that are one RDATA, however
// written: each must have the canonical form of the first.
var spellings = []struct {
	rtype string
	want  string
	same  []string
}{
	{"AAAA", "2001:db8::1", []string{"2001:DB8:0:0::1", "2001:0db8:0000:0000:0000:0000:0000:0001", " 2001:db8::1 "}},
	{"A", "192.0.2.1", []string{"192.0.2.1", " 192.0.2.1"}},
	{"MX", "10 mx.acme.example.", []string{"10 MX.acme.example", "010 mx.acme.example.", "10  mx.ACME.example."}},
	{"SRV", "1 5 443 host.acme.example.", []string{"1 5 443 HOST.acme.example", "01 05 0443 host.acme.example."}},
	{"CNAME", "tok.dkim.amazonses.com.", []string{"TOK.dkim.amazonses.com", "tok.dkim.amazonses.com."}},
	{"NS", "ns-1.awsdns.example.", []string{"NS-1.awsdns.example"}},
	{"TXT", `"v=spf1 include:amazonses.com ~all"`, []string{`v=spf1 include:amazonses.com ~all`, `"v=spf1 include:" "amazonses.com ~all"`, `"v=spf1 include:amazonses.com ~all" `}},
	{"TXT", `"say \"hi\" \303\251"`, []string{`"say \"hi\" \303\251"`, `"say \"hi" "\" \303\251"`}},
	{"TXT", `"caf\303\251"`, []string{"caf\u00e9"}},
	{"CAA", `0 issue "amazon.com"`, []string{`0 ISSUE "amazon.com"`, `0 issue amazon.com`}},
}

func TestSpellingsAgree(t *testing.T) {
	for _, g := range spellings {
		for _, v := range append([]string{g.want}, g.same...) {
			if got := Value(g.rtype, v); got != g.want {
				t.Errorf("Value(%s, %q) = %q, want %q", g.rtype, v, got, g.want)
			}
		}
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"Acme.Example":                "acme.example.",
		"acme.example.":               "acme.example.",
		`\052.acme.example.`:          "*.acme.example.",
		" _DMARC.acme.example ":       "_dmarc.acme.example.",
		"":                            "",
		`tok._domainkey.ACME.example`: "tok._domainkey.acme.example.",
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFromRRAgreesWithValue: a record served by DNS and the same record as
// the spec or Route 53 writes it have one canonical form.
func TestFromRRAgreesWithValue(t *testing.T) {
	for _, g := range spellings {
		rr, err := dns.NewRR("x.example. 300 IN " + g.rtype + " " + presentation(g.rtype, g.want))
		if err != nil {
			t.Fatalf("%s %s: %v", g.rtype, g.want, err)
		}
		if got := FromRR(rr); got != g.want {
			t.Errorf("FromRR(%s) = %q, want %q", rr, got, g.want)
		}
	}
}

// presentation writes a canonical value in zone-file form (decimal escapes).
func presentation(rtype, v string) string {
	if rtype != "TXT" {
		return v
	}
	var parts []string
	for _, s := range TXTStrings(v) {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20 || c >= 0x7f:
				fmt.Fprintf(&b, "\\%03d", c)
			default:
				b.WriteByte(c)
			}
		}
		parts = append(parts, `"`+b.String()+`"`)
	}
	return strings.Join(parts, " ")
}

// value is a random record value of a random type, in one of its spellings.
type value struct{ rtype, v string }

func (value) Generate(r *rand.Rand, size int) reflect.Value {
	word := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
		b := make([]byte, 1+r.Intn(12))
		for i := range b {
			b[i] = letters[r.Intn(len(letters))]
		}
		return string(b)
	}
	name := func() string {
		n := word() + "." + word() + ".example"
		if r.Intn(2) == 0 {
			n += "."
		}
		return n
	}
	var out value
	switch r.Intn(7) {
	case 0:
		out = value{"A", fmt.Sprintf("%d.%d.%d.%d", r.Intn(256), r.Intn(256), r.Intn(256), r.Intn(256))}
	case 1:
		var groups []string
		for range 8 {
			groups = append(groups, fmt.Sprintf("%x", r.Intn(1<<16)))
		}
		out = value{"AAAA", strings.Join(groups, ":")}
		if r.Intn(2) == 0 {
			out.v = strings.ToUpper(out.v)
		}
	case 2:
		out = value{"MX", fmt.Sprintf("%d %s", r.Intn(65536), name())}
	case 3:
		out = value{"SRV", fmt.Sprintf("%d %d %d %s", r.Intn(65536), r.Intn(65536), r.Intn(65536), name())}
	case 4:
		out = value{"CNAME", name()}
	default:
		b := make([]byte, r.Intn(600))
		for i := range b {
			b[i] = byte(r.Intn(256))
		}
		out = value{"TXT", string(b)}
		switch r.Intn(3) {
		case 0:
			out.v = TXT(out.v)
		case 1:
			out.v = `"` + strings.ReplaceAll(strings.ReplaceAll(string(b), `\`, `\\`), `"`, `\"`) + `"`
		}
	}
	return reflect.ValueOf(out)
}

// TestCanonicalIsIdempotent: canonical(canonical(x)) == canonical(x).
func TestCanonicalIsIdempotent(t *testing.T) {
	f := func(x value) bool {
		once := Value(x.rtype, x.v)
		return Value(x.rtype, once) == once
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
	g := func(s string) bool { return Name(Name(s)) == Name(s) }
	if err := quick.Check(g, &quick.Config{MaxCount: 2000}); err != nil {
		t.Error(err)
	}
}

// TestSpellingsOfRandomValuesAgree: a random value written another way
// (upper case, TXT split elsewhere, no trailing dot) has the same canonical
// form.
func TestSpellingsOfRandomValuesAgree(t *testing.T) {
	f := func(x value) bool {
		var other string
		switch x.rtype {
		case "TXT":
			text := TXTText(Value("TXT", x.v))
			cut := len(text) / 3
			other = TXT(text[:cut]) + " " + TXT(text[cut:])
		case "A":
			other = " " + x.v + " "
		default:
			other = strings.ToUpper(strings.TrimSuffix(x.v, "."))
		}
		return Value(x.rtype, other) == Value(x.rtype, x.v)
	}
	if err := quick.Check(f, &quick.Config{MaxCount: 5000}); err != nil {
		t.Error(err)
	}
}

func FuzzValue(f *testing.F) {
	for _, g := range spellings {
		for _, v := range g.same {
			f.Add(g.rtype, v)
		}
	}
	f.Fuzz(func(t *testing.T, rtype, v string) {
		once := Value(rtype, v)
		if twice := Value(rtype, once); twice != once {
			t.Errorf("Value(%s, %q) = %q, then %q", rtype, v, once, twice)
		}
	})
}

// TestTXTStrings: Route 53 writes bytes outside printable ASCII as \NNN
// octal (Route 53 developer guide, supported record types, TXT: characters
// are given "by using escape codes in the format \three-digit octal code").
func TestTXTStrings(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{`"a"`, []string{"a"}},
		{`"a" "b c"`, []string{"a", "b c"}},
		{`"a\"b" "\\"`, []string{`a"b`, `\`}},
		{`"\101\102"`, []string{"AB"}},
		{`"caf\303\251"`, []string{"caf\u00e9"}},
		{`bare words`, []string{"bare", "words"}},
		{`""`, []string{""}},
	}
	for _, tc := range cases {
		if got := TXTStrings(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("TXTStrings(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
