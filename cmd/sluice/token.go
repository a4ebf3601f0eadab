package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sluice-dev/sluice/config"
	"github.com/sluice-dev/sluice/service"
)

func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	const usage = "usage: sluice token create --team NAME [--name LABEL]"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(os.Stderr, usage+"\n\nRun 'sluice token create --help' for its flags.")
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%s", usage)
	}
	cfg := config.FromEnv()
	fs := newFlagSet("token create", "Create an API token for a team (creating the team if missing) and print only the token.")
	cfg.BindDatabase(fs)
	team := fs.String("team", "", "team name (required)")
	label := fs.String("name", "", "label to remember the token by")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *team == "" {
		fs.Usage()
		return fmt.Errorf("--team is required")
	}
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	tok, err := createTeamToken(ctx, service.New(pool, nil, nil, service.Options{}), *team, *label)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// createTeamToken makes sure the team exists and returns a new token for it.
func createTeamToken(ctx context.Context, svc *service.Service, team, label string) (string, error) {
	teamID, err := svc.EnsureTeam(ctx, team)
	if err != nil {
		return "", err
	}
	tok, err := svc.CreateToken(ctx, teamID, label)
	if err != nil {
		return "", err
	}
	return tok.Secret, nil
}
