package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"
)

// defaultHealthURL is the liveness probe on the default management listener
// (server.management_listen, 127.0.0.1:9090).
const defaultHealthURL = "http://127.0.0.1:9090/healthz"

// runHealthcheck is the container image's HEALTHCHECK: the distroless image
// has no shell or curl, so the binary probes its own management listener.
// It exits 0 when the URL answers 200 within the timeout, else 1.
func runHealthcheck(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	url := fs.String("url", defaultHealthURL, "probe URL")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after")
	if err := fs.Parse(args); err != nil {
		return usageError{"healthcheck: " + err.Error()}
	}
	if fs.NArg() != 0 {
		return usageError{"healthcheck: unexpected arguments"}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return usageError{"healthcheck: " + err.Error()}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s", *url, resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
