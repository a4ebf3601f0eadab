package secrets

import (
	"encoding/json"
	"fmt"
)

// SealJSON marshals v and seals it; see Seal for associatedData.
func (k *Keyring) SealJSON(v any, associatedData []byte) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("seal: marshal: %w", err)
	}
	return k.Seal(plain, associatedData)
}

// OpenJSON opens a ciphertext produced by SealJSON into v.
func (k *Keyring) OpenJSON(ciphertext, associatedData []byte, v any) error {
	plain, err := k.Open(ciphertext, associatedData)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("open sealed secret: unmarshal: %w", err)
	}
	return nil
}
