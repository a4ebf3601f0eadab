package secrets

import (
	"fmt"
	"strings"
)

// ParseKeyList decodes a comma-separated list of keys, each as ParseKey
// takes it; blank entries are skipped, so an empty list gives no keys. An
// error names the bad entry by its position, never by its value.
func ParseKeyList(list string) ([][]byte, error) {
	var keys [][]byte
	for i, entry := range strings.Split(list, ",") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		key, err := ParseKey(entry)
		if err != nil {
			return nil, fmt.Errorf("key %d of the list: %w", i+1, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}
