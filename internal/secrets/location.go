package secrets

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// Scheme is the kind of secret store a location points into.
type Scheme string

// The secret stores mailform writes to.
const (
	SSM            Scheme = "ssm"            // an SSM Parameter Store SecureString
	SecretsManager Scheme = "secretsmanager" // a Secrets Manager secret
	File           Scheme = "file"           // a local file relative to the spec's folder
)

// Location is a parsed secret location such as "ssm:/acme/mail/smtp".
type Location struct {
	Scheme Scheme
	// Name is the parameter name (with its leading slash), the secret name,
	// or the file path relative to the spec's folder, in slash form.
	Name string
}

// String gives the location back in the form a spec writes it.
func (l Location) String() string { return string(l.Scheme) + ":" + l.Name }

var (
	ssmName    = regexp.MustCompile(`^/[a-zA-Z0-9_.\-/]+$`) // at most 2048 characters, checked apart: RE2 caps repeats at 1000
	secretName = regexp.MustCompile(`^[a-zA-Z0-9/_+=.@\-]{1,512}$`)
)

// ParseLocation parses "ssm:/path", "secretsmanager:name" or
// "file:relative/path". A file path may not be absolute nor climb out of the
// spec's folder.
func ParseLocation(s string) (Location, error) {
	scheme, name, ok := strings.Cut(s, ":")
	if !ok {
		return Location{}, fmt.Errorf("secret location %q has no scheme: use ssm:/path, secretsmanager:name or file:relative/path", s)
	}
	loc := Location{Scheme: Scheme(scheme), Name: name}
	switch loc.Scheme {
	case SSM:
		if !ssmName.MatchString(name) || len(name) > 2048 || strings.Contains(name, "//") || strings.HasSuffix(name, "/") {
			return Location{}, fmt.Errorf("secret location %q: an SSM parameter name is an absolute path of letters, digits and _ . - /", s)
		}
	case SecretsManager:
		if !secretName.MatchString(name) {
			return Location{}, fmt.Errorf("secret location %q: a Secrets Manager name has 1-512 letters, digits or /_+=.@-", s)
		}
	case File:
		if name == "" || strings.HasPrefix(name, "/") || filepath.IsAbs(name) {
			return Location{}, fmt.Errorf("secret location %q: a file location is a path relative to the spec's folder", s)
		}
		clean := filepath.ToSlash(filepath.Clean(filepath.FromSlash(name)))
		if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
			return Location{}, fmt.Errorf("secret location %q: a file location must stay inside the spec's folder", s)
		}
		if strings.HasSuffix(name, "/") {
			return Location{}, fmt.Errorf("secret location %q: a file location names a file, not a folder", s)
		}
		loc.Name = clean
	default:
		return Location{}, fmt.Errorf("secret location %q: unknown scheme %q; use ssm:/path, secretsmanager:name or file:relative/path", s, scheme)
	}
	return loc, nil
}
