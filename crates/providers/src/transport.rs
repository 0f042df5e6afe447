//! Sending one HTTP request and judging transport failures by whether the
//! request could have reached the provider: a refused connection was never
//! sent (retry), a timeout on a message send may have been (outcome unknown).

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::retry::Failure;
use crate::ProviderError;

/// Whether repeating a request is harmless. Reads, deletes and "mark read"
/// are; sends, uploads and template creation are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    Safe,
    Unsafe,
}

/// A provider's HTTP answer, read in full.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
    pub retry_after: Option<Duration>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

pub(crate) async fn execute(
    request: reqwest::RequestBuilder,
    repeat: Repeat,
) -> Result<Answer, Failure> {
    let response = request
        .send()
        .await
        .map_err(|e| transport_failure(&e, repeat))?;
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_failure(&e, repeat))?;
    Ok(Answer {
        status,
        body: body.to_vec(),
        retry_after,
    })
}

fn transport_failure(error: &reqwest::Error, repeat: Repeat) -> Failure {
    // reqwest's Display hides the cause chain; the cause says what happened.
    let message = error_chain(error);
    let error = if error.is_builder() {
        ProviderError::invalid(message)
    } else if error.is_connect() {
        ProviderError::Retryable {
            code: "connect".to_owned(),
            message,
        }
    } else if repeat == Repeat::Safe {
        ProviderError::Retryable {
            code: if error.is_timeout() {
                "timeout".to_owned()
            } else {
                "network".to_owned()
            },
            message,
        }
    } else {
        ProviderError::Unknown { message }
    };
    Failure {
        error,
        retry_after: None,
    }
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `Retry-After` in seconds. The HTTP-date form is rare from these providers
/// and is ignored (plain backoff applies).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Parses a successful answer's JSON. A 2xx we cannot read still means the
/// provider acted, so for unrepeatable calls the outcome is unknown.
pub(crate) fn parse_json(answer: &Answer, repeat: Repeat) -> Result<serde_json::Value, Failure> {
    serde_json::from_slice(&answer.body).map_err(|e| {
        let message = format!("unreadable answer (HTTP {}): {e}", answer.status);
        Failure::from(match repeat {
            Repeat::Safe => ProviderError::Permanent {
                code: "unexpected_answer".to_owned(),
                message,
            },
            Repeat::Unsafe => ProviderError::Unknown { message },
        })
    })
}

/// Moves a provider-given absolute URL (a paging link) onto the configured
/// origin. Credentials only ever go to the configured host, and tests or the
/// sandbox keep working when the provider writes its public host into links.
pub(crate) fn onto_base(link: &str, base: &str) -> Result<String, ProviderError> {
    let base_url = url::Url::parse(base)
        .map_err(|e| ProviderError::invalid(format!("bad base URL {base}: {e}")))?;
    let link_url = url::Url::parse(link)
        .or_else(|_| base_url.join(link))
        .map_err(|e| ProviderError::invalid(format!("bad paging link {link}: {e}")))?;
    let prefix = base_url.path().trim_end_matches('/');
    let mut path = link_url.path().to_owned();
    if !prefix.is_empty() && !path.starts_with(&format!("{prefix}/")) {
        path = format!("{prefix}{path}");
    }
    let mut rebuilt = base_url.clone();
    rebuilt.set_path(&path);
    rebuilt.set_query(link_url.query());
    Ok(rebuilt.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_links_move_onto_the_configured_origin() {
        let link = "https://graph.facebook.com/v24.0/220/message_templates?limit=1&after=QV";
        assert_eq!(
            onto_base(link, "http://127.0.0.1:9000").ok().as_deref(),
            Some("http://127.0.0.1:9000/v24.0/220/message_templates?limit=1&after=QV")
        );
        assert_eq!(
            onto_base(link, "https://graph.facebook.com")
                .ok()
                .as_deref(),
            Some(link)
        );
        assert_eq!(
            onto_base(link, "http://sandbox:8080/meta/").ok().as_deref(),
            Some("http://sandbox:8080/meta/v24.0/220/message_templates?limit=1&after=QV")
        );
        assert_eq!(
            onto_base(
                "http://sandbox:8080/meta/v24.0/x?after=1",
                "http://sandbox:8080/meta"
            )
            .ok()
            .as_deref(),
            Some("http://sandbox:8080/meta/v24.0/x?after=1")
        );
    }
}
