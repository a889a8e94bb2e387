mailform {
  stack  = "acme-prod"
  region = "us-west-2"
}

zone "acme.example" {}

mta "mta1" {
  hostname             = "mta1.acme.example"
  instance_id          = "i-0abc1234def567890"
  network_interface_id = "eni-0abc1234def567890"
}
