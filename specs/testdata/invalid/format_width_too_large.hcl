mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

requests {
  contact_email = "ops@acme.example"
  use_case      = format("%900000000s", "Receipts.")
}
