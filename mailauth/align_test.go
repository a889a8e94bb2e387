package mailauth

import "testing"

func TestSPFRecordIncludes(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{"v=spf1 include:amazonses.com ~all", true},
		{"v=spf1 include:AmazonSES.com. -all", true},
		{"v=spf1 +include:amazonses.com -all", true},
		{"v=spf1 ~include:amazonses.com -all", false}, // only a pass qualifier lets SES send
		{"v=spf1 include:_spf.amazonses.com -all", false},
		{"v=spf1 redirect=amazonses.com", false}, // the record itself does not include it
		{"v=spf1 ip4:192.0.2.1 -all", false},
	} {
		rec, err := ParseSPF(c.text)
		if err != nil {
			t.Fatalf("%q: %v", c.text, err)
		}
		if got := rec.Includes("amazonses.com"); got != c.want {
			t.Errorf("%q includes amazonses.com: %v, want %v", c.text, got, c.want)
		}
	}
}

func TestDMARCAligned(t *testing.T) {
	for _, c := range []struct {
		from, auth, mode string
		want             bool
	}{
		{"acme.example", "acme.example.", "s", true},
		{"acme.example", "bounce.acme.example", "r", true},
		{"acme.example", "bounce.acme.example", "s", false},
		{"news.acme.example", "acme.example", "r", true},
		{"acme.example", "notacme.example", "r", false},
		{"acme.example", "amazonses.com", "r", false},
		{"news.acme.example", "bounce.acme.example", "r", true},
		{"news.acme.example", "bounce.acme.example", "s", false},
		{"shop.acme.co.uk", "mail.acme.co.uk.", "r", true},
		{"acme.co.uk", "other.co.uk", "r", false},
		{"a.github.io", "b.github.io", "r", false},
	} {
		if got := DMARCAligned(c.from, c.auth, c.mode); got != c.want {
			t.Errorf("DMARCAligned(%s, %s, %s) = %v, want %v", c.from, c.auth, c.mode, got, c.want)
		}
	}
}
