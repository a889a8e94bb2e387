package route53

import (
	"sort"
	"strings"
	"testing"

	"github.com/mailform/mailform/internal/dnsvalue"
	"github.com/mailform/mailform/specs"
)

func TestMarkerRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		marker Marker
		want   string // the Route 53 value
	}{
		{
			name:   "whole set",
			marker: Marker{Stack: "acme-prod", Type: "MX", Addr: "record.acme.example.MX"},
			want:   `"mailform:stack=acme-prod;type=MX;addr=record.acme.example.MX"`,
		},
		{
			name:   "shared value",
			marker: Marker{Stack: "acme-prod", Type: "TXT", Addr: "domain.acme.example/spf", Value: ValueDigest("TXT", `"v=spf1 include:amazonses.com ~all"`)},
			want:   `"mailform:stack=acme-prod;type=TXT;addr=domain.acme.example/spf;value=` + ValueDigest("TXT", `"v=spf1 include:amazonses.com ~all"`) + `"`,
		},
		{
			name:   "with the stack's region",
			marker: Marker{Stack: "acme-prod", Type: "TXT", Addr: "domain.acme.example/spf", Value: "0123456789abcdef", Region: "us-west-2"},
			want:   `"mailform:stack=acme-prod;type=TXT;addr=domain.acme.example/spf;value=0123456789abcdef;region=us-west-2"`,
		},
		{
			name:   "email address in the address",
			marker: Marker{Stack: "s", Type: "CNAME", Addr: "email.alerts@partner.example/dkim[0]"},
			want:   `"mailform:stack=s;type=CNAME;addr=email.alerts@partner.example/dkim[0]"`,
		},
		{
			name:   "long address is split like any TXT value",
			marker: Marker{Stack: "s", Type: "TXT", Addr: "record." + strings.Repeat("a", 300) + ".TXT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.marker.valid(); err != nil {
				t.Fatalf("valid: %v", err)
			}
			got := tt.marker.Format()
			if tt.want != "" && got != tt.want {
				t.Errorf("Format = %s, want %s", got, tt.want)
			}
			back, ok := ParseMarker(got)
			if !ok {
				t.Fatalf("ParseMarker(%s) failed", got)
			}
			if back != tt.marker {
				t.Errorf("round trip: %+v, want %+v", back, tt.marker)
			}
		})
	}
}

func TestParseMarkerRejects(t *testing.T) {
	for _, v := range []string{
		`"google-site-verification=abc"`,
		`"v=spf1 include:amazonses.com ~all"`,
		`"mailform:stack=s;type=TXT"`,                               // no address
		`"mailform:stack=s;type=TXT;addr=a;color=blue"`,             // unknown field
		`"mailform:stack=s;type=TXT;addr=a;value=xyz"`,              // digest not 16 hex
		`"mailform:stack=s;type=TXT;addr=a;value=0123456789abcdeg"`, // not hex
		`"mailform:stack=s;stack=t;type=TXT;addr=a"`,                // repeated field
		`"mailform:stack"`,
	} {
		if m, ok := ParseMarker(v); ok {
			t.Errorf("ParseMarker(%s) = %+v, want not a marker", v, m)
		}
	}
}

func TestMarkerValid(t *testing.T) {
	for _, m := range []Marker{
		{Stack: "s", Type: "TXT", Addr: "a;b"},
		{Stack: "s", Type: "TXT", Addr: `a"b`},
		{Stack: "s", Type: "TXT", Addr: "a b"},
		{Stack: "", Type: "TXT", Addr: "a"},
	} {
		if m.valid() == nil {
			t.Errorf("%+v is valid, want an error", m)
		}
	}
}

func TestValueDigestIgnoresSplitting(t *testing.T) {
	text := "v=DKIM1; k=rsa; p=" + strings.Repeat("M", 400)
	whole := ValueDigest("TXT", `"`+text+`"`)
	split := ValueDigest("TXT", specs.QuoteTXT(text))
	if whole != split {
		t.Errorf("digest depends on the split: %s vs %s", whole, split)
	}
	if len(whole) != 16 {
		t.Errorf("digest %q is not 16 hex digits", whole)
	}
	if ValueDigest("TXT", `"a"`) == ValueDigest("TXT", `"b"`) {
		t.Error("different values share a digest")
	}
}

func TestNormalName(t *testing.T) {
	tests := map[string]string{
		`\052.acme.example.`:  "*.acme.example.",
		"*.acme.example.":     "*.acme.example.",
		"MTA1.Acme.Example":   "mta1.acme.example.",
		`_mailform.\052.a.b.`: "_mailform.*.a.b.",
		`a\\b.example.`:       `a\\b.example.`, // not an octal escape: left as is
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := dnsvalue.Name(in); got != want {
				t.Errorf("dnsvalue.Name(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestObservedID(t *testing.T) {
	k := setKey{Name: "_dmarc.acme.example.", Type: "TXT"}
	id := observedID("Z123", k)
	if id != "Z123/_dmarc.acme.example./TXT" {
		t.Errorf("ID %q", id)
	}
	z, back, ok := parseObservedID(id)
	if !ok || z != "Z123" || back != k {
		t.Errorf("parse %q = %q %v %v", id, z, back, ok)
	}
	for _, bad := range []string{"", "Z1", "Z1/name", "/name/TXT", "Z1/name/"} {
		if _, _, ok := parseObservedID(bad); ok {
			t.Errorf("parseObservedID(%q) ok", bad)
		}
	}
}

// TestAddMarkerTakesTheRegion: a claim written before markers named the
// region gives way to the same claim with it, rather than standing beside it.
func TestAddMarkerTakesTheRegion(t *testing.T) {
	old := Marker{Stack: "s", Type: "MX", Addr: "record.a.example.MX"}
	other := Marker{Stack: "t", Type: "MX", Addr: "record.a.example.MX"}
	l := &layer{base: map[setKey]*rrset{markerKey("a.example."): newSet(MarkerName("a.example."), "TXT", MarkerTTL, []string{old.Format(), other.Format()})}, over: map[setKey]*rrset{}}
	withRegion := old
	withRegion.Region = "us-west-2"
	addMarker(l, "a.example.", withRegion)
	got := l.get(markerKey("a.example.")).values()
	want := []string{other.Format(), withRegion.Format()}
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("markers %q, want %q", got, want)
	}
}
