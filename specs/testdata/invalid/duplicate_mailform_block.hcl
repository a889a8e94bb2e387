mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

mailform {
  stack  = "acme-test"
  region = "us-east-1"
}
