mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

account {
  production_access {
    mail_type           = "PROMOTIONAL"
    website_url         = "https://acme.example"
    contact_language    = "JP"
    use_case            = "Newsletters."
    additional_contacts = ["ops@acme.example"]
  }
}
