mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

record "_mailform.acme.example" "TXT" {
  values = ["mine"]
}
