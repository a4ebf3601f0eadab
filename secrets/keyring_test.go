package secrets

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func mustKey(t *testing.T) []byte {
	t.Helper()
	enc, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParseKey(enc)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestSealOpenRoundTrip(t *testing.T) {
	kr, err := NewKeyring(mustKey(t))
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"password":"hunter2"}`)
	sealed, err := kr.Seal(plain, []byte("integration-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	got, err := kr.Open(sealed, []byte("integration-1"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatalf("got %q, want %q", got, plain)
	}
	if _, err := kr.Open(sealed, []byte("integration-2")); !errors.Is(err, ErrMalformed) {
		t.Fatalf("opening with other associated data: got %v, want ErrMalformed", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := kr.Open(sealed, []byte("integration-1")); err == nil {
		t.Fatal("tampered ciphertext opened")
	}
}

func TestRotationKeepsOldCiphertextsReadable(t *testing.T) {
	oldKey, newKey := mustKey(t), mustKey(t)
	oldRing, _ := NewKeyring(oldKey)
	sealed, err := oldRing.Seal([]byte("s3cret"), nil)
	if err != nil {
		t.Fatal(err)
	}
	newOnly, _ := NewKeyring(newKey)
	if _, err := newOnly.Open(sealed, nil); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("got %v, want ErrUnknownKey", err)
	}
	both, _ := NewKeyring(newKey, oldKey)
	if both.SealedByPrimary(sealed) {
		t.Fatal("old ciphertext reported as sealed by the new primary key")
	}
	got, err := both.Open(sealed, nil)
	if err != nil || string(got) != "s3cret" {
		t.Fatalf("open with rotated keyring: %q, %v", got, err)
	}
	resealed, _ := both.Seal(got, nil)
	if !both.SealedByPrimary(resealed) {
		t.Fatal("new ciphertext not sealed by the primary key")
	}
}

func TestParseKeyRejectsBadKeys(t *testing.T) {
	for _, in := range []string{"", "not base64!!", "c2hvcnQ="} {
		if _, err := ParseKey(in); err == nil {
			t.Errorf("ParseKey(%q) accepted a bad key", in)
		}
	}
}

func TestParseKeyListSkipsBlanksAndHidesValues(t *testing.T) {
	a, _ := GenerateKey()
	b, _ := GenerateKey()
	keys, err := ParseKeyList(" " + a + ", ," + b + ",")
	if err != nil || len(keys) != 2 {
		t.Fatalf("got %d keys, %v", len(keys), err)
	}
	if keys, err := ParseKeyList(""); err != nil || len(keys) != 0 {
		t.Fatalf("empty list: %d keys, %v", len(keys), err)
	}
	bad := "bm90IGEga2V5IGJ1dCBzZWNyZXQ="
	_, err = ParseKeyList(a + "," + bad)
	if err == nil || !strings.Contains(err.Error(), "key 2") || strings.Contains(err.Error(), bad) {
		t.Fatalf("bad entry: %v", err)
	}
}
