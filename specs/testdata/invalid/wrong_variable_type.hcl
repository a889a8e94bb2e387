mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

variable "retention" {
  type    = number
  default = "two weeks"
}

topic "feedback" {
  queue {
    retention_days = var.retention
  }
}
