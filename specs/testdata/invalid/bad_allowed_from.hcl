mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

smtp_user "webapp" {
  allowed_from = ["acme.example", "*@acme..example"]
  credentials  = "ssm:/acme/smtp/webapp"
  path         = "mailform"
}
