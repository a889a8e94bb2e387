mailform {
  stack = 
}
