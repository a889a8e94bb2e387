mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

mta "mta1" {
  hostname = "mail.acme.example"
}

mta "mta2" {
  hostname = "Mail.Acme.Example."
}
