mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

mta "mx1" {
  hostname = "mx1.acme.example"
  ttl      = 30
}
