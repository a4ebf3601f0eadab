// Command sluice is the whole of sluice in one binary: the all-in-one dev
// stack, the production API and worker, migrations and token management.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/sluice-dev/sluice/config"
)

const usage = `sluice — self-hosted data integration

Usage:
  sluice <command> [flags]

Commands:
  dev       everything in one process: API, worker, embedded Temporal server and UI
  api       serve the HTTP API (production; needs TEMPORAL_ADDRESS and SLUICE_SECRET_KEY)
  worker    run the Temporal worker (production; needs TEMPORAL_ADDRESS and SLUICE_SECRET_KEY)
  migrate   up | down | version: manage sluice's database schema
  token     create | list | revoke --team NAME: make, list or revoke API tokens
  sync      run | replay | cancel | list: operate sync runs (see 'sluice sync')
  temporal  only the embedded Temporal server of 'dev', for api and worker processes on one machine
  secrets   rotate: re-encrypt every stored secret under SLUICE_SECRET_KEY
  lake      maintain --team NAME: compact, expire snapshots, remove unreferenced files now

Run 'sluice <command> --help' for a command's flags. Every flag can also be set
through the environment variable named in its help.
`

// command is one subcommand: it parses its own flags from args.
type command func(ctx context.Context, args []string, stdout io.Writer) error

var commands = map[string]command{
	"dev":      runDev,
	"api":      runAPI,
	"worker":   runWorker,
	"migrate":  runMigrate,
	"token":    runToken,
	"sync":     runSync,
	"temporal": runTemporal,
	"secrets":  runSecrets,
	"lake":     runLake,
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		fmt.Fprint(os.Stdout, usage)
		return
	}
	cmd, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "sluice: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if _, err := config.LoadEnv(); err != nil { // every command reads it; a typo must not become a default
		fmt.Fprintf(os.Stderr, "sluice %s: %v\n", os.Args[1], err)
		os.Exit(2)
	}
	if helpAsked(os.Args[2:]) {
		// Help a user asks for is the command's output: to stdout, exit 0,
		// whichever command (or subcommand) prints it.
		os.Stderr = os.Stdout
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd(ctx, os.Args[2:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintf(os.Stderr, "sluice %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// newFlagSet makes a flag set whose --help prints the command's summary first.
func newFlagSet(name, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet("sluice "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "%s\n\nFlags:\n", summary)
		fs.PrintDefaults()
	}
	return fs
}

// helpAsked reports whether a command's arguments ask for its help: a help
// flag before "--", or "help" as its first argument (sluice sync help).
func helpAsked(args []string) bool {
	for i, a := range args {
		switch {
		case a == "--":
			return false
		case a == "-h" || a == "-help" || a == "--help" || a == "-h=true" || a == "--help=true":
			return true
		case i == 0 && a == "help":
			return true
		}
	}
	return false
}
