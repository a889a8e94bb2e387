mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

account {
  production_access {
    mail_type           = "TRANSACTIONAL"
    website_url         = "acme.example"
    use_case            = "Receipts and password resets for our customers."
    additional_contacts = ["ops@acme.example"]
  }
}
