mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

mta "mta1" {
  reverse_dns = true
}
