mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

domain "acme_mail.example" {}
