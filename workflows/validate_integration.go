package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/sluice-dev/sluice/activities"
)

// ValidateIntegrationInput is the input of ValidateIntegration. It carries the
// integration's sealed secrets, never plaintext.
type ValidateIntegrationInput struct {
	Integration activities.SealedIntegration `json:"integration"`
}

// ValidateIntegrationOutput reports a successful validation.
type ValidateIntegrationOutput struct {
	Result activities.ValidateOutput `json:"result"`
}

// ValidateIntegration checks an integration's credentials before the API saves
// it. It fails with a ValidationFailed application error naming the step.
func ValidateIntegration(ctx workflow.Context, in ValidateIntegrationInput) (ValidateIntegrationOutput, error) {
	ctx = workflow.WithActivityOptions(ctx, validateOptions)
	var integrations *activities.Integrations
	var out ValidateIntegrationOutput
	err := workflow.ExecuteActivity(ctx, integrations.Validate, activities.ValidateInput{Integration: in.Integration}).Get(ctx, &out.Result)
	return out, err
}
