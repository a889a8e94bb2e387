mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

account {
  production_access {
    mail_type   = "TRANSACTIONAL"
    website_url = "https://acme.example"
    use_case    = "Receipts and password resets for our customers."
    additional_contacts = [
      "a@acme.example",
      "b@acme.example",
      "c@acme.example",
      "d@acme.example",
      "e@acme.example",
    ]
  }
}
