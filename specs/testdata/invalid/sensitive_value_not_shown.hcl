mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

variable "location" {
  type      = string
  default   = "hunter2-not-a-location"
  sensitive = true
}

smtp_user "webapp" {
  credentials = var.location
}
