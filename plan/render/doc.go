// Package render shows a plan to its readers: a terminal (HumanView, in the
// manner of Terraform), programs (JSONView, the versioned document of
// docs/plan-json.md) and pull requests (MarkdownView, bounded to what a code
// host takes in one comment). The three views share one reading of a plan's
// changes and differ only in layout.
//
// Render must not decide anything about a plan (that is plan's job), must not
// talk to AWS, and writes only to the io.Writer its caller passes. It never
// shows a secret: secrets reach it only as specs.Sensitive placeholders, and
// it shows them as "(sensitive)".
package render
