// Package mailgate is the SMTP/LMTP listener the university's MTA delivers
// the desk's mail to. It hands each mail, byte for byte as received, to a
// Handler and answers the MTA according to what the Handler says.
//
// Why it looks the way it does:
//
//   - A mail is acknowledged (250) only after Handler.Deliver returned nil,
//     that is after the caller has stored it durably. Until then the MTA
//     still holds the mail in its queue; a crash between receiving and
//     storing costs a retry, never a customer's message.
//   - A Deliver error is temporary (451 4.3.0, the MTA retries) unless the
//     handler says it is permanent (Reject, or an error whose Temporary()
//     reports false; 554 5.6.0). Unmarked errors count as temporary on
//     purpose: a database outage surfaces as some driver's error, and
//     answering it with 554 would bounce the customer's mail. A mail that
//     really cannot be taken must be rejected explicitly.
//   - It is never an open relay: RCPT TO is checked against
//     Config.Recipients (others get 550 5.1.1), and TCP connections are
//     accepted only from Config.AllowedNets, loopback by default, because
//     the only client meant to talk to it is the local MTA. There is no AUTH.
//   - In LMTP mode every recipient gets its own status (RFC 2033) through
//     go-smtp's LMTPSession; a handler that fails for some recipients only
//     returns RecipientErrors. In SMTP mode one status covers the mail.
//   - Raw is not touched: no Received: header is added, because the caller
//     stores the raw mail as evidence and may verify signatures (DKIM) over
//     it; the peer's address comes separately as RemoteAddr.
//   - Shutdown lets deliveries in flight finish, so a redeploy does not turn
//     into a burst of retried mails, and refuses new transactions with 421.
package mailgate
