// Package ses reads and changes mailform's Amazon SES resources: identities
// (ses.identity), configuration sets with their event destinations
// (ses.configuration_set) and the account's suppression settings
// (ses.account). It uses the SES v2 API for everything, and the v1 API only
// where v2 has no equivalent (identity notification topics) or where a v1
// batch read replaces one v2 call per identity (waiting for verification).
//
// It must not decide what should change (that is the plan's job), talk to DNS
// (the check package does), print, or exit. It never changes or deletes an
// identity or configuration set that does not carry the stack's ownership tag,
// and never lets a DKIM private key reach an error, a message or an attribute.
// docs/ses.md lists the calls each operation makes and why.
package ses
