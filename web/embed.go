// Package web holds the console's built front end. The build in dist is
// committed, so the binary serves the console without Node; `make web`
// rebuilds it and a test fails when it is older than the sources.
package web

import "embed"

// Dist is the console's Vite build: index.html, its assets and
// source-hash.txt, the hash of the sources it was built from.
//
//go:embed all:dist
var Dist embed.FS
