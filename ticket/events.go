package ticket

// History event names, as OTRS calls them where it has them.
const (
	EventNewTicket       = "NewTicket"
	EventAddNote         = "AddNote"
	EventPhoneCall       = "PhoneCallCustomer"
	EventSendAnswer      = "SendAnswer"
	EventFollowUp        = "FollowUp"
	EventStateUpdate     = "StateUpdate"
	EventOwnerUpdate     = "OwnerUpdate"
	EventResponsible     = "ResponsibleUpdate"
	EventLock            = "Lock"
	EventUnlock          = "Unlock"
	EventSubscribe       = "Subscribe"
	EventUnsubscribe     = "Unsubscribe"
	EventMove            = "Move"
	EventServiceUpdate   = "ServiceUpdate"
	EventTypeUpdate      = "TypeUpdate"
	EventPriorityUpdate  = "PriorityUpdate"
	EventSLAUpdate       = "SLAUpdate"
	EventEscalation      = "LevelEscalation"
	EventHandBack        = "LevelHandBack"
	EventPendingTime     = "SetPendingTime"
	EventReminderReached = "ReminderReached"
	EventAutoClose       = "AutoClose"
	EventMerged          = "Merged"
	EventLinkAdd         = "TicketLinkAdd"
	EventSLAWarning      = "EscalationNotifyBefore" // Field names the clock
	EventSLABreach       = "EscalationStart"        // Field names the clock
	EventMergedIn        = "TicketMerged"
	EventTimeAccounting  = "TimeAccounting" // Field "TimeSpent", New the minutes
	// EventFollowUpForwarded: a follow-up reached a merged ticket and was
	// handed on to the ticket it was merged into, which confirmed it.
	EventFollowUpForwarded = "FollowUpForwarded"
	// EventFollowUpEnded: retention ended a closed ticket's follow-up
	// window early (Field "FollowUpUntil", New the reason); a later
	// message opens a new ticket linked to it.
	EventFollowUpEnded = "FollowUpEnded"
)

// Notification kinds raised with history entries; a notifier delivers them.
const (
	NotifyEscalation = "escalation"
	NotifySLAWarning = "sla-warning"
	NotifySLABreach  = "sla-breach"
	NotifyReminder   = "reminder"
	NotifyFollowUp   = "follow-up"
	NotifyNewTicket  = "new-ticket" // to the queue
	NotifyAssigned   = "assigned"   // to the new owner
	NotifyMoved      = "moved"      // to the queue it was moved into
)
