mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

smtp_user "webapp" {
  credentials = "vault:/acme/smtp"
}
