# A company that sends transactional mail through SES and runs one MTA of
# its own for a legacy system, with a partner domain whose DNS is elsewhere.
# It also asks AWS for production access (out of the SES sandbox).
#
#   mailform requests production-access examples/hybrid          # review the text
#   mailform requests production-access examples/hybrid -submit  # send it
#
# The blocks are split over files by concern; mailform reads every *.hcl
# file of the folder.

mailform {
  stack  = "globex"
  region = "us-east-1"
  # profile = "mail-admin" # a shared-config profile; without it, the default AWS chain
}

variable "ops_email" {
  type    = string
  default = "mail-ops@globex.example"
}

variable "environment" {
  type    = string
  default = "prod"
}

locals {
  # Names built from variables: one spec serves several environments.
  param_prefix = format("/globex/%s/mail", var.environment)
}

zone "globex.example" {}

account {
  suppression = ["BOUNCE", "COMPLAINT"]

  # Sent only by `mailform requests production-access -submit`; plan and
  # apply never send it.
  production_access {
    mail_type           = "TRANSACTIONAL"
    website_url         = "https://globex.example"
    contact_language    = "EN"
    use_case            = trimspace(file("use-case.txt"))
    additional_contacts = [var.ops_email]
  }
}

requests {
  contact_email = var.ops_email
  use_case      = "Nightly statements from our legacy billing system, sent by one Postfix server (legacy-mta.globex.example) to our own customers."
}
