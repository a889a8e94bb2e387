package route53

import (
	"slices"
	"testing"
)

func TestDelegated(t *testing.T) {
	st := &zoneState{zone: zone{ID: "Z1", Name: "acme.example."}, sets: map[setKey]*rrset{}}
	for _, s := range []*rrset{
		newSet("acme.example.", "NS", 172800, []string{"ns-1.awsdns.example."}),
		newSet("news.acme.example.", "NS", 300, []string{"ns.elsewhere.example."}),
		newSet("deep.news.acme.example.", "NS", 300, []string{"ns.deeper.example."}),
	} {
		st.sets[s.key()] = s
	}
	wanted := []record{
		{Addr: "apex", Name: "acme.example.", Type: "TXT"},
		{Addr: "cut-ns", Name: "news.acme.example.", Type: "NS"},
		{Addr: "cut-ds", Name: "news.acme.example.", Type: "DS"},
		{Addr: "cut-txt", Name: "news.acme.example.", Type: "TXT"},
		{Addr: "under", Name: "_dmarc.news.acme.example.", Type: "TXT"},
		{Addr: "deeper", Name: "x.deep.news.acme.example.", Type: "A"},
		{Addr: "unknown", Name: "", Type: "CNAME"},
		{Addr: "beside", Name: "othernews.acme.example.", Type: "A"},
	}
	var got []string
	for _, p := range delegated(st, wanted) {
		got = append(got, p.Addr+": "+p.Summary)
	}
	want := []string{
		"cut-txt: news.acme.example TXT would be written where nobody serves it: zone acme.example delegates news.acme.example to other name servers (ns.elsewhere.example.)",
		"under: _dmarc.news.acme.example TXT would be written where nobody serves it: zone acme.example delegates news.acme.example to other name servers (ns.elsewhere.example.)",
		"deeper: x.deep.news.acme.example A would be written where nobody serves it: zone acme.example delegates deep.news.acme.example to other name servers (ns.deeper.example.)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%q\nwant:\n%q", got, want)
	}
}
