package stripe

import (
	"net/url"

	"github.com/sluice-dev/sluice/connectors/httpapi"
)

// schemaName is the one schema a Stripe integration has: its tables are
// stripe.customers, stripe.charges and so on.
const schemaName = "stripe"

// stream is one Stripe list endpoint read as a table.
type stream struct {
	httpapi.Stream
	// path is the list endpoint, e.g. /v1/customers.
	path string
	// object is the objects' "object" property, e.g. "customer".
	object string
	// events is the type pattern of the events that carry the stream's
	// objects when they change (GET /v1/events?type=...); empty when
	// Stripe emits none (balance transactions do not change).
	events string
	// query is what the list request always adds (subscriptions: every
	// status, canceled included).
	query url.Values
}

// Field constructors, short because the tables below list many.
var (
	str  = httpapi.String
	num  = httpapi.Int
	flag = httpapi.Bool
	ts   = httpapi.UnixTime
	doc  = httpapi.JSON
)

// common are the fields every Stripe object has.
func common(fields ...httpapi.Field) []httpapi.Field {
	return append([]httpapi.Field{str("id"), ts("created"), flag("livemode"), doc("metadata")}, fields...)
}

func newStream(name, object, events, comment string, fields []httpapi.Field) stream {
	return stream{Stream: httpapi.Stream{Name: name, Comment: comment, Key: "id", Fields: fields},
		path: "/v1/" + name, object: object, events: events}
}

// streams are the tables a Stripe integration offers, in the order
// discovery lists them. Amounts are integers in the currency's smallest
// unit (cents), as Stripe sends them; times are timestamptz; nested objects,
// lists and metadata are JSON.
var streams = []stream{
	newStream("customers", "customer", "customer.*", "Customers.", common(
		str("email"), str("name"), str("description"), str("phone"), str("currency"), num("balance"),
		flag("delinquent"), str("default_source"), str("invoice_prefix"), str("tax_exempt"),
		doc("address"), doc("shipping"), doc("invoice_settings"), doc("discount"), doc("preferred_locales"))),
	newStream("charges", "charge", "charge.*", "Charges (payments attempted on a card or other method).", common(
		num("amount"), num("amount_captured"), num("amount_refunded"), str("currency"), str("customer"),
		str("description"), str("status"), flag("paid"), flag("captured"), flag("refunded"), flag("disputed"),
		str("payment_intent"), str("payment_method"), str("balance_transaction"), str("invoice"),
		str("failure_code"), str("failure_message"), str("receipt_email"), str("receipt_url"),
		num("application_fee_amount"), str("statement_descriptor"),
		doc("billing_details"), doc("outcome"), doc("payment_method_details"), doc("fraud_details"), doc("shipping"))),
	newStream("invoices", "invoice", "invoice.*", "Invoices.", common(
		str("customer"), str("subscription"), str("number"), str("status"), str("currency"), str("collection_method"),
		str("billing_reason"), num("amount_due"), num("amount_paid"), num("amount_remaining"), num("subtotal"),
		num("total"), num("starting_balance"), num("ending_balance"), num("attempt_count"), flag("attempted"),
		flag("auto_advance"), ts("due_date"), ts("period_start"), ts("period_end"), ts("effective_at"),
		ts("next_payment_attempt"), str("hosted_invoice_url"), str("invoice_pdf"), str("customer_email"),
		str("customer_name"), str("description"), doc("lines"), doc("status_transitions"), doc("discounts"),
		doc("automatic_tax"), doc("customer_address"), doc("parent"))),
	withQuery(newStream("subscriptions", "subscription", "customer.subscription.*", "Subscriptions, canceled ones included.", common(
		str("customer"), str("status"), str("currency"), str("collection_method"), flag("cancel_at_period_end"),
		ts("start_date"), ts("billing_cycle_anchor"), ts("cancel_at"), ts("canceled_at"), ts("ended_at"),
		ts("trial_start"), ts("trial_end"), str("latest_invoice"), str("default_payment_method"), str("description"),
		doc("items"), doc("discounts"), doc("cancellation_details"), doc("pause_collection"), doc("automatic_tax"))),
		url.Values{"status": {"all"}}),
	newStream("payment_intents", "payment_intent", "payment_intent.*", "Payment intents.", common(
		num("amount"), num("amount_capturable"), num("amount_received"), str("currency"), str("customer"),
		str("status"), str("description"), str("capture_method"), str("confirmation_method"), str("latest_charge"),
		str("payment_method"), str("cancellation_reason"), ts("canceled_at"), str("receipt_email"),
		num("application_fee_amount"), doc("payment_method_types"), doc("last_payment_error"), doc("next_action"),
		doc("shipping"))),
	newStream("products", "product", "product.*", "Products.", common(
		str("name"), str("description"), flag("active"), str("default_price"), ts("updated"), str("unit_label"),
		str("url"), str("tax_code"), flag("shippable"), doc("images"), doc("marketing_features"), doc("package_dimensions"))),
	newStream("prices", "price", "price.*", "Prices.", common(
		str("product"), flag("active"), str("currency"), num("unit_amount"), str("unit_amount_decimal"), str("type"),
		str("billing_scheme"), str("nickname"), str("lookup_key"), str("tax_behavior"), str("tiers_mode"),
		doc("recurring"), doc("custom_unit_amount"), doc("transform_quantity"))),
	newStream("refunds", "refund", "refund.*", "Refunds.", common(
		num("amount"), str("currency"), str("charge"), str("payment_intent"), str("status"), str("reason"),
		str("balance_transaction"), str("receipt_number"), doc("destination_details"))),
	newStream("balance_transactions", "balance_transaction", "", "Balance transactions: every movement of funds in the account's balance.",
		[]httpapi.Field{str("id"), ts("created"), num("amount"), num("fee"), num("net"), str("currency"), str("type"),
			str("status"), str("reporting_category"), str("source"), str("description"), ts("available_on"),
			httpapi.Float("exchange_rate"), doc("fee_details")}),
}

func withQuery(s stream, q url.Values) stream {
	s.query = q
	return s
}

// streamNamed finds a stream by table name.
func streamNamed(name string) (stream, bool) {
	for _, s := range streams {
		if s.Name == name {
			return s, true
		}
	}
	return stream{}, false
}
