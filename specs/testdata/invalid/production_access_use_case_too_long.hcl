mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

account {
  production_access {
    mail_type           = "TRANSACTIONAL"
    website_url         = "https://acme.example"
    use_case            = format("%5001s", "Receipts.")
    additional_contacts = ["ops@acme.example"]
  }
}
