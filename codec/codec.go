// Package codec keeps ticket data out of Temporal's storage: a
// converter.PayloadCodec that encrypts every payload (workflow and
// activity inputs and results, updates, signals, queries, summaries,
// failure messages) with AES-256-GCM before it leaves the process, under
// the current key of a key ring, and decrypts with whichever key of the
// ring a payload names. Temporal's server, its database, its UI without a
// codec endpoint and exported histories then hold only ciphertext; search
// attributes stay readable because the SDK never passes them through a
// data converter (they carry no personal data).
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

const (
	// Encoding is the metadata "encoding" of an encrypted payload.
	Encoding = "binary/encrypted"
	// MetadataKeyID is the metadata entry naming the key that encrypted a
	// payload, so any key of the ring can decrypt it after a rotation.
	MetadataKeyID = "encryption-key-id"
	// KeySize is the length of a key's secret: AES-256.
	KeySize = 32

	metadataEncoding = converter.MetadataEncoding
)

// Errors of Decode, for callers that tell them apart (errors.Is).
var (
	// ErrUnknownKey: the payload names a key the ring does not have.
	ErrUnknownKey = errors.New("unknown payload key")
	// ErrNotAuthentic: the ciphertext does not authenticate under the named
	// key — it was changed, or the ring's key of that ID is not the one
	// that encrypted it.
	ErrNotAuthentic = errors.New("payload does not authenticate (tampered with, or a different key of the same ID)")
)

// Key is one key of the ring.
type Key struct {
	// ID names the key in every payload it encrypts; it never changes
	// once used. Letters, digits, '.', '_' and '-', at most 64.
	ID string
	// Secret is KeySize random bytes.
	Secret []byte
}

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Codec encrypts with the ring's current key and decrypts with any of its
// keys. It is safe for concurrent use.
type Codec struct {
	current string
	ids     []string // in ring order, current first
	aeads   map[string]cipher.AEAD
}

// New returns a codec over keys; the first is the current one, the others
// only decrypt (payloads written before a rotation).
func New(keys []Key) (*Codec, error) {
	if len(keys) == 0 {
		return nil, errors.New("the payload key ring is empty: at least one key is needed")
	}
	c := &Codec{current: keys[0].ID, aeads: make(map[string]cipher.AEAD, len(keys))}
	for _, k := range keys {
		if !keyIDPattern.MatchString(k.ID) {
			return nil, fmt.Errorf("payload key ID %q: use 1 to 64 letters, digits, '.', '_' or '-'", k.ID)
		}
		if _, dup := c.aeads[k.ID]; dup {
			return nil, fmt.Errorf("payload key ID %q appears twice in the ring", k.ID)
		}
		if len(k.Secret) != KeySize {
			return nil, fmt.Errorf("payload key %q has %d bytes, want %d (AES-256)", k.ID, len(k.Secret), KeySize)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("payload key %q: %w", k.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("payload key %q: %w", k.ID, err)
		}
		c.aeads[k.ID] = aead
		c.ids = append(c.ids, k.ID)
	}
	return c, nil
}

// CurrentKeyID is the ID of the key new payloads are encrypted with.
func (c *Codec) CurrentKeyID() string { return c.current }

// KeyIDs lists the ring's key IDs, current first.
func (c *Codec) KeyIDs() []string { return append([]string(nil), c.ids...) }

// Encode encrypts each payload — metadata and data, marshalled as one
// proto — under the current key. A fresh random 96-bit nonce per payload
// is safe for far more payloads than a desk writes between rotations
// (GCM's bound is 2^32 per key). The key ID is authenticated as
// additional data, so a payload cannot be passed off as another key's.
//
// Payloads that are already encrypted are passed on as they are: the codec
// endpoint's /encode and the history export may see them, and encrypting
// twice would hide the key ID a reader needs.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	aead := c.aeads[c.current]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if IsEncrypted(p) {
			out[i] = p
			continue
		}
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encrypt payload %d: %w", i, err)
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("encrypt payload %d: nonce: %w", i, err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				metadataEncoding: []byte(Encoding),
				MetadataKeyID:    []byte(c.current),
			},
			Data: aead.Seal(nonce, nonce, plain, []byte(c.current)),
		}
	}
	return out, nil
}

// Decode decrypts encrypted payloads with the key each one names.
//
// Payloads without the encrypted encoding are returned unchanged: tickets
// started before encryption was switched on (a dev database from before,
// or an installation upgrading) have plain payloads in their histories,
// and their workflows must still replay and their pages still read.
// The price: whoever can write to Temporal's storage could slip in a
// plain payload — but such a writer can already signal the workflows
// anything, so the codec guards privacy, not the integrity of histories.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if !IsEncrypted(p) {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		aead, ok := c.aeads[id]
		if !ok {
			return nil, fmt.Errorf("decrypt payload %d: key %q is not in the ring (%s): %w",
				i, id, strings.Join(c.ids, ", "), ErrUnknownKey)
		}
		data := p.GetData()
		if len(data) < aead.NonceSize()+aead.Overhead() {
			return nil, fmt.Errorf("decrypt payload %d with key %q: %d bytes are too short: %w", i, id, len(data), ErrNotAuthentic)
		}
		nonce, sealed := data[:aead.NonceSize()], data[aead.NonceSize():]
		plain, err := aead.Open(nil, nonce, sealed, []byte(id))
		if err != nil {
			return nil, fmt.Errorf("decrypt payload %d with key %q: %w", i, id, ErrNotAuthentic)
		}
		var inner commonpb.Payload
		if err := proto.Unmarshal(plain, &inner); err != nil {
			return nil, fmt.Errorf("decrypt payload %d with key %q: not a payload inside: %w", i, id, err)
		}
		out[i] = &inner
	}
	return out, nil
}

// IsEncrypted reports whether p carries the encrypted encoding.
func IsEncrypted(p *commonpb.Payload) bool {
	return string(p.GetMetadata()[metadataEncoding]) == Encoding
}

// DataConverter is the SDK's default data converter with every payload
// encrypted by c: what Temporal clients and workers are given.
func (c *Codec) DataConverter() converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter moves failure messages and stack traces into an
// encrypted payload (EncodeCommonAttributes): a rejection or an error
// text may quote a ticket, and the Temporal UI shows failures in clear
// otherwise. Temporal then stores "Encoded failure" as the message.
func (c *Codec) FailureConverter() converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          c.DataConverter(),
		EncodeCommonAttributes: true,
	})
}
