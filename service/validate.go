package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/workflows"
)

// validate runs the ValidateIntegration workflow and waits for it up to the
// configured deadline, translating its failure into a ValidationError.
func (s *Service) validate(ctx context.Context, teamID uuid.UUID, name string, in activities.SealedIntegration) (activities.ValidateOutput, error) {
	if err := refuseOwnServices(ctx, in.Config); err != nil {
		return activities.ValidateOutput{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.ValidationTimeout)
	defer cancel()
	opts := client.StartWorkflowOptions{
		ID:                       fmt.Sprintf("validate/%s/%s", in.IntegrationID, uuid.NewString()[:8]),
		TaskQueue:                s.opts.TaskQueue,
		WorkflowExecutionTimeout: s.opts.ValidationTimeout,
		Memo:                     map[string]any{"team_id": teamID.String(), "integration": name, "type": in.Type},
	}
	run, err := s.temporal.ExecuteWorkflow(ctx, opts, workflows.ValidateIntegration, workflows.ValidateIntegrationInput{Integration: in})
	if err != nil {
		return activities.ValidateOutput{}, fmt.Errorf("start validation: %w: %v", ErrUnavailable, err)
	}
	var out workflows.ValidateIntegrationOutput
	if err := run.Get(ctx, &out); err != nil {
		return activities.ValidateOutput{}, validationFailure(ctx, err)
	}
	return out.Result, nil
}

// validationFailure maps a failed validation workflow to the service's errors.
func validationFailure(ctx context.Context, err error) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case activities.ErrTypeValidationFailed:
			var detail activities.StepFailure
			if appErr.HasDetails() && appErr.Details(&detail) == nil {
				return &ValidationError{Step: detail.Step, Message: detail.Message}
			}
			return &ValidationError{Step: "connect", Message: appErr.Message()}
		case activities.ErrTypeNotSupported:
			return &NotSupportedError{What: appErr.Message()}
		}
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &TimeoutError{What: "validating the credentials"}
	}
	return fmt.Errorf("validate integration: %w", err)
}
