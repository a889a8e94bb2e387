// Package specs is the mailform spec language: it reads a folder of HCL
// files, evaluates variables, locals and functions, checks every rule of the
// language with positioned diagnostics, formats files (`mailform fmt`), and
// expands the blocks into the desired resources that plan diffs against AWS
// (docs/resources.md).
//
// It works on files and values only. It must not import AWS SDKs, talk to
// the network, print, or exit: it returns data and hcl.Diagnostics, and the
// command line renders them. Secret values never enter a Spec or a Resource.
package specs
