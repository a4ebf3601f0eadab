// Package secrets seals and opens the secret fields of integrations with
// AES-256-GCM. Every ciphertext carries the id of the key that sealed it, so a
// keyring holding both an old and a new key can read everything while stored
// secrets are being re-encrypted under the new one.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length in bytes of an AES-256 key.
const KeySize = 32

// formatVersion is the first byte of every ciphertext; it lets the layout change later.
const formatVersion byte = 1

// keyIDSize is how many bytes of the key's SHA-256 identify it inside a ciphertext.
const keyIDSize = 8

// ErrUnknownKey means a ciphertext was sealed by a key the keyring does not hold.
var ErrUnknownKey = errors.New("secrets: ciphertext was sealed with a key this keyring does not hold")

// ErrMalformed means a ciphertext is truncated or was not produced by this package.
var ErrMalformed = errors.New("secrets: malformed ciphertext")

// Keyring seals with its primary key and opens with any key it holds.
type Keyring struct {
	primary keyEntry
	byID    map[string]keyEntry
}

type keyEntry struct {
	id   [keyIDSize]byte
	aead cipher.AEAD
}

// ParseKey decodes a base64 (standard or URL, padded or not) 32-byte key.
func ParseKey(encoded string) ([]byte, error) {
	encoded = strings.TrimSpace(encoded)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(encoded); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(key))
			}
			return key, nil
		}
	}
	return nil, errors.New("secret key is not valid base64")
}

// GenerateKey returns a new random key, base64-encoded.
func GenerateKey() (string, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("generate secret key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(key), nil
}

// NewKeyring builds a keyring that seals with primary and can also open
// ciphertexts sealed by any of the older keys.
func NewKeyring(primary []byte, older ...[]byte) (*Keyring, error) {
	p, err := newKeyEntry(primary)
	if err != nil {
		return nil, err
	}
	kr := &Keyring{primary: p, byID: map[string]keyEntry{string(p.id[:]): p}}
	for _, k := range older {
		e, err := newKeyEntry(k)
		if err != nil {
			return nil, err
		}
		kr.byID[string(e.id[:])] = e
	}
	return kr, nil
}

func newKeyEntry(key []byte) (keyEntry, error) {
	if len(key) != KeySize {
		return keyEntry{}, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return keyEntry{}, fmt.Errorf("create AES cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return keyEntry{}, fmt.Errorf("create GCM: %w", err)
	}
	sum := sha256.Sum256(key)
	var e keyEntry
	copy(e.id[:], sum[:keyIDSize])
	e.aead = aead
	return e, nil
}

// PrimaryKeyID returns the hex id of the key new ciphertexts are sealed with.
func (k *Keyring) PrimaryKeyID() string { return hex.EncodeToString(k.primary.id[:]) }

// Seal encrypts plaintext under the primary key. The associated data binds the
// ciphertext to its owner (for example the integration id) so it cannot be
// copied onto another row and opened there.
func (k *Keyring) Seal(plaintext, associatedData []byte) ([]byte, error) {
	nonce := make([]byte, k.primary.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: read nonce: %w", err)
	}
	out := make([]byte, 0, 1+keyIDSize+len(nonce)+len(plaintext)+k.primary.aead.Overhead())
	out = append(out, formatVersion)
	out = append(out, k.primary.id[:]...)
	out = append(out, nonce...)
	return k.primary.aead.Seal(out, nonce, plaintext, associatedData), nil
}

// Open decrypts a ciphertext produced by Seal with the same associated data.
func (k *Keyring) Open(ciphertext, associatedData []byte) ([]byte, error) {
	id, err := KeyIDOf(ciphertext)
	if err != nil {
		return nil, err
	}
	e, ok := k.byID[id]
	if !ok {
		return nil, ErrUnknownKey
	}
	header := 1 + keyIDSize
	nonceSize := e.aead.NonceSize()
	if len(ciphertext) < header+nonceSize+e.aead.Overhead() {
		return nil, ErrMalformed
	}
	nonce := ciphertext[header : header+nonceSize]
	plain, err := e.aead.Open(nil, nonce, ciphertext[header+nonceSize:], associatedData)
	if err != nil {
		return nil, fmt.Errorf("open sealed secret: %w", ErrMalformed)
	}
	return plain, nil
}

// KeyIDOf returns the raw id of the key that sealed a ciphertext.
func KeyIDOf(ciphertext []byte) (string, error) {
	if len(ciphertext) < 1+keyIDSize || ciphertext[0] != formatVersion {
		return "", ErrMalformed
	}
	return string(ciphertext[1 : 1+keyIDSize]), nil
}

// SealedByPrimary reports whether a ciphertext is already sealed by the primary key.
func (k *Keyring) SealedByPrimary(ciphertext []byte) bool {
	id, err := KeyIDOf(ciphertext)
	return err == nil && id == string(k.primary.id[:])
}
