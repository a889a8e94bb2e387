mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

zone "example" {
  zone_id = "z123"
}
