//! Outgoing email (password resets, invitations): SMTP when configured; or
//! `.eml` files in an outbox directory; otherwise nothing is sent. A message's
//! text is never logged: it carries single-use links that open accounts.
//! Without a way to deliver, an invitation link is shown once to the admin
//! who created it instead (see [`Mailer::delivers`]).

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
    /// `starttls` (default), `tls`, or `none` for a local relay.
    pub security: String,
}

pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Outbox {
        transport: AsyncFileTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Log,
}

impl Mailer {
    pub fn from_settings(settings: Option<&SmtpSettings>) -> Result<Self, String> {
        let Some(s) = settings else {
            return Ok(Mailer::Log);
        };
        let builder = match s.security.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host),
            "none" => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &s.host,
            )),
            _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host),
        }
        .map_err(|e| format!("SMTP host {}: {e}", s.host))?;
        let mut builder = builder.port(s.port);
        if let (Some(user), Some(pass)) = (&s.username, &s.password) {
            builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
        }
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| format!("SMTP from address: {e}"))?;
        Ok(Mailer::Smtp {
            transport: builder.build(),
            from,
        })
    }

    /// Writes every message as an `.eml` file into `dir` instead of sending it.
    pub fn outbox(dir: &std::path::Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("mail outbox {}: {e}", dir.display()))?;
        let from = "Switchboard <switchboard@localhost>"
            .parse()
            .map_err(|e| format!("outbox sender: {e}"))?;
        Ok(Mailer::Outbox {
            transport: AsyncFileTransport::new(dir),
            from,
        })
    }

    /// Whether messages reach anyone: SMTP, or the outbox directory.
    pub fn delivers(&self) -> bool {
        !matches!(self, Mailer::Log)
    }

    /// Sends. A failure to send is logged, never shown to the caller: answers
    /// must not reveal whether an address exists. Neither the text nor the
    /// recipient is ever logged.
    pub async fn send(&self, to: &str, subject: &str, body: &str) {
        match self {
            Mailer::Log => {
                tracing::info!(
                    subject,
                    "email not sent: configure SMTP or a mail outbox to deliver it"
                );
            }
            Mailer::Smtp { transport, from } => match build(from, to, subject, body) {
                Ok(message) => {
                    if let Err(e) = transport.send(message).await {
                        tracing::error!(error = %e, subject, "sending email failed");
                    }
                }
                Err(e) => tracing::error!(error = %e, "could not build email"),
            },
            Mailer::Outbox { transport, from } => match build(from, to, subject, body) {
                Ok(message) => {
                    if let Err(e) = transport.send(message).await {
                        tracing::error!(error = %e, subject, "writing email to the outbox failed");
                    }
                }
                Err(e) => tracing::error!(error = %e, "could not build email"),
            },
        }
    }
}

fn build(from: &Mailbox, to: &str, subject: &str, body: &str) -> Result<Message, String> {
    let to = to.parse::<Mailbox>().map_err(|e| e.to_string())?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .body(body.to_owned())
        .map_err(|e| e.to_string())
}
