// The pause program of the local node's pod sandboxes: it holds the pod's namespaces and does nothing until it
// is told to stop. Built static (CGO_ENABLED=0), it needs nothing else in its image.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
