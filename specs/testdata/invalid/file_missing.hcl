mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

requests {
  contact_email = "ops@acme.example"
  use_case      = file("port25-use-case.txt")
}
