// Package activities holds the Temporal activities: thin wrappers that open
// connectors, the lake and sluice's database on behalf of workflows.
package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/secrets"
)

// Error types activities return as non-retryable application errors. Workflow
// activity options list them, and the API maps them to HTTP answers.
const (
	ErrTypeValidationFailed = "ValidationFailed"
	ErrTypeNotSupported     = "NotSupported"
	ErrTypeBadSecret        = "BadSecret"
)

// Integrations holds the activities that act on one integration's source.
type Integrations struct {
	Keyring *secrets.Keyring
}

// SealedIntegration identifies an integration and carries its configuration
// and its sealed (never plaintext) secrets, as workflow inputs may.
type SealedIntegration struct {
	IntegrationID string         `json:"integration_id"`
	Type          string         `json:"type"`
	Config        map[string]any `json:"config"`
	SealedSecrets []byte         `json:"sealed_secrets,omitempty"`
}

// ValidateInput is the input of Validate.
type ValidateInput struct {
	Integration SealedIntegration `json:"integration"`
}

// ValidateOutput is what a successful validation found.
type ValidateOutput struct {
	ServerVersion string   `json:"server_version,omitempty"`
	Schemas       []string `json:"schemas"`
	ElapsedMS     int64    `json:"elapsed_ms"`
	// Warnings are what the person registering the source should know,
	// such as superuser credentials accepted by configuration.
	Warnings []string `json:"warnings,omitempty"`
}

// StepFailure is the detail attached to a ValidationFailed error.
type StepFailure struct {
	Step    string `json:"step"`
	Message string `json:"message"`
}

// Validate opens the integration's connector and checks that its credentials
// work. A failure at any step is non-retryable and names the step.
func (a *Integrations) Validate(ctx context.Context, in ValidateInput) (ValidateOutput, error) {
	validator, closeFn, err := OpenConnector[connectors.Validator](ctx, a.Keyring, in.Integration)
	if err != nil {
		return ValidateOutput{}, err
	}
	defer closeFn(context.WithoutCancel(ctx))
	report, err := validator.Validate(ctx)
	if err != nil {
		return ValidateOutput{}, asActivityError(err)
	}
	return ValidateOutput{ServerVersion: report.ServerVersion, Schemas: report.Schemas, ElapsedMS: report.Elapsed.Milliseconds(),
		Warnings: report.Warnings}, nil
}

// OpenConnector opens the secrets of in and opens its connector as capability T.
func OpenConnector[T any](ctx context.Context, keyring *secrets.Keyring, in SealedIntegration) (T, func(context.Context) error, error) {
	var zero T
	spec, ok := connectors.Lookup(in.Type)
	if !ok {
		return zero, nil, temporal.NewNonRetryableApplicationError("unknown integration type "+in.Type, ErrTypeNotSupported, nil)
	}
	secretValues := map[string]any{}
	if len(in.SealedSecrets) > 0 {
		if err := keyring.OpenJSON(in.SealedSecrets, []byte(in.IntegrationID), &secretValues); err != nil {
			return zero, nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("open secrets of integration %s: %v", in.IntegrationID, err), ErrTypeBadSecret, nil)
		}
	}
	creds := connectors.NewCredentials(spec, connectors.MergeValues(in.Config, secretValues))
	capability, closeFn, err := connectors.Open[T](ctx, in.Type, creds)
	if err != nil {
		return zero, nil, asActivityError(err)
	}
	return capability, closeFn, nil
}

// asActivityError turns connector errors that retrying cannot fix into
// non-retryable application errors; anything else is returned as is.
func asActivityError(err error) error {
	var stepErr *connectors.StepError
	switch {
	case errors.As(err, &stepErr):
		return temporal.NewNonRetryableApplicationError(stepErr.Error(), ErrTypeValidationFailed, nil,
			StepFailure{Step: stepErr.Step, Message: stepErr.Message})
	case errors.Is(err, connectors.ErrNotImplemented), errors.Is(err, connectors.ErrUnsupportedType):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeNotSupported, nil)
	}
	return err
}
