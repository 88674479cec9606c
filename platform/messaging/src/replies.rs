//! Answering a saga command: the reply goes to the command's `COMMAND_REPLY_CHANNEL` through the outbox, in the
//! handler's transaction, with every `COMMAND_*` metadata key copied as `REPLY_*` and `REPLY_OUTCOME` set; its `traceparent` is the
//! handler's span (a child of the command's trace), added by the outbox.

use contracts::names;
use database::Transaction;

use crate::{HandlerError, Message, Outbox};

/// The result of a command, as the reply tells it.
pub enum CommandOutcome {
    /// `am.Success`, or a named reply with a payload.
    Success(Option<(String, Vec<u8>)>),
    /// `am.Failure`, or a named reply with a payload.
    Failure(Option<(String, Vec<u8>)>),
}

/// Writes the reply to `command` into `outbox`. A command without a reply channel cannot be answered: that is a
/// permanent error (the message is dead-lettered instead of crashing anything).
pub async fn reply_to_command(
    tx: &mut Transaction,
    outbox: &Outbox,
    command: &Message,
    outcome: CommandOutcome,
) -> Result<(), HandlerError> {
    let Some(channel) = command.meta_str(names::COMMAND_REPLY_CHANNEL) else {
        return Err(HandlerError::permanent(format!(
            "command {} has no {}",
            command.name,
            names::COMMAND_REPLY_CHANNEL
        )));
    };
    let (outcome_text, named, default_name) = match outcome {
        CommandOutcome::Success(named) => (names::SUCCESS, named, names::SUCCESS_REPLY),
        CommandOutcome::Failure(named) => (names::FAILURE, named, names::FAILURE_REPLY),
    };
    let (name, payload) = named.unwrap_or_else(|| (default_name.to_owned(), Vec::new()));
    // The reply subject was written with the stream prefix by the sender; we publish relative subjects.
    let subject = channel.split_once('.').map(|(_, rest)| rest).unwrap_or(channel).to_owned();
    let now = database::now_micros();
    let mut reply = Message {
        id: ddd::new_id(),
        name,
        subject,
        payload,
        metadata: Default::default(),
        occurred_at: now,
        sent_at: now,
    };
    for (key, value) in &command.metadata {
        if let Some(rest) = key.strip_prefix("COMMAND_")
            && rest != "NAME"
        {
            reply.metadata.insert(format!("REPLY_{rest}"), value.clone());
        }
    }
    reply.metadata.insert(names::REPLY_OUTCOME.to_owned(), outcome_text.into());
    outbox.add(tx, reply).await.map_err(HandlerError::from)
}
