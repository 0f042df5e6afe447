//! Webhook signatures against known vectors.
//!
//! Meta vectors were computed with Python's standard library:
//! `hmac.new(secret, body, hashlib.sha256).hexdigest()`; the second one is
//! also GitHub's documented `X-Hub-Signature-256` example.
//!
//! Twilio vectors: the first is Twilio's documented example; the others were
//! produced with the official `twilio` PyPI library (9.13.0) as the oracle:
//! `twilio.request_validator.RequestValidator(token).compute_signature(url, params)`,
//! with `params = dict(urllib.parse.parse_qsl(form, keep_blank_values=True))`
//! for the fixture forms (and a `getall` MultiDict for repeated names).

use providers::{meta, twilio};

use crate::fixture;

const META_SECRET: &[u8] = b"meta-app-secret-1";
const INBOUND_TEXT_SIGNATURE: &str =
    "sha256=a3ca6b93d0a4ea3672df090b3e1c2742348058827e07bb16d13bf98f32dc335a";

#[test]
fn meta_signature_matches_the_python_vector() {
    let body = fixture!("meta/inbound_text.json");
    assert!(meta::verify_signature(
        META_SECRET,
        body,
        Some(INBOUND_TEXT_SIGNATURE)
    ));
    assert_eq!(meta::sign(META_SECRET, body), INBOUND_TEXT_SIGNATURE);
    assert!(meta::verify_signature(
        b"It's a Secret to Everybody",
        b"Hello, World!",
        Some("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
    ));
}

#[test]
fn meta_signature_rejects_tampering_wrong_secrets_and_missing_headers() {
    let body = fixture!("meta/inbound_text.json");
    let mut tampered = body.to_vec();
    let last_digit = tampered.iter().rposition(u8::is_ascii_digit).unwrap();
    tampered[last_digit] = if tampered[last_digit] == b'9' {
        b'8'
    } else {
        b'9'
    };
    assert!(!meta::verify_signature(
        META_SECRET,
        &tampered,
        Some(INBOUND_TEXT_SIGNATURE)
    ));
    assert!(!meta::verify_signature(
        b"another-secret",
        body,
        Some(INBOUND_TEXT_SIGNATURE)
    ));
    assert!(!meta::verify_signature(META_SECRET, body, None));
    assert!(!meta::verify_signature(META_SECRET, body, Some("")));
    assert!(!meta::verify_signature(
        META_SECRET,
        body,
        Some(INBOUND_TEXT_SIGNATURE.trim_start_matches("sha256="))
    ));
    let truncated = &INBOUND_TEXT_SIGNATURE[..INBOUND_TEXT_SIGNATURE.len() - 2];
    assert!(!meta::verify_signature(META_SECRET, body, Some(truncated)));
    assert!(!meta::verify_signature(META_SECRET, body, Some("sha256=ü")));
}

#[test]
fn meta_challenge_echoes_only_for_the_channels_token() {
    let token = "verify-me-7f3a";
    assert_eq!(
        meta::verify_challenge(Some("subscribe"), Some(token), Some("1158201444"), token)
            .as_deref(),
        Some("1158201444")
    );
    assert_eq!(
        meta::verify_challenge(Some("subscribe"), Some("verify-me-7f3b"), Some("1"), token),
        None
    );
    assert_eq!(
        meta::verify_challenge(Some("subscribe"), None, Some("1"), token),
        None
    );
    assert_eq!(
        meta::verify_challenge(Some("subscribe"), Some(token), None, token),
        None
    );
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

const TOKEN: &str = "f00dfeedcafe0123456789abcdef0123";
const HOOK_URL: &str =
    "https://switchboard.example.com/webhooks/twilio/0193a6f2-7c1e-7000-8000-000000000001";

#[test]
fn twilio_documented_vector() {
    let params = pairs(&[
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]);
    let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    assert_eq!(
        twilio::signature("12345", url, &params),
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    );
    assert!(twilio::verify_signature(
        "12345",
        url,
        &params,
        Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    ));
    // Order of the fields as posted does not matter.
    let mut reversed = params.clone();
    reversed.reverse();
    assert_eq!(
        twilio::signature("12345", url, &reversed),
        "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    );
}

#[test]
fn twilio_vectors_from_the_official_library() {
    let inbound = twilio::form_params(fixture!("twilio/inbound_text.form"));
    assert_eq!(
        twilio::signature(TOKEN, HOOK_URL, &inbound),
        "TI3n/SL8+2fcc42uacMLM4OBi1A="
    );

    let failed = twilio::form_params(fixture!("twilio/status_failed.form"));
    let status_url =
        "https://switchboard.example.com/webhooks/twilio/status?callback_data=outbound%3A42";
    assert_eq!(
        twilio::signature(TOKEN, status_url, &failed),
        "afckgKZIQ0WEJlW7dc8wziHDzwY="
    );

    let unicode = pairs(&[
        ("Body", "Olá, ✓ ¿qué?"),
        ("Empty", ""),
        ("From", "whatsapp:+5511987654321"),
    ]);
    assert_eq!(
        twilio::signature(TOKEN, "http://localhost:8080/hook", &unicode),
        "EpGim8awGXY8RhwSgvWQOwizfV4="
    );

    assert_eq!(
        twilio::signature(TOKEN, "https://example.com/a?b=c", &[]),
        "72ekeB+00h0LoCVbAO5/6ev/IJY="
    );

    let repeated = pairs(&[
        ("MediaUrl", "https://b.example/2"),
        ("To", "whatsapp:+1"),
        ("MediaUrl", "https://a.example/1"),
    ]);
    assert_eq!(
        twilio::signature(TOKEN, "https://example.com/x", &repeated),
        "EhRCcdRwXTUF79eKB2wVStKzPik="
    );
}

#[test]
fn twilio_verification_accepts_the_default_port_either_way() {
    let inbound = twilio::form_params(fixture!("twilio/inbound_text.form"));
    let signed = Some("TI3n/SL8+2fcc42uacMLM4OBi1A=");
    let with_port =
        "https://switchboard.example.com:443/webhooks/twilio/0193a6f2-7c1e-7000-8000-000000000001";
    assert!(twilio::verify_signature(TOKEN, HOOK_URL, &inbound, signed));
    assert!(twilio::verify_signature(TOKEN, with_port, &inbound, signed));
}

#[test]
fn twilio_verification_rejects_tampering() {
    let inbound = twilio::form_params(fixture!("twilio/inbound_text.form"));
    let signed = Some("TI3n/SL8+2fcc42uacMLM4OBi1A=");
    let mut tampered = inbound.clone();
    for (name, value) in &mut tampered {
        if name == "Body" {
            value.push('!');
        }
    }
    assert!(!twilio::verify_signature(
        TOKEN, HOOK_URL, &tampered, signed
    ));
    assert!(!twilio::verify_signature(
        "wrong-token",
        HOOK_URL,
        &inbound,
        signed
    ));
    assert!(!twilio::verify_signature("", HOOK_URL, &inbound, signed));
    assert!(!twilio::verify_signature(TOKEN, HOOK_URL, &inbound, None));
    assert!(!twilio::verify_signature(
        TOKEN,
        HOOK_URL,
        &inbound,
        Some("")
    ));
    assert!(!twilio::verify_signature(
        TOKEN,
        "https://switchboard.example.com/webhooks/twilio/other",
        &inbound,
        signed
    ));
    let mut extra = inbound.clone();
    extra.push(("Injected".into(), "1".into()));
    assert!(!twilio::verify_signature(TOKEN, HOOK_URL, &extra, signed));
}
