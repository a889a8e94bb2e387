// Package sesdouble is the Amazon SES part of mailform's local AWS double.
//
// It serves the SES v2 REST-JSON API (/v2/email/...) and the SES v1 Query API
// (POST / with Action=...) to the real aws-sdk-go-v2 clients, keeping per-region
// state in memory and behaving as AWS documents: domain identities stay PENDING
// until the DKIM records exist in DNS, email identities until their link is
// "clicked" (VerifyEmail), the account starts in the sandbox, and the mailbox
// simulator publishes real-shaped notifications to SNS.
//
// The package reads DNS and publishes to SNS only through Backend; it never
// talks to the network, prints, or exits, and it is used only by tests,
// benchmarks, `mailform sandbox` and `mailform demo`, never in a user's normal
// path. docs/sandbox-ses.md lists what is emulated and how faithfully.
package sesdouble
