package alerts

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/secrets"
)

// The kinds of channel.
const (
	// KindWebhook posts the event as JSON, signed with the channel's secret.
	KindWebhook = "webhook"
	// KindSlack posts a Slack incoming-webhook message.
	KindSlack = "slack"
)

// ChannelConfig is what a channel keeps sealed: a Slack webhook's URL is
// its credential, so the URL is sealed with the signing secret.
type ChannelConfig struct {
	URL string `json:"url"`
	// Secret signs a webhook's bodies (X-Sluice-Signature).
	Secret string `json:"secret,omitempty"`
}

// maxURLLength bounds a channel's URL.
const maxURLLength = 2048

// CheckURL returns the URL a channel may post to: http or https, a host,
// no user information. Whether the host may be reached is decided when it
// is dialled (the network guard), since a name can change its addresses.
func CheckURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("url is required")
	}
	if len(raw) > maxURLLength {
		return nil, fmt.Errorf("url is longer than %d bytes", maxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url is not a URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, errors.New("url must start with https:// or http://")
	}
	if u.Hostname() == "" {
		return nil, errors.New("url has no host")
	}
	if u.User != nil {
		return nil, errors.New("url must not carry a user name or password; a webhook is authenticated by its signature")
	}
	return u, nil
}

// DisplayURL is what the API shows of a channel's URL: its scheme and host,
// never the path or query, which may be the credential.
func DisplayURL(u *url.URL) string {
	if u.Path == "" || u.Path == "/" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// ChannelAD binds a sealed config to its channel, so it cannot be moved to
// another row; secret rotation seals again with it.
func ChannelAD(id uuid.UUID) []byte { return []byte("alert-channel:" + id.String()) }

// SealConfig seals a channel's config under the keyring's primary key.
func SealConfig(k *secrets.Keyring, channelID uuid.UUID, cfg ChannelConfig) ([]byte, error) {
	sealed, err := k.SealJSON(cfg, ChannelAD(channelID))
	if err != nil {
		return nil, fmt.Errorf("seal alert channel %s: %w", channelID, err)
	}
	return sealed, nil
}

// OpenConfig opens a channel's sealed config.
func OpenConfig(k *secrets.Keyring, channelID uuid.UUID, sealed []byte) (ChannelConfig, error) {
	var cfg ChannelConfig
	if err := k.OpenJSON(sealed, ChannelAD(channelID), &cfg); err != nil {
		return cfg, fmt.Errorf("open alert channel %s: %w", channelID, err)
	}
	return cfg, nil
}

// CheckKind returns an error naming the kinds when kind is not one.
func CheckKind(kind string) error {
	if kind == KindWebhook || kind == KindSlack {
		return nil
	}
	return fmt.Errorf("type must be one of %s, %s", KindWebhook, KindSlack)
}

// CheckEvent returns an error naming the events when event is not one.
func CheckEvent(event string) error {
	for _, e := range Events {
		if e == event {
			return nil
		}
	}
	return fmt.Errorf("event must be one of %s", strings.Join(Events, ", "))
}
