mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  dkim {
    mode        = "byo"
    selector    = "mail_2024"
    private_key = "ssm:/acme/mail/dkim"
  }
}
