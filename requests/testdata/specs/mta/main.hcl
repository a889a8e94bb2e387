mailform {
  stack  = "test"
  region = "eu-west-1"
}

zone "example.com" {}

mta "a" {
  hostname    = "a.example.com"
  reverse_dns = true
}

mta "b" {
  hostname    = "b.example.com"
  reverse_dns = false
}

mta "c" {
  hostname    = "c.elsewhere.org"
  reverse_dns = true
}

mta "d" {
  hostname    = "d.example.com"
  reverse_dns = true
}

dkim_key "a" {
  domain      = "example.com"
  selector    = "a"
  private_key = "ssm:/test/dkim/a"
}

domain "example.com" {
  ses_identity = false
  spf {
    mtas = [mta.a, mta.b]
    all  = "fail"
  }
}

domain "elsewhere.org" {
  ses_identity = false
  spf {
    mtas = [mta.c]
    all  = "fail"
  }
}

requests {
  contact_email = "ops@example.com"
  use_case      = <<-EOT
    Receipts from our own servers.

    Bounces are processed within minutes.
  EOT
}
