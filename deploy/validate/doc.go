// Package validate holds the tests that keep the deployment files under
// deploy/ correct without running them: the Dockerfile, the compose trial,
// the Helm chart and the Kubernetes manifests rendered from it, the
// Prometheus rules and the Grafana dashboard, and the chat app manifests.
//
// It is its own Go module (deploy/go.mod) so that the heavy libraries these
// checks need (Helm, k8s.io/api, compose-go, Prometheus) never become
// dependencies of resetbot itself. scripts/test runs it after the main
// module's tests.
package validate
