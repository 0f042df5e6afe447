//! Ready-made templates to start from. Each passes [`check_template`]
//! as written; **Use** copies one into the editor, where the name and the
//! wording are the tenant's to change.
//!
//! [`check_template`]: crate::template::check_template

use std::collections::BTreeMap;

use crate::template::{Button, Category, Header, ParameterFormat, TemplateContent};

/// One library entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryEntry {
    pub key: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub content: TemplateContent,
}

fn examples(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[allow(clippy::too_many_arguments)] // one line per part of a template reads best here
fn entry(
    key: &'static str,
    title: &'static str,
    description: &'static str,
    category: Category,
    header: Header,
    body: &str,
    body_examples: &[(&str, &str)],
    footer: Option<&str>,
    buttons: Vec<Button>,
) -> LibraryEntry {
    LibraryEntry {
        key,
        title,
        description,
        content: TemplateContent {
            name: key.to_owned(),
            language: "en".to_owned(),
            category,
            parameter_format: ParameterFormat::Positional,
            header,
            body: body.to_owned(),
            body_examples: examples(body_examples),
            footer: footer.map(str::to_owned),
            buttons,
        },
    }
}

fn quick(text: &str) -> Button {
    Button::QuickReply {
        text: text.to_owned(),
    }
}

fn text_header(text: &str, example: Option<&str>) -> Header {
    Header::Text {
        text: text.to_owned(),
        example: example.map(str::to_owned),
    }
}

/// The built-in library: marketing, utility and authentication examples.
pub fn builtin() -> Vec<LibraryEntry> {
    use Category::{Authentication, Marketing, Utility};
    vec![
        entry(
            "seasonal_sale",
            "Seasonal sale",
            "Announce a time-limited discount with a link to the shop.",
            Marketing,
            text_header("Our {{1}} sale has started", Some("spring")),
            "Hello {{1}}, everything in the shop is {{2}} off until {{3}}. Take a look before it ends.",
            &[("1", "Maya"), ("2", "20%"), ("3", "Sunday")],
            Some("Reply STOP to stop these messages"),
            vec![
                Button::Url {
                    text: "Visit the shop".into(),
                    url: "https://shop.example.com/sale".into(),
                    example: None,
                },
                // Quick replies stay together after the link.
                quick("Not interested"),
            ],
        ),
        entry(
            "new_arrivals",
            "New arrivals",
            "Show a picture of something new and invite a reply.",
            Marketing,
            Header::Image { media_id: None },
            "Hi {{1}}, the {{2}} you asked about is back in stock. Shall we keep one aside for you?",
            &[("1", "Tom"), ("2", "linen shirt")],
            None,
            vec![quick("Yes, please"), quick("No, thanks")],
        ),
        entry(
            "welcome_offer",
            "Welcome offer",
            "Greet a new subscriber with a code to copy.",
            Marketing,
            Header::None,
            "Welcome aboard, {{1}}! Here is a code for {{2}} off your first order.",
            &[("1", "Priya"), ("2", "10%")],
            Some("Valid for 30 days"),
            vec![Button::CopyCode {
                example: "WELCOME10".into(),
            }],
        ),
        entry(
            "event_invitation",
            "Event invitation",
            "Invite customers to an event and collect answers.",
            Marketing,
            text_header("You're invited", None),
            "Dear {{1}}, join us for {{2}} on {{3}}. Will you be there?",
            &[("1", "Sam"), ("2", "our open evening"), ("3", "12 March")],
            None,
            vec![quick("I'll come"), quick("Can't make it")],
        ),
        entry(
            "order_confirmation",
            "Order confirmation",
            "Confirm an order with its number and total.",
            Utility,
            text_header("Order {{1}} confirmed", Some("#4821")),
            "Thanks, {{1}}. We have your order {{2}} for {{3}} and will tell you as soon as it ships.",
            &[("1", "Lena"), ("2", "#4821"), ("3", "$54.90")],
            None,
            vec![],
        ),
        entry(
            "shipping_update",
            "Shipping update",
            "Tell a customer their parcel is on the way, with tracking.",
            Utility,
            Header::None,
            "Good news, {{1}}: order {{2}} has left our warehouse and should arrive by {{3}}.",
            &[("1", "Omar"), ("2", "#4821"), ("3", "Friday")],
            None,
            vec![Button::Url {
                text: "Track parcel".into(),
                url: "https://track.example.com/p/{{1}}".into(),
                example: Some("4821".into()),
            }],
        ),
        entry(
            "appointment_reminder",
            "Appointment reminder",
            "Remind someone of a booking and let them confirm or move it.",
            Utility,
            text_header("Reminder", None),
            "Hi {{1}}, this is a reminder of your appointment with {{2}} on {{3}}.",
            &[("1", "Grace"), ("2", "Dr Patel"), ("3", "Tuesday at 10:30")],
            None,
            vec![quick("Confirm"), quick("Reschedule")],
        ),
        entry(
            "payment_due",
            "Payment due",
            "A polite note that an invoice is due soon.",
            Utility,
            Header::Document { media_id: None },
            "Hello {{1}}, invoice {{2}} for {{3}} is due on {{4}}. The invoice is attached.",
            &[("1", "Ana"), ("2", "INV-0192"), ("3", "$120.00"), ("4", "1 April")],
            None,
            vec![Button::PhoneNumber {
                text: "Call billing".into(),
                phone: "+14155550100".into(),
            }],
        ),
        entry(
            "support_ticket_update",
            "Support ticket update",
            "Let a customer know their request moved on.",
            Utility,
            Header::None,
            "Hi {{1}}, your request {{2}} is now {{3}}. Reply here if anything is still unclear.",
            &[("1", "Chris"), ("2", "#311"), ("3", "resolved")],
            None,
            vec![],
        ),
        entry(
            "delivery_location",
            "Pick-up point",
            "Share where to collect an order.",
            Utility,
            Header::Location,
            "Your order {{1}} is ready to collect at the pick-up point shown above, open until {{2}}.",
            &[("1", "#4821"), ("2", "6 pm")],
            None,
            vec![],
        ),
        entry(
            "verification_code",
            "Verification code",
            "A one-time code to confirm a sign-in.",
            Authentication,
            Header::None,
            "Your verification code is {{1}}. Do not share it with anyone.",
            &[("1", "482910")],
            Some("The code expires in 10 minutes"),
            vec![Button::CopyCode {
                example: "482910".into(),
            }],
        ),
        entry(
            "password_reset_code",
            "Password reset code",
            "A code to confirm a password change.",
            Authentication,
            Header::None,
            "Use {{1}} to reset your password. If you didn't ask for this, ignore this message.",
            &[("1", "730155")],
            None,
            vec![Button::CopyCode {
                example: "730155".into(),
            }],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::check_template;

    #[test]
    fn every_builtin_template_passes_metas_rules() {
        let all = builtin();
        assert!(all.len() >= 12);
        for e in &all {
            let mut errors = check_template(&e.content).into_map();
            // Media headers need a sample picked from the gallery first.
            if e.content.header.media_kind().is_some() {
                assert!(errors.remove("header.media_id").is_some(), "{}", e.key);
            }
            assert!(errors.is_empty(), "{}: {:?}", e.key, errors);
        }
        for category in [
            Category::Marketing,
            Category::Utility,
            Category::Authentication,
        ] {
            assert!(all.iter().any(|e| e.content.category == category));
        }
        let mut keys: Vec<_> = all.iter().map(|e| e.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), all.len(), "keys are unique");
    }
}
