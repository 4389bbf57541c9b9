// Command ivr is the whole platform: the server and its administration commands.
// Run "ivr help" for the list.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/openivr/ivr/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
