// Package planfile saves a plan to a file and loads it back (Save, Load), so
// that 'mailform apply PLANFILE' carries out exactly what 'mailform plan -out'
// showed. The file is JSON with a format name and version (plan.FormatVersion);
// Load refuses files that are not mailform plans, that come from another
// version, or that were edited out of shape.
//
// Planfile must not decide anything about a plan (that is plan's job) and
// must not talk to AWS. It never writes a secret, nor a digest of one: a
// secret is saved as {"sensitive": true}.
package planfile
