// Package blocklist answers one question for the password form: is this
// candidate a password attackers already have? Passwords that appeared in a
// breach are tried first in every credential-stuffing and spraying run, so a
// reset that lands on one of them hands the account back to the attacker the
// helpdesk just locked out.
//
// Two sources are combined behind the small Checker interface:
//
//   - an embedded list of about a thousand of the most common passwords, so
//     the check works out of the box with no file to download;
//   - an optional compact filter built once from the Pwned Passwords SHA-1
//     corpus (hundreds of millions of hashes) with Build and opened with
//     Load. It is a binary fuse filter: about 9 bits per password and a
//     false-positive rate near 0.4%, so the full corpus fits in about a
//     gigabyte and a lookup costs a SHA-1 and three memory reads. A false
//     positive only asks a user to pick another password; a false negative
//     is impossible for a password that was in the input.
package blocklist
