package secrets

import (
	"encoding/json"
	"fmt"
)

// SMTPPorts are the ports of the SES SMTP endpoint: STARTTLS on 587, 2587 and
// 25 (EC2 blocks 25 by default), TLS wrapper on 465 and 2465.
var SMTPPorts = []int{587, 2587, 465, 2465, 25}

// SMTPCredentials is the document mailform writes to an smtp_user's
// credentials location:
//
//	{"username":"AKIA...","password":"B...","host":"email-smtp.us-west-2.amazonaws.com",
//	 "ports":[587,2587,465,2465,25],"region":"us-west-2"}
//
// The password is unexported so that the value cannot leak through
// encoding/json or fmt by accident; only Encode writes it.
type SMTPCredentials struct {
	Username string // the access key ID
	Host     string
	Ports    []int
	Region   string
	password string
}

// NewSMTPCredentials builds the document for an access key and the SMTP
// password derived from its secret for region.
func NewSMTPCredentials(accessKeyID, password, region string) SMTPCredentials {
	return SMTPCredentials{
		Username: accessKeyID,
		Host:     SMTPHost(region),
		Ports:    append([]int(nil), SMTPPorts...),
		Region:   region,
		password: password,
	}
}

// SMTPHost is the SES SMTP endpoint of region.
func SMTPHost(region string) string { return "email-smtp." + region + ".amazonaws.com" }

// Password returns the SMTP password. Never print it.
func (c SMTPCredentials) Password() string { return c.password }

// String describes the credentials without the password.
func (c SMTPCredentials) String() string {
	return fmt.Sprintf("SMTP credentials for %s at %s", c.Username, c.Host)
}

// GoString describes the credentials without the password, for %#v.
func (c SMTPCredentials) GoString() string { return c.String() }

// MarshalJSON shows everything but the password; Encode writes the stored form.
func (c SMTPCredentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(smtpDocument{Username: c.Username, Password: "(sensitive)", Host: c.Host, Ports: c.Ports, Region: c.Region})
}

type smtpDocument struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Host     string `json:"host"`
	Ports    []int  `json:"ports"`
	Region   string `json:"region"`
}

// Encode returns the document as stored, password included.
func (c SMTPCredentials) Encode() []byte {
	b, _ := json.Marshal(smtpDocument{Username: c.Username, Password: c.password, Host: c.Host, Ports: c.Ports, Region: c.Region})
	return b
}

// DecodeSMTPCredentials parses a stored document. Its error never quotes the
// document.
func DecodeSMTPCredentials(b []byte) (SMTPCredentials, error) {
	var d smtpDocument
	if err := json.Unmarshal(b, &d); err != nil {
		return SMTPCredentials{}, fmt.Errorf("the secret is not an SMTP credentials JSON document")
	}
	if d.Username == "" || d.Password == "" {
		return SMTPCredentials{}, fmt.Errorf("the SMTP credentials document lacks a username or a password")
	}
	return SMTPCredentials{Username: d.Username, Host: d.Host, Ports: d.Ports, Region: d.Region, password: d.Password}, nil
}
