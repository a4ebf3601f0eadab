package alerts

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Message is the JSON body a webhook channel receives.
type Message struct {
	// DeliveryID is the same on every attempt of one delivery: receivers
	// deduplicate on it.
	DeliveryID int64           `json:"delivery_id"`
	EventID    int64           `json:"event_id"`
	Event      string          `json:"event"`
	Summary    string          `json:"summary"`
	OccurredAt time.Time       `json:"occurred_at"`
	Subject    json.RawMessage `json:"subject"`
	Links      Links           `json:"links"`
	Rule       *RuleRef        `json:"rule,omitempty"`
	// Attempt counts from 1.
	Attempt int `json:"attempt"`
}

// RuleRef names the rule that routed an event to the channel.
type RuleRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// body encodes m as the channel kind wants it.
func (m Message) body(kind string) ([]byte, error) {
	if kind == KindSlack {
		return json.Marshal(map[string]string{"text": m.slackText()})
	}
	if len(m.Subject) == 0 {
		m.Subject = json.RawMessage("{}")
	}
	return json.Marshal(m)
}

// slackText is the message in Slack's mrkdwn, with its three control
// characters escaped so reported text cannot forge links.
func (m Message) slackText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "*sluice* %s: %s", slackEscape(m.Event), slackEscape(m.Summary))
	var links []string
	for _, l := range []struct{ url, label string }{
		{m.Links.Console, "open in sluice"}, {m.Links.API, "API"}, {m.Links.Temporal, "Temporal run"},
	} {
		if l.url != "" {
			links = append(links, "<"+slackEscape(l.url)+"|"+l.label+">")
		}
	}
	if len(links) > 0 {
		b.WriteString("\n" + strings.Join(links, " · "))
	}
	return b.String()
}

func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// Sign returns the X-Sluice-Signature of body: "sha256=" and the hex
// HMAC-SHA256 of the body under the channel's secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is body's under secret, in constant time;
// receivers written in Go can use it as it is.
func Verify(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}
