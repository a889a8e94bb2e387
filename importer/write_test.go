package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mailform/mailform/internal/golden"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/specs"
)

// brownfield is a mapper as the reads of a hand-made account leave it: an
// Easy DKIM domain with MAIL FROM, its set and topic, a 1024-bit domain
// whose DMARC has a tag the dmarc block lacks, an email identity, and the
// account's suppression list.
func brownfield() *mapper {
	m := &mapper{opts: Options{Stack: "acme-prod", Region: "us-west-2"}, topics: map[string]*topicSpec{}}
	arn := "arn:aws:sns:us-west-2:123456789012:acme-prod-feedback"
	days := int64(14)
	m.topics[arn] = &topicSpec{arn: arn, name: "acme-prod-feedback", label: "feedback", found: true, queue: &days}
	m.sets = []*setSpec{{
		name: "acme-prod-default", label: "default", suppression: []string{"BOUNCE", "COMPLAINT"}, override: true, tls: "REQUIRE",
		destinations: map[string]destSpec{"feedback": {types: []string{"BOUNCE", "COMPLAINT"}, topicARN: arn, enabled: true}},
	}}
	m.domains = []*domainSpec{
		{
			name: "acme.example", zone: "acme.example.", dkimMode: "easy", keyLength: 2048, setName: "acme-prod-default",
			mailFrom: "bounce.acme.example", onMX: "USE_DEFAULT_VALUE",
			topics: map[string]string{"bounce": arn, "complaint": arn}, forwarding: false,
			spf:   "v=spf1 include:amazonses.com ~all",
			dmarc: []string{`"v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example"`}, dmarcFound: true,
		},
		{
			name: "old.example", zone: "old.example.", dkimMode: "easy", keyLength: 1024, forwarding: true,
			mailFrom: "mail.old.example", onMX: "REJECT_MESSAGE",
			dmarc: []string{`"v=DMARC1; p=none; fo=1"`}, dmarcFound: true, dmarcTTL: 3600,
		},
	}
	m.emails = []*emailSpec{{address: "alerts@partner.example", setName: "acme-prod-default"}}
	m.account = &accountSpec{suppression: []string{"BOUNCE"}, alarms: &alarmsSpec{
		percent: map[string]string{"bounce": "3.5", "complaint": "0.05"}, periodMinutes: 30, evaluationPeriods: 2,
		notify: []string{"arn:aws:sns:us-west-2:123456789012:pager"},
	}}
	m.smtp = []*smtpSpec{{label: "webapp_smtp", user: SMTPUser{Name: "webapp-smtp", Path: "/apps/"}, from: []string{"*@acme.example"}}}
	m.mtas = []*mtaSpec{{label: "mx1", hostname: "mx1.acme.example", eip: ElasticIP{AllocationID: "eipalloc-0123456789abcdef0"}, instanceID: "i-0123456789abcdef0"}}
	return m
}

// TestWriteSpec: the spec written from a hand-made account is in the
// canonical layout, loads, and declares what was found.
func TestWriteSpec(t *testing.T) {
	m := brownfield()
	src, err := m.write()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "brownfield.hcl"), src)
	if formatted, diags := specs.Format(src, "main.hcl"); diags.HasErrors() || string(formatted) != string(src) {
		t.Errorf("not in the canonical layout: %v", diags)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	spec, diags := specs.Load(dir, specs.LoadOptions{})
	if diags.HasErrors() {
		t.Fatalf("the spec does not load: %v", diags)
	}
	var addrs []string
	for _, r := range spec.Resources() {
		addrs = append(addrs, r.Addr)
	}
	for _, want := range []string{"domain.acme.example", "domain.acme.example/dmarc", "domain.acme.example/spf", "configuration_set.default", "topic.feedback/queue", "email.alerts@partner.example", "record._dmarc.old.example.TXT", "account", "account/bounce_alarm", "smtp_user.webapp_smtp", "mta.mx1", "mta.mx1/a", "mta.mx1/ptr"} {
		if !slices.Contains(addrs, want) {
			t.Errorf("the spec declares no %s: %v", want, addrs)
		}
	}
}

func TestParseSPF(t *testing.T) {
	for text, ok := range map[string]bool{
		"v=spf1 include:amazonses.com ~all":              true,
		"v=spf1 a mx ip4:192.0.2.1 ip6:2001:db8::1 -all": true,
		"v=spf1 redirect=_spf.example.com":               false,
		"v=spf1 include:amazonses.com":                   false, // no all: the block always writes one
		"v=spf1 exists:%{i}.example ?all":                false,
		"spf2.0/pra ~all":                                false,
	} {
		if _, got := parseSPF(text); got != ok {
			t.Errorf("parseSPF(%q) ok = %v, want %v", text, got, ok)
		}
	}
}

// TestSPFNamesMTAs: the addresses of mta blocks are written as mtas when
// the spf block's order (ip4, ip6, then the MTAs) keeps the value's.
func TestSPFNamesMTAs(t *testing.T) {
	addrs := map[string]string{"192.0.2.1": "mx1", "192.0.2.2": "mx2"}
	for _, c := range []struct {
		text, ip4, mtas string
	}{
		{"v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 -all", "", "mx1 mx2"},
		{"v=spf1 ip4:198.51.100.0/24 ip4:192.0.2.2 include:amazonses.com ~all", "198.51.100.0/24", "mx2"},
		// An MTA's address before another ip4 term would move behind it.
		{"v=spf1 ip4:192.0.2.1 ip4:198.51.100.7 -all", "192.0.2.1 198.51.100.7", ""},
		// ip6 terms come before the MTAs' addresses in what a spf block writes.
		{"v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all", "192.0.2.1", ""},
	} {
		s, ok := parseSPF(c.text)
		if !ok {
			t.Fatalf("parseSPF(%q) failed", c.text)
		}
		s.nameMTAs(addrs)
		if got := strings.Join(s.ip4, " "); got != c.ip4 {
			t.Errorf("%q: ip4 %q, want %q", c.text, got, c.ip4)
		}
		if got := strings.Join(s.mtas, " "); got != c.mtas {
			t.Errorf("%q: mtas %q, want %q", c.text, got, c.mtas)
		}
	}
}

func TestParseDMARC(t *testing.T) {
	d, ok := parseDMARC([]string{`"v=DMARC1; p=reject; sp=none; pct=50; rua=mailto:a@x.example,mailto:b@x.example; adkim=s"`})
	if !ok || d.p != "reject" || d.sp != "none" || d.pct != 50 || len(d.rua) != 2 || d.adkim != "strict" {
		t.Errorf("parseDMARC: %+v, %v", d, ok)
	}
	for _, v := range [][]string{{`"v=DMARC1; p=none; fo=1"`}, {`"p=none"`}, {`"v=DMARC1; p=block"`}, {`"v=DMARC1; p=none"`, `"v=DMARC1; p=reject"`}} {
		if _, ok := parseDMARC(v); ok {
			t.Errorf("parseDMARC(%q) maps a record the dmarc block cannot write", v)
		}
	}
}

func TestAllowedFrom(t *testing.T) {
	for doc, want := range map[string][]string{
		`{"Statement":[{"Effect":"Allow","Action":"ses:SendRawEmail","Resource":"*"}]}`:                                                             {},
		`{"Statement":{"Effect":"Allow","Action":"ses:SendRawEmail","Resource":"*","Condition":{"StringLike":{"ses:FromAddress":"*@a.example"}}}}`:  {"*@a.example"},
		`{"Statement":[{"Action":"ses:SendRawEmail","Condition":{"StringLike":{"ses:FromAddress":["b@a.example","*@c.example"]}}}]}`:                {"*@c.example", "b@a.example"},
		`{"Statement":[{"Action":"ses:SendRawEmail","Condition":{"StringEquals":{"ses:FromAddress":"b@a.example"}}}]}`:                              nil,
		`{"Statement":[{"Action":"ses:SendRawEmail","Condition":{"StringLike":{"ses:FromAddress":"b@a.example","ses:Recipients":"*@a.example"}}}]}`: nil,
		`{"Statement":[{"Action":"ses:SendRawEmail"},{"Action":"ses:SendEmail"}]}`:                                                                  nil,
	} {
		got, ok := allowedFrom(doc)
		if ok != (want != nil) || ok && !slices.Equal(got, want) && len(got)+len(want) > 0 {
			t.Errorf("allowedFrom(%s) = %v, %v; want %v", doc, got, ok, want)
		}
	}
}

func TestIdentifier(t *testing.T) {
	taken := map[string]bool{"webapp_smtp": true}
	for name, want := range map[string]string{"webapp-smtp": "webapp_smtp_2", "Billing.Mail": "billing_mail", "1st": "smtp_1st"} {
		if got := identifier(name, "smtp_", taken); got != want {
			t.Errorf("identifier(%q) = %q, want %q", name, got, want)
		}
	}
}

// account answers the reads of an import from fixed state.
type account struct {
	identities []string
	owners     map[string]string // the tag index's answer
	observed   []plan.Observed
	err        error
	read       *[]specs.Resource // what Read was asked for, when not nil
}

func (a account) IdentityNames(context.Context) ([]string, error)           { return a.identities, a.err }
func (a account) IdentityOwners(context.Context) (map[string]string, error) { return a.owners, nil }
func (a account) ConfigurationSetNames(context.Context) ([]string, error)   { return nil, nil }
func (a account) PublicZoneNames(context.Context) ([]string, error)         { return nil, nil }
func (a account) SMTPUsers(context.Context) ([]SMTPUser, error)             { return nil, nil }
func (a account) ElasticIPs(context.Context) ([]ElasticIP, error)           { return nil, nil }
func (a account) ZoneRecordSets(context.Context, []string) ([]RecordSet, error) {
	return nil, nil
}
func (a account) ReputationAlarms(context.Context) ([]string, error) { return nil, nil }
func (a account) Read(_ context.Context, desired []specs.Resource) ([]plan.Observed, error) {
	if a.read != nil {
		*a.read = append(*a.read, desired...)
	}
	return a.observed, nil
}

// TestImportLeavesOtherStacksUnread: identities the tag index shows with
// another stack's mark are not read one by one (each would cost an SES call,
// at 1 a second): -all and -domain note them and read only the rest.
func TestImportLeavesOtherStacksUnread(t *testing.T) {
	for _, opts := range []Options{
		{Stack: "acme-prod", Region: "eu-west-1", All: true},
		{Stack: "acme-prod", Region: "eu-west-1", Domain: []string{"acme.example", "partner.example"}},
	} {
		var read []specs.Resource
		acct := account{
			identities: []string{"acme.example", "Partner.example", "ops@partner.example", "mine.example"},
			owners:     map[string]string{"partner.example": "partner-prod", "ops@partner.example": "partner-prod", "mine.example": "acme-prod"},
			read:       &read,
		}
		res, err := Import(t.Context(), acct, opts)
		if err != nil {
			t.Fatal(err)
		}
		var asked []string
		for _, r := range read {
			if r.Kind == specs.KindSESIdentity {
				asked = append(asked, r.Attrs["identity"].(string))
			}
		}
		want := []string{"acme.example"}
		if opts.All {
			want = []string{"acme.example", "mine.example"}
		}
		if !slices.Equal(asked, want) {
			t.Errorf("%+v: identities read %q, want %q", opts, asked, want)
		}
		noted := 0
		for _, n := range res.Notes {
			if strings.Contains(n.Reason, "belongs to stack partner-prod") {
				noted++
			}
		}
		if noted != 2 {
			t.Errorf("%+v: %d notes of partner-prod's identities, want 2: %+v", opts, noted, res.Notes)
		}
	}
}

// TestImportFindsNothing: a domain with no identity in the region writes no
// block, says so, and lists what the region holds.
func TestImportFindsNothing(t *testing.T) {
	res, err := Import(t.Context(), account{identities: []string{"other.example"}}, Options{Stack: "acme-prod", Region: "eu-west-1", Domain: []string{"acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Blocks != 0 || res.Spec != nil || !slices.Equal(res.Identities, []string{"other.example"}) || len(res.Notes) != 1 {
		t.Errorf("import of a missing domain: %+v", res)
	}
}

func TestImportRefuses(t *testing.T) {
	acct := account{err: errors.New("not called")}
	if _, err := Import(t.Context(), acct, Options{Stack: "Acme Prod", All: true}); err == nil {
		t.Error("an invalid stack name is accepted")
	}
	if _, err := Import(t.Context(), acct, Options{Stack: "acme-prod"}); err == nil {
		t.Error("an import of nothing named is accepted")
	}
	if _, err := Import(t.Context(), acct, Options{Stack: "acme-prod", All: true, SMTPCredentials: "vault:/smtp/"}); err == nil || !strings.Contains(err.Error(), "-smtp-credentials vault:/smtp/") {
		t.Errorf("an -smtp-credentials prefix of no store: %v", err)
	}
	// -domain values a careless user gives: none at all, an email address,
	// a wildcard, two names in one; and -domain beside -all.
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{Stack: "acme-prod", Domain: []string{""}}, `-domain ""`},
		{Options{Stack: "acme-prod", Domain: []string{"ops@acme.example"}}, "-domain acme.example"},
		{Options{Stack: "acme-prod", Domain: []string{"*.acme.example"}}, `-domain "*.acme.example"`},
		{Options{Stack: "acme-prod", Domain: []string{"acme.example other.example"}}, `-domain "acme.example other.example"`},
		{Options{Stack: "acme-prod", Domain: []string{"acme.example"}, All: true}, "not both"},
	} {
		if _, err := Import(t.Context(), acct, c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error saying %q", c.opts, err, c.want)
		}
	}
}

// A -domain pasted with spaces around it, in capitals or with the trailing
// dot of a DNS name is the domain.
func TestImportDomainAsPasted(t *testing.T) {
	got := normalDomains([]string{" Acme.Example. ", "\tother.example\n"})
	if !slices.Equal(got, []string{"acme.example", "other.example"}) {
		t.Errorf("normalDomains = %q", got)
	}
}

// TestWriteNotesOnce: the spec is written again after a fall-back; what it
// could not write is noted once.
func TestWriteNotesOnce(t *testing.T) {
	m := brownfield()
	m.sets[0].destinations["elsewhere"] = destSpec{types: []string{"SEND"}, topicARN: "arn:aws:sns:us-west-2:123456789012:shared-topic", enabled: true}
	for range 2 {
		if _, err := m.write(); err != nil {
			t.Fatal(err)
		}
	}
	if len(m.notes) != 1 {
		t.Errorf("notes after two writes: %+v, want the one about the destination", m.notes)
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 domains", 1: "1 domain", 2: "2 domains"} {
		if got := Count(n, "domain", "domains"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestElasticIPsNamedByARecord: an Elastic IP without reverse DNS is named
// by the one A record of an imported domain that points at it; with none
// (unless -all) it is not the import's, and with several it is reported.
func TestElasticIPsNamedByARecord(t *testing.T) {
	m := &mapper{opts: Options{Stack: "acme-prod", Region: "us-west-2", Domain: []string{"acme.example"}}, topics: map[string]*topicSpec{}}
	m.domains = []*domainSpec{{name: "acme.example", zone: "acme.example."}}
	names := addressNames([]RecordSet{
		{Name: "mx1.acme.example.", Type: "A", Values: []string{"192.0.2.1"}, Simple: true},
		{Name: "a.acme.example.", Type: "A", Values: []string{"192.0.2.2"}, Simple: true},
		{Name: "b.acme.example.", Type: "A", Values: []string{"192.0.2.2"}, Simple: true},
		{Name: "mx9.other.example.", Type: "A", Values: []string{"192.0.2.3"}, Simple: true},
		{Name: "*.acme.example.", Type: "A", Values: []string{"192.0.2.4"}, Simple: true},
	})
	m.elasticIPs([]ElasticIP{
		{PublicIP: "192.0.2.1", AllocationID: "eipalloc-00000001"},
		{PublicIP: "192.0.2.2", AllocationID: "eipalloc-00000002"},
		{PublicIP: "192.0.2.3", AllocationID: "eipalloc-00000003"},
		{PublicIP: "192.0.2.4", AllocationID: "eipalloc-00000004"},
	}, names)
	if len(m.mtas) != 1 || m.mtas[0].hostname != "mx1.acme.example" || !m.mtas[0].noPTR || m.mtas[0].label != "mx1" {
		t.Fatalf("mtas: %+v", m.mtas)
	}
	if len(m.notes) != 1 || !strings.Contains(m.notes[0].Reason, "2 A records point at it (a.acme.example, b.acme.example)") {
		t.Errorf("notes: %+v", m.notes)
	}
	// Unless the domain's SPF lists the address, it is not taken for an MTA's.
	m.keepSendingMTAs()
	if len(m.mtas) != 0 || len(m.notes) != 2 {
		t.Errorf("without SPF: mtas %+v, notes %+v", m.mtas, m.notes)
	}
}
