mailform {
  stack = "acme-prod"
}
