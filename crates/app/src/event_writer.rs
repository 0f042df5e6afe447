//! Writes verified webhook events in batches. Each webhook request hands
//! its events over and waits until the batch holding them is committed, so
//! 200 still means "stored"; meanwhile requests arriving together share
//! one INSERT (and one commit) instead of one each. Nothing waits for a
//! batch to fill: a batch is whatever queued while the previous one was
//! being written.

use domain::channel::Channel;
use store::{IncomingEvent, Store};
use tokio::sync::{mpsc, oneshot};

/// Events gathered into one batch, at most (a single larger request is
/// written alone).
const BATCH_EVENTS: usize = 1000;
/// Requests waiting for the writer before new ones wait for room.
const QUEUE: usize = 4096;

struct Job {
    channel: Channel,
    events: Vec<IncomingEvent>,
    done: oneshot::Sender<Result<(), String>>,
}

/// Why events were not stored.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("storing webhook events failed: {0}")]
    Store(String),
    #[error("the webhook event writer has stopped")]
    Stopped,
}

/// A handle to the writer task; cheap to clone.
#[derive(Clone, Debug)]
pub struct EventWriter {
    tx: mpsc::Sender<Job>,
}

impl EventWriter {
    /// Starts the writer on the current Tokio runtime.
    pub fn start(store: Store) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, rx));
        Self { tx }
    }

    /// Stores `events` of `channel` (duplicates of kept events are
    /// skipped) and returns once they are committed.
    pub async fn write(
        &self,
        channel: &Channel,
        events: Vec<IncomingEvent>,
    ) -> Result<(), WriteError> {
        if events.is_empty() {
            return Ok(());
        }
        let (done, answer) = oneshot::channel();
        let job = Job {
            channel: channel.clone(),
            events,
            done,
        };
        self.tx.send(job).await.map_err(|_| WriteError::Stopped)?;
        answer
            .await
            .map_err(|_| WriteError::Stopped)?
            .map_err(WriteError::Store)
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut size = first.events.len();
        let mut jobs = vec![first];
        while size < BATCH_EVENTS {
            match rx.try_recv() {
                Ok(job) => {
                    size += job.events.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let batch: Vec<(&Channel, &[IncomingEvent])> = jobs
            .iter()
            .map(|j| (&j.channel, j.events.as_slice()))
            .collect();
        let result = store.insert_webhook_event_batch(&batch).await;
        match &result {
            Ok(new) => tracing::debug!(
                requests = jobs.len(),
                events = size,
                new,
                "webhook events stored"
            ),
            Err(e) => {
                tracing::warn!(requests = jobs.len(), error = %e, "storing webhook events failed")
            }
        }
        let answer = result.map(|_| ()).map_err(|e| e.to_string());
        for job in jobs {
            // The request may have gone (client hung up); the events stay stored.
            let _ = job.done.send(answer.clone());
        }
    }
}
