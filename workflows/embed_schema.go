package workflows

import (
	"errors"

	"github.com/google/uuid"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// EmbedSchemaInput starts an EmbedSchema workflow: ids and a reason, never
// schema text or credentials.
type EmbedSchemaInput struct {
	TeamID        uuid.UUID `json:"team_id"`
	IntegrationID uuid.UUID `json:"integration_id"`
	// Reason says why the run was requested: created, updated, schema changed …
	Reason string `json:"reason"`
}

// EmbedSchemaOutput counts what was embedded.
type EmbedSchemaOutput struct {
	Tables  int `json:"tables"`
	Columns int `json:"columns"`
}

// EmbedSchema computes a connection's schema embeddings (one vector per
// table and column) for schema search and AI SQL. It is started when a
// connection is created or changed and when discovery finds a changed
// table list. If the run fails for good, the failure is recorded on the
// connection (embedding_status failed) before the workflow fails.
func EmbedSchema(ctx workflow.Context, in EmbedSchemaInput) (EmbedSchemaOutput, error) {
	var a *activities.Embeddings
	var out activities.EmbedSchemaOutput
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, embedSchemaOptions), a.EmbedSchema,
		activities.EmbedSchemaInput{TeamID: in.TeamID, IntegrationID: in.IntegrationID}).Get(ctx, &out)
	if err != nil {
		failed := activities.EmbeddingFailedInput{TeamID: in.TeamID, IntegrationID: in.IntegrationID, Message: failureMessage(err)}
		if ferr := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, embedStateOptions), a.MarkEmbeddingFailed, failed).Get(ctx, nil); ferr != nil {
			workflow.GetLogger(ctx).Error("could not record the embedding failure", "error", ferr)
		}
		return EmbedSchemaOutput{}, err
	}
	return EmbedSchemaOutput{Tables: out.Tables, Columns: out.Columns}, nil
}

// failureMessage is the innermost application error's message (connector
// messages are already free of secrets), or a generic one.
func failureMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		return "the embedding run timed out"
	}
	return "the embedding run failed"
}
