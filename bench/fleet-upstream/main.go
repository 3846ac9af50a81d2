// Stands in for the sidecars of bench_operator.py (kwok pods run nothing): the reference server's /health
// (bench/reference), served on every port of a range, one listener per HealthCheck. One shared listener would let
// the operator's HTTP client poll every HealthCheck over the same few keep-alive connections and hide what a fleet
// of sidecars costs it: a connection, and its file descriptor, per target.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	host := flag.String("host", "127.0.0.1", "listen address")
	first := flag.Int("first-port", 20000, "first port of the range")
	count := flag.Int("ports", 100, "number of consecutive ports to serve")
	flag.Parse()
	if *first < 1 || *count < 1 || *first+*count-1 > 65535 {
		log.Fatalf("ports %d..%d: outside 1..65535", *first, *first+*count-1)
	}

	handler := http.NewServeMux()
	handler.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"ok","timestamp":"%s"}`, time.Now().UTC().Format(time.RFC3339))
	})
	// Every listener is open before the line that says so: the harness starts polling only after it.
	listeners := make([]net.Listener, 0, *count)
	for port := *first; port < *first+*count; port++ {
		listener, err := net.Listen("tcp", net.JoinHostPort(*host, strconv.Itoa(port)))
		if err != nil {
			log.Fatalf("port %d: %v", port, err)
		}
		listeners = append(listeners, listener)
	}
	for _, listener := range listeners {
		server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
		go func(l net.Listener) { log.Fatal(server.Serve(l)) }(listener)
	}
	fmt.Fprintf(os.Stdout, "serving /health on %s ports %d..%d\n", *host, *first, *first+*count-1)
	select {}
}
