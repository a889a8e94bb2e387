mailform {
  stack  = "bare"
  region = "us-east-1"
}
