package iam

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// SMTPPassword derives the SES SMTP password of an access key's secret for
// region (SigV4 scheme, version byte 0x04): an HMAC-SHA256 chain over the date
// "11111111", the region, "ses", "aws4_request" and "SendRawEmail", keyed
// first with "AWS4"+secret. The result is 44 characters and starts with "B".
func SMTPPassword(secret, region string) string {
	sign := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	k := sign([]byte("AWS4"+secret), "11111111")
	for _, m := range []string{region, "ses", "aws4_request", "SendRawEmail"} {
		k = sign(k, m)
	}
	return base64.StdEncoding.EncodeToString(append([]byte{0x04}, k...))
}
