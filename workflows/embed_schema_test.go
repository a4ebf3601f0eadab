package workflows_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/workflows"
)

var embedInput = workflows.EmbedSchemaInput{TeamID: uuid.MustParse("0b0e6b1e-0000-4000-8000-000000000001"),
	IntegrationID: uuid.MustParse("0b0e6b1e-0000-4000-8000-000000000002"), Reason: "created"}

func TestEmbedSchemaReturnsTheCounts(t *testing.T) {
	env := newWorkflowEnv()
	var a *activities.Embeddings
	env.RegisterActivity(a)
	env.OnActivity(a.EmbedSchema, mock.Anything, activities.EmbedSchemaInput{TeamID: embedInput.TeamID, IntegrationID: embedInput.IntegrationID}).
		Return(activities.EmbedSchemaOutput{Tables: 3, Columns: 12}, nil).Once()

	env.ExecuteWorkflow(workflows.EmbedSchema, embedInput)
	var out workflows.EmbedSchemaOutput
	if err := env.GetWorkflowResult(&out); err != nil || out.Tables != 3 || out.Columns != 12 {
		t.Fatalf("result = %+v, %v", out, err)
	}
	env.AssertExpectations(t) // MarkEmbeddingFailed was not called
}

// TestEmbedSchemaRecordsAFailureForGood: a refused credential is not
// retried, and the failure is recorded on the connection before the
// workflow fails.
func TestEmbedSchemaRecordsAFailureForGood(t *testing.T) {
	env := newWorkflowEnv()
	var a *activities.Embeddings
	env.RegisterActivity(a)
	refused := temporal.NewNonRetryableApplicationError("authenticate: password authentication failed", activities.ErrTypeValidationFailed, nil)
	env.OnActivity(a.EmbedSchema, mock.Anything, mock.Anything).Return(activities.EmbedSchemaOutput{}, refused).Once()
	env.OnActivity(a.MarkEmbeddingFailed, mock.Anything, activities.EmbeddingFailedInput{TeamID: embedInput.TeamID,
		IntegrationID: embedInput.IntegrationID, Message: "authenticate: password authentication failed"}).Return(nil).Once()

	env.ExecuteWorkflow(workflows.EmbedSchema, embedInput)
	var appErr *temporal.ApplicationError
	if err := env.GetWorkflowError(); !errors.As(err, &appErr) || appErr.Type() != activities.ErrTypeValidationFailed {
		t.Fatalf("workflow error = %v", err)
	}
	env.AssertExpectations(t)
}
