package main

import (
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
)

// frontProxy is the load balancer in front of serve replicas: the one
// public origin the links name and the phone talks to. It passes every
// request to the replica it was last told to, as a load balancer does
// once its health check has dropped a dead one.
type frontProxy struct {
	url    string
	target atomic.Pointer[url.URL]
}

func newFrontProxy(t *testing.T, first string) *frontProxy {
	t.Helper()
	p := &frontProxy{}
	p.to(first)
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(p.target.Load())
		r.Out.Host = r.In.Host // the public origin, as the browser sent it
	}}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	// localhost, not 127.0.0.1: a secure context for WebAuthn, RP ID
	// "localhost".
	u, _ := url.Parse(srv.URL)
	p.url = "http://localhost:" + u.Port()
	return p
}

// to sends the requests from now on to the replica at base.
func (p *frontProxy) to(base string) {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	p.target.Store(u)
}
