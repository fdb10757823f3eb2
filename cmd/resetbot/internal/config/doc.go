// Package config is resetbot's one YAML configuration file: its schema, the
// defaults, a few environment overrides, secret references and validation.
//
// It is strict on purpose. Unknown keys are rejected with their line, so a
// misspelt security setting cannot silently fall back to a default. Secrets
// are references ({env: NAME} or {file: PATH}) resolved at load and never
// printed. Validate reports every problem at once, each with its key path,
// so one run of `resetbot config check` fixes a whole file.
//
// Loading runs, in this order: strict decode, environment overrides
// (RESETBOT_SERVER_PUBLIC_BASE_URL, RESETBOT_REDIS_ADDRS), defaults,
// validation, then secret resolution.
package config
