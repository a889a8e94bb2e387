// Package plan decides what mailform must do to make AWS match a spec.
//
// It compares the resources a spec asks for (specs.Resource) with what the
// providers observed in AWS (Observed) and produces a Plan: which resources to
// create, update, replace or delete, attribute by attribute, in an order apply
// can follow (Order). It applies the ownership rules (Owned, Classify): mailform
// changes and deletes only what carries its own stack's mark. It fills values
// known only after apply from live state (Resolve), renders plans for people and
// programs (RenderHuman, RenderMarkdown, RenderJSON), saves and loads plan files
// (Save, Load), and tells whether live state moved since a plan was made
// (StateDigest, CheckStale).
//
// Plan must not import the AWS SDK or talk to AWS, must not print to the
// terminal (it writes only to the io.Writer its caller passes), and must never
// let a secret reach a plan, a plan file or any rendering: secrets exist here
// only as specs.Sensitive placeholders.
package plan
