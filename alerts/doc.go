// Package alerts tells people when something goes wrong. Where sluice
// records a failed sync run, a failed or timed-out task run, a metric
// anomaly or a schema change, it emits an Event; the team's rules decide
// which of its channels (a signed JSON webhook, a Slack incoming webhook)
// hear of it. Emitting writes the event and one delivery per channel in
// sluice's database, in the emitter's transaction where it has one, so
// nothing is sent for a change that did not happen and nothing is lost for
// one that did. A Dispatcher, run by a Temporal activity on the workers,
// sends the deliveries, retries 5xx answers and timeouts with backoff,
// gives up on 4xx answers and keeps a log of every delivery.
package alerts
