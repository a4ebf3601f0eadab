package workflows_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/workflows"
)

func validateInput() workflows.ValidateIntegrationInput {
	return workflows.ValidateIntegrationInput{Integration: activities.SealedIntegration{
		IntegrationID: "0b0e6b1e-0000-4000-8000-000000000001", Type: "postgres",
		Config: map[string]any{"host": "db.example.com"}, SealedSecrets: []byte{1, 2, 3},
	}}
}

func TestValidateIntegrationReturnsTheReport(t *testing.T) {
	env := newWorkflowEnv()
	var a *activities.Integrations
	env.RegisterActivity(a)
	env.OnActivity(a.Validate, mock.Anything, activities.ValidateInput{Integration: validateInput().Integration}).
		Return(activities.ValidateOutput{Schemas: []string{"public"}, ServerVersion: "PostgreSQL 16"}, nil).Once()

	env.ExecuteWorkflow(workflows.ValidateIntegration, validateInput())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var out workflows.ValidateIntegrationOutput
	if err := env.GetWorkflowResult(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Result.Schemas) != 1 || out.Result.Schemas[0] != "public" {
		t.Fatalf("result = %+v", out)
	}
	env.AssertExpectations(t)
}

func TestValidateIntegrationDoesNotRetryRefusedCredentials(t *testing.T) {
	env := newWorkflowEnv()
	var a *activities.Integrations
	env.RegisterActivity(a)
	refused := temporal.NewNonRetryableApplicationError("authenticate: password authentication failed",
		activities.ErrTypeValidationFailed, nil, activities.StepFailure{Step: "authenticate", Message: "password authentication failed"})
	env.OnActivity(a.Validate, mock.Anything, mock.Anything).Return(activities.ValidateOutput{}, refused).Once()

	env.ExecuteWorkflow(workflows.ValidateIntegration, validateInput())
	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != activities.ErrTypeValidationFailed {
		t.Fatalf("workflow error = %v, want a ValidationFailed application error", err)
	}
	var detail activities.StepFailure
	if err := appErr.Details(&detail); err != nil || detail.Step != "authenticate" {
		t.Fatalf("details = %+v (%v)", detail, err)
	}
	env.AssertExpectations(t) // Once(): a second attempt would fail the expectation
}

func TestValidateIntegrationRetriesAnUnexpectedFailureOnce(t *testing.T) {
	env := newWorkflowEnv()
	var a *activities.Integrations
	env.RegisterActivity(a)
	env.OnActivity(a.Validate, mock.Anything, mock.Anything).Return(activities.ValidateOutput{}, errors.New("worker hiccup")).Once()
	env.OnActivity(a.Validate, mock.Anything, mock.Anything).Return(activities.ValidateOutput{Schemas: []string{"public"}}, nil).Once()

	env.ExecuteWorkflow(workflows.ValidateIntegration, validateInput())
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed after a transient error: %v", err)
	}
	env.AssertExpectations(t)
}
