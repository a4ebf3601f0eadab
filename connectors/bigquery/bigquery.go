// Package bigquery connects to Google BigQuery with a service-account key,
// through BigQuery's REST API.
//
// Bulk reads run a query and page through its result with
// jobs.getQueryResults. The BigQuery Storage Read API (gRPC) would be faster
// for very large tables, but it is left out: it cannot be exercised without
// Google's servers (the tests here use a fake of the documented REST API),
// and its gRPC client dials outside the HTTP transport the network guard
// controls.
package bigquery

import (
	"context"
	"fmt"
	"net/http"
	"regexp"

	bq "cloud.google.com/go/bigquery"
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
}

var (
	_ connectors.Connector  = (*Connector)(nil)
	_ connectors.Validator  = (*Connector)(nil)
	_ connectors.Discoverer = (*Connector)(nil)
	_ connectors.Querier    = (*Connector)(nil)
	_ connectors.Reader     = (*Connector)(nil)
	_ connectors.DialectOf  = (*Connector)(nil)
)

// settings are what tests change: the API endpoint of a fake server.
type settings struct {
	endpoint string
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
	return &Connector{creds: creds, project: project, client: client, tokens: tokens}, nil
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

// Close releases the client.
func (c *Connector) Close(ctx context.Context) error { return c.client.Close() }

// Dialect reports that the connector speaks GoogleSQL.
func (c *Connector) Dialect() connectors.Dialect { return connectors.DialectBigQuery }
