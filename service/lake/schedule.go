package lake

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/activities"
	"github.com/sluice-dev/sluice/workflows"
)

// ScheduleID is the Temporal Schedule that maintains a team's lake.
func ScheduleID(teamID uuid.UUID) string { return "lake-maintenance-" + teamID.String() }

// maintenanceWorkflowID is the id of a team's maintenance runs; one id per
// team means a manual run and a scheduled one never run at once.
func maintenanceWorkflowID(teamID uuid.UUID) string { return "lake-maintenance-" + teamID.String() }

// EnsureSchedule creates the team's maintenance schedule, or sets its
// interval to the configured one if it exists. A run still going when the
// next is due makes the next one skip.
func (s *Service) EnsureSchedule(ctx context.Context, teamID uuid.UUID) error {
	if s.temporal == nil {
		return errors.New("lake maintenance schedules need Temporal")
	}
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: s.opts.MaintenanceInterval}}}
	_, err := s.temporal.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:      ScheduleID(teamID),
		Spec:    spec,
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		Memo:    map[string]any{"team_id": teamID.String()},
		Action: &client.ScheduleWorkflowAction{
			ID:        maintenanceWorkflowID(teamID),
			Workflow:  workflows.LakeMaintenanceWorkflow,
			Args:      []any{activities.LakeMaintenanceInput{TeamID: teamID}},
			TaskQueue: s.opts.TaskQueue,
		},
	})
	if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		h := s.temporal.ScheduleClient().GetHandle(ctx, ScheduleID(teamID))
		err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			cur := in.Description.Schedule.Spec
			if cur != nil && len(cur.Intervals) == 1 && cur.Intervals[0].Every == s.opts.MaintenanceInterval {
				return nil, temporal.ErrSkipScheduleUpdate
			}
			sched := in.Description.Schedule
			sched.Spec = &spec
			return &client.ScheduleUpdate{Schedule: &sched}, nil
		}})
	}
	if err != nil {
		return fmt.Errorf("lake maintenance schedule of team %s: %w", teamID, err)
	}
	return nil
}

// EnsureSchedules gives every team that has a lake its maintenance
// schedule; the worker calls it at start, so teams whose lake predates
// maintenance get one too. It goes on past a team that fails and returns
// the first error.
func (s *Service) EnsureSchedules(ctx context.Context) error {
	teams, err := s.queries.LakeTeamList(ctx)
	if err != nil {
		return fmt.Errorf("list teams with a lake: %w", err)
	}
	var first error
	for _, t := range teams {
		if err := s.EnsureSchedule(ctx, t.ID); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Maintain runs the team's lake maintenance now and waits for it. If a run
// (scheduled or manual) is already going, it waits for that one instead.
func (s *Service) Maintain(ctx context.Context, teamID uuid.UUID) (workflows.LakeMaintenanceOutput, error) {
	var out workflows.LakeMaintenanceOutput
	if s.temporal == nil {
		return out, errors.New("lake maintenance needs Temporal")
	}
	run, err := s.temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       maintenanceWorkflowID(teamID),
		TaskQueue:                s.opts.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		Memo:                     map[string]any{"team_id": teamID.String()},
	}, workflows.LakeMaintenanceWorkflow, activities.LakeMaintenanceInput{TeamID: teamID})
	if err != nil {
		return out, fmt.Errorf("start lake maintenance: %w", err)
	}
	if err := run.Get(ctx, &out); err != nil {
		return out, fmt.Errorf("lake maintenance of team %s: %w", teamID, err)
	}
	return out, nil
}
