package bigquery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	bq "cloud.google.com/go/bigquery"
	bqstorage "cloud.google.com/go/bigquery/storage/apiv1"
	"cloud.google.com/go/bigquery/storage/apiv1/storagepb"
	gax "github.com/googleapis/gax-go/v2"
	"golang.org/x/sync/errgroup"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

// When a bulk read uses the Storage Read API instead of paging through
// jobs.getQueryResults. Below these sizes a read session's set-up costs
// more than JSON pages do; above them Arrow streams are several times
// faster, and an unordered read of a table needs no query at all (Storage
// Read API bytes cost a fraction of query bytes and use no slots).
const (
	// defaultStorageMinBytes is a table size (from its metadata) from
	// which an unordered read opens a read session on the table.
	defaultStorageMinBytes = 64 << 20
	// defaultStorageMinRows is a row count (of the table, or of an ordered
	// read's query result) from which a read uses a read session.
	defaultStorageMinRows = 100_000
)

const (
	// maxStorageStreams bounds the streams of an unordered read, read in
	// parallel; an ordered read uses one, the only way BigQuery keeps order.
	maxStorageStreams = 4
	// maxStorageMessage fits the largest ReadRows response: BigQuery sends
	// record batches of up to 128 MiB.
	maxStorageMessage = 129 << 20
	// storageAttempts bounds the retries of a stream that makes no progress.
	storageAttempts = 5
	// sessionTimeout bounds CreateReadSession with its retries, which the
	// client library would otherwise go on with for ten minutes.
	sessionTimeout = 2 * time.Minute
	// defaultStorageEndpoint is the Storage Read API's address.
	defaultStorageEndpoint = "bigquerystorage.googleapis.com:443"
)

// storageClient returns the Storage Read API client, built on first use.
// It dials through the network guard (and never through a proxy, where the
// guard would check the proxy's address) and signs calls with the same
// service-account tokens as the REST client.
func (c *Connector) storageClient(ctx context.Context) (*bqstorage.BigQueryReadClient, error) {
	c.storageMu.Lock()
	defer c.storageMu.Unlock()
	if c.storage != nil {
		return c.storage, nil
	}
	opts := []option.ClientOption{
		option.WithGRPCDialOption(grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			return netguard.DialContext(ctx, "tcp", addr)
		})),
		option.WithGRPCDialOption(grpc.WithNoProxy()),
		option.WithGRPCDialOption(grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxStorageMessage))),
	}
	if c.settings.storageEndpoint != "" {
		opts = append(opts, option.WithEndpoint(c.settings.storageEndpoint))
	}
	if c.settings.storageOptions != nil {
		opts = append(opts, c.settings.storageOptions...)
	} else {
		opts = append(opts, option.WithTokenSource(c.tokens))
	}
	client, err := bqstorage.NewBigQueryReadClient(context.WithoutCancel(ctx), opts...)
	if err != nil {
		return nil, fmt.Errorf("build BigQuery Storage Read client: %w", err)
	}
	c.storage = client
	return client, nil
}

// checkStorageAddress resolves the Storage Read API's host through the
// network guard, which refuses it as it would refuse the dial.
func (c *Connector) checkStorageAddress(ctx context.Context) error {
	endpoint := c.settings.storageEndpoint
	if endpoint == "" {
		endpoint = defaultStorageEndpoint
	}
	host, _, err := net.SplitHostPort(endpoint)
	if err != nil {
		return fmt.Errorf("storage endpoint %s: %w", endpoint, err)
	}
	_, err = netguard.Resolve(ctx, host)
	return err
}

// storagePays says whether an unordered read of a table with this metadata
// reads it through a read session. Views, external tables and the like
// cannot be read that way; small tables are read faster by a query.
func (c *Connector) storagePays(md *bq.TableMetadata) bool {
	if md.Type != bq.RegularTable {
		return false
	}
	return int64(md.NumBytes) >= c.settings.storageMinBytes || int64(md.NumRows) >= c.settings.storageMinRows
}

// errSessionDenied means the credentials may not create read sessions
// (bigquery.readsessions.create): nothing was read, so the caller reads
// through the REST API, which needs only the permissions it always did.
var errSessionDenied = errors.New("the service account may not create BigQuery Storage read sessions")

// readTable reads a stored table through a read session of up to
// maxStorageStreams streams, in no order. The session selects only the
// columns read and filters past the cursor on the server.
func (c *Connector) readTable(ctx context.Context, req connectors.ReadRequest, schema bq.Schema, w *rowWriter) error {
	var restriction string
	if req.CursorField != "" && req.CursorAfter != nil {
		i := indexOf(columnNames(req.Columns), req.CursorField)
		if i < 0 {
			return fmt.Errorf("read %s: column %q is not among the columns read", req.Table, req.CursorField)
		}
		r, err := cursorRestriction(req.Columns[i], req.CursorAfter)
		if err != nil {
			return fmt.Errorf("read %s: value for %s: %w", req.Table, req.CursorField, err)
		}
		restriction = r
	}
	table := fmt.Sprintf("projects/%s/datasets/%s/tables/%s", c.project, req.Table.Schema, req.Table.Name)
	return c.readSession(ctx, req, table, restriction, maxStorageStreams, schema, w)
}

// readResult reads a finished query job's result table through a read
// session of one stream, which keeps the order an ORDER BY gave it.
func (c *Connector) readResult(ctx context.Context, req connectors.ReadRequest, job *bq.Job, schema bq.Schema, w *rowWriter) error {
	// The job as first returned may not name its result table yet.
	done, err := c.client.JobFromIDLocation(ctx, job.ID(), job.Location())
	if err != nil {
		return c.queryError(fmt.Errorf("read %s: look up query job %s: %w", req.Table, job.ID(), err))
	}
	cfg, err := done.Config()
	if err != nil {
		return c.queryError(fmt.Errorf("read %s: query job %s: %w", req.Table, job.ID(), err))
	}
	qc, ok := cfg.(*bq.QueryConfig)
	if !ok || qc.Dst == nil {
		return &connectors.QueryError{Kind: connectors.QueryErrOther, Message: fmt.Sprintf("query job %s names no result table", job.ID())}
	}
	table := fmt.Sprintf("projects/%s/datasets/%s/tables/%s", qc.Dst.ProjectID, qc.Dst.DatasetID, qc.Dst.TableID)
	return c.readSession(ctx, req, table, "", 1, schema, w)
}

// readSession opens a read session on table and hands every row of its
// streams to w. Streams are read in parallel, but only this goroutine
// writes to the sink; a failed sink cancels the streams.
func (c *Connector) readSession(ctx context.Context, req connectors.ReadRequest, table, restriction string, streams int32,
	schema bq.Schema, w *rowWriter) error {
	client, err := c.storageClient(ctx)
	if err != nil {
		return err
	}
	// A refused address would fail every dial as "unavailable", which the
	// client retries; checking it first fails at once, naming the refusal.
	if err := c.checkStorageAddress(ctx); err != nil {
		return c.storageError(fmt.Errorf("read %s: %w", req.Table, err))
	}
	names := columnNames(req.Columns)
	sctx, cancel := context.WithTimeout(ctx, sessionTimeout)
	defer cancel()
	session, err := client.CreateReadSession(sctx, &storagepb.CreateReadSessionRequest{
		Parent: "projects/" + c.project,
		ReadSession: &storagepb.ReadSession{Table: table, DataFormat: storagepb.DataFormat_ARROW,
			ReadOptions: &storagepb.ReadSession_TableReadOptions{SelectedFields: names, RowRestriction: restriction}},
		MaxStreamCount: streams,
	})
	if status.Code(err) == codes.PermissionDenied {
		return fmt.Errorf("read %s: %w: %s", req.Table, errSessionDenied, status.Convert(err).Message())
	}
	if err != nil {
		return c.storageError(fmt.Errorf("read %s: create read session: %w", req.Table, err))
	}
	if len(session.GetStreams()) == 0 {
		return nil // an empty table, or no row passes the filter
	}
	dec, err := newArrowDecoder(session.GetArrowSchema().GetSerializedSchema(), names, schema)
	if err != nil {
		return fmt.Errorf("read %s: %w", req.Table, err)
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	g, gctx := errgroup.WithContext(ctx)
	batches := make(chan [][]any, len(session.GetStreams()))
	for _, s := range session.GetStreams() {
		g.Go(func() error { return readStream(gctx, client, s.GetName(), dec, batches) })
	}
	var streamErr error
	go func() {
		streamErr = g.Wait()
		close(batches)
	}()
	for batch := range batches {
		for _, row := range batch {
			if _, err := w.add(row); err != nil {
				stop()
				for range batches { // the streams see the cancellation and stop
				}
				return err
			}
		}
	}
	if streamErr != nil {
		return c.storageError(fmt.Errorf("read %s: %w", req.Table, streamErr))
	}
	return nil
}

// permanentError marks a stream failure that a retry cannot mend.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// readStream reads one stream to its end, sending each response's rows to
// out. A broken stream is reopened at the offset of the rows already sent,
// so no row is delivered twice.
func readStream(ctx context.Context, client *bqstorage.BigQueryReadClient, stream string, dec *arrowDecoder, out chan<- [][]any) error {
	var offset int64
	backoff := gax.Backoff{Initial: 100 * time.Millisecond, Max: 5 * time.Second}
	for failures := 0; ; {
		before := offset
		rows, err := client.ReadRows(ctx, &storagepb.ReadRowsRequest{ReadStream: stream, Offset: offset})
		if err == nil {
			err = consumeStream(ctx, rows, dec, out, &offset)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		var perm *permanentError
		if ctx.Err() != nil || errors.As(err, &perm) || !retryableStream(err) {
			return fmt.Errorf("stream %s at row %d: %w", stream, offset, err)
		}
		if offset > before {
			failures = 0
		}
		if failures++; failures == storageAttempts {
			return fmt.Errorf("stream %s at row %d, after %d attempts: %w", stream, offset, failures, err)
		}
		if err := gax.Sleep(ctx, backoff.Pause()); err != nil {
			return err
		}
	}
}

// consumeStream receives responses until the stream ends (io.EOF) or fails.
func consumeStream(ctx context.Context, rows storagepb.BigQueryRead_ReadRowsClient, dec *arrowDecoder, out chan<- [][]any, offset *int64) error {
	for {
		resp, err := rows.Recv()
		if err != nil {
			return err
		}
		batch := resp.GetArrowRecordBatch()
		if resp.GetRowCount() == 0 || batch == nil {
			continue // a progress or throttling message
		}
		decoded := make([][]any, 0, resp.GetRowCount())
		if err := dec.decode(batch.GetSerializedRecordBatch(), func(row []any) error {
			decoded = append(decoded, row)
			return nil
		}); err != nil {
			return &permanentError{err}
		}
		if int64(len(decoded)) != resp.GetRowCount() {
			return &permanentError{fmt.Errorf("a response of %d rows held %d", resp.GetRowCount(), len(decoded))}
		}
		select {
		case out <- decoded:
			*offset += int64(len(decoded))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// retryableStream says whether a broken stream may be reopened: the codes
// the service documents as transient.
func retryableStream(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.Internal, codes.Aborted, codes.DeadlineExceeded:
		return true
	}
	return false
}

// storageError classifies a Storage Read API failure by its gRPC status.
func (c *Connector) storageError(err error) error {
	var qErr *connectors.QueryError
	if errors.As(err, &qErr) {
		return err
	}
	kind := connectors.QueryErrOther
	switch status.Code(err) {
	case codes.PermissionDenied, codes.Unauthenticated:
		kind = connectors.QueryErrPermission
	case codes.NotFound:
		kind = connectors.QueryErrNotFound
	case codes.DeadlineExceeded:
		kind = connectors.QueryErrTimeout
	case codes.Unavailable, codes.Internal, codes.Aborted:
		kind = connectors.QueryErrConnection
	}
	if errors.Is(err, context.DeadlineExceeded) {
		kind = connectors.QueryErrTimeout
	}
	if errors.Is(err, netguard.ErrRefused) {
		kind = connectors.QueryErrConnection
	}
	return &connectors.QueryError{Kind: kind, Message: c.creds.Redact(err.Error())}
}

func columnNames(cols []connectors.Column) []string {
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = col.Name
	}
	return names
}
