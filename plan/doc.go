// Package plan decides what mailform must do to make AWS match a spec.
//
// It compares the resources a spec asks for (specs.Resource) with what the
// providers observed in AWS (Observed) and produces a Plan: which resources to
// create, update, replace or delete, attribute by attribute, in an order apply
// can follow (Order). It applies the ownership rules (Owned, Classify): mailform
// changes and deletes only what carries its own stack's mark. It fills values
// known only after apply from live state (Resolve), and tells whether live
// state moved since a plan was made (StateDigest, CheckStale). Its values
// have one Go form (JSONLike), which the sub-packages read: plan/planfile
// saves and loads plan files, plan/render shows plans to people and programs.
//
// Plan must not import the AWS SDK or talk to AWS, must not lay a plan out for
// its readers (plan/render does) nor know the plan file's form (plan/planfile
// does; plan keeps only their shared FormatVersion), must not import its
// sub-packages, and must never let a secret reach a plan: secrets exist here
// only as specs.Sensitive placeholders.
package plan
