package api

import (
	"time"

	"github.com/sluice-dev/sluice/service"
)

// integrationView is how both facades show an integration: configuration in
// the clear, secrets only as a marker.
type integrationView struct {
	ID          string         `json:"id"`
	Type        string         `json:"type"`
	Name        string         `json:"name"`
	Status      string         `json:"status"`
	ValidatedAt *time.Time     `json:"validated_at"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	Config      map[string]any `json:"config"`
	Credentials map[string]any `json:"credentials"`
	// EmbeddingStatus and the fields after it say where the schema
	// embeddings stand (absent for types without a schema, like cube).
	EmbeddingStatus string         `json:"embedding_status,omitempty"`
	EmbeddedAt      *time.Time     `json:"embedded_at,omitempty"`
	EmbeddedTables  *int           `json:"embedded_tables,omitempty"`
	EmbeddedColumns *int           `json:"embedded_columns,omitempty"`
	Embedding       *embeddingView `json:"embedding,omitempty"`
	// Validation is present on a create or update whose validation has
	// something to say beyond passing.
	Validation *validationView `json:"validation,omitempty"`
}

// validationView is what a passing validation warns about, such as a
// superuser source accepted because SLUICE_ALLOW_SUPERUSER_SOURCES is set.
type validationView struct {
	Warnings []string `json:"warnings"`
}

func viewOf(i service.Integration) integrationView {
	v := integrationView{
		ID: i.ID.String(), Type: i.Type, Name: i.Name, Status: i.Status,
		ValidatedAt: i.ValidatedAt, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt,
		Config: i.Config, Credentials: i.MaskedCredentials(),
	}.withEmbedding(i.Embedding)
	if len(i.ValidationWarnings) > 0 {
		v.Validation = &validationView{Warnings: i.ValidationWarnings}
	}
	return v
}

// withEmbedding sets the embedding fields from the connection's state.
func (v integrationView) withEmbedding(st *service.EmbeddingState) integrationView {
	if st == nil {
		return v
	}
	v.EmbeddingStatus, v.EmbeddedAt = st.Status, st.EmbeddedAt
	v.EmbeddedTables, v.EmbeddedColumns = &st.Tables, &st.Columns
	v.Embedding = embeddingViewOf(st)
	return v
}

func viewsOf(list []service.Integration) []integrationView {
	out := make([]integrationView, len(list))
	for i, it := range list {
		out[i] = viewOf(it)
	}
	return out
}

// integrationRequest is the body of a create or update on either facade.
// Lytics clients send their fields as "config"; both keys are accepted.
type integrationRequest struct {
	Type        string         `json:"type"`
	Name        *string        `json:"name"`
	Credentials map[string]any `json:"credentials"`
	Config      map[string]any `json:"config"`
}

// fields merges credentials and config, refusing a field sent in both.
func (r integrationRequest) fields() (map[string]any, error) {
	if r.Credentials == nil {
		return r.Config, nil
	}
	for k := range r.Config {
		if _, dup := r.Credentials[k]; dup {
			return nil, badRequest("field " + k + " is in both credentials and config; send it once")
		}
		r.Credentials[k] = r.Config[k]
	}
	return r.Credentials, nil
}

func (r integrationRequest) createInput() (service.IntegrationInput, error) {
	fields, err := r.fields()
	if err != nil {
		return service.IntegrationInput{}, err
	}
	in := service.IntegrationInput{Type: r.Type, Credentials: fields}
	if r.Name != nil {
		in.Name = *r.Name
	}
	return in, nil
}

func (r integrationRequest) patch() (service.IntegrationPatch, error) {
	fields, err := r.fields()
	if err != nil {
		return service.IntegrationPatch{}, err
	}
	return service.IntegrationPatch{Type: r.Type, Name: r.Name, Credentials: fields}, nil
}
