package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/config"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/service/tokens"
)

const tokenUsage = `usage: sluice token create --team NAME [--name LABEL] [--expires-in 90d]
       sluice token list --team NAME
       sluice token revoke --team NAME TOKEN_ID`

func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(os.Stderr, tokenUsage+"\n\nRun 'sluice token <create|list|revoke> --help' for their flags.")
		return flag.ErrHelp
	}
	if len(args) == 0 {
		return fmt.Errorf("%s", tokenUsage)
	}
	switch args[0] {
	case "create":
		return runTokenCreate(ctx, args[1:], stdout)
	case "list":
		return runTokenList(ctx, args[1:], stdout)
	case "revoke":
		return runTokenRevoke(ctx, args[1:], stdout)
	}
	return fmt.Errorf("%s", tokenUsage)
}

// tokenCommand parses a token subcommand's flags and opens sluice's database.
type tokenCommand struct {
	fs   *flag.FlagSet
	cfg  config.Config
	team *string
}

func newTokenCommand(name, summary string) *tokenCommand {
	tc := &tokenCommand{cfg: config.FromEnv()}
	tc.fs = newFlagSet("token "+name, summary)
	tc.cfg.BindDatabase(tc.fs)
	tc.team = tc.fs.String("team", "", "team name (required)")
	return tc
}

func (tc *tokenCommand) parse(args []string) error {
	if err := tc.fs.Parse(args); err != nil {
		return err
	}
	if *tc.team == "" {
		tc.fs.Usage()
		return fmt.Errorf("--team is required")
	}
	return nil
}

// service opens the database; the caller closes the returned function.
func (tc *tokenCommand) service(ctx context.Context) (*service.Service, func(), error) {
	pool, err := openPool(ctx, tc.cfg)
	if err != nil {
		return nil, nil, err
	}
	return service.New(pool, nil, nil, service.Options{}), pool.Close, nil
}

func runTokenCreate(ctx context.Context, args []string, stdout io.Writer) error {
	tc := newTokenCommand("create", "Create an API token for a team (creating the team if missing) and print only the token.\n"+
		"It never expires unless --expires-in says when; revoke it with 'sluice token revoke'.")
	label := tc.fs.String("name", "", "label to remember the token by")
	expiresIn := tc.fs.String("expires-in", "", "lifetime: seconds (3600), hours (720h) or days (90d); empty means it never expires")
	if err := tc.parse(args); err != nil {
		return err
	}
	var expiresAt *time.Time
	if *expiresIn != "" {
		d, err := tokens.ParseDuration(*expiresIn)
		if err != nil {
			return fmt.Errorf("--expires-in: %w", err)
		}
		at := time.Now().Add(d)
		expiresAt = &at
	}
	svc, closeDB, err := tc.service(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	teamID, err := svc.EnsureTeam(ctx, *tc.team)
	if err != nil {
		return err
	}
	tok, err := svc.CreateTokenUntil(ctx, teamID, *label, expiresAt)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok.Secret)
	return nil
}

func runTokenList(ctx context.Context, args []string, stdout io.Writer) error {
	tc := newTokenCommand("list", "List a team's API tokens: id, name, prefix, created, last used, expires. Never the tokens themselves.")
	if err := tc.parse(args); err != nil {
		return err
	}
	svc, teamID, closeDB, err := tc.existingTeam(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	list, err := svc.ListTokens(ctx, teamID)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tPREFIX\tCREATED\tLAST USED\tEXPIRES")
	for _, t := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Prefix, t.CreatedAt.UTC().Format(time.RFC3339),
			timeOr(t.LastUsedAt, "never"), timeOr(t.ExpiresAt, "never"))
	}
	return w.Flush()
}

func runTokenRevoke(ctx context.Context, args []string, stdout io.Writer) error {
	tc := newTokenCommand("revoke", "Revoke one of a team's API tokens by id (see 'sluice token list'); it answers 401 from then on.")
	if err := tc.parse(args); err != nil {
		return err
	}
	if tc.fs.NArg() != 1 {
		return fmt.Errorf("name exactly one token id to revoke\n%s", tokenUsage)
	}
	id, err := uuid.Parse(tc.fs.Arg(0))
	if err != nil {
		return fmt.Errorf("token id %q is not a UUID; list ids with 'sluice token list --team %s'", tc.fs.Arg(0), *tc.team)
	}
	svc, teamID, closeDB, err := tc.existingTeam(ctx)
	if err != nil {
		return err
	}
	defer closeDB()
	if err := svc.RevokeToken(ctx, teamID, id); err != nil {
		if errors.Is(err, service.ErrNotFound) {
			return fmt.Errorf("team %s has no token %s", *tc.team, id)
		}
		return err
	}
	fmt.Fprintf(stdout, "revoked %s\n", id)
	return nil
}

// existingTeam opens the database and finds the --team, which list and
// revoke do not create, saying so plainly when there is none.
func (tc *tokenCommand) existingTeam(ctx context.Context) (*service.Service, uuid.UUID, func(), error) {
	svc, closeDB, err := tc.service(ctx)
	if err != nil {
		return nil, uuid.Nil, nil, err
	}
	id, err := svc.TeamID(ctx, *tc.team)
	if err != nil {
		closeDB()
		if errors.Is(err, service.ErrNotFound) {
			return nil, uuid.Nil, nil, fmt.Errorf("no team named %s", *tc.team)
		}
		return nil, uuid.Nil, nil, err
	}
	return svc, id, closeDB, nil
}

func timeOr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}

// createTeamToken makes sure the team exists and returns a new token for it
// that never expires (`sluice dev` prints one).
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
