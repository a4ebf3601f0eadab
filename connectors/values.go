package connectors

import "maps"

// MergeValues returns the union of a connection's configuration and its
// opened secrets, the form NewCredentials takes.
func MergeValues(config, secrets map[string]any) map[string]any {
	out := make(map[string]any, len(config)+len(secrets))
	maps.Copy(out, config)
	maps.Copy(out, secrets)
	return out
}
