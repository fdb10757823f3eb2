package platform

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestStripURL(t *testing.T) {
	const secret = "https://hooks.slack.com/actions/T0/123/SECRET"
	cause := errors.New("connection refused")
	tests := []struct {
		name      string
		err       error
		wantCause error
	}{
		{"url error", &url.Error{Op: "Post", URL: secret, Err: cause}, cause},
		{"wrapped url error", fmt.Errorf("send: %w", &url.Error{Op: "Post", URL: secret, Err: context.DeadlineExceeded}), context.DeadlineExceeded},
		{"other error unchanged", cause, cause},
		{"nil", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StripURL(tt.err)
			if got != tt.wantCause {
				t.Errorf("StripURL = %v, want %v", got, tt.wantCause)
			}
			if got != nil && strings.Contains(got.Error(), "SECRET") {
				t.Errorf("%q still carries the URL", got)
			}
		})
	}
}
