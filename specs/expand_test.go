package specs

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExpandKinds checks each block's resources: addresses, kinds,
// attributes and dependencies.
func TestExpandKinds(t *testing.T) {
	spec, _ := mustLoad(t, map[string]string{"main.hcl": header + `
topic "feedback" {
  queue {
    retention_days = 14
  }
}

configuration_set "default" {
  suppression = ["COMPLAINT", "BOUNCE"]
  event_destination "b" {
    types   = ["REJECT", "BOUNCE"]
    topic   = topic.feedback
    enabled = false
  }
}

domain "acme.example" {
  dkim {
    mode        = "byo"
    selector    = "Mail2024"
    private_key = "ssm:/acme/dkim"
    key_length  = 1024
  }
  mail_from {
    subdomain     = "bounce.acme.example."
    on_mx_failure = "reject"
  }
}

domain "lists.acme.example" {
  ses_identity = false
  spf {
    ip4 = ["192.0.2.0/24"]
    ip6 = ["2001:db8::/32"]
    a   = true
    mx  = true
    all = "fail"
  }
  dmarc {
    policy           = "reject"
    subdomain_policy = "none"
    pct              = 25
    rua              = ["mailto:a@acme.example", "mailto:b@acme.example!10m"]
    aspf             = "relaxed"
  }
}

email "Alerts@Partner.Example" {
  configuration_set = configuration_set.default
}

mta "mta1" {
  hostname    = "MTA1.acme.example."
  instance_id = "i-0abc1234def567890"
  reverse_dns = false
}

mta "mta2" {
  hostname = "mta2.acme.example"
  ttl      = 3600
}
`}, LoadOptions{})

	tests := []struct {
		addr string
		kind Kind
		deps []string
		want map[string]any // attributes to compare (a subset)
	}{
		{"topic.feedback", KindSNSTopic, []string{}, map[string]any{"name": "acme-prod-feedback", "ses_publish": true}},
		{"topic.feedback/queue", KindSQSQueue, []string{"topic.feedback"}, map[string]any{
			"name": "acme-prod-feedback-feedback", "retention_days": int64(14), "topic_arn": Deferred("${topic.feedback#arn}")}},
		{"configuration_set.default", KindSESConfigSet, []string{"topic.feedback"}, map[string]any{
			"name": "acme-prod-default", "suppression": []any{"BOUNCE", "COMPLAINT"}, "tls_policy": "OPTIONAL", "reputation_metrics": false,
			"event_destinations": map[string]any{"b": map[string]any{"types": []any{"BOUNCE", "REJECT"}, "topic_arn": Deferred("${topic.feedback#arn}"), "enabled": false}}}},
		{"domain.acme.example", KindSESIdentity, []string{"domain.acme.example/dkim_key"}, map[string]any{
			"identity": "acme.example", "type": "DOMAIN", "dkim_mode": "byo", "dkim_selector": "mail2024", "dkim_private_key": "ssm:/acme/dkim",
			"mail_from_domain": "bounce.acme.example", "mail_from_on_mx_failure": "REJECT_MESSAGE", "feedback_forwarding": true}},
		{"domain.acme.example/dkim_key", KindDKIMKey, []string{}, map[string]any{"location": "ssm:/acme/dkim", "key_length": int64(1024), "private_key": Sensitive{}}},
		{"domain.acme.example/dkim", KindRoute53Record, []string{"domain.acme.example/dkim_key"}, map[string]any{
			"name": "mail2024._domainkey.acme.example.", "type": "TXT", "values": []any{Deferred("p=${domain.acme.example/dkim_key#public_key}")}}},
		{"domain.lists.acme.example/spf", KindRoute53Record, []string{}, map[string]any{
			"name": "lists.acme.example.", "shared": true, "values": []any{`"v=spf1 a mx ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"`}}},
		{"domain.lists.acme.example/dmarc", KindRoute53Record, []string{}, map[string]any{
			"name": "_dmarc.lists.acme.example.", "values": []any{`"v=DMARC1; p=reject; sp=none; pct=25; rua=mailto:a@acme.example,mailto:b@acme.example!10m; aspf=r"`}}},
		{"email.Alerts@partner.example", KindSESIdentity, []string{"configuration_set.default"}, map[string]any{
			"identity": "Alerts@partner.example", "type": "EMAIL_ADDRESS", "configuration_set": "acme-prod-default"}},
		{"mta.mta1", KindEIP, []string{}, map[string]any{"hostname": "mta1.acme.example.", "instance_id": "i-0abc1234def567890", "reverse_dns": nil}},
		{"mta.mta1/a", KindRoute53Record, []string{"mta.mta1"}, map[string]any{
			"name": "mta1.acme.example.", "type": "A", "ttl": int64(300), "values": []any{Deferred("${mta.mta1#public_ip}")}, "zone": "acme.example."}},
		{"mta.mta2", KindEIP, []string{}, map[string]any{"hostname": "mta2.acme.example.", "instance_id": nil}},
		{"mta.mta2/a", KindRoute53Record, []string{"mta.mta2"}, map[string]any{"name": "mta2.acme.example.", "type": "A", "ttl": int64(3600)}},
		{"mta.mta2/ptr", KindReverseDNS, []string{"mta.mta2", "mta.mta2/a"}, map[string]any{
			"allocation_id": Deferred("${mta.mta2#allocation_id}"), "ptr_name": "mta2.acme.example."}},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			r := resource(t, spec, tt.addr)
			if r.Kind != tt.kind {
				t.Errorf("kind = %s, want %s", r.Kind, tt.kind)
			}
			if diff := cmp.Diff(tt.deps, r.DependsOn); diff != "" {
				t.Errorf("depends_on (-want +got):\n%s", diff)
			}
			for k, want := range tt.want {
				if diff := cmp.Diff(want, r.Attrs[k]); diff != "" {
					t.Errorf("%s (-want +got):\n%s", k, diff)
				}
			}
			if r.DeclRange.Filename == "" || r.DeclRange.Start.Line == 0 {
				t.Errorf("no declaration range: %v", r.DeclRange)
			}
		})
	}
	for _, a := range addrs(spec) {
		if a == "domain.lists.acme.example" || strings.HasPrefix(a, "domain.lists.acme.example/dkim") {
			t.Errorf("ses_identity = false still yields %s", a)
		}
		if r := resource(t, spec, a); r.Kind == KindEIP {
			// ec2.eip holds only what the EC2 provider observes (docs/ec2.md).
			for k := range r.Attrs {
				if k != "hostname" && k != "instance_id" && k != "network_interface_id" {
					t.Errorf("%s has attribute %s, which no Elastic IP reports", a, k)
				}
			}
		}
		if a == "mta.mta1/ptr" {
			t.Errorf("reverse_dns = false still yields %s", a)
		}
		if strings.HasPrefix(a, "domain.acme.example/dkim[") {
			t.Errorf("byo DKIM yields Easy DKIM record %s", a)
		}
	}
}

// TestResourcesJSONHidesSecrets renders placeholders as users see them.
func TestResourcesJSONHidesSecrets(t *testing.T) {
	spec, _ := mustLoad(t, map[string]string{"main.hcl": header + `
smtp_user "webapp" {
  credentials = "file:secrets/smtp.json"
}

dkim_key "k1" {
  domain      = "acme.example"
  selector    = "k1"
  private_key = "ssm:/acme/k1"
}
`}, LoadOptions{})
	out, err := ResourcesJSON(spec)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		FormatVersion string `json:"format_version"`
		Resources     []struct {
			Address    string         `json:"address"`
			Attributes map[string]any `json:"attributes"`
			DependsOn  []string       `json:"depends_on"`
			Range      struct {
				Filename string `json:"filename"`
			} `json:"range"`
		} `json:"resources"`
		ManualRecords []string `json:"manual_records"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	if doc.FormatVersion != "1" || doc.ManualRecords == nil {
		t.Errorf("format_version %q, manual_records %v", doc.FormatVersion, doc.ManualRecords)
	}
	got := map[string]map[string]any{}
	for _, r := range doc.Resources {
		got[r.Address] = r.Attributes
		if r.Range.Filename != "main.hcl" {
			t.Errorf("%s: filename %q, want main.hcl", r.Address, r.Range.Filename)
		}
		if r.DependsOn == nil {
			t.Errorf("%s: depends_on is null", r.Address)
		}
	}
	if got["smtp_user.webapp"]["password"] != SensitiveText || got["dkim_key.k1"]["private_key"] != SensitiveText {
		t.Errorf("secrets not shown as %q: %v %v", SensitiveText, got["smtp_user.webapp"], got["dkim_key.k1"])
	}
	if v := got["dkim_key.k1/txt"]["values"].([]any)[0]; v != KnownAfterApply {
		t.Errorf("public key value = %v, want %q", v, KnownAfterApply)
	}
	again, _ := ResourcesJSON(spec)
	if string(again) != string(out) {
		t.Error("ResourcesJSON is not deterministic")
	}
	if _, err := ResourcesJSON(nil); err == nil {
		t.Error("want an error for a nil spec")
	}
}

// TestExpandDKIMOffPublishesTheEasyDKIMRecords: SES v2 verifies a domain
// through its Easy DKIM records, also when it does not sign with them, so a
// domain with dkim mode "off" still gets the three CNAMEs.
func TestExpandDKIMOffPublishesTheEasyDKIMRecords(t *testing.T) {
	spec, _ := mustLoad(t, map[string]string{"main.hcl": header + `
domain "acme.example" {
  dkim {
    mode = "off"
  }
}
`}, LoadOptions{})
	id := resource(t, spec, "domain.acme.example")
	if id.Attrs["dkim_mode"] != DKIMOff {
		t.Errorf("dkim_mode = %v, want off", id.Attrs["dkim_mode"])
	}
	for i := range 3 {
		r := resource(t, spec, fmt.Sprintf("domain.acme.example/dkim[%d]", i))
		token := RefIndex("domain.acme.example", "dkim_tokens", i)
		if r.Kind != KindRoute53Record || r.Attrs["type"] != "CNAME" ||
			r.Attrs["name"] != Deferred(token+"._domainkey.acme.example.") {
			t.Errorf("dkim[%d] = %s %v", i, r.Kind, r.Attrs)
		}
	}
}
