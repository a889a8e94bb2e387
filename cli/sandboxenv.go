package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// The variables 'mailform sandbox' sets (in its env file and its printed
// export lines) besides the AWS ones, so that the mailform commands that
// leave AWS's API (check's DNS questions, test-send -smtp) reach the
// sandbox too. They are used only when the AWS endpoint is the sandbox's.
const (
	SandboxEndpointEnv = "MAILFORM_SANDBOX_ENDPOINT" // the sandbox's AWS endpoint, http://HOST:PORT
	SandboxDNSEnv      = "MAILFORM_SANDBOX_DNS"      // its DNS server, HOST:PORT (UDP and TCP)
	SandboxSMTPEnv     = "MAILFORM_SANDBOX_SMTP"     // its SES SMTP interface, HOST:PORT (STARTTLS)
	SandboxSMTPCAEnv   = "MAILFORM_SANDBOX_SMTP_CA"  // the PEM file of the CA that signed its SMTP certificate
)

// sandbox is where a running 'mailform sandbox' listens, as its variables say.
type sandbox struct {
	endpoint, dns, smtp, smtpCA string
}

// sandboxOf returns the sandbox that the environment names when cfg's
// endpoint is that sandbox's endpoint; ok is false otherwise (no sandbox
// variables, or AWS calls go elsewhere).
func sandboxOf(io IO, cfg aws.Config) (sb sandbox, ok bool) {
	sb = sandbox{
		endpoint: io.getenv(SandboxEndpointEnv),
		dns:      io.getenv(SandboxDNSEnv),
		smtp:     io.getenv(SandboxSMTPEnv),
		smtpCA:   io.getenv(SandboxSMTPCAEnv),
	}
	if sb.endpoint == "" || cfg.BaseEndpoint == nil {
		return sandbox{}, false
	}
	same := strings.TrimRight(*cfg.BaseEndpoint, "/") == strings.TrimRight(sb.endpoint, "/")
	return sb, same
}

// endpointOverride is the AWS endpoint cfg sends every call to, or "" when
// it uses AWS's own endpoints.
func endpointOverride(cfg aws.Config) string {
	if cfg.BaseEndpoint == nil {
		return ""
	}
	return *cfg.BaseEndpoint
}

// sandboxVars is the environment that points the AWS CLI, the AWS SDKs and
// mailform at a sandbox: aws (the double's endpoint, region and dummy
// credentials), pacing (PacingEnv's value: "off" for a sandbox without rate
// limits, its time scale for one with AWS's, "" to leave it unset), and the
// sandbox's own addresses.
func sandboxVars(aws []string, pacing, endpoint, dns, smtp, smtpCA string) []string {
	out := append([]string(nil), aws...)
	if pacing != "" {
		out = append(out, PacingEnv+"="+pacing)
	}
	return append(out,
		SandboxEndpointEnv+"="+endpoint,
		SandboxDNSEnv+"="+dns,
		SandboxSMTPEnv+"="+smtp,
		SandboxSMTPCAEnv+"="+smtpCA,
	)
}

// writeEnvFile writes text to path atomically: a reader that waits for the
// file to exist finds it whole.
func writeEnvFile(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mailform-sandbox-env-*")
	if err != nil {
		return fmt.Errorf("writing the env file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the env file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the env file: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing the env file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the env file: %w", err)
	}
	return nil
}
