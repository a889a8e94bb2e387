// Package dkimkey is mailform's provider for self-managed DKIM keys (kind
// secret.dkim_key): an RSA key pair whose private half lives in a secret
// store (generated there with crypto/rand when absent, stored as PKCS#8 PEM)
// and whose public half, base64 PKIX DER, is what the "p=" of the DKIM TXT
// record carries.
//
// It never decides what should change (plan does), never puts the private
// key into an error, a Result, an Observed attribute or a log, and never
// deletes a key that does not carry the stack's mark. Files carry no mark, so
// a key kept in a file is never deleted: the Result says so.
package dkimkey

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/mailform/mailform/internal/secrets"
	"github.com/mailform/mailform/plan"
	"github.com/mailform/mailform/providers"
	"github.com/mailform/mailform/specs"
)

// DefaultKeyLength is used when a change does not give key_length.
const DefaultKeyLength = 2048

// Provider reads and changes DKIM keys.
type Provider struct {
	store secrets.Store
}

// New builds the provider on a secret store (secrets.Open).
func New(store secrets.Store) *Provider { return &Provider{store: store} }

var _ providers.Provider = (*Provider)(nil)

// Kinds implements providers.Provider.
func (p *Provider) Kinds() []specs.Kind { return []specs.Kind{specs.KindDKIMKey} }

// Read implements providers.Provider. It lists the stack's DKIM keys in SSM
// and Secrets Manager by their tags (one paginated call each), then reads
// each desired or listed key. A desired key in a file counts as the stack's:
// the file lives in the spec's folder and cannot carry a mark.
func (p *Provider) Read(ctx context.Context, stack string, desired []specs.Resource) ([]plan.Observed, error) {
	owned, err := p.store.List(ctx, stack, string(specs.KindDKIMKey))
	if err != nil {
		return nil, err
	}
	ownedAt := map[string]secrets.Entry{}
	for _, e := range owned {
		ownedAt[e.Location.String()] = e
	}
	var out []plan.Observed
	done := map[string]bool{}
	for _, r := range desired {
		if r.Kind != specs.KindDKIMKey {
			continue
		}
		loc, err := location(r.Attrs["location"])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Addr, err)
		}
		if done[loc.String()] {
			continue
		}
		done[loc.String()] = true
		attrs, found, unreadable, err := p.observeOrSay(ctx, loc, ownedAt[loc.String()].Tags)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Addr, err)
		}
		if !found {
			continue
		}
		o := plan.Observed{Addr: r.Addr, Kind: specs.KindDKIMKey, ID: loc.String(), Attrs: attrs, Unreadable: unreadable}
		switch e, ok := ownedAt[loc.String()]; {
		case ok:
			o.Owner = stack
			if a := e.Tags[specs.TagAddr]; a != "" {
				o.Addr = a
			}
		case loc.Scheme == secrets.File:
			o.Owner = stack
		default:
			tags, _, err := p.store.Tags(ctx, loc.String())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", r.Addr, err)
			}
			o.Owner = tags[specs.TagStack]
		}
		out = append(out, o)
	}
	for _, e := range owned {
		if done[e.Location.String()] {
			continue
		}
		attrs, found, unreadable, err := p.observeOrSay(ctx, e.Location, e.Tags)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Tags[specs.TagAddr], err)
		}
		if !found {
			continue
		}
		addr := e.Tags[specs.TagAddr]
		if addr == "" {
			addr = "dkim_key." + e.Location.String()
		}
		out = append(out, plan.Observed{Addr: addr, Kind: specs.KindDKIMKey, ID: e.Location.String(), Owner: stack, Attrs: attrs, Unreadable: unreadable})
	}
	return out, nil
}

// observeOrSay reads the key at loc as observe does; a location that cannot
// be read (secrets.Unreadable) is reported as found with only its location
// known, and says why, so that the plan goes on and reports it at the
// resource.
func (p *Provider) observeOrSay(ctx context.Context, loc secrets.Location, tags map[string]string) (map[string]any, bool, string, error) {
	attrs, found, err := p.observe(ctx, loc, tags)
	if err != nil && secrets.Unreadable(err) {
		return map[string]any{"location": loc.String()}, true, fmt.Sprintf("the DKIM key in %s (%v)", loc, err), nil
	}
	return attrs, found, "", err
}

// observe learns the key at loc: in SSM or Secrets Manager from the tags
// that record its length and public key (secrets.PublicKeyTags), never
// decrypting it, so that a role that plans needs no permission to; from the
// file itself beside the spec; and from the value only for a key in AWS
// whose tags lack them (written by an older mailform, or not yet adopted),
// marking it so that apply adds them. tags are the key's tags when the
// caller listed them already, else nil.
func (p *Provider) observe(ctx context.Context, loc secrets.Location, tags map[string]string) (map[string]any, bool, error) {
	if loc.Scheme != secrets.File {
		if tags == nil {
			var found bool
			var err error
			tags, found, err = p.store.Tags(ctx, loc.String())
			if err != nil || !found {
				return nil, false, err
			}
		}
		if bits, pub, ok := secrets.PublicKeyFromTags(tags); ok {
			return map[string]any{
				"location":    loc.String(),
				"key_length":  int64(bits),
				"public_key":  pub,
				"private_key": specs.Sensitive{Digest: "present"},
			}, true, nil
		}
		attrs, found, err := p.read(ctx, loc)
		if found {
			attrs[plan.AttrSecretUntagged] = loc.String()
		}
		return attrs, found, err
	}
	return p.read(ctx, loc)
}

// read reads and decodes the key at loc.
func (p *Provider) read(ctx context.Context, loc secrets.Location) (map[string]any, bool, error) {
	raw, found, err := p.store.Get(ctx, loc.String())
	if err != nil || !found {
		return nil, false, err
	}
	key, err := ParsePrivateKey(raw)
	if err != nil {
		return nil, false, fmt.Errorf("secret %s: %w", loc, err)
	}
	attrs, err := keyAttrs(loc, key)
	return attrs, err == nil, err
}

func keyAttrs(loc secrets.Location, key *rsa.PrivateKey) (map[string]any, error) {
	pub, err := PublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", loc, err)
	}
	return map[string]any{
		"location":    loc.String(),
		"key_length":  int64(key.N.BitLen()),
		"public_key":  pub,
		"private_key": specs.Sensitive{Digest: "present"},
	}, nil
}

// ParsePrivateKey reads an RSA private key from PEM (PKCS#8 "PRIVATE KEY" or
// PKCS#1 "RSA PRIVATE KEY"), or from the bare base64 DER that SES BYODKIM
// takes. Its errors never quote the input.
func ParsePrivateKey(raw []byte) (*rsa.PrivateKey, error) {
	der := []byte(nil)
	if block, _ := pem.Decode(raw); block != nil {
		der = block.Bytes
	} else if b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(raw)), "")); err == nil {
		der = b
	} else {
		return nil, errors.New("not an RSA private key: neither PEM nor base64 DER")
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("not an RSA private key but a %T", k)
		}
		return rk, nil
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("not an RSA private key in PKCS#8 or PKCS#1 form")
}

// PublicKey returns what follows "p=" in a DKIM TXT record: the base64 of
// the PKIX DER public key.
func PublicKey(key *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", fmt.Errorf("encoding the public key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// Generate makes an RSA key of bits with crypto/rand and returns it with its
// PKCS#8 PEM encoding.
func Generate(bits int) (*rsa.PrivateKey, []byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, nil, fmt.Errorf("generating a %d-bit RSA key: %w", bits, err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the private key: %w", err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// Apply implements providers.Provider.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) []providers.Result {
	return providers.ApplyEach(req, providers.Steps{
		Noun:   "a DKIM key",
		Ensure: func(c plan.Change) (*plan.Observed, string, error) { return p.ensure(ctx, req.Stack, c) },
		Delete: func(c plan.Change) (string, error) {
			loc := str(c.Before, "location")
			if loc == "" {
				loc = c.ID
			}
			return p.delete(ctx, req.Stack, loc)
		},
	})
}

// ensure leaves a key of the desired length at the desired location. An
// existing key in AWS must carry the stack's mark (or be adopted); it is
// kept unless it has another length or a replacement was requested. A key at a former
// location is deleted once the new one is stored.
func (p *Provider) ensure(ctx context.Context, stack string, c plan.Change) (*plan.Observed, string, error) {
	loc, err := location(c.After["location"])
	if err != nil {
		return nil, "", err
	}
	bits, err := keyLength(c.After["key_length"])
	if err != nil {
		return nil, "", err
	}
	raw, found, err := p.store.Get(ctx, loc.String())
	if err != nil {
		return nil, "", err
	}
	var notes []string
	var key *rsa.PrivateKey
	if found {
		key, err = ParsePrivateKey(raw)
		if err != nil {
			return nil, "", fmt.Errorf("secret %s: %w", loc, err)
		}
		if loc.Scheme != secrets.File {
			tags, _, err := p.store.Tags(ctx, loc.String())
			if err != nil {
				return nil, "", err
			}
			switch owner := tags[specs.TagStack]; {
			case owner == "" && c.Adopt:
				marks, err := p.marks(c.Addr, key)
				if err != nil {
					return nil, "", err
				}
				if err := p.store.Adopt(ctx, loc.String(), stack, marks...); err != nil {
					return nil, "", err
				}
				notes = append(notes, "adopted the key in "+loc.String()+": tagged "+specs.TagStack+"="+stack)
			case owner != stack:
				return nil, "", fmt.Errorf("the key in %s: %w (adopt it to let mailform manage it)", loc, secrets.ErrNotOwned)
			}
		}
		replace := key.N.BitLen() != bits || c.Because(plan.CauseRequested)
		if replace {
			key = nil
		} else {
			if loc.Scheme != secrets.File {
				// Adds the tags a key written by an older mailform lacks.
				marks, err := p.marks(c.Addr, key)
				if err != nil {
					return nil, "", err
				}
				if err := p.store.Adopt(ctx, loc.String(), stack, marks...); err != nil {
					return nil, "", err
				}
			}
			notes = append(notes, "kept the existing key in "+loc.String())
		}
	}
	if key == nil {
		var pemBytes []byte
		key, pemBytes, err = Generate(bits)
		if err != nil {
			return nil, "", err
		}
		marks, err := p.marks(c.Addr, key)
		if err != nil {
			return nil, "", err
		}
		if err := p.store.Put(ctx, loc.String(), pemBytes, stack, marks...); err != nil {
			return nil, "", err
		}
		if found {
			notes = append(notes, fmt.Sprintf("replaced the key in %s with a new %d-bit RSA key", loc, bits))
		} else {
			notes = append(notes, fmt.Sprintf("generated a %d-bit RSA key in %s", bits, loc))
		}
	}
	if old := str(c.Before, "location"); old != "" && old != loc.String() {
		msg, err := p.delete(ctx, stack, old)
		if err != nil {
			return nil, "", err
		}
		notes = append(notes, msg)
	}
	attrs, err := keyAttrs(loc, key)
	if err != nil {
		return nil, "", err
	}
	return &plan.Observed{Addr: c.Addr, Kind: specs.KindDKIMKey, ID: loc.String(), Owner: stack, Attrs: attrs}, strings.Join(notes, "; "), nil
}

// delete removes the key at loc if it carries the stack's mark.
func (p *Provider) delete(ctx context.Context, stack, loc string) (string, error) {
	l, err := secrets.ParseLocation(loc)
	if err != nil {
		return "", err
	}
	if l.Scheme == secrets.File {
		// mailform never deletes a key file, readable or not.
		return "kept " + loc + ": a file carries no ownership mark, so mailform leaves it to you", nil
	}
	tags, found, err := p.store.Tags(ctx, loc)
	if err != nil {
		return "", err
	}
	switch {
	case !found:
		return "the key in " + loc + " was already gone", nil
	case l.Scheme == secrets.File:
		return "kept " + loc + ": a file carries no ownership mark, so mailform leaves it to you", nil
	case !secrets.Owned(tags, stack):
		return fmt.Sprintf("kept %s: it does not carry the %s=%s tag", loc, specs.TagStack, stack), nil
	}
	if err := p.store.Delete(ctx, loc); err != nil {
		return "", err
	}
	return "deleted the key in " + loc, nil
}

func location(v any) (secrets.Location, error) {
	s, _ := v.(string)
	if s == "" {
		return secrets.Location{}, errors.New("the change lacks the key's location")
	}
	return secrets.ParseLocation(s)
}

func keyLength(v any) (int, error) {
	var n int64
	switch x := v.(type) {
	case nil:
		return DefaultKeyLength, nil
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		n = int64(x)
	default:
		return 0, fmt.Errorf("key_length must be a number of bits, not %T", v)
	}
	if n != 1024 && n != 2048 {
		return 0, fmt.Errorf("key_length must be 1024 or 2048, not %d", n)
	}
	return int(n), nil
}

func str(attrs map[string]any, key string) string {
	s, _ := attrs[key].(string)
	return s
}

// marks are the tags a key carries besides the stack's mark: its address,
// its kind, and its length and public key, which plan reads instead of the
// key.
func (p *Provider) marks(addr string, key *rsa.PrivateKey) ([]secrets.Tag, error) {
	pub, err := PublicKey(key)
	if err != nil {
		return nil, err
	}
	return append([]secrets.Tag{{Key: specs.TagAddr, Value: addr}, {Key: secrets.TagKind, Value: string(specs.KindDKIMKey)}},
		secrets.PublicKeyTags(key.N.BitLen(), pub)...), nil
}
