package plan

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/mailform/mailform/specs"
)

// The fixtures describe the stack acme-prod of docs/spec-language.md, built
// by hand as the spec loader would expand it.

const (
	stack  = "acme-prod"
	region = "us-west-2"

	topicARN = "arn:aws:sns:us-west-2:123456789012:acme-prod-feedback"
	queueARN = "arn:aws:sqs:us-west-2:123456789012:acme-prod-feedback-feedback"
)

var tokens = []string{"tok0aaaa", "tok1bbbb", "tok2cccc"}

func at(line int) hcl.Range {
	return hcl.Range{
		Filename: "main.hcl",
		Start:    hcl.Pos{Line: line, Column: 1, Byte: (line - 1) * 10},
		End:      hcl.Pos{Line: line, Column: 20, Byte: (line-1)*10 + 19},
	}
}

func identityRes() specs.Resource {
	return specs.Resource{
		Addr: "domain.acme.example",
		Kind: specs.KindSESIdentity,
		Attrs: map[string]any{
			"identity":                "acme.example",
			"type":                    "DOMAIN",
			"dkim_mode":               "easy",
			"dkim_key_length":         int64(2048),
			"configuration_set":       "acme-prod-default",
			"mail_from_domain":        "bounce.acme.example",
			"mail_from_on_mx_failure": "USE_DEFAULT_VALUE",
			"bounce_topic":            specs.Deferred(specs.Ref("topic.feedback", "arn")),
			"complaint_topic":         specs.Deferred(specs.Ref("topic.feedback", "arn")),
		},
		DependsOn: []string{"configuration_set.default", "topic.feedback"},
		DeclRange: at(30),
	}
}

func dkimRecordRes(i int) specs.Resource {
	tok := specs.RefIndex("domain.acme.example", "dkim_tokens", i)
	return specs.Resource{
		Addr: "domain.acme.example/dkim[" + string(rune('0'+i)) + "]",
		Kind: specs.KindRoute53Record,
		Attrs: map[string]any{
			"zone":   "acme.example.",
			"name":   specs.Deferred(tok + "._domainkey.acme.example."),
			"type":   "CNAME",
			"ttl":    int64(1800),
			"values": []any{specs.Deferred(tok + ".dkim.amazonses.com.")},
			"shared": false,
		},
		DependsOn: []string{"domain.acme.example"},
		DeclRange: at(30),
	}
}

func dmarcRes() specs.Resource {
	return specs.Resource{
		Addr: "domain.acme.example/dmarc",
		Kind: specs.KindRoute53Record,
		Attrs: map[string]any{
			"zone":   "acme.example.",
			"name":   "_dmarc.acme.example.",
			"type":   "TXT",
			"ttl":    int64(300),
			"values": []any{`"v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example"`},
			"shared": false,
		},
		DependsOn: []string{"domain.acme.example"},
		DeclRange: at(52),
	}
}

func spfRes() specs.Resource {
	return specs.Resource{
		Addr: "domain.acme.example/spf",
		Kind: specs.KindRoute53Record,
		Attrs: map[string]any{
			"zone":   "acme.example.",
			"name":   "acme.example.",
			"type":   "TXT",
			"ttl":    int64(300),
			"values": []any{`"v=spf1 include:amazonses.com ~all"`},
			"shared": true,
		},
		DependsOn: []string{"domain.acme.example"},
		DeclRange: at(46),
	}
}

func topicRes() specs.Resource {
	return specs.Resource{
		Addr:      "topic.feedback",
		Kind:      specs.KindSNSTopic,
		Attrs:     map[string]any{"name": "acme-prod-feedback", "ses_publish": true},
		DeclRange: at(12),
	}
}

func queueRes() specs.Resource {
	return specs.Resource{
		Addr: "topic.feedback/queue",
		Kind: specs.KindSQSQueue,
		Attrs: map[string]any{
			"name":           "acme-prod-feedback-feedback",
			"retention_days": int64(14),
			"topic_arn":      specs.Deferred(specs.Ref("topic.feedback", "arn")),
		},
		DependsOn: []string{"topic.feedback"},
		DeclRange: at(13),
	}
}

func configSetRes() specs.Resource {
	return specs.Resource{
		Addr: "configuration_set.default",
		Kind: specs.KindSESConfigSet,
		Attrs: map[string]any{
			"name":        "acme-prod-default",
			"suppression": []any{"BOUNCE", "COMPLAINT"},
			"event_destinations": map[string]any{
				"feedback": map[string]any{
					"types":     []any{"BOUNCE", "COMPLAINT", "DELIVERY", "REJECT"},
					"topic_arn": specs.Deferred(specs.Ref("topic.feedback", "arn")),
					"enabled":   true,
				},
			},
		},
		DependsOn: []string{"topic.feedback"},
		DeclRange: at(18),
	}
}

func smtpUserRes() specs.Resource {
	return specs.Resource{
		Addr: "smtp_user.webapp",
		Kind: specs.KindSMTPUser,
		Attrs: map[string]any{
			"user_name":    "acme-prod-smtp-webapp",
			"path":         "/mailform/",
			"allowed_from": []any{"*@acme.example"},
			"policy":       `{"Statement":[{"Action":"ses:SendRawEmail","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`,
			"credentials":  "ssm:/acme/mail/smtp/webapp",
			"region":       region,
			"password":     specs.Sensitive{},
		},
		DeclRange: at(63),
	}
}

func manualDMARCRes() specs.Resource {
	return specs.Resource{
		Addr: "domain.other.example/dmarc",
		Kind: specs.KindManualDNSRecord,
		Attrs: map[string]any{
			"name":   "_dmarc.other.example.",
			"type":   "TXT",
			"ttl":    int64(300),
			"values": []any{`"v=DMARC1; p=none"`},
		},
		DependsOn: []string{"domain.other.example"},
		DeclRange: at(80),
	}
}

// manualDKIMRes is a DKIM CNAME of a domain whose DNS is elsewhere: its name
// and value are known only once the identity exists.
func manualDKIMRes() specs.Resource {
	tok := specs.RefIndex("domain.other.example", "dkim_tokens", 0)
	return specs.Resource{
		Addr: "domain.other.example/dkim[0]",
		Kind: specs.KindManualDNSRecord,
		Attrs: map[string]any{
			"name":   specs.Deferred(tok + "._domainkey.other.example."),
			"type":   "CNAME",
			"ttl":    int64(1800),
			"values": []any{specs.Deferred(tok + ".dkim.amazonses.com.")},
		},
		DependsOn: []string{"domain.other.example"},
		DeclRange: at(80),
	}
}

// desiredStack is the whole fixture spec.
func desiredStack() []specs.Resource {
	return []specs.Resource{
		identityRes(), dkimRecordRes(0), dkimRecordRes(1), dkimRecordRes(2), dmarcRes(),
		topicRes(), queueRes(), configSetRes(), smtpUserRes(), manualDMARCRes(),
	}
}

// Observed state as providers report it: the types a JSON-decoding provider
// may produce ([]string, float64, no trailing dots) on purpose, so that the
// tests see normalisation at work.

func obsIdentity() Observed {
	return Observed{
		Addr: "domain.acme.example", Kind: specs.KindSESIdentity, ID: "acme.example", Owner: stack,
		Attrs: map[string]any{
			"identity":                "acme.example",
			"type":                    "DOMAIN",
			"dkim_mode":               "easy",
			"dkim_key_length":         float64(2048),
			"configuration_set":       "acme-prod-default",
			"mail_from_domain":        "bounce.acme.example.",
			"mail_from_on_mx_failure": "USE_DEFAULT_VALUE",
			"bounce_topic":            topicARN,
			"complaint_topic":         topicARN,
			"dkim_tokens":             append([]string(nil), tokens...),
			"verification_status":     "SUCCESS",
			"dkim_status":             "SUCCESS",
		},
	}
}

func obsDKIMRecord(i int, token string) Observed {
	name := token + "._domainkey.acme.example"
	return Observed{
		Addr: "domain.acme.example/dkim[" + string(rune('0'+i)) + "]", Kind: specs.KindRoute53Record,
		ID: "Z123/" + name + "./CNAME", Owner: stack,
		Attrs: map[string]any{
			"zone": "acme.example.", "name": name, "type": "CNAME", "ttl": 1800,
			"values": []string{token + ".dkim.amazonses.com"}, "shared": false,
		},
	}
}

func obsDMARC() Observed {
	return Observed{
		Addr: "domain.acme.example/dmarc", Kind: specs.KindRoute53Record,
		ID: "Z123/_dmarc.acme.example./TXT", Owner: stack,
		Attrs: map[string]any{
			"zone": "acme.example.", "name": "_DMARC.acme.example.", "type": "TXT", "ttl": int64(300),
			// Split at another place than mailform would: the same text.
			"values": []any{`"v=DMARC1; p=quarantine; " "rua=mailto:dmarc@acme.example"`}, "shared": false,
		},
	}
}

func obsTopic() Observed {
	return Observed{
		Addr: "topic.feedback", Kind: specs.KindSNSTopic, ID: topicARN, Owner: stack,
		Attrs: map[string]any{"name": "acme-prod-feedback", "ses_publish": true, "arn": topicARN},
	}
}

func obsQueue() Observed {
	return Observed{
		Addr: "topic.feedback/queue", Kind: specs.KindSQSQueue, ID: queueARN, Owner: stack,
		Attrs: map[string]any{
			"name": "acme-prod-feedback-feedback", "retention_days": 14, "topic_arn": topicARN,
			"arn": queueARN, "url": "https://sqs.us-west-2.amazonaws.com/123456789012/acme-prod-feedback-feedback",
		},
	}
}

func obsConfigSet() Observed {
	return Observed{
		Addr: "configuration_set.default", Kind: specs.KindSESConfigSet, ID: "acme-prod-default", Owner: stack,
		Attrs: map[string]any{
			"name":        "acme-prod-default",
			"suppression": []string{"COMPLAINT", "BOUNCE"},
			"event_destinations": map[string]any{
				"feedback": map[string]any{
					"types":     []string{"REJECT", "DELIVERY", "COMPLAINT", "BOUNCE"},
					"topic_arn": topicARN,
					"enabled":   true,
				},
			},
		},
	}
}

const secretDigest = "d1g3st-0f-th3-smtp-p4ssw0rd"

func obsSMTPUser() Observed {
	return Observed{
		Addr: "smtp_user.webapp", Kind: specs.KindSMTPUser, ID: "acme-prod-smtp-webapp", Owner: stack,
		Attrs: map[string]any{
			"user_name":     "acme-prod-smtp-webapp",
			"path":          "/mailform/",
			"allowed_from":  []string{"*@acme.example"},
			"policy":        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"ses:SendRawEmail\", \"Resource\": \"*\"}]\n}",
			"credentials":   "ssm:/acme/mail/smtp/webapp",
			"region":        region,
			"password":      specs.Sensitive{Digest: secretDigest},
			"access_key_id": "AKIAEXAMPLE",
			"arn":           "arn:aws:iam::123456789012:user/mailform/acme-prod-smtp-webapp",
		},
	}
}

// observedStack is AWS once the fixture spec has been applied.
func observedStack() []Observed {
	return []Observed{
		obsIdentity(), obsDKIMRecord(0, tokens[0]), obsDKIMRecord(1, tokens[1]), obsDKIMRecord(2, tokens[2]),
		obsDMARC(), obsTopic(), obsQueue(), obsConfigSet(), obsSMTPUser(),
	}
}

// without returns observed without the resources at the given addresses.
func without(observed []Observed, addrs ...string) []Observed {
	drop := map[string]bool{}
	for _, a := range addrs {
		drop[a] = true
	}
	var out []Observed
	for _, o := range observed {
		if !drop[o.Addr] {
			out = append(out, o)
		}
	}
	return out
}

// replaced returns observed with the resource at o.Addr replaced by o.
func replaced(observed []Observed, o Observed) []Observed {
	out := append([]Observed(nil), observed...)
	for i := range out {
		if out[i].Addr == o.Addr {
			out[i] = o
			return out
		}
	}
	return append(out, o)
}

// withAttr returns a copy of o with attribute k set to v (deleted when v is nil).
func withAttr(o Observed, k string, v any) Observed {
	attrs := make(map[string]any, len(o.Attrs))
	for key, val := range o.Attrs {
		attrs[key] = val
	}
	if v == nil {
		delete(attrs, k)
	} else {
		attrs[k] = v
	}
	o.Attrs = attrs
	return o
}

func resWithAttr(r specs.Resource, k string, v any) specs.Resource {
	attrs := make(map[string]any, len(r.Attrs))
	for key, val := range r.Attrs {
		attrs[key] = val
	}
	attrs[k] = v
	r.Attrs = attrs
	return r
}

func actions(p *Plan) map[string]Action {
	out := map[string]Action{}
	for _, c := range p.Changes {
		out[c.Addr] = c.Action
	}
	return out
}
