package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/secrets"
)

// Dispatcher sends queued deliveries. Several may run (on several
// workers): each leases the deliveries it sends.
type Dispatcher struct {
	Pool    *pgxpool.Pool
	Keyring *secrets.Keyring
	Sender  *Sender
	Links   LinkBase
	Log     *slog.Logger
	// Lease is how long a claimed delivery is this dispatcher's; it must
	// outlast a send. Zero: a minute.
	Lease time.Duration
	// RetryBase is the first retry's delay, doubled per attempt up to an
	// hour. Zero: 30 seconds.
	RetryBase time.Duration
	// MaxAttempts ends a delivery as failed. Zero: 8 (about two hours of
	// retries at the default base).
	MaxAttempts int
	// Parallel bounds sends at once. Zero: 16.
	Parallel int
	// StaleEvery is how often sync.stale rules are checked. Zero: a minute.
	StaleEvery time.Duration
}

// claimBatch is how many deliveries one claim leases.
const claimBatch = 64

// idlePoll is how often an idle dispatcher looks for due retries (new
// deliveries wake it at once through NOTIFY).
const idlePoll = time.Second

func (d *Dispatcher) defaults() {
	if d.Lease <= 0 {
		d.Lease = time.Minute
	}
	if d.RetryBase <= 0 {
		d.RetryBase = 30 * time.Second
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = 8
	}
	if d.Parallel <= 0 {
		d.Parallel = 16
	}
	if d.StaleEvery <= 0 {
		d.StaleEvery = time.Minute
	}
	if d.Sender == nil {
		d.Sender = NewSender(0)
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
}

// Run sends deliveries until ctx ends, calling beat after each round (a
// Temporal activity heartbeats there). It returns nil when ctx ends.
func (d *Dispatcher) Run(ctx context.Context, beat func()) error {
	d.defaults()
	wake := d.listen(ctx)
	var lastStale time.Time
	for ctx.Err() == nil {
		if time.Since(lastStale) >= d.StaleEvery {
			if err := d.checkStale(ctx); err != nil && ctx.Err() == nil {
				d.Log.Warn("alerts: stale sync check failed", "error", err)
			}
			lastStale = time.Now()
		}
		n, err := d.Round(ctx)
		if err != nil && ctx.Err() == nil {
			d.Log.Warn("alerts: delivery round failed", "error", err)
		}
		beat()
		if n == claimBatch {
			continue // more are due
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(idlePoll):
		}
	}
	return nil
}

// Round claims the due deliveries (up to a batch), sends them and records
// each result. It returns how many it claimed.
func (d *Dispatcher) Round(ctx context.Context) (int, error) {
	d.defaults()
	q := db.New(d.Pool)
	ids, err := q.AlertDeliveryClaim(ctx, db.AlertDeliveryClaimParams{LeaseSeconds: d.Lease.Seconds(), MaxRows: claimBatch})
	if err != nil {
		return 0, fmt.Errorf("claim alert deliveries: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	rows, err := q.AlertDeliveryLoad(ctx, ids)
	if err != nil {
		return len(ids), fmt.Errorf("load alert deliveries: %w", err)
	}
	sem := make(chan struct{}, d.Parallel)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, row := range rows {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := d.deliver(ctx, q, row); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(ids), errors.Join(errs...)
}

// deliver sends one leased delivery and records how it went.
func (d *Dispatcher) deliver(ctx context.Context, q *db.Queries, row db.AlertDeliveryLoadRow) error {
	res := d.send(ctx, row)
	if ctx.Err() != nil {
		return nil // stopping: the lease runs out and another dispatcher sends it
	}
	status, next := "failed", time.Now()
	if res.Retry && int(row.Attempts) < d.MaxAttempts {
		status, next = "pending", next.Add(d.backoff(int(row.Attempts)))
	}
	rec := recordOf(res, status)
	rec.TeamID, rec.ID, rec.NextAttemptAt = row.TeamID, row.ID, next
	if err := q.AlertDeliveryRecord(context.WithoutCancel(ctx), rec); err != nil {
		return fmt.Errorf("record alert delivery %d: %w", row.ID, err)
	}
	return nil
}

func (d *Dispatcher) send(ctx context.Context, row db.AlertDeliveryLoadRow) Result {
	cfg, err := OpenConfig(d.Keyring, row.ChannelID, row.SealedConfig)
	if err != nil {
		return Result{Err: errors.New("the channel's configuration cannot be decrypted with the current keys")}
	}
	msg := Message{
		DeliveryID: row.ID, EventID: row.EventID, Event: row.Event, Summary: row.Summary,
		OccurredAt: row.OccurredAt.UTC(), Subject: row.Subject, Attempt: int(row.Attempts),
	}
	_ = json.Unmarshal(row.Links, &msg.Links) // written by Emit; empty links at worst
	if row.RuleID.Valid {
		msg.Rule = &RuleRef{ID: row.RuleID.UUID.String(), Name: row.RuleName}
	}
	return d.Sender.Send(ctx, row.Kind, cfg, msg)
}

// backoff is the wait after the given attempt failed: RetryBase doubled
// per earlier attempt, at most an hour.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	wait := d.RetryBase
	for i := 1; i < attempt && wait < time.Hour; i++ {
		wait *= 2
	}
	return min(wait, time.Hour)
}

// listen returns a channel that receives when an emitter queues
// deliveries. Without a listening connection the dispatcher polls.
func (d *Dispatcher) listen(ctx context.Context) <-chan struct{} {
	wake := make(chan struct{}, 1)
	go func() {
		for ctx.Err() == nil {
			if err := d.waitNotifications(ctx, wake); err != nil && ctx.Err() == nil {
				d.Log.Warn("alerts: listening for new deliveries failed; polling", "error", err)
				select {
				case <-ctx.Done():
				case <-time.After(5 * time.Second):
				}
			}
		}
	}()
	return wake
}

func (d *Dispatcher) waitNotifications(ctx context.Context, wake chan<- struct{}) error {
	pooled, err := d.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection leaves the pool: a wait interrupted by ctx leaves it
	// in no state to be reused, so it is closed, never returned.
	conn := pooled.Hijack()
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN sluice_alerts"); err != nil {
		return err
	}
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		select {
		case wake <- struct{}{}:
		default:
		}
	}
}

// Test sends a test message to a channel now, outside any rule, logs it
// among the channel's deliveries, and returns the send's result. A test is
// not retried: the person who asked for it reads the answer.
func Test(ctx context.Context, pool *pgxpool.Pool, sender *Sender, k *secrets.Keyring, links LinkBase, ch db.AlertChannel) (Result, error) {
	cfg, err := OpenConfig(k, ch.ID, ch.SealedConfig)
	if err != nil {
		return Result{}, err
	}
	msg := Message{
		Event: TestEvent, Summary: fmt.Sprintf("Test notification for channel %q: if you read this, alerts reach you.", ch.Name),
		OccurredAt: time.Now().UTC(), Subject: json.RawMessage(fmt.Sprintf(`{"channel_id":%q}`, ch.ID)),
		Links: Links{Console: links.console("alerts"), API: links.api("/v1/api/alerts/channels/" + ch.ID.String())}, Attempt: 1,
	}
	linksJSON, err := json.Marshal(msg.Links)
	if err != nil {
		return Result{}, err
	}
	q := db.New(pool)
	queued, err := q.AlertTestQueue(ctx, db.AlertTestQueueParams{
		TeamID: ch.TeamID, ChannelID: ch.ID, Summary: msg.Summary, Subject: msg.Subject, Links: linksJSON,
	})
	if err != nil {
		return Result{}, fmt.Errorf("log the test message: %w", err)
	}
	msg.DeliveryID, msg.EventID = queued.ID, queued.EventID
	res := sender.Send(ctx, ch.Kind, cfg, msg)
	rec := recordOf(res, "failed")
	rec.TeamID, rec.ID, rec.NextAttemptAt = ch.TeamID, queued.ID, time.Now()
	if err := q.AlertDeliveryRecord(context.WithoutCancel(ctx), rec); err != nil {
		return res, fmt.Errorf("record the test message: %w", err)
	}
	return res, nil
}

// recordOf is the log entry of a send: delivered, or status with the
// answer and error.
func recordOf(res Result, status string) db.AlertDeliveryRecordParams {
	var rec db.AlertDeliveryRecordParams
	rec.Status = status
	if res.Delivered() {
		rec.Status = "delivered"
	}
	if res.StatusCode != 0 {
		code := int32(res.StatusCode)
		rec.LastStatusCode = &code
	}
	if res.Err != nil {
		msg := truncate(res.Err.Error(), 500)
		rec.LastError = &msg
	}
	return rec
}
