// Package manydomains holds the many-domains example spec; its domains.hcl is
// generated.
package manydomains

//go:generate go run ./gen -n 120 -layout one-zone -o domains.hcl
