package webauth

import (
	"fmt"
	"io"
	"net/http"
)

// readAll reads a request body already bounded by http.MaxBytesReader.
func readAll(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: body: %w", errBadRequest, err)
	}
	return b, nil
}
