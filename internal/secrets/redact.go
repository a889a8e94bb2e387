package secrets

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// withheld replaces err when its text quotes any part of value: AWS
// validation messages may echo the value they reject ("Value '...' at
// 'value' failed to satisfy constraint"). Only the error code survives.
func withheld(err error, value []byte) error {
	if err == nil || !quotesSecret(err.Error(), string(value)) {
		return err
	}
	code := "error"
	var api smithy.APIError
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	return fmt.Errorf("the store answered %s with a message that quotes the secret; the message is withheld", code)
}

// quotesSecret reports whether msg holds the secret, a line of it, or its
// first or last 16 characters (messages often truncate what they quote).
func quotesSecret(msg, secret string) bool {
	if secret == "" {
		return false
	}
	pieces := []string{secret}
	for _, line := range strings.Split(secret, "\n") {
		if len(strings.TrimSpace(line)) >= 8 {
			pieces = append(pieces, strings.TrimSpace(line))
		}
	}
	if len(secret) > 16 {
		pieces = append(pieces, secret[:16], secret[len(secret)-16:])
	}
	for _, p := range pieces {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
