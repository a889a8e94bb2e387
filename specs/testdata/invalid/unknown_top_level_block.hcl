mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

provider "aws" {
  region = "us-west-2"
}
