# An address AWS cannot carry in a tag; invalid names are reported once, not again for their tag.
mailform {
  stack  = "acme"
  region = "us-west-2"
}
domain "ac$me.example" {}
email "o'brien@acme.example" {}
email "bad address@acme.example" {}
