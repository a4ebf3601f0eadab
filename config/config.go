// Package config reads sluice's configuration from the environment, with
// command-line flags overriding it.
package config

import (
	"flag"
	"net/url"
	"os"
	"strconv"
	"time"
)

// Config is everything a sluice process can be told.
type Config struct {
	DatabaseURL          string
	TemporalAddress      string
	TemporalNamespace    string
	TemporalUIPort       int
	TemporalUIURL        string
	HTTPAddr             string
	DataDir              string
	SecretKey            string
	AllowPrivateNetworks bool
	ValidationTimeout    time.Duration
	LogLevel             string
}

// DefaultDatabaseURL is used when DATABASE_URL is not set.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/sluice?sslmode=disable"

// FromEnv reads the environment, falling back to defaults.
func FromEnv() Config {
	return Config{
		DatabaseURL:          env("DATABASE_URL", DefaultDatabaseURL),
		TemporalAddress:      env("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace:    env("TEMPORAL_NAMESPACE", "default"),
		TemporalUIPort:       envInt("SLUICE_TEMPORAL_UI_PORT", 8233),
		TemporalUIURL:        env("SLUICE_TEMPORAL_UI_URL", ""),
		HTTPAddr:             env("SLUICE_HTTP_ADDR", ":8080"),
		DataDir:              env("SLUICE_DATA_DIR", "./.sluice"),
		SecretKey:            env("SLUICE_SECRET_KEY", ""),
		AllowPrivateNetworks: envBool("SLUICE_ALLOW_PRIVATE_NETWORKS", false),
		ValidationTimeout:    envDuration("SLUICE_VALIDATION_TIMEOUT", 30*time.Second),
		LogLevel:             env("SLUICE_LOG_LEVEL", "info"),
	}
}

// BindDatabase registers the flag every command that touches sluice's database takes.
func (c *Config) BindDatabase(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "sluice's Postgres database (env DATABASE_URL)")
}

// BindServer registers the flags of the long-running commands.
func (c *Config) BindServer(fs *flag.FlagSet) {
	c.BindDatabase(fs)
	fs.StringVar(&c.TemporalAddress, "temporal-address", c.TemporalAddress, "Temporal frontend host:port (env TEMPORAL_ADDRESS)")
	fs.StringVar(&c.TemporalNamespace, "temporal-namespace", c.TemporalNamespace, "Temporal namespace (env TEMPORAL_NAMESPACE)")
	fs.StringVar(&c.HTTPAddr, "http-addr", c.HTTPAddr, "address the HTTP API listens on (env SLUICE_HTTP_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory for sluice's files (env SLUICE_DATA_DIR)")
	fs.StringVar(&c.SecretKey, "secret-key", c.SecretKey, "base64 of 32 bytes that encrypts stored secrets (env SLUICE_SECRET_KEY)")
	fs.BoolVar(&c.AllowPrivateNetworks, "allow-private-networks", c.AllowPrivateNetworks, "let connections reach loopback and private addresses (env SLUICE_ALLOW_PRIVATE_NETWORKS)")
	fs.DurationVar(&c.ValidationTimeout, "validation-timeout", c.ValidationTimeout, "how long creating an integration waits for validation (env SLUICE_VALIDATION_TIMEOUT)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (env SLUICE_LOG_LEVEL)")
}

// RedactedDatabaseURL is the database URL without its password, for messages.
func (c Config) RedactedDatabaseURL() string {
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return "(unparseable DATABASE_URL)"
	}
	return u.Redacted()
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func envBool(name string, def bool) bool {
	if b, err := strconv.ParseBool(os.Getenv(name)); err == nil {
		return b
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}
