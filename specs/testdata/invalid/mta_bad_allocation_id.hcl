mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

mta "mta1" {
  hostname      = "mta1.acme.example"
  allocation_id = "eip-123"
}
