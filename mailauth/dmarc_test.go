package mailauth

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDMARC(t *testing.T) {
	cases := []struct {
		text    string
		want    DMARC
		wantErr string
	}{
		{text: "v=DMARC1; p=none", want: DMARC{Policy: "none", Percent: 100, ADKIM: "r", ASPF: "r"}},
		{text: "v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@globex.example; ruf=mailto:f@globex.example!10m; adkim=s; aspf=s; sp=reject; fo=1; ri=86400",
			want: DMARC{Policy: "quarantine", SubdomainPolicy: "reject", Percent: 50, RUA: []string{"mailto:dmarc@globex.example"},
				RUF: []string{"mailto:f@globex.example!10m"}, ADKIM: "s", ASPF: "s"}},
		{text: "v=DMARC1;p=reject;rua=mailto:a@x.example,mailto:b@y.example;",
			want: DMARC{Policy: "reject", Percent: 100, RUA: []string{"mailto:a@x.example", "mailto:b@y.example"}, ADKIM: "r", ASPF: "r"}},
		{text: "v=DMARC1; p=reject; np=reject", want: DMARC{Policy: "reject", Percent: 100, ADKIM: "r", ASPF: "r", Unknown: []string{"np"}}},
		{text: "v=DMARC1; p=quarantin", wantErr: "p=quarantin is not a policy: want none, quarantine or reject"},
		{text: "v=DMARC1; rua=mailto:a@x.example", wantErr: "p= is missing"},
		{text: "p=none; v=DMARC1", wantErr: "must start with v=DMARC1"},
		{text: "v=DMARC2; p=none", wantErr: "must start with v=DMARC1"},
		{text: "", wantErr: "the record is empty"},
		{text: "v=DMARC1; p=none; rua=https://reports.example/dmarc", wantErr: `rua: "https://reports.example/dmarc" is not a mailto: URI`},
		{text: "v=DMARC1; p=none; ruf=mailto:not-an-address", wantErr: `is not an email address`},
		{text: "v=DMARC1; p=none; pct=101", wantErr: "pct=101 is not a whole number from 0 to 100"},
		{text: "v=DMARC1; p=none; adkim=x", wantErr: "adkim=x: want r (relaxed) or s (strict)"},
		{text: "v=DMARC1; p=none; p=reject", wantErr: "tag p appears twice"},
		{text: "v=DMARC1; p=none; sp=all", wantErr: "sp=all is not a policy"},
		{text: "v=DMARC1; p=none; bogus", wantErr: `"bogus" is not a tag=value pair`},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			got, err := ParseDMARC(c.text)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
