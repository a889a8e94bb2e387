// Package specs is the mailform spec language: it reads a folder of HCL
// files, evaluates variables, locals and functions, checks every rule of the
// language with positioned diagnostics, formats files (`mailform fmt`), and
// expands the blocks into the desired resources that plan diffs against AWS
// (docs/resources.md).
//
// It works on files and values only. It must not import AWS SDKs, talk to
// the network, print, or exit: it returns data and hcl.Diagnostics, and the
// command line renders them. Secret values never enter a Spec or a Resource.
//
// A spec is hostile input (it may come from a pull request): a spec reads
// only files inside its own folder (confine.go), and the language is bounded
// in nesting, expression length, value sizes and total work (limits.go), so
// that no spec can read the machine, crash mailform or run without end.
package specs
