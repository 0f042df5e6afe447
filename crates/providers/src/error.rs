//! How a provider call failed, judged by what the caller must do next: wait
//! and retry, re-queue one recipient, switch to a template, fix credentials,
//! give up, or (after a timeout) treat the message as possibly sent.

/// A provider's failure, with its own code and message kept for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Throughput exceeded (Meta 130429, HTTP 429, Twilio 63018): retry later, slower.
    #[error("rate limited ({code}): {message}")]
    RateLimited { code: String, message: String },
    /// Too many messages to one recipient (Meta 131056): retry this recipient later.
    #[error("pair rate limited ({code}): {message}")]
    PairRateLimited { code: String, message: String },
    /// The 24-hour customer service window is closed (Meta 131047, Twilio 63016).
    #[error("customer service window closed ({code}): {message}")]
    WindowClosed { code: String, message: String },
    /// Credentials expired or wrong (Meta 190, HTTP 401, Twilio 20003).
    #[error("invalid credentials ({code}): {message}")]
    InvalidCredentials { code: String, message: String },
    /// Temporary trouble (5xx, connection refused before sending): retry with backoff.
    #[error("temporary failure ({code}): {message}")]
    Retryable { code: String, message: String },
    /// A final refusal (policy, bad parameters): show it, do not retry.
    #[error("refused ({code}): {message}")]
    Permanent { code: String, message: String },
    /// Our own check refused the request before it reached the provider
    /// (a limit from the provider's rules, e.g. a fourth reply button).
    #[error("invalid request: {message}")]
    Invalid { message: String },
    /// The request may have reached the provider but no answer came (timeout
    /// after sending, connection dropped mid-answer). Resending could deliver
    /// twice, so the caller marks the message `unknown` and waits for a status
    /// webhook instead of retrying.
    #[error("outcome unknown: {message}")]
    Unknown { message: String },
    /// The provider has no such operation (e.g. Twilio has no template creation API).
    #[error("{operation} is not supported by {provider}")]
    Unsupported { provider: String, operation: String },
}

impl ProviderError {
    /// Whether sending the same request again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::PairRateLimited { .. }
                | ProviderError::Retryable { .. }
        )
    }

    /// A stable code to store with a failed message: the provider's own code,
    /// or a word for failures that never got one.
    pub fn code(&self) -> &str {
        match self {
            ProviderError::RateLimited { code, .. }
            | ProviderError::PairRateLimited { code, .. }
            | ProviderError::WindowClosed { code, .. }
            | ProviderError::InvalidCredentials { code, .. }
            | ProviderError::Retryable { code, .. }
            | ProviderError::Permanent { code, .. } => code,
            ProviderError::Invalid { .. } => "invalid",
            ProviderError::Unknown { .. } => "unknown",
            ProviderError::Unsupported { .. } => "unsupported",
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        ProviderError::Invalid {
            message: message.into(),
        }
    }

    pub(crate) fn unsupported(provider: &str, operation: &str) -> Self {
        ProviderError::Unsupported {
            provider: provider.to_owned(),
            operation: operation.to_owned(),
        }
    }

    /// Classifies a Meta Graph API error by HTTP status and error code.
    pub fn from_meta(http_status: u16, code: i64, message: &str) -> Self {
        let (code_text, message) = (code.to_string(), message.to_owned());
        match (http_status, code) {
            (_, 130429) | (429, _) => ProviderError::RateLimited {
                code: code_text,
                message,
            },
            (_, 131056) => ProviderError::PairRateLimited {
                code: code_text,
                message,
            },
            (_, 131047) => ProviderError::WindowClosed {
                code: code_text,
                message,
            },
            (_, 190) | (401, _) => ProviderError::InvalidCredentials {
                code: code_text,
                message,
            },
            (500..=599, _) => ProviderError::Retryable {
                code: code_text,
                message,
            },
            _ => ProviderError::Permanent {
                code: code_text,
                message,
            },
        }
    }

    /// Classifies a Twilio REST API error by HTTP status and error code.
    pub fn from_twilio(http_status: u16, code: i64, message: &str) -> Self {
        let (code_text, message) = (code.to_string(), message.to_owned());
        match (http_status, code) {
            (_, 63018) | (429, _) => ProviderError::RateLimited {
                code: code_text,
                message,
            },
            (_, 63016) => ProviderError::WindowClosed {
                code: code_text,
                message,
            },
            (_, 20003) | (401, _) => ProviderError::InvalidCredentials {
                code: code_text,
                message,
            },
            (500..=599, _) => ProviderError::Retryable {
                code: code_text,
                message,
            },
            _ => ProviderError::Permanent {
                code: code_text,
                message,
            },
        }
    }

    /// Classifies a Meta error answer from its raw body:
    /// `{"error":{"code","message","error_subcode","error_data":{"details"}}}`.
    /// Meta's `details` say what actually went wrong, so they join the message.
    /// A body that is not Meta's shape (a proxy's HTML page) is judged by
    /// the HTTP status alone.
    pub fn from_meta_body(http_status: u16, body: &[u8]) -> Self {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let error = parsed.as_ref().and_then(|v| v.get("error"));
        let Some(error) = error else {
            return Self::from_meta(
                http_status,
                i64::from(http_status),
                &body_excerpt(http_status, body),
            );
        };
        let code = error
            .get("code")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(i64::from(http_status));
        let mut message = error
            .get("message")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_owned();
        if let Some(details) = error
            .pointer("/error_data/details")
            .and_then(serde_json::Value::as_str)
        {
            message = join_message(&message, details);
        }
        if let Some(subcode) = error
            .get("error_subcode")
            .and_then(serde_json::Value::as_i64)
        {
            message = join_message(&message, &format!("subcode {subcode}"));
        }
        Self::from_meta(http_status, code, &message)
    }

    /// Classifies a Twilio error answer from its raw body: `{"code","message","status"}`.
    pub fn from_twilio_body(http_status: u16, body: &[u8]) -> Self {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        match parsed.filter(|v| v.get("code").is_some() || v.get("message").is_some()) {
            Some(v) => {
                let code = v
                    .get("code")
                    .and_then(serde_json::Value::as_i64)
                    .unwrap_or(i64::from(http_status));
                let message = v
                    .get("message")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("");
                Self::from_twilio(http_status, code, message)
            }
            None => Self::from_twilio(
                http_status,
                i64::from(http_status),
                &body_excerpt(http_status, body),
            ),
        }
    }
}

fn join_message(message: &str, extra: &str) -> String {
    if message.is_empty() {
        extra.to_owned()
    } else if message.contains(extra) {
        // Meta often repeats the message in its details.
        message.to_owned()
    } else {
        format!("{message}: {extra}")
    }
}

/// A short, printable part of an unexpected body, so logs show what came back
/// without copying a whole HTML page.
fn body_excerpt(http_status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text: String = text.trim().chars().take(200).collect();
    if text.is_empty() {
        format!("HTTP {http_status}")
    } else {
        format!("HTTP {http_status}: {text}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_codes_map_to_what_callers_must_do() {
        assert!(matches!(
            ProviderError::from_meta(400, 130429, "x"),
            ProviderError::RateLimited { .. }
        ));
        assert!(matches!(
            ProviderError::from_meta(400, 131056, "x"),
            ProviderError::PairRateLimited { .. }
        ));
        assert!(matches!(
            ProviderError::from_meta(400, 131047, "x"),
            ProviderError::WindowClosed { .. }
        ));
        assert!(matches!(
            ProviderError::from_meta(401, 190, "x"),
            ProviderError::InvalidCredentials { .. }
        ));
        assert!(matches!(
            ProviderError::from_meta(503, 1, "x"),
            ProviderError::Retryable { .. }
        ));
        let params = ProviderError::from_meta(400, 132000, "Number of parameters does not match");
        assert!(!params.is_retryable());
        assert_eq!(
            params.to_string(),
            "refused (132000): Number of parameters does not match"
        );
    }

    #[test]
    fn twilio_codes_map_to_what_callers_must_do() {
        assert!(matches!(
            ProviderError::from_twilio(401, 20003, "Authenticate"),
            ProviderError::InvalidCredentials { .. }
        ));
        assert!(matches!(
            ProviderError::from_twilio(400, 63016, "x"),
            ProviderError::WindowClosed { .. }
        ));
        assert!(ProviderError::from_twilio(429, 63018, "x").is_retryable());
        assert!(!ProviderError::from_twilio(400, 21211, "bad number").is_retryable());
    }

    #[test]
    fn meta_bodies_keep_code_and_details() {
        let body = br#"{"error":{"message":"(#131047) Re-engagement message","code":131047,
            "error_data":{"details":"More than 24 hours"}}}"#;
        let error = ProviderError::from_meta_body(400, body);
        assert_eq!(
            error,
            ProviderError::WindowClosed {
                code: "131047".into(),
                message: "(#131047) Re-engagement message: More than 24 hours".into()
            }
        );
    }

    #[test]
    fn unexpected_bodies_are_judged_by_status() {
        let error = ProviderError::from_meta_body(502, b"<html>Bad gateway</html>");
        assert!(error.is_retryable());
        assert_eq!(error.code(), "502");
        let error = ProviderError::from_twilio_body(400, b"");
        assert_eq!(error.to_string(), "refused (400): HTTP 400");
    }

    #[test]
    fn new_variants_are_never_retried() {
        assert!(!ProviderError::invalid("x").is_retryable());
        assert!(!ProviderError::Unknown {
            message: "timeout".into()
        }
        .is_retryable());
        let unsupported = ProviderError::unsupported("Twilio", "template creation");
        assert!(!unsupported.is_retryable());
        assert_eq!(
            unsupported.to_string(),
            "template creation is not supported by Twilio"
        );
    }
}
