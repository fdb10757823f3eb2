package slack

import (
	"errors"
	"net/url"
)

// unwrapURLError drops the URL from an HTTP client error. Response URLs
// are bearer capabilities and must not reach a log through an error string.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
