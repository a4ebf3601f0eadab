package httpapi

import (
	"context"
	"encoding/json"
	"net/url"
)

// Page is one page of a list endpoint, parsed by the API's own format.
type Page struct {
	// Objects are the page's objects, each as its properties.
	Objects []map[string]json.RawMessage
	// Next is the cursor of the page after this one; empty on the last page.
	Next string
	// Bytes is the size of the answer.
	Bytes int
}

// Pager is how an API paginates a list: it adds the cursor (empty for the
// first page) to the query and parses an answer into a page.
type Pager interface {
	WithCursor(query url.Values, cursor string) url.Values
	Parse(path string, body []byte) (Page, error)
}

// Walk fetches the pages of a list from the one after cursor ("" for the
// first) to the last, calling each with every page in order. A page's Next
// is the cursor to resume after it. A list whose pages lead back to a
// cursor already followed is an error, not an endless read (each lap would
// deliver its objects again).
func (c *Client) Walk(ctx context.Context, pager Pager, path string, query url.Values, cursor string, each func(Page) error) error {
	followed := map[string]bool{cursor: true}
	for {
		body, err := c.Get(ctx, path, pager.WithCursor(query, cursor))
		if err != nil {
			return err
		}
		page, err := pager.Parse(path, body)
		if err != nil {
			return err
		}
		page.Bytes = len(body)
		if err := each(page); err != nil {
			return err
		}
		if page.Next == "" {
			return nil
		}
		if followed[page.Next] {
			return &FormatError{API: c.opts.Name, Path: path, Problem: "its pages lead back to a page already read"}
		}
		followed[page.Next] = true
		cursor = page.Next
	}
}
