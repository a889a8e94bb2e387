// Package mailauth is the one place of mailform's mail-authentication rules:
// SPF records (parsing, live evaluation and the receivers' limits of 10 DNS
// lookups and 2 void lookups, RFC 7208), the table of well-known SPF
// includes that `mailform validate` counts offline, DMARC records (RFC 7489)
// and DKIM key records (RFC 6376, RFC 8463). The spec loader and `mailform
// check` both apply these rules through it.
//
// It sits below specs: it knows no spec, plan, provider or AWS API, and it
// never does I/O of its own; live evaluation asks DNS only through the
// Resolver its caller gives.
package mailauth
