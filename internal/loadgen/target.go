package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ErrNotLoopback is returned when the target is not a loopback address and remote
// targets were not allowed.
var ErrNotLoopback = errors.New("target is not a loopback address " +
	"(127.0.0.0/8, ::1 or localhost); pass --allow-remote to load another host")

// checkTarget parses the base URL and, unless remote targets are allowed, refuses
// any host that is not literally loopback. Host names other than localhost are
// refused without being resolved.
func checkTarget(base string, allowRemote bool) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("parse target url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("target url scheme %q: want http or https", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("target url has no host")
	}
	if !allowRemote && !isLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("target %s: %w", u.Host, ErrNotLoopback)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newClient returns the HTTP client of a run. Unless remote targets are allowed, its
// dialer checks the address it actually connects to, so a name that resolves
// elsewhere is refused too; redirects are never followed.
func newClient(maxConns int, timeout time.Duration, allowRemote bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	dial := d.DialContext
	if !allowRemote {
		dial = loopbackDial(d)
	}
	tr := &http.Transport{
		DialContext:         dial,
		MaxIdleConns:        maxConns,
		MaxIdleConnsPerHost: maxConns,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

func loopbackDial(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tcp, ok := conn.RemoteAddr().(*net.TCPAddr)
		if !ok || !tcp.IP.IsLoopback() {
			conn.Close()
			return nil, fmt.Errorf("dial %s: %w", addr, ErrNotLoopback)
		}
		return conn, nil
	}
}
