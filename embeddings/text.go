package embeddings

import (
	"strings"
	"unicode"
)

// abbreviations expands the short forms schemas are full of, so that a
// question's "customer amount" meets a column named cust_amt.
var abbreviations = map[string]string{
	"cust": "customer", "amt": "amount", "qty": "quantity", "num": "number", "nbr": "number",
	"dt": "date", "ts": "timestamp", "addr": "address", "acct": "account", "txn": "transaction",
	"trx": "transaction", "prod": "product", "cat": "category", "desc": "description", "emp": "employee",
	"dept": "department", "mgr": "manager", "org": "organization", "usr": "user", "msg": "message",
	"img": "image", "qtr": "quarter", "yr": "year", "mo": "month", "pct": "percent", "avg": "average",
	"cnt": "count", "tot": "total", "bal": "balance", "pmt": "payment", "ref": "reference", "src": "source",
	"dst": "destination", "dest": "destination", "loc": "location", "lat": "latitude", "lng": "longitude",
	"lon": "longitude", "rev": "revenue", "ccy": "currency", "curr": "currency", "fx": "exchange",
	"po": "purchase", "wh": "warehouse", "whse": "warehouse", "subs": "subscription", "conv": "conversion", "cpn": "coupon", "promo": "promotion", "tkt": "ticket",
	"resp": "response", "req": "request", "sess": "session", "evt": "event", "attr": "attribute",
	"ctry": "country", "zip": "postal", "tel": "phone", "ph": "phone", "sal": "salary",
	"stat": "status", "sts": "status", "info": "information",
	"cfg": "configuration", "config": "configuration", "mrr": "monthly recurring revenue",
	"arr": "annual recurring revenue", "nps": "net promoter score", "ltv": "lifetime value",
	"utm": "campaign source", "sku": "stock keeping unit", "ip": "internet address",
}

// synonyms add the schema words a question's everyday words usually mean.
// They are weaker features than the words themselves.
var synonyms = map[string][]string{
	"revenue": {"sale", "amount", "total"}, "sale": {"order", "revenue"}, "sold": {"order", "sale"},
	"sell": {"order", "sale"}, "client": {"customer"}, "buyer": {"customer"}, "shopper": {"customer"},
	"staff": {"employee"}, "worker": {"employee"}, "personnel": {"employee"}, "salary": {"payroll", "pay"},
	"wage": {"payroll", "salary"}, "pay": {"payroll", "payment"}, "paid": {"payment", "payroll"},
	"purchase": {"order"}, "bought": {"order", "purchase"}, "buy": {"order", "purchase"},
	"item": {"product"}, "stock": {"inventory", "quantity"}, "delivery": {"shipment"}, "deliver": {"shipment"},
	"shipped": {"shipment"}, "ship": {"shipment"}, "bill": {"invoice"}, "billed": {"invoice"},
	"churn": {"subscription", "cancel"}, "cancel": {"subscription"}, "signup": {"user", "registration"},
	"registered": {"user", "registration"}, "visitor": {"session", "visit"}, "visit": {"session"},
	"traffic": {"session", "page", "view"}, "complaint": {"ticket", "support"}, "issue": {"ticket"},
	"help": {"support", "ticket"}, "rating": {"review", "score"}, "rated": {"review"}, "discount": {"coupon", "promotion"},
	"spend": {"expense", "cost"}, "spent": {"expense", "cost"}, "cost": {"expense", "price"},
	"ledger": {"journal", "account"}, "login": {"session", "auth"}, "logged": {"login"},
	"ad": {"campaign"}, "advert": {"campaign"}, "marketing": {"campaign"}, "deal": {"opportunity"},
	"prospect": {"lead"}, "supplier": {"vendor"}, "vendor": {"supplier"}, "headcount": {"employee"},
	"test": {"experiment"}, "variant": {"experiment", "assignment"}, "rate": {"exchange"},
	"satisfaction": {"nps", "score", "survey"}, "survey": {"response"}, "money": {"amount", "payment"},
	"owe": {"invoice", "balance"}, "overdue": {"invoice", "due"}, "returned": {"return", "refund"},
	"feedback": {"review", "survey"}, "hire": {"employee", "hire"}, "hired": {"employee", "hire"},
	"team": {"department"}, "clicked": {"click"}, "opened": {"email", "open"}, "mail": {"email"},
	"newsletter": {"email"}, "call": {"activity"}, "meeting": {"activity"}, "tax": {"tax"},
}

// stopWords carry no meaning for finding a table.
var stopWords = map[string]bool{
	"the": true, "a": true, "an": true, "of": true, "for": true, "in": true, "on": true, "by": true,
	"to": true, "from": true, "with": true, "and": true, "or": true, "is": true, "are": true, "was": true,
	"were": true, "do": true, "does": true, "did": true, "we": true, "our": true, "us": true, "i": true,
	"me": true, "my": true, "you": true, "your": true, "how": true, "what": true, "which": true,
	"who": true, "when": true, "where": true, "why": true, "many": true, "much": true, "each": true,
	"per": true, "every": true, "all": true, "any": true, "have": true, "has": true, "had": true,
	"be": true, "been": true, "it": true, "its": true, "this": true, "that": true, "these": true,
	"those": true, "there": true, "their": true, "they": true, "show": true, "list": true, "give": true,
	"get": true, "find": true, "please": true, "table": true, "tables": true, "column": true,
	"columns": true, "than": true, "more": true, "most": true, "top": true, "at": true, "as": true,
	"into": true, "about": true, "between": true, "over": true, "under": true, "so": true, "far": true,
	"can": true, "should": true, "would": true, "could": true, "will": true, "not": true, "no": true,
	"if": true, "then": true, "else": true, "also": true, "just": true, "only": true, "some": true,
}

// typeWords are SQL type names: present in every table's text, they say
// little about which table a question means, so they weigh less.
var typeWords = map[string]bool{
	"int": true, "integer": true, "bigint": true, "smallint": true, "text": true, "varchar": true,
	"string": true, "bool": true, "boolean": true, "float": true, "double": true, "decimal": true,
	"numeric": true, "timestamp": true, "timestamptz": true, "json": true, "jsonb": true,
	"uuid": true, "bytes": true, "bytea": true, "array": true, "char": true, "real": true, "type": true, "kind": true, "schema": true, "column": true, "table": true, "view": true, "primary": true,
	"key": true, "nullable": true, "id": true,
}

// splitIdentifier splits at anything not a letter or digit, at lower→upper
// case changes (custEmail), at the end of an upper-case run (HTTPServer)
// and between letters and digits.
func splitIdentifier(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	runes := []rune(s)
	for i, r := range runes {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			switch {
			case unicode.IsUpper(r) && unicode.IsLower(prev),
				unicode.IsUpper(r) && unicode.IsUpper(prev) && nextLower,
				unicode.IsDigit(r) != unicode.IsDigit(prev):
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// stem removes the plural endings English schemas and questions differ by
// (orders/order, categories/category), and nothing else.
func stem(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && strings.HasSuffix(w, "sses"):
		return w[:len(w)-2]
	case len(w) > 4 && strings.HasSuffix(w, "xes"):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") &&
		!strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:len(w)-1]
	}
	return w
}

// Words turns text (prose or identifiers) into the words the builtin
// provider embeds: split, lower-cased, abbreviations expanded, plurals
// stemmed, stop words dropped.
func Words(text string) []string {
	var out []string
	for _, raw := range splitIdentifier(text) {
		for _, w := range strings.Fields(expand(raw)) {
			if !stopWords[w] {
				out = append(out, stem(w))
			}
		}
	}
	return out
}

// Readable rewrites an identifier as words, for the text a model reads:
// "cust_email" → "customer email".
func Readable(identifier string) string {
	parts := splitIdentifier(identifier)
	for i, p := range parts {
		parts[i] = expand(p)
	}
	return strings.Join(parts, " ")
}

// expand returns the long form of an abbreviation (possibly several words), or w.
func expand(w string) string {
	if long, ok := abbreviations[w]; ok {
		return long
	}
	return w
}
