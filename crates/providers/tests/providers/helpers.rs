//! Shared test setup: fixtures embedded at compile time (tests never read
//! files at run time) and adapters pointed at a local wiremock server.

use std::time::Duration;

use providers::{
    MetaCloud, MetaCredentials, ProviderClient, ProviderSettings, Twilio, TwilioCredentials,
    TwilioSender,
};
use wiremock::MockServer;

/// The bytes of `tests/fixtures/<path>`.
#[macro_export]
macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $path
        ))
        .as_slice()
    };
}

pub const PHONE_NUMBER_ID: &str = "110200300400500";
pub const WABA_ID: &str = "220300400500600";
pub const ACCESS_TOKEN: &str = "EAAG-test-token";
pub const APP_ID: &str = "123456789012345";
pub const ACCOUNT_SID: &str = "AC11112222333344445555666677778888";
pub const AUTH_TOKEN: &str = "f00dfeedcafe0123456789abcdef0123";
pub const TWILIO_NUMBER: &str = "whatsapp:+14155550123";

/// Settings aimed at the fake, with short delays so retry tests stay fast.
pub fn settings_for(server: &MockServer) -> ProviderSettings {
    ProviderSettings {
        meta_base_url: server.uri(),
        twilio_base_url: server.uri(),
        twilio_content_base_url: server.uri(),
        timeout: Duration::from_secs(5),
        max_retries: 2,
        retry_base_delay: Duration::from_millis(10),
        ..ProviderSettings::default()
    }
}

pub fn meta_with(settings: ProviderSettings) -> MetaCloud {
    ProviderClient::new(settings)
        .unwrap()
        .meta(MetaCredentials {
            phone_number_id: PHONE_NUMBER_ID.into(),
            waba_id: WABA_ID.into(),
            access_token: ACCESS_TOKEN.into(),
            app_id: Some(APP_ID.into()),
        })
}

pub fn meta(server: &MockServer) -> MetaCloud {
    meta_with(settings_for(server))
}

pub fn twilio_credentials() -> TwilioCredentials {
    TwilioCredentials {
        account_sid: ACCOUNT_SID.into(),
        auth_token: AUTH_TOKEN.into(),
        sender: TwilioSender::Number(TWILIO_NUMBER.into()),
        status_callback: Some("https://switchboard.example.com/webhooks/twilio/status".into()),
    }
}

pub fn twilio(server: &MockServer) -> Twilio {
    ProviderClient::new(settings_for(server))
        .unwrap()
        .twilio(twilio_credentials())
}

pub fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

/// The form fields of a request Twilio would have received.
pub fn form_of(request: &wiremock::Request) -> Vec<(String, String)> {
    providers::twilio::form_params(&request.body)
}

pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}
