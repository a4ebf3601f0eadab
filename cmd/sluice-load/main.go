// Command sluice-load is sluice's load harness (`make load`): it starts a
// real `sluice dev` stack on a fresh database and free ports, finds the
// saturation of a mixed workload, holds a share of it for LOAD_DURATION,
// overloads the server, and prints a table and a PASS or FAIL per goal. It
// exits 1 when a goal fails. See package loadtest.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sluice-dev/sluice/loadtest"
)

func main() {
	opts := loadtest.Options{Out: os.Stdout, SustainShare: 0.7, OverloadShare: 3, RecoveryShare: 0.5, MaxRampConcurrency: 256}
	fs := flag.NewFlagSet("sluice-load", flag.ExitOnError)
	fs.StringVar(&opts.Bin, "bin", env("LOAD_BIN", "bin/sluice"), "sluice binary to run as `sluice dev` (env LOAD_BIN)")
	fs.StringVar(&opts.AdminURL, "admin-url", env("LOAD_ADMIN_DATABASE_URL", env("SLUICE_TEST_DATABASE_URL",
		"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")), "Postgres database the harness creates its databases from (env LOAD_ADMIN_DATABASE_URL)")
	fs.DurationVar(&opts.Duration, "duration", envDuration("LOAD_DURATION", 10*time.Minute), "sustained phase after warm-up (env LOAD_DURATION)")
	fs.DurationVar(&opts.Warmup, "warmup", envDuration("LOAD_WARMUP", 0), "warm-up before the sustained phase; default a quarter of it, at most 1m (env LOAD_WARMUP)")
	fs.DurationVar(&opts.RampStep, "ramp-step", envDuration("LOAD_RAMP_STEP", 10*time.Second), "length of each ramp level (env LOAD_RAMP_STEP)")
	fs.DurationVar(&opts.OverloadStep, "overload-step", envDuration("LOAD_OVERLOAD_STEP", 20*time.Second), "length of each overload level (env LOAD_OVERLOAD_STEP)")
	fs.DurationVar(&opts.Settle, "settle", envDuration("LOAD_SETTLE", 5*time.Second), "time after overload before recovery is judged (env LOAD_SETTLE)")
	fs.DurationVar(&opts.Recovery, "recovery", envDuration("LOAD_RECOVERY", 15*time.Second), "recovery window that must succeed again (env LOAD_RECOVERY)")
	fs.IntVar(&opts.MaxInFlight, "max-in-flight", envInt("SLUICE_MAX_IN_FLIGHT", 64), "bound of each of the server's route groups, passed to it (env SLUICE_MAX_IN_FLIGHT)")
	only := fs.String("only", os.Getenv("LOAD_ONLY"), "comma-separated parts of route names to keep in the mix, e.g. lake,/log (env LOAD_ONLY)")
	fs.Float64Var(&opts.SustainShare, "sustain-share", opts.SustainShare, "sustained rate as a share of saturation")
	fs.Float64Var(&opts.Rate, "rate", envFloat("LOAD_RATE", 0), "sustained rate in requests a second instead of a share of saturation, to compare builds (env LOAD_RATE)")
	fs.Float64Var(&opts.OverloadShare, "overload-share", opts.OverloadShare, "first overload rate as a multiple of saturation; the second is twice it")
	_ = fs.Parse(os.Args[1:])
	if *only != "" {
		opts.Only = strings.Split(*only, ",")
	}
	if opts.Warmup <= 0 {
		opts.Warmup = min(time.Minute, opts.Duration/4)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadtest.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sluice-load: %v\n", err)
		os.Exit(2)
	}
	if !rep.Passed() {
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func envFloat(name string, def float64) float64 {
	if f, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil && f > 0 {
		return f
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}
