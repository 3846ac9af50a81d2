// A demo upstream for HealthChecks: an HTTP readiness endpoint, a TCP port and the gRPC health service, all
// healthy or all broken at once, switched over HTTP:
//
//	GET  /ready   200 {"status":"UP"} while healthy, 503 {"status":"DOWN"} while broken
//	POST /break   broken: /ready answers 503, gRPC health NOT_SERVING, the TCP port refuses connections
//	POST /heal    healthy again
//	GET  /authorized  200 while the request's Authorization header is the one POST /token set, else 401
//	POST /token   the body (at most 4 KiB, one line) becomes the Authorization value /authorized accepts
//
// Ports (flags): -http 8080, -tcp 5432, -grpc 9090.
package main

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// upstream holds the one switch every port follows.
type upstream struct {
	mu      sync.Mutex
	healthy bool
	tcpAddr string
	tcp     net.Listener
	grpc    *health.Server
	// The Authorization value /authorized accepts; empty: none is accepted.
	authorization string
}

func (u *upstream) set(healthy bool) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.healthy = healthy
	status := healthpb.HealthCheckResponse_NOT_SERVING
	if healthy {
		status = healthpb.HealthCheckResponse_SERVING
	}
	u.grpc.SetServingStatus("", status)
	// A broken upstream's TCP port refuses connections: the listener is closed, and opened again on heal.
	if healthy && u.tcp == nil {
		listener, err := net.Listen("tcp", u.tcpAddr)
		if err != nil {
			return err
		}
		u.tcp = listener
		go acceptAndClose(listener)
	} else if !healthy && u.tcp != nil {
		u.tcp.Close()
		u.tcp = nil
	}
	log.Printf("healthy=%v", healthy)
	return nil
}

func (u *upstream) isHealthy() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.healthy
}

// acceptAndClose accepts connections and closes them: a TCP check only needs the connection to open.
func acceptAndClose(listener net.Listener) {
	for {
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		conn.Close()
	}
}

func (u *upstream) ready(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if u.isHealthy() {
		json.NewEncoder(w).Encode(map[string]string{"status": "UP"})
		return
	}
	w.WriteHeader(http.StatusServiceUnavailable)
	json.NewEncoder(w).Encode(map[string]string{"status": "DOWN"})
}

func (u *upstream) switchTo(healthy bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		if err := u.set(healthy); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// authorized answers 200 only to the Authorization value set by POST /token, for checks whose header comes from
// a Secret: rotate the Secret and the upstream, and the check follows. The values are never logged.
func (u *upstream) authorized(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	want := u.authorization
	u.mu.Unlock()
	given := r.Header.Get("Authorization")
	if want == "" || subtle.ConstantTimeCompare([]byte(given), []byte(want)) != 1 {
		log.Printf("/authorized: refused (%d characters given)", len(given))
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	log.Printf("/authorized: accepted")
	w.WriteHeader(http.StatusOK)
}

func (u *upstream) setToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4097))
	if err != nil || len(body) > 4096 {
		http.Error(w, "a body of at most 4096 bytes", http.StatusBadRequest)
		return
	}
	value := strings.TrimSuffix(string(body), "\n")
	if strings.ContainsAny(value, "\r\n") {
		http.Error(w, "one line", http.StatusBadRequest)
		return
	}
	u.mu.Lock()
	u.authorization = value
	u.mu.Unlock()
	log.Printf("/token: a new Authorization value (%d characters)", len(value))
	w.WriteHeader(http.StatusNoContent)
}

func main() {
	httpAddr := flag.String("http", ":8080", "HTTP address (/ready, /break, /heal)")
	tcpAddr := flag.String("tcp", ":5432", "TCP address that accepts connections while healthy")
	grpcAddr := flag.String("grpc", ":9090", "gRPC health service address")
	flag.Parse()

	u := &upstream{tcpAddr: *tcpAddr, grpc: health.NewServer()}
	if err := u.set(true); err != nil {
		log.Fatalf("tcp %s: %v", *tcpAddr, err)
	}

	grpcServer := grpc.NewServer()
	healthpb.RegisterHealthServer(grpcServer, u.grpc)
	grpcListener, err := net.Listen("tcp", *grpcAddr)
	if err != nil {
		log.Fatalf("grpc %s: %v", *grpcAddr, err)
	}
	go grpcServer.Serve(grpcListener)

	mux := http.NewServeMux()
	mux.HandleFunc("/ready", u.ready)
	mux.HandleFunc("/break", u.switchTo(false))
	mux.HandleFunc("/heal", u.switchTo(true))
	mux.HandleFunc("/authorized", u.authorized)
	mux.HandleFunc("/token", u.setToken)
	server := &http.Server{Addr: *httpAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		grpcServer.Stop()
		server.Shutdown(ctx)
	}()
	log.Printf("http %s, tcp %s, grpc %s", *httpAddr, *tcpAddr, *grpcAddr)
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
