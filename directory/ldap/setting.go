package ldap

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// errServiceBind marks a refused service-account bind: a configuration
// problem (the bind password or DN), not a user's wrong password.
var errServiceBind = errors.New("invalid credentials")

// Setting names the configuration key an error from New or Ping points at,
// so start-up can tell the operator which setting to fix: "bind_password"
// for a refused service-account bind, "ca_file" for a certificate no
// configured CA signed, "server_name" for a certificate issued to another
// name, "urls" for anything else (no server reachable).
func Setting(err error) string {
	var (
		unknownCA *x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostname  x509.HostnameError
		verify    *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, errServiceBind):
		return "bind_password"
	case errors.As(err, &hostname):
		return "server_name"
	case errors.As(err, &unknownCA), errors.As(err, &invalid), errors.As(err, &verify), errors.Is(err, errCAFile):
		return "ca_file"
	default:
		return "urls"
	}
}

// errCAFile marks a CA bundle that cannot be read or holds no certificate.
var errCAFile = errors.New("ldap: ca_file")
