mailform {
  stack  = "acme-production-eu-west-mailings"
  region = "eu-west-1"
}

configuration_set "transactional-receipts-eu-west-1" {}

smtp_user "billing-statements-nightly2" {
  credentials = "ssm:/acme/smtp/billing"
}
