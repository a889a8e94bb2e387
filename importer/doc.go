// Package importer writes a spec from what an AWS account already holds, for
// `mailform import` (docs/import.md): it finds SES identities, their DKIM,
// MAIL FROM and notification settings, their configuration sets, event
// destinations and topics, the account's suppression list, the stack's
// reputation alarms, the Elastic IPs of its MTAs (named by allocation_id, to
// be adopted), and the Route 53 records that belong to them, and writes them
// as mailform blocks in the canonical layout, with the list of addresses to
// adopt.
//
// It reads through the providers (the Account interface: the same readers,
// pacing and batching as plan) and never writes to AWS. It never writes a
// secret value: what it cannot know (a BYODKIM private key) it names as a
// Note instead. Before it returns, it loads the spec it wrote and plans it
// against the same live state, so that what would not be a pure adoption is
// reported, not discovered by the user at apply.
package importer
