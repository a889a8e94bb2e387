# An organisation that sends all its mail through Amazon SES from one domain,
# acme.example, whose DNS is a Route 53 hosted zone in the same account.
#
#   mailform validate examples/ses-domain
#   mailform plan     examples/ses-domain

mailform {
  stack  = "acme-prod" # every resource mailform creates is tagged with it
  region = "us-west-2" # SES, SNS and SQS live here; the SMTP password is derived for it
}

# Who hears about problems. Override with -var ops_email=... or
# MAILFORM_VAR_ops_email in a pipeline.
variable "ops_email" {
  type        = string
  default     = "ops@acme.example"
  description = "Address that receives DMARC aggregate reports."
}

locals {
  domain = "acme.example"
}

# The existing public hosted zone. mailform finds it by name; it never
# creates or deletes zones.
zone "acme.example" {}

# Bounces and complaints arrive on an SNS topic, and a queue keeps them for
# the application that unsubscribes bouncing addresses.
topic "feedback" {
  queue {
    retention_days = 14 # SQS keeps messages 1 to 14 days
  }
}

# Every message sent with this configuration set publishes its events to the
# topic; addresses that bounce or complain are suppressed for this set.
configuration_set "default" {
  suppression = ["BOUNCE", "COMPLAINT"]
  tls_policy  = "require" # refuse to deliver over plaintext SMTP

  event_destination "feedback" {
    types = ["BOUNCE", "COMPLAINT", "DELIVERY", "REJECT"]
    topic = topic.feedback
  }
}

domain "acme.example" {
  # Mail sent from @acme.example uses this configuration set unless the
  # sender names another.
  configuration_set = configuration_set.default

  # Easy DKIM: SES makes the key; mailform publishes its three CNAMEs once
  # SES has told it the tokens, in the same apply.
  dkim {
    mode       = "easy"
    key_length = 2048
  }

  # Bounces go to bounce.acme.example, which aligns SPF with the From domain
  # for DMARC. mailform writes its MX and SPF records.
  mail_from {
    subdomain     = "bounce"
    on_mx_failure = "use_default"
  }

  # The apex SPF value. Other TXT values at the apex (site verification
  # tokens) are left alone: mailform owns only this one.
  spf {
    include = ["amazonses.com"]
    all     = "softfail"
  }

  dmarc {
    policy = "quarantine"
    rua    = ["mailto:${var.ops_email}"]
  }

  # Identity feedback by SNS, so bounces no longer arrive as email.
  notifications {
    bounce     = topic.feedback
    complaint  = topic.feedback
    forwarding = false
  }
}

# SMTP credentials for the web application: an IAM user allowed only to
# send as @acme.example. The password is written to SSM, never printed.
smtp_user "webapp" {
  path         = "/mailform/"
  allowed_from = ["*@${local.domain}"]
  credentials  = "ssm:/acme/mail/smtp/webapp"
}

# Account-wide suppression: SES stops sending to addresses that bounced or
# complained, whatever configuration set is used.
account {
  suppression = ["BOUNCE", "COMPLAINT"]
}
