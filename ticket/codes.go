package ticket

import (
	"slices"
	"sort"
	"strings"
)

// Code names a message a person reads: a refusal of the process, a problem
// with a field, a notice. The texts live in the message catalogues, in
// German and English (package i18n); the web picks the reader's language,
// the API returns the code with its English text. A test fails on a code
// without both texts.
type Code string

// Problem is a coded message with its parameters, e.g. the owner's name
// in "the ticket is locked by {{.Owner}}".
type Problem struct {
	Code Code
	Args map[string]string `json:",omitempty"`
}

// P returns the problem code with its parameters given as name, value
// pairs.
func P(code Code, nameValues ...string) Problem {
	p := Problem{Code: code}
	for i := 0; i+1 < len(nameValues); i += 2 {
		if p.Args == nil {
			p.Args = map[string]string{}
		}
		p.Args[nameValues[i]] = nameValues[i+1]
	}
	return p
}

// Error shows the code and its parameters in a stable order, for logs.
func (p Problem) Error() string {
	if len(p.Args) == 0 {
		return string(p.Code)
	}
	keys := make([]string, 0, len(p.Args))
	for k := range p.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(string(p.Code))
	for i, k := range keys {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(k + "=" + p.Args[k])
	}
	b.WriteString(")")
	return b.String()
}

// Refusals of the process: the ticket's workflow answers an update with one
// of these, and nothing changes.
const (
	RefusedState           Code = "refused.state"            // State, Action
	RefusedMove            Code = "refused.move"             // State, Next
	RefusedLocked          Code = "refused.locked"           // Owner, Action
	RefusedMerged          Code = "refused.merged"           // Into, Action
	RefusedNotCreated      Code = "refused.not_created"      // the ticket was never stored
	RefusedBusy            Code = "refused.busy"             // the run is ending: send again
	RefusedGone            Code = "refused.gone"             // the follow-up window has passed
	RefusedKeyReused       Code = "refused.key_reused"       // Key: same request key, other content
	RefusedStored          Code = "refused.not_stored"       // the database refused the change; Ref
	RefusedAlreadyAssign   Code = "refused.already_assigned" //
	RefusedAlreadyLocked   Code = "refused.already_locked"   // Owner
	RefusedNotLocked       Code = "refused.not_locked"       //
	RefusedLockNeedsAgent  Code = "refused.lock_needs_agent" //
	RefusedWatching        Code = "refused.watching"         // Agent
	RefusedNotWatching     Code = "refused.not_watching"     // Agent
	RefusedSameQueue       Code = "refused.same_queue"       // Queue
	RefusedSameClass       Code = "refused.same_class"       //
	RefusedCalendar        Code = "refused.calendar"         // Reason
	RefusedEscalateFirst   Code = "refused.escalate_first"   // Queue
	RefusedWithTeam        Code = "refused.with_team"        //
	RefusedFirstLevel      Code = "refused.first_level"      //
	RefusedNoFirstLevel    Code = "refused.no_first_level"   //
	RefusedLinked          Code = "refused.linked"           // Other
	RefusedSelf            Code = "refused.self"             //
	RefusedNotCustomer     Code = "refused.not_customer"     // a customer acts on a ticket not theirs
	RefusedForbidden       Code = "refused.forbidden"        // this kind of principal may not do this
	RefusedSameResponsible Code = "refused.same_responsible" //
	RefusedPermission      Code = "refused.permission"       // Perm, Queue: the agent lacks Perm on Queue
	RefusedQueueChanged    Code = "refused.queue_changed"    // the ticket moved to another queue meanwhile: look again
)

// Field problems: what is wrong with one input field.
const (
	FieldRequired     Code = "field.required"
	FieldTooLong      Code = "field.too_long" // Max (bytes)
	FieldBadUTF8      Code = "field.bad_utf8"
	FieldControlChars Code = "field.control_chars"
	FieldUnknown      Code = "field.unknown"     // no such thing (customer, queue, service, agent, ticket)
	FieldChoose       Code = "field.choose"      // choose one of the offered values
	FieldPast         Code = "field.past"        // a time must lie in the future
	FieldTooFar       Code = "field.too_far"     // Days
	FieldBadTime      Code = "field.bad_time"    // not a date and time
	FieldBadRFC3339   Code = "field.bad_rfc3339" // the API's times: RFC 3339 with an offset
	FieldBadNumber    Code = "field.bad_number"
	FieldSelf         Code = "field.self"          // the ticket itself
	FieldMergedInto   Code = "field.merged_into"   // Into
	FieldNotSecondary Code = "field.not_secondary" // choose a 2nd-level or team queue
	FieldNegative     Code = "field.negative"
	FieldMinutes      Code = "field.minutes"        // Max
	FieldTooManyFiles Code = "field.too_many_files" // Max
	FieldFileTooLarge Code = "field.file_too_large" // Name, Max (MiB)
	FieldFilesTooBig  Code = "field.files_too_big"  // Max (MiB)
	FieldBadFile      Code = "field.bad_file"       // a file reference the desk did not store
)

// Page-level messages of the web and the API.
const (
	MsgFixFields   Code = "msg.fix_fields"
	MsgNotFound    Code = "msg.not_found"
	MsgUnavailable Code = "msg.unavailable"
	MsgBadLogin    Code = "msg.bad_login"
	MsgThrottled   Code = "msg.throttled" // Minutes
	MsgNoToken     Code = "msg.no_token"
	MsgFormExpired Code = "msg.form_expired"
	MsgBadRequest  Code = "msg.bad_request"
	MsgTooLarge    Code = "msg.too_large"
	MsgInternal    Code = "msg.internal" // Ref: the log line's reference
	MsgForbidden   Code = "msg.forbidden"
	MsgSaved       Code = "msg.saved"
	MsgNewTicket   Code = "msg.new_ticket" // Number: the ticket a late follow-up opened
	MsgDirectory   Code = "msg.directory_unavailable"
)

// AllCodes lists every code, for the catalogue test.
func AllCodes() []Code {
	return slices.Clone(allCodes)
}

var allCodes = []Code{
	RefusedState, RefusedMove, RefusedLocked, RefusedMerged, RefusedNotCreated, RefusedBusy, RefusedGone, RefusedKeyReused,
	RefusedStored, RefusedAlreadyAssign, RefusedAlreadyLocked, RefusedNotLocked, RefusedLockNeedsAgent,
	RefusedWatching, RefusedNotWatching, RefusedSameQueue, RefusedSameClass, RefusedCalendar, RefusedEscalateFirst,
	RefusedWithTeam, RefusedFirstLevel, RefusedNoFirstLevel, RefusedLinked, RefusedSelf, RefusedNotCustomer,
	RefusedForbidden, RefusedSameResponsible, RefusedPermission, RefusedQueueChanged,
	FieldRequired, FieldTooLong, FieldBadUTF8, FieldControlChars, FieldUnknown, FieldChoose, FieldPast, FieldTooFar,
	FieldBadTime, FieldBadRFC3339, FieldBadNumber, FieldSelf, FieldMergedInto, FieldNotSecondary, FieldNegative, FieldMinutes,
	FieldTooManyFiles, FieldFileTooLarge, FieldFilesTooBig, FieldBadFile,
	MsgFixFields, MsgNotFound, MsgUnavailable, MsgBadLogin, MsgThrottled, MsgNoToken, MsgFormExpired, MsgBadRequest,
	MsgTooLarge, MsgInternal, MsgForbidden, MsgSaved, MsgNewTicket, MsgDirectory,
}
