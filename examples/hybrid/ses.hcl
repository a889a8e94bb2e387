# Mail sent through SES.

topic "events" {
  queue {}
}

configuration_set "transactional" {
  suppression        = ["BOUNCE", "COMPLAINT"]
  reputation_metrics = true

  event_destination "all-events" {
    types = ["BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "REJECT", "SEND"]
    topic = topic.events
  }
}

domain "globex.example" {
  configuration_set = configuration_set.transactional

  mail_from {
    subdomain     = "mail"
    on_mx_failure = "reject" # never send with an unaligned MAIL FROM
  }

  # SES and the legacy MTA both send as @globex.example, so the apex SPF
  # value lists both; Google Workspace sends the staff's mail.
  spf {
    include = ["amazonses.com", "_spf.google.com"]
    mtas    = [mta.legacy]
    all     = "softfail"
  }

  dmarc {
    policy = "quarantine"
    pct    = 50 # roll out gradually
    rua    = ["mailto:dmarc@globex.example"]
    ruf    = ["mailto:dmarc-forensic@globex.example"]
  }

  notifications {
    bounce    = topic.events
    complaint = topic.events
    # forwarding stays on: feedback also arrives by email
  }
}

# A partner domain whose DNS is hosted elsewhere: no zone block covers it, so
# the plan lists its records for the partner to publish ("DNS elsewhere"),
# and `mailform check` verifies them.
domain "globex-partner.example" {
  dkim {
    mode        = "byo" # the partner keeps the key in our Secrets Manager
    selector    = "globex1"
    private_key = "secretsmanager:globex/mail/dkim/partner"
  }
  dmarc {
    policy = "none"
    rua    = ["mailto:dmarc@globex.example"]
  }
}

# A single address verified by a link that SES mails to it.
email "alerts@globex-partner.example" {
  configuration_set = configuration_set.transactional
}

smtp_user "billing" {
  allowed_from = ["billing@globex.example", "statements@globex.example"]
  credentials  = "ssm:${local.param_prefix}/smtp/billing"
}

smtp_user "support" {
  user_name   = "globex-support-smtp"
  credentials = "secretsmanager:globex/mail/smtp/support"
}
