//! The webhook event queue's vocabulary: what kind of thing a provider told
//! us, and where each stored event is in its life. Stored as the snake_case
//! spellings below.

/// What a stored webhook event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A customer's message.
    Message,
    /// A delivery status of a message we sent.
    Status,
    /// Meta's review decision on a template.
    TemplateStatus,
    /// A change to the number's account (quality rating, limits).
    AccountUpdate,
    /// Understood, but nothing the product acts on.
    Other,
    /// Signed but not understood: kept whole, so nothing is lost.
    Unparsed,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        EventKind::Message,
        EventKind::Status,
        EventKind::TemplateStatus,
        EventKind::AccountUpdate,
        EventKind::Other,
        EventKind::Unparsed,
    ];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Message => "message",
            EventKind::Status => "status",
            EventKind::TemplateStatus => "template_status",
            EventKind::AccountUpdate => "account_update",
            EventKind::Other => "other",
            EventKind::Unparsed => "unparsed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// Where a stored webhook event is: waiting to be taken (pending), taken by
/// a worker (processing), parked until the message it reports on is stored
/// (waiting), or at one of its three ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventState {
    Pending,
    Processing,
    Waiting,
    /// Its effects are done.
    Processed,
    /// Kept for a part of the product that will handle it.
    Deferred,
    /// Failed too often; kept with its last error.
    Failed,
}

impl EventState {
    pub const ALL: [EventState; 6] = [
        EventState::Pending,
        EventState::Processing,
        EventState::Waiting,
        EventState::Processed,
        EventState::Deferred,
        EventState::Failed,
    ];

    /// The states a worker may claim from: due, or taken by a worker whose
    /// lease ran out.
    pub const CLAIMABLE: [EventState; 2] = [EventState::Pending, EventState::Processing];

    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            EventState::Pending => "pending",
            EventState::Processing => "processing",
            EventState::Waiting => "waiting",
            EventState::Processed => "processed",
            EventState::Deferred => "deferred",
            EventState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Not yet at an end: a worker still has to apply it.
    pub fn is_unfinished(self) -> bool {
        matches!(self, EventState::Pending | EventState::Processing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_reads_back_as_itself() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(kind));
        }
        for state in EventState::ALL {
            assert_eq!(EventState::parse(state.as_str()), Some(state));
        }
        assert_eq!(EventKind::parse("Message"), None);
        assert_eq!(EventState::parse(""), None);
    }

    #[test]
    fn only_pending_and_processing_are_claimable() {
        for state in EventState::ALL {
            assert_eq!(
                EventState::CLAIMABLE.contains(&state),
                state.is_unfinished()
            );
        }
    }
}
