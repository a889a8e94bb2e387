package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"
)

// providerMirror is where this machine image keeps the Terraform AWS
// provider, so that terraform init needs no network.
const providerMirror = "/opt/tf-plugins"

// findTerraform returns the terraform binary to run, or "" and why not.
func findTerraform(choice string) (string, string) {
	switch choice {
	case "off":
		return "", "terraform: off (-terraform off)"
	case "auto", "":
		path, err := exec.LookPath("terraform")
		if err != nil {
			return "", "terraform: skipped, not installed"
		}
		if _, err := os.Stat(filepath.Join(providerMirror, "registry.terraform.io", "hashicorp", "aws")); err != nil {
			return "", "terraform: skipped, no AWS provider in " + providerMirror
		}
		return path, "terraform: " + path
	}
	return choice, "terraform: " + choice
}

// terraformConfig is the Terraform equivalent of the benchmark's spec: the
// same topic and queue, configuration set, account suppression, and for
// each domain an SES identity with Easy DKIM and the configuration set, the
// three DKIM CNAMEs, MAIL FROM with its MX and SPF records, DMARC, the apex
// SPF record and the bounce and complaint notification topics.
var terraformConfig = template.Must(template.New("main.tf").Parse(`terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region                      = "{{.Region}}"
  access_key                  = "AKIDBENCH"
  secret_key                  = "bench-secret"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    route53 = "{{.Endpoint}}"
    ses     = "{{.Endpoint}}"
    sesv2   = "{{.Endpoint}}"
    sns     = "{{.Endpoint}}"
    sqs     = "{{.Endpoint}}"
    sts     = "{{.Endpoint}}"
  }
}

variable "dmarc_policy" {
  type    = string
  default = "quarantine"
}

locals {
  # domain => the hosted zone it lives in
  domains = {
{{- range .Domains}}
    "{{.Name}}" = "{{.Zone}}"
{{- end}}
  }
  dkim = { for p in setproduct(keys(local.domains), [0, 1, 2]) : "${p[0]}/${p[1]}" => { domain = p[0], index = p[1] } }
}

data "aws_route53_zone" "zone" {
  for_each = toset(values(local.domains))
  name     = each.key
}

resource "aws_sns_topic" "feedback" {
  name = "brands-feedback"
}

resource "aws_sns_topic_policy" "feedback" {
  arn = aws_sns_topic.feedback.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ses.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = aws_sns_topic.feedback.arn
    }]
  })
}

resource "aws_sqs_queue" "feedback" {
  name                      = "brands-feedback-feedback"
  message_retention_seconds = 604800
}

resource "aws_sqs_queue_policy" "feedback" {
  queue_url = aws_sqs_queue.feedback.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.feedback.arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_sns_topic.feedback.arn } }
    }]
  })
}

resource "aws_sns_topic_subscription" "feedback" {
  topic_arn = aws_sns_topic.feedback.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.feedback.arn
}

resource "aws_sesv2_configuration_set" "default" {
  configuration_set_name = "brands-default"
  suppression_options {
    suppressed_reasons = ["BOUNCE", "COMPLAINT"]
  }
}

resource "aws_sesv2_configuration_set_event_destination" "feedback" {
  configuration_set_name = aws_sesv2_configuration_set.default.configuration_set_name
  event_destination_name = "feedback"
  event_destination {
    enabled              = true
    matching_event_types = ["BOUNCE", "COMPLAINT"]
    sns_destination {
      topic_arn = aws_sns_topic.feedback.arn
    }
  }
}

resource "aws_sesv2_account_suppression_attributes" "account" {
  suppressed_reasons = ["BOUNCE", "COMPLAINT"]
}

resource "aws_sesv2_email_identity" "domain" {
  for_each               = local.domains
  email_identity         = each.key
  configuration_set_name = aws_sesv2_configuration_set.default.configuration_set_name
  dkim_signing_attributes {
    next_signing_key_length = "RSA_2048_BIT"
  }
}

resource "aws_route53_record" "dkim" {
  for_each = local.dkim
  zone_id  = data.aws_route53_zone.zone[local.domains[each.value.domain]].zone_id
  name     = "${aws_sesv2_email_identity.domain[each.value.domain].dkim_signing_attributes[0].tokens[each.value.index]}._domainkey.${each.value.domain}"
  type     = "CNAME"
  ttl      = 1800
  records  = ["${aws_sesv2_email_identity.domain[each.value.domain].dkim_signing_attributes[0].tokens[each.value.index]}.dkim.amazonses.com"]
}

resource "aws_ses_domain_mail_from" "domain" {
  for_each         = local.domains
  domain           = aws_sesv2_email_identity.domain[each.key].email_identity
  mail_from_domain = "bounce.${each.key}"
}

resource "aws_route53_record" "mail_from_mx" {
  for_each = local.domains
  zone_id  = data.aws_route53_zone.zone[each.value].zone_id
  name     = "bounce.${each.key}"
  type     = "MX"
  ttl      = 300
  records  = ["10 feedback-smtp.{{.Region}}.amazonses.com"]
}

resource "aws_route53_record" "mail_from_spf" {
  for_each = local.domains
  zone_id  = data.aws_route53_zone.zone[each.value].zone_id
  name     = "bounce.${each.key}"
  type     = "TXT"
  ttl      = 300
  records  = ["v=spf1 include:amazonses.com ~all"]
}

resource "aws_route53_record" "dmarc" {
  for_each = local.domains
  zone_id  = data.aws_route53_zone.zone[each.value].zone_id
  name     = "_dmarc.${each.key}"
  type     = "TXT"
  ttl      = 300
  records  = ["v=DMARC1; p=${var.dmarc_policy}; rua=mailto:dmarc@brands.example"]
}

resource "aws_route53_record" "spf" {
  for_each = local.domains
  zone_id  = data.aws_route53_zone.zone[each.value].zone_id
  name     = each.key
  type     = "TXT"
  ttl      = 300
  records  = ["v=spf1 include:amazonses.com ~all"]
}

resource "aws_ses_identity_notification_topic" "bounce" {
  for_each                 = local.domains
  identity                 = aws_sesv2_email_identity.domain[each.key].email_identity
  notification_type        = "Bounce"
  topic_arn                = aws_sns_topic.feedback.arn
  include_original_headers = false
}

resource "aws_ses_identity_notification_topic" "complaint" {
  for_each                 = local.domains
  identity                 = aws_sesv2_email_identity.domain[each.key].email_identity
  notification_type        = "Complaint"
  topic_arn                = aws_sns_topic.feedback.arn
  include_original_headers = false
}
`))

// terraformCLIConfig points terraform at the provider mirror.
const terraformCLIConfig = `provider_installation {
  filesystem_mirror {
    path    = "` + providerMirror + `"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`

type tfDomain struct{ Name, Zone string }

// writeTerraform writes the configuration for the scenario into dir.
func (b *bench) writeTerraform(dir string) error {
	data := struct {
		Region, Endpoint string
		Domains          []tfDomain
	}{Region: specRegion, Endpoint: b.srv.URL()}
	zones := b.zoneNames()
	for i := 1; i <= b.n; i++ {
		d := tfDomain{Name: fmt.Sprintf("brand%03d.brands.example", i), Zone: zones[0]}
		if b.scenario == "s1" {
			d = tfDomain{Name: zones[i-1], Zone: zones[i-1]}
		}
		data.Domains = append(data.Domains, d)
	}
	var sb strings.Builder
	if err := terraformConfig.Execute(&sb, data); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(sb.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "cli.tfrc"), []byte(terraformCLIConfig), 0o644)
}

// terraformResources is the number of resource instances of the
// configuration (data sources not counted): 7 shared, 10 per domain.
func terraformResources(n int) int { return 7 + 10*n }

// runTerraform measures the same operations with terraform on a fresh
// account: apply from empty, a plan with nothing to change, and the DMARC
// change (plan and apply).
func (b *bench) runTerraform(ctx context.Context, out io.Writer, tf string) ([]result, error) {
	fmt.Fprintf(out, "terraform %s N=%d: preparing\n", b.scenario, b.n)
	if err := b.srv.Reset(ctx); err != nil {
		return nil, err
	}
	if err := createZones(ctx, b.route53Client(), b.zoneNames()); err != nil {
		return nil, err
	}
	dir := b.dir + "-terraform"
	if err := b.writeTerraform(dir); err != nil {
		return nil, err
	}
	env := append(b.childEnv(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "cli.tfrc"), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	init, err := runChild(ctx, dir, env, tf, "init", "-input=false", "-no-color")
	if err != nil || init.ExitCode != 0 {
		return nil, fmt.Errorf("terraform init failed (%v):\n%s", err, tail(init.Stdout+init.Stderr, 20))
	}
	var results []result
	for _, op := range b.o.ops {
		args, want := []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}, 0
		switch op {
		case opApply:
			args = []string{"apply", "-input=false", "-no-color", "-auto-approve"}
		case opDMARCApply:
			args = []string{"apply", "-input=false", "-no-color", "-auto-approve", "-var", "dmarc_policy=reject"}
		case opDMARCPlan:
			args, want = append(args, "-var", "dmarc_policy=reject"), 2
		}
		b.settle()
		b.srv.ResetCounts()
		child, err := runChild(ctx, dir, env, tf, args...)
		r := result{Tool: "terraform", Scenario: b.scenario, Domains: b.n, Operation: op, Resources: terraformResources(b.n),
			ExitCode: child.ExitCode, Calls: b.srv.Counts(), Throttled: b.srv.Throttles(),
			TimeScale: b.o.timeScale, LatencyMs: float64(b.o.latency) / float64(time.Millisecond)}
		r.measure(child)
		if err == nil && child.ExitCode != want {
			err = fmt.Errorf("terraform %s exited %d, want %d:\n%s", op, child.ExitCode, want, tail(child.Stdout+child.Stderr, 25))
		}
		if err != nil {
			r.Error = err.Error()
			results = append(results, r)
			return results, err
		}
		results = append(results, r)
		fmt.Fprintf(out, "  %-12s %6d calls, %7.2fs, %3.0f MB, CPU %.2fs, %d throttled\n",
			op, r.CallsTotal, r.WallSeconds, r.PeakRSSMB, r.CPUSeconds, r.ThrottledTotal)
	}
	return results, nil
}
