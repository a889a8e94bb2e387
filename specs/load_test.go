package specs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

const header = `
mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}
`

// mustLoad loads a spec written from files and fails on any error.
func mustLoad(t *testing.T, files map[string]string, opts LoadOptions) (*Spec, hcl.Diagnostics) {
	t.Helper()
	dir := writeSpec(t, files)
	spec, diags := Load(dir, opts)
	if diags.HasErrors() {
		t.Fatalf("unexpected errors:\n%s", renderDiags(t, spec.Files(), diags))
	}
	return spec, diags
}

func resource(t *testing.T, spec *Spec, addr string) Resource {
	t.Helper()
	for _, r := range spec.Resources() {
		if r.Addr == addr {
			return r
		}
	}
	t.Fatalf("no resource %s; have %v", addr, addrs(spec))
	return Resource{}
}

func addrs(spec *Spec) []string {
	var out []string
	for _, r := range spec.Resources() {
		out = append(out, r.Addr)
	}
	return out
}

// TestVariableSources sets variables from defaults, the environment,
// -var-file and -var, and checks which source wins.
func TestVariableSources(t *testing.T) {
	spec := header + `
variable "contact" {
  type    = string
  default = "default@acme.example"
}

variable "days" {
  type    = number
  default = 4
}

variable "reasons" {
  type    = list(string)
  default = ["BOUNCE"]
}

topic "feedback" {
  queue {
    retention_days = var.days
  }
}

account {
  suppression = var.reasons
}

requests {
  contact_email = var.contact
  use_case      = "Receipts."
}
`
	tests := []struct {
		name        string
		opts        LoadOptions
		varFile     string
		wantContact string
		wantDays    int
		wantReasons []string
	}{
		{name: "defaults", wantContact: "default@acme.example", wantDays: 4, wantReasons: []string{"BOUNCE"}},
		{
			name:        "environment",
			opts:        LoadOptions{Environ: []string{"MAILFORM_VAR_contact=env@acme.example", "MAILFORM_VAR_days=7", "MAILFORM_VAR_unrelated=x", "PATH=/bin"}},
			wantContact: "env@acme.example", wantDays: 7, wantReasons: []string{"BOUNCE"},
		},
		{
			name:        "var file beats environment",
			opts:        LoadOptions{Environ: []string{"MAILFORM_VAR_days=7"}},
			varFile:     "days = 9\nreasons = [\"BOUNCE\", \"COMPLAINT\"]\n",
			wantContact: "default@acme.example", wantDays: 9, wantReasons: []string{"BOUNCE", "COMPLAINT"},
		},
		{
			name:        "flag beats var file",
			opts:        LoadOptions{Vars: map[string]string{"days": "14", "contact": "flag@acme.example", "reasons": `["COMPLAINT"]`}},
			varFile:     "days = 9\n",
			wantContact: "flag@acme.example", wantDays: 14, wantReasons: []string{"COMPLAINT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSpec(t, map[string]string{"main.hcl": spec})
			opts := tt.opts
			if tt.varFile != "" {
				p := filepath.Join(t.TempDir(), "prod.vars.hcl")
				if err := os.WriteFile(p, []byte(tt.varFile), 0o644); err != nil {
					t.Fatal(err)
				}
				opts.VarFiles = []string{p}
			}
			s, diags := Load(dir, opts)
			if len(diags) > 0 {
				t.Fatalf("unexpected diagnostics:\n%s", renderDiags(t, s.Files(), diags))
			}
			if s.Requests.ContactEmail != tt.wantContact {
				t.Errorf("contact = %q, want %q", s.Requests.ContactEmail, tt.wantContact)
			}
			if got := s.Topics[0].Queue.RetentionDays; got != tt.wantDays {
				t.Errorf("retention_days = %d, want %d", got, tt.wantDays)
			}
			if diff := cmp.Diff(tt.wantReasons, s.Account.Suppression); diff != "" {
				t.Errorf("suppression (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVariableErrors covers values from outside the spec that do not fit.
func TestVariableErrors(t *testing.T) {
	spec := header + `
variable "days" {
  type = number
}

variable "token" {
  type      = number
  sensitive = true
  default   = 1
}

topic "feedback" {
  queue {
    retention_days = var.days
  }
}
`
	tests := []struct {
		name       string
		opts       LoadOptions
		varFile    string
		want       []string // substrings of the rendered diagnostics
		wantNoText string   // must not appear
		positioned bool     // every diagnostic has a Subject
	}{
		{
			name: "missing",
			want: []string{"Missing required variable", "-var days=VALUE", "MAILFORM_VAR_days"},
		},
		{
			name: "undeclared flag",
			opts: LoadOptions{Vars: map[string]string{"days": "3", "dayz": "3"}},
			want: []string{"Value for undeclared variable", "-var dayz=...", `Did you mean "days"?`},
		},
		{
			name: "flag of the wrong type",
			opts: LoadOptions{Vars: map[string]string{"days": `"two weeks"`}},
			want: []string{"Invalid value for variable", "-var days", "number"},
		},
		{
			name: "flag that does not parse",
			opts: LoadOptions{Vars: map[string]string{"days": "[1,"}},
			want: []string{"Invalid value for variable", "-var days", "not a valid expression"},
		},
		{
			name:       "sensitive flag of the wrong type",
			opts:       LoadOptions{Vars: map[string]string{"days": "3", "token": `"hunter2"`}},
			want:       []string{"Invalid value for variable", "-var token"},
			wantNoText: "hunter2",
		},
		{
			name:       "environment of the wrong type",
			opts:       LoadOptions{Environ: []string{"MAILFORM_VAR_days=soon"}},
			want:       []string{"Invalid value for variable", "MAILFORM_VAR_days"},
			positioned: false,
		},
		{
			name:       "undeclared in var file",
			varFile:    "days = 3\ndayss = 4\n",
			want:       []string{"Value for undeclared variable", "prod.vars.hcl", `Did you mean "days"?`},
			positioned: true,
		},
		{
			name:       "wrong type in var file",
			varFile:    "days = \"soon\"\n",
			want:       []string{"Invalid value for variable", "prod.vars.hcl line 1", "a number is required"},
			positioned: true,
		},
		{
			name: "missing var file",
			opts: LoadOptions{VarFiles: []string{"/nonexistent/prod.vars.hcl"}},
			want: []string{"Cannot read a variables file", "/nonexistent/prod.vars.hcl"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSpec(t, map[string]string{"main.hcl": spec})
			opts := tt.opts
			if tt.varFile != "" {
				p := filepath.Join(t.TempDir(), "prod.vars.hcl")
				if err := os.WriteFile(p, []byte(tt.varFile), 0o644); err != nil {
					t.Fatal(err)
				}
				opts.VarFiles = append(opts.VarFiles, p)
			}
			s, diags := Load(dir, opts)
			if !diags.HasErrors() {
				t.Fatal("want errors, got none")
			}
			text := renderDiags(t, s.Files(), diags)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("diagnostics lack %q:\n%s", w, text)
				}
			}
			if tt.wantNoText != "" && strings.Contains(text, tt.wantNoText) {
				t.Errorf("diagnostics show %q:\n%s", tt.wantNoText, text)
			}
			if tt.positioned {
				for _, d := range diags {
					if d.Subject == nil {
						t.Errorf("no source range: %s", d.Summary)
					}
				}
			}
		})
	}
}

// TestSensitiveVariableNeverShown uses a sensitive value where validation
// fails in several ways, and checks the value appears nowhere.
func TestSensitiveVariableNeverShown(t *testing.T) {
	const secret = "S3cr3t-Value"
	spec := header + `
variable "loc" {
  type      = string
  sensitive = true
}

locals {
  derived = "x${var.loc}"
}

smtp_user "webapp" {
  credentials  = local.derived
  allowed_from = [var.loc]
}

domain "acme.example" {
  dkim {
    mode        = "byo"
    selector    = var.loc
    private_key = var.loc
  }
  dmarc {
    policy = var.loc
    rua    = [var.loc]
  }
}

requests {
  contact_email = var.loc
  use_case      = format("%d", var.loc)
}
`
	dir := writeSpec(t, map[string]string{"main.hcl": spec})
	for _, opts := range []LoadOptions{
		{Vars: map[string]string{"loc": secret}},
		{Environ: []string{"MAILFORM_VAR_loc=" + secret}},
	} {
		s, diags := Load(dir, opts)
		if !diags.HasErrors() {
			t.Fatal("want errors")
		}
		text := renderDiags(t, s.Files(), diags)
		if strings.Contains(text, secret) {
			t.Errorf("the sensitive value appears in diagnostics:\n%s", text)
		}
		for _, d := range diags {
			if strings.Contains(d.Detail, secret) || strings.Contains(d.Summary, secret) {
				t.Errorf("the sensitive value appears in %q", d.Summary)
			}
		}
		if !strings.Contains(text, "(sensitive value)") {
			t.Errorf("want messages to say (sensitive value):\n%s", text)
		}
	}
}

// TestFunctionsAndReferences evaluates every function and reference kind.
func TestFunctionsAndReferences(t *testing.T) {
	files := map[string]string{
		"main.hcl": header + `
variable "env" {
  default = "Prod"
}

locals {
  env     = lower(var.env)
  prefix  = format("/acme/%s", local.env)
  parts   = split(",", "BOUNCE,COMPLAINT")
  all     = concat(local.parts, [])
  text    = trimspace(file("texts/use-case.txt"))
  n       = length(local.parts)
  n_chars = length("abc")
}

topic "feedback" {}

configuration_set "default" {
  suppression = local.all
  event_destination "feedback" {
    types = [upper("bounce")]
    topic = topic.feedback
  }
}

mta "mta1" {
  hostname = "mta1.acme.example"
}

domain "acme.example" {
  configuration_set = configuration_set.default
  spf {
    mtas    = [mta.mta1]
    include = ["amazonses.com"]
  }
  notifications {
    bounce    = topic.feedback
    complaint = topic.feedback
    delivery  = topic.feedback
  }
}

smtp_user "webapp" {
  credentials  = "ssm:${local.prefix}/smtp"
  allowed_from = [replace("x@ACME.example", "ACME", "acme")]
}

requests {
  contact_email = join("@", ["ops", "acme.example"])
  use_case      = "${local.text} (${tostring(local.n)} reasons, ${local.n_chars})"
}
`,
		"texts/use-case.txt": "  Receipts.\n",
	}
	spec, _ := mustLoad(t, files, LoadOptions{})
	if got, want := spec.SMTPUsers[0].Credentials, "ssm:/acme/prod/smtp"; got != want {
		t.Errorf("credentials = %q, want %q", got, want)
	}
	if got, want := spec.Requests.UseCase, "Receipts. (2 reasons, 3)"; got != want {
		t.Errorf("use_case = %q, want %q", got, want)
	}
	if got, want := spec.Requests.ContactEmail, "ops@acme.example"; got != want {
		t.Errorf("contact_email = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"x@acme.example"}, spec.SMTPUsers[0].AllowedFrom); diff != "" {
		t.Errorf("allowed_from (-want +got):\n%s", diff)
	}
	d := spec.Domains[0]
	if d.ConfigurationSet != "default" || d.Notifications.Delivery != "feedback" || d.SPF.MTAs[0] != "mta1" {
		t.Errorf("references not kept as labels: %+v %+v", d, d.Notifications)
	}
	spf := resource(t, spec, "domain.acme.example/spf")
	want := Deferred("v=spf1 ip4:${mta.mta1#public_ip} include:amazonses.com ~all")
	if diff := cmp.Diff([]any{want}, spf.Attrs["values"]); diff != "" {
		t.Errorf("spf values (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"mta.mta1"}, spf.DependsOn); diff != "" {
		t.Errorf("spf depends_on (-want +got):\n%s", diff)
	}
	id := resource(t, spec, "domain.acme.example")
	if diff := cmp.Diff([]string{"configuration_set.default", "topic.feedback"}, id.DependsOn); diff != "" {
		t.Errorf("identity depends_on (-want +got):\n%s", diff)
	}
	if got := id.Attrs["delivery_topic"]; got != Deferred("${topic.feedback#arn}") {
		t.Errorf("delivery_topic = %#v", got)
	}
}

// TestSPFLookupWarnings checks the 8-10 warning band and its edges.
func TestSPFLookupWarnings(t *testing.T) {
	tests := []struct {
		name     string
		spf      string
		lookups  int
		severity hcl.DiagnosticSeverity // 0: no diagnostic
		detail   []string
	}{
		{name: "ses only", spf: `include = ["amazonses.com"]`, lookups: 1},
		{name: "seven", spf: `include = ["amazonses.com", "_spf.google.com", "spf.protection.outlook.com"]`, lookups: 7},
		{name: "eight", spf: `include = ["amazonses.com", "_spf.google.com", "mailgun.org"]`, lookups: 8, severity: hcl.DiagWarning,
			detail: []string{"needs 8 DNS lookups", "include:_spf.google.com = 4"}},
		{name: "ten with unknown", spf: "include = [\"_spf.google.com\", \"mailgun.org\", \"spf.vendor.example\", \"sendgrid.net\"]\n    a = true", lookups: 10, severity: hcl.DiagWarning,
			detail: []string{"needs 10 DNS lookups", `counts "spf.vendor.example" as 1, but it may need more`}},
		{name: "eleven", spf: "include = [\"_spf.google.com\", \"mailgun.org\", \"spf.protection.outlook.com\", \"sendgrid.net\"]\n    a = true", lookups: 11, severity: hcl.DiagError,
			detail: []string{"needs 11 DNS lookups", "Receivers allow 10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeSpec(t, map[string]string{"main.hcl": header + "\ndomain \"acme.example\" {\n  spf {\n    " + tt.spf + "\n  }\n}\n"})
			s, diags := Load(dir, LoadOptions{})
			if tt.severity == 0 {
				if len(diags) != 0 {
					t.Fatalf("want no diagnostics, got:\n%s", renderDiags(t, s.Files(), diags))
				}
			} else {
				if len(diags) != 1 || diags[0].Severity != tt.severity {
					t.Fatalf("want one diagnostic of severity %d, got:\n%s", tt.severity, renderDiags(t, s.Files(), diags))
				}
				for _, w := range tt.detail {
					if !strings.Contains(diags[0].Detail, w) {
						t.Errorf("detail lacks %q: %s", w, diags[0].Detail)
					}
				}
				if diags[0].Subject == nil || diags[0].Subject.Start.Line != 10 {
					t.Errorf("want the diagnostic at the spf block (line 10), got %v", diags[0].Subject)
				}
			}
			if tt.severity != hcl.DiagError {
				if got := s.Domains[0].SPF.Lookups().Total; got != tt.lookups {
					t.Errorf("lookups = %d, want %d", got, tt.lookups)
				}
			}
		})
	}
}

// TestDNSElsewhere puts records of undeclared zones into dns.manual_record
// and picks the longest matching zone for the others.
func TestDNSElsewhere(t *testing.T) {
	spec, _ := mustLoad(t, map[string]string{"main.hcl": header + `
zone "mail.acme.example" {
  zone_id = "Z0123456789ABC"
}

domain "acme.example" {
  mail_from {
    subdomain = "bounce.mail"
  }
}

domain "partner.example" {
  dmarc {
    policy = "none"
  }
}
`}, LoadOptions{})
	tests := []struct {
		addr   string
		kind   Kind
		zone   any
		zoneID any
	}{
		{"domain.acme.example/dkim[0]", KindRoute53Record, "acme.example.", nil},
		{"domain.acme.example/mail_from_mx", KindRoute53Record, "mail.acme.example.", "Z0123456789ABC"},
		{"domain.partner.example/dkim[2]", KindManualDNSRecord, nil, nil},
		{"domain.partner.example/dmarc", KindManualDNSRecord, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			r := resource(t, spec, tt.addr)
			if r.Kind != tt.kind || r.Attrs["zone"] != tt.zone || r.Attrs["zone_id"] != tt.zoneID {
				t.Errorf("got kind %s zone %v zone_id %v; want %s %v %v", r.Kind, r.Attrs["zone"], r.Attrs["zone_id"], tt.kind, tt.zone, tt.zoneID)
			}
		})
	}
	mx := resource(t, spec, "domain.acme.example/mail_from_mx")
	if diff := cmp.Diff([]any{"10 feedback-smtp.us-west-2.amazonses.com."}, mx.Attrs["values"]); diff != "" {
		t.Errorf("mail_from_mx (-want +got):\n%s", diff)
	}
	if mx.Attrs["name"] != "bounce.mail.acme.example." {
		t.Errorf("mail_from_mx name = %v", mx.Attrs["name"])
	}
	dkim := resource(t, spec, "domain.partner.example/dkim[2]")
	if got, want := dkim.Attrs["name"], Deferred("${domain.partner.example#dkim_tokens[2]}._domainkey.partner.example."); got != want {
		t.Errorf("dkim name = %#v, want %#v", got, want)
	}
}

// TestRecordNormalForms checks the normal forms of record block values.
func TestRecordNormalForms(t *testing.T) {
	long := strings.Repeat("k", 300)
	spec, _ := mustLoad(t, map[string]string{"main.hcl": header + `
record "Acme.Example." "mx" {
  ttl    = 3600
  values = ["20 MX2.acme.example", "10 mx1.acme.example."]
}

record "www.acme.example" "CNAME" {
  values = ["cdn.example"]
}

record "_verify.acme.example" "TXT" {
  values = ["` + long + `", "\"already\" \"quoted\""]
}

record "_smtp._tcp.acme.example" "SRV" {
  values = ["10 5 587 SMTP.acme.example"]
}
`}, LoadOptions{})
	tests := []struct {
		addr string
		want []any
	}{
		{"record.acme.example.MX", []any{"10 mx1.acme.example.", "20 mx2.acme.example."}},
		{"record.www.acme.example.CNAME", []any{"cdn.example."}},
		{"record._verify.acme.example.TXT", []any{`"alreadyquoted"`, `"` + long[:255] + `" "` + long[255:] + `"`}},
		{"record._smtp._tcp.acme.example.SRV", []any{"10 5 587 smtp.acme.example."}},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			r := resource(t, spec, tt.addr)
			if diff := cmp.Diff(tt.want, r.Attrs["values"]); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
	if got := resource(t, spec, "record.acme.example.MX").Attrs["ttl"]; got != int64(3600) {
		t.Errorf("ttl = %#v", got)
	}
}

// TestFolderOfFiles reads several files in name order, ignores other files,
// and names each file in ranges.
func TestFolderOfFiles(t *testing.T) {
	spec, _ := mustLoad(t, map[string]string{
		"b-topics.hcl": "topic \"b\" {}\n",
		"a-main.hcl":   header + "topic \"a\" {}\n",
		"notes.txt":    "not a spec",
		".hidden.hcl":  "this is not HCL {",
	}, LoadOptions{})
	if got := []string{spec.Topics[0].Label, spec.Topics[1].Label}; got[0] != "a" || got[1] != "b" {
		t.Errorf("topics in order %v, want [a b]", got)
	}
	if got := filepath.Base(spec.Topics[1].Range.Filename); got != "b-topics.hcl" {
		t.Errorf("range file = %q", got)
	}
	if len(spec.Files()) != 2 {
		t.Errorf("Files() has %d entries, want 2", len(spec.Files()))
	}
	one, diags := Load(filepath.Join(spec.Dir, "a-main.hcl"), LoadOptions{})
	if diags.HasErrors() || len(one.Topics) != 1 {
		t.Errorf("loading one file: %d topics, diags %v", len(one.Topics), diags)
	}
}

// TestUnreadablePaths covers paths that are not a spec.
func TestUnreadablePaths(t *testing.T) {
	empty := t.TempDir()
	for _, p := range []string{filepath.Join(empty, "missing"), empty} {
		s, diags := Load(p, LoadOptions{})
		if !diags.HasErrors() || s == nil {
			t.Errorf("%s: want an error and a Spec, got %v", p, diags)
		}
	}
}

// TestSMTPUserPolicy checks the canonical policy document.
func TestSMTPUserPolicy(t *testing.T) {
	tests := []struct {
		allowed []string
		want    string
	}{
		{nil, `{"Statement":[{"Action":"ses:SendRawEmail","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`},
		{[]string{"b@acme.example", "*@acme.example"}, `{"Statement":[{"Action":"ses:SendRawEmail","Condition":{"StringLike":{"ses:FromAddress":["*@acme.example","b@acme.example"]}},"Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.allowed, ","), func(t *testing.T) {
			got, err := smtpPolicy(tt.allowed)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("policy =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
