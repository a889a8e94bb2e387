mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

requests {
  contact_email = lowercase("OPS@acme.example")
  use_case      = "Receipts."
}
