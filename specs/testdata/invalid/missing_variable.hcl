mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

variable "ops_email" {
  type        = string
  description = "Where reports go."
}

requests {
  contact_email = var.ops_email
  use_case      = "Receipts."
}
