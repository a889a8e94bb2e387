mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

mta "mta1" {
  hostname    = "mta1.acme.example"
  instance_id = "i-123"
}
