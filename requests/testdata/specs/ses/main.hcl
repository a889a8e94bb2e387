mailform {
  stack  = "test"
  region = "us-west-2"
}

zone "example.com" {}

topic "fb" {
  queue {}
}

configuration_set "cs" {
  event_destination "all" {
    types = ["BOUNCE", "COMPLAINT"]
    topic = topic.fb
  }
}

domain "example.com" {
  mail_from {
    subdomain = "bounce"
  }
  dmarc {
    policy = "none"
    rua    = ["mailto:d@example.com"]
  }
  notifications {
    bounce    = topic.fb
    complaint = topic.fb
  }
}

domain "nodkim.example.com" {
  dkim {
    mode = "off"
  }
}

domain "other.org" {
  configuration_set = configuration_set.cs
  dmarc {
    policy = "none"
  }
}

email "a@example.com" {}

account {
  suppression = ["BOUNCE", "COMPLAINT"]
  production_access {
    mail_type           = "TRANSACTIONAL"
    website_url         = "https://example.com"
    use_case            = "Receipts for customers who signed up."
    additional_contacts = ["ops@example.com"]
  }
}
