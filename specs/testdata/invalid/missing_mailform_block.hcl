zone "acme.example" {}
