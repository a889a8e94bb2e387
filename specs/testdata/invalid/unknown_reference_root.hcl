mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

requests {
  contact_email = vars.ops_email
  use_case      = "Receipts."
}
