mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme.example" {
  mail_from {
    subdomain = "mail"
  }
}

record "mail.acme.example" "MX" {
  values = ["10 mx1.acme.example."]
}
