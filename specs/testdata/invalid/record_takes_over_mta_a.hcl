mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

mta "mta1" {
  hostname = "mta1.acme.example"
}

record "mta1.acme.example" "A" {
  values = ["192.0.2.10"]
}
