// Package bigquery connects to Google BigQuery with a service-account key,
// through BigQuery's REST API and, for bulk reads of large tables, the
// BigQuery Storage Read API (gRPC, Arrow record batches).
//
// Small reads run a query and page through its result with
// jobs.getQueryResults. An unordered read of a large table opens a read
// session on the table itself (no query, so no query bytes billed); an
// ordered read of a large result runs the query and reads its result table
// in one stream. Both clients dial through the network guard.
package bigquery

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sync"

	bq "cloud.google.com/go/bigquery"
	bqstorage "cloud.google.com/go/bigquery/storage/apiv1"
	"golang.org/x/oauth2"
	"google.golang.org/api/option"

	"github.com/sluice-dev/sluice/connectors"
)

func init() {
	connectors.Register("bigquery", func(ctx context.Context, c connectors.Credentials) (connectors.Connector, error) {
		return New(ctx, c)
	})
}

// Connector is a BigQuery client for one project.
type Connector struct {
	creds   connectors.Credentials
	project string
	client  *bq.Client
	tokens  oauth2.TokenSource

	settings  settings
	storageMu sync.Mutex
	storage   *bqstorage.BigQueryReadClient // built on the first Storage Read API read
}

var (
	_ connectors.Connector  = (*Connector)(nil)
	_ connectors.Validator  = (*Connector)(nil)
	_ connectors.Discoverer = (*Connector)(nil)
	_ connectors.Querier    = (*Connector)(nil)
	_ connectors.Reader     = (*Connector)(nil)
	_ connectors.DialectOf  = (*Connector)(nil)
)

// settings are what tests change: the endpoints of fake servers and the
// sizes from which reads use the Storage Read API.
type settings struct {
	endpoint string
	// storageEndpoint is the Storage Read API's host:port, and
	// storageOptions replace the service-account tokens on its calls.
	storageEndpoint string
	storageOptions  []option.ClientOption
	storageMinRows  int64
	storageMinBytes int64
}

// New builds a connector from credentials. It parses the key but makes no
// request.
func New(ctx context.Context, creds connectors.Credentials) (*Connector, error) {
	return newConnector(ctx, creds, settings{})
}

// projectID matches Google Cloud project ids, including domain-scoped ones
// ("example.com:analytics").
var projectID = regexp.MustCompile(`^([a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$`)

func newConnector(ctx context.Context, creds connectors.Credentials, s settings) (*Connector, error) {
	project := creds.String("project_id")
	if !projectID.MatchString(project) {
		return nil, &connectors.StepError{Step: connectors.StepConfig, Message: fmt.Sprintf("project_id %q is not a Google Cloud project id", project)}
	}
	httpClient, tokens, err := authorizedClient(creds.String("credentials_json"))
	if err != nil {
		return nil, connectors.NewStepError(connectors.StepConfig, err, creds)
	}
	client, err := newClient(ctx, project, httpClient, s)
	if err != nil {
		return nil, connectors.NewStepError(connectors.StepConfig, err, creds)
	}
	client.Location = creds.String("location")
	if s.storageMinRows == 0 {
		s.storageMinRows = defaultStorageMinRows
	}
	if s.storageMinBytes == 0 {
		s.storageMinBytes = defaultStorageMinBytes
	}
	return &Connector{creds: creds, project: project, client: client, tokens: tokens, settings: s}, nil
}

func newClient(ctx context.Context, project string, httpClient *http.Client, s settings) (*bq.Client, error) {
	opts := []option.ClientOption{option.WithHTTPClient(httpClient)}
	if s.endpoint != "" {
		opts = append(opts, option.WithEndpoint(s.endpoint))
	}
	client, err := bq.NewClient(ctx, project, opts...)
	if err != nil {
		return nil, fmt.Errorf("build BigQuery client: %w", err)
	}
	return client, nil
}

// Close releases the clients.
func (c *Connector) Close(ctx context.Context) error {
	c.storageMu.Lock()
	defer c.storageMu.Unlock()
	if c.storage != nil {
		if err := c.storage.Close(); err != nil {
			_ = c.client.Close()
			return fmt.Errorf("close BigQuery Storage Read client: %w", err)
		}
		c.storage = nil
	}
	return c.client.Close()
}

// Dialect reports that the connector speaks GoogleSQL.
func (c *Connector) Dialect() connectors.Dialect { return connectors.DialectBigQuery }
