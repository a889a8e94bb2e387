package check

import (
	"net"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mailform/mailform/mailauth"
)

func TestSPFEvaluate(t *testing.T) {
	zone := []string{
		`chain.example. TXT "v=spf1 include:a.chain.example include:amazonses.com -all"`,
		`a.chain.example. TXT "v=spf1 include:b.chain.example ip4:192.0.2.1 -all"`,
		`b.chain.example. TXT "v=spf1 a:host.chain.example mx -all"`,
		`b.chain.example. MX 10 mx.chain.example.`,
		`host.chain.example. A 192.0.2.20`,
		`mx.chain.example. A 192.0.2.30`,
		`void.example. TXT "v=spf1 a:nx1.void.example a:nx2.void.example exists:nx3.void.example -all"`,
		`nospf.example. TXT "google-site-verification=abc"`,
		`inclnospf.example. TXT "v=spf1 include:nospf.example -all"`,
		`inclnx.example. TXT "v=spf1 include:nx.inclnx.example -all"`,
		`loop1.example. TXT "v=spf1 include:loop2.example -all"`,
		`loop2.example. TXT "v=spf1 include:loop1.example -all"`,
		`two.example. TXT "v=spf1 -all"`,
		`two.example. TXT "v=spf1 ~all"`,
		`incltwo.example. TXT "v=spf1 include:two.example -all"`,
		`redir.example. TXT "v=spf1 redirect=a.chain.example"`,
		`cname.example. CNAME a.chain.example.`,
		`inclcname.example. TXT "v=spf1 include:cname.example -all"`,
		`bad.example. TXT "v=spf1 include:badsyntax.example -all"`,
		`badsyntax.example. TXT "v=spf1 ip4:300.1.1.1 -all"`,
		`ptr.example. TXT "v=spf1 ptr -all"`,
		`ptr.example. A 192.0.2.50`,
		`soft.example. TXT "v=spf1 ip4:192.0.2.0/28 ~all"`,
		`net.example. A 198.51.100.1`,
		`net.example. MX 10 mail.net.example.`,
		`mail.net.example. A 203.0.113.9`,
		`v6.example. AAAA 2001:db8::25`,
	}
	// Ten lookups in one include, one more at the top: 11.
	var many []string
	for i := range 10 {
		many = append(many, "a:h"+string(rune('a'+i))+".many.example")
		zone = append(zone, "h"+string(rune('a'+i))+`.many.example. A 192.0.2.99`)
	}
	zone = append(zone, `inner.many.example. TXT "v=spf1 `+strings.Join(many, " ")+` -all"`)

	type want struct {
		lookups, voids int
		terms          []SPFTermCount
		fromTable      []string
		notResolved    []string
		problems       []string
		warnings       []string
		result         string
	}
	cases := []struct {
		name   string
		domain string
		text   string
		ip     string
		want   want
	}{
		{name: "no lookups", domain: "x.example", text: "v=spf1 ip4:192.0.2.0/24 -all", ip: "192.0.2.7",
			want: want{result: "pass"}},
		{name: "ip outside", domain: "x.example", text: "v=spf1 ip4:192.0.2.0/24 -all", ip: "198.51.100.1",
			want: want{result: "fail"}},
		{name: "softfail", domain: "soft.example", text: "v=spf1 ip4:192.0.2.0/28 ~all", ip: "192.0.2.200",
			want: want{result: "softfail"}},
		{name: "recursive chain with the table", domain: "chain.example", text: "v=spf1 include:a.chain.example include:amazonses.com -all", ip: "192.0.2.30",
			want: want{lookups: 5, terms: []SPFTermCount{
				{Term: "include:a.chain.example", Lookups: 4},
				{Term: "include:amazonses.com", Lookups: 1, Note: "from mailform's table, not reachable here: its record has no further lookups"},
			}, fromTable: []string{"amazonses.com"}, result: "pass"}},
		{name: "well-known include counted from the table", domain: "g.example", text: "v=spf1 include:_spf.google.com ~all",
			want: want{lookups: 4, terms: []SPFTermCount{{Term: "include:_spf.google.com", Lookups: 4, Note: "from mailform's table, not reachable here: it includes _netblocks, _netblocks2 and _netblocks3.google.com"}}, fromTable: []string{"_spf.google.com"}}},
		{name: "unknown unreachable include", domain: "u.example", text: "v=spf1 include:spf.unreachable.test -all", ip: "192.0.2.1",
			want: want{lookups: 1, terms: []SPFTermCount{{Term: "include:spf.unreachable.test", Lookups: 1, Note: "not reachable here and not in mailform's table: counted 1, may need more"}},
				notResolved: []string{"spf.unreachable.test"}, result: "fail"}},
		{name: "over the limit", domain: "many.example", text: "v=spf1 include:inner.many.example -all", ip: "192.0.2.99",
			want: want{lookups: 11, terms: []SPFTermCount{{Term: "include:inner.many.example", Lookups: 11}},
				problems: []string{"11 DNS lookups: receivers allow 10 and return permerror beyond"}, result: "permerror"}},
		{name: "void lookups", domain: "void.example", text: "v=spf1 a:nx1.void.example a:nx2.void.example exists:nx3.void.example -all",
			want: want{lookups: 3, voids: 3, terms: []SPFTermCount{
				{Term: "a:nx1.void.example", Lookups: 1}, {Term: "a:nx2.void.example", Lookups: 1}, {Term: "exists:nx3.void.example", Lookups: 1, Note: "void lookup"},
			}, problems: []string{"3 void lookups (names that do not exist or have no such record): receivers allow 2"}}},
		{name: "include without SPF record", domain: "inclnospf.example", text: "v=spf1 include:nospf.example -all",
			want: want{lookups: 1, terms: []SPFTermCount{{Term: "include:nospf.example", Lookups: 1, Note: "no SPF record"}}, problems: []string{"nospf.example has no SPF record"}}},
		{name: "include of a name that does not exist", domain: "inclnx.example", text: "v=spf1 include:nx.inclnx.example -all",
			want: want{lookups: 1, voids: 1, terms: []SPFTermCount{{Term: "include:nx.inclnx.example", Lookups: 1, Note: "no SPF record"}}, problems: []string{"nx.inclnx.example has no SPF record"}}},
		{name: "loop", domain: "loop1.example", text: "v=spf1 include:loop2.example -all",
			want: want{lookups: 2, terms: []SPFTermCount{{Term: "include:loop2.example", Lookups: 2}}, problems: []string{"loop1.example includes itself (a loop)"}}},
		{name: "include with two SPF records", domain: "incltwo.example", text: "v=spf1 include:two.example -all",
			want: want{lookups: 1, terms: []SPFTermCount{{Term: "include:two.example", Lookups: 1, Note: "several SPF records"}}, problems: []string{"two.example has 2 SPF records"}}},
		{name: "redirect", domain: "redir.example", text: "v=spf1 redirect=a.chain.example", ip: "192.0.2.1",
			want: want{lookups: 4, terms: []SPFTermCount{{Term: "redirect=a.chain.example", Lookups: 4}}, result: "pass"}},
		{name: "include through a CNAME", domain: "inclcname.example", text: "v=spf1 include:cname.example -all", ip: "192.0.2.20",
			want: want{lookups: 4, terms: []SPFTermCount{{Term: "include:cname.example", Lookups: 4}}, result: "pass"}},
		{name: "syntax error inside an include", domain: "bad.example", text: "v=spf1 include:badsyntax.example -all",
			want: want{lookups: 1, terms: []SPFTermCount{{Term: "include:badsyntax.example", Lookups: 1, Note: "syntax error"}}, problems: []string{`badsyntax.example: "ip4:300.1.1.1": not an IPv4 address or network`}}},
		{name: "syntax error", domain: "x.example", text: "v=spf1 ipv4:192.0.2.1 -all", ip: "192.0.2.1",
			want: want{problems: []string{`syntax: "ipv4:192.0.2.1": unknown mechanism "ipv4"`}, result: "permerror"}},
		{name: "ptr warns", domain: "ptr.example", text: "v=spf1 ptr -all",
			want: want{lookups: 1, terms: []SPFTermCount{{Term: "ptr", Lookups: 1, Note: "not evaluated"}}, warnings: []string{"the ptr mechanism is deprecated (RFC 7208 §5.5) and many receivers ignore it"}}},
		{name: "a with a prefix length matches a neighbour", domain: "net.example", text: "v=spf1 a/24 -all", ip: "198.51.100.200",
			want: want{lookups: 1, terms: []SPFTermCount{{Term: "a/24", Lookups: 1}}, result: "pass"}},
		{name: "mx host matches", domain: "net.example", text: "v=spf1 mx -all", ip: "203.0.113.9",
			want: want{lookups: 1, terms: []SPFTermCount{{Term: "mx", Lookups: 1}}, result: "pass"}},
		{name: "mx host does not match", domain: "net.example", text: "v=spf1 mx ~all", ip: "203.0.113.10",
			want: want{lookups: 1, terms: []SPFTermCount{{Term: "mx", Lookups: 1}}, result: "softfail"}},
		{name: "IPv6 through a", domain: "v6.example", text: "v=spf1 a -all", ip: "2001:db8::25",
			want: want{lookups: 1, terms: []SPFTermCount{{Term: "a", Lookups: 1}}, result: "pass"}},
		{name: "first match wins", domain: "x.example", text: "v=spf1 -ip4:192.0.2.1 ip4:192.0.2.0/24 -all", ip: "192.0.2.1",
			want: want{result: "fail"}},
		{name: "redirect ignored beside all", domain: "redir.example", text: "v=spf1 ?all redirect=a.chain.example", ip: "192.0.2.1",
			want: want{warnings: []string{"redirect=a.chain.example is ignored: the record has an all mechanism"}, result: "neutral"}},
		{name: "macro not expanded", domain: "m.example", text: "v=spf1 exists:%{i}.spf.m.example -all",
			want: want{lookups: 1, terms: []SPFTermCount{{Term: "exists:%{i}.spf.m.example", Lookups: 1, Note: "macro: not expanded"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stub := newStub(t, zone...)
			stub.unreachable = []string{"amazonses.com.", "google.com.", "unreachable.test."}
			var ip net.IP
			if c.ip != "" {
				ip = net.ParseIP(c.ip)
			}
			ev := SPFEvaluator{Resolver: stub, Table: mailauth.WellKnownSPFInclude}.Evaluate(t.Context(), c.domain, c.text, ip)
			got := want{lookups: ev.Lookups, voids: ev.VoidLookups, terms: ev.Terms, fromTable: ev.FromTable,
				notResolved: ev.NotResolved, problems: ev.Problems, warnings: ev.Warnings, result: ev.Result}
			if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("evaluation (-want +got):\n%s", diff)
			}
		})
	}
}
