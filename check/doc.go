// Package check proves, from live state, that the mail a spec describes will
// authenticate: it asks the authoritative name servers of every domain what
// they serve (DKIM, SPF, DMARC, MAIL FROM, the MTAs' A and PTR records, the
// Route 53 delegation) and reads the SES verification statuses, and reports
// each check as OK, INFO, WARN or FAIL with the expected and served values.
//
// It only reads: it must never change anything in AWS or in DNS, and it
// never fakes an answer it could not get (a name it cannot reach is reported
// as not followed). It returns a Report; rendering it is the caller's choice
// (WriteHuman, WriteJSON), and only the command line prints or exits.
package check
