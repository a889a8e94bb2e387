mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

variable "ops_email" {
  default = "ops@acme.example"
}

requests {
  contact_email = var.ops_emial
  use_case      = "Receipts."
}
