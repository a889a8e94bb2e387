package kinds

import "github.com/mailform/mailform/specs"

// SecretDKIMKey is an RSA key pair kept in a secret store
// (providers/dkimkey). Its provider calls only the secret store, whose
// actions depend on the location (internal/permissions SecretActions).
var SecretDKIMKey = declare(&Schema{
	Kind: specs.KindDKIMKey,
	Attrs: []Attr{
		{Name: "location", Type: String, Location: true, Replaces: true},
		{Name: "key_length", Type: Int, Replaces: true},
		{Name: "private_key", Type: Secret},
		{Name: "public_key", Type: String, Observed: true},
		{Name: SecretUntagged, Type: String, Observed: true},
	},
	Identity: []string{"location"},
	Actions:  map[Access][]string{},
})
