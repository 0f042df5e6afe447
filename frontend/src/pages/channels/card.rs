//! One channel's expandable card: credentials form, checks, draft, webhook
//! details, tokens, on/off and delete.

use std::collections::BTreeMap;

use contract::channels::UpdateChannelRequest;
use contract::channels::{Channel, CredentialsRequest, ProviderField, ProviderInfo};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use uuid::Uuid;

use super::dialogs::TokenDialog;
use super::guide::SetupGuide;
use super::session::SessionBehaviourSection;
use super::{field_label, provider_label, speaks_graph, status_badge};
use crate::api::{ApiError, Authed, FieldErrors};
use crate::components::form::TextField;
use crate::components::misc::{copy_text, format_time, ErrorBanner};
use crate::components::modal::ConfirmDialog;
use crate::i18n::{lookup, t, tf};
use crate::state::{me_state, toasts, Toasts};

/// What a card shows over the page.
#[derive(Debug, Clone, PartialEq)]
enum CardDialog {
    None,
    ConfirmDelete,
    ConfirmRegenerate,
    ApiToken(String),
    VerifyToken(String),
}

/// One input of the credentials form.
#[derive(Debug, Clone)]
struct Input {
    spec: ProviderField,
    value: RwSignal<String>,
    /// What the form was loaded with, so only real changes are sent.
    baseline: RwSignal<String>,
}

/// The provider's refusal as a sentence: its code and message.
fn provider_error(code: Option<&str>, message: Option<&str>) -> String {
    match (code, message) {
        (Some(c), Some(m)) => tf(
            "channels.error.code_message",
            &[("code", c), ("message", m)],
        ),
        (Some(c), None) => tf("channels.error.code_only", &[("code", c)]),
        (None, Some(m)) => m.to_string(),
        (None, None) => t("channels.error.no_detail"),
    }
}

fn is_code(e: &ApiError, code: &str) -> bool {
    matches!(e, ApiError::Problem(p) if p.code == code)
}

/// The detail a `provider_rejected` problem carries.
fn problem_detail(e: &ApiError) -> String {
    match e {
        ApiError::Problem(p) => p
            .detail
            .clone()
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| p.title.clone()),
        other => other.message(),
    }
}

/// One card's state, shared by its parts.
#[derive(Clone, Copy)]
struct CardState {
    api: Authed,
    toasts: Toasts,
    id: Uuid,
    channel: RwSignal<Channel>,
    can_edit: Memo<bool>,
    can_delete: Memo<bool>,
    read_only: Signal<bool>,
    /// Whether the provider speaks the Graph API (subscriptions, verify tokens).
    graph: bool,
    errors: RwSignal<FieldErrors>,
    banner: RwSignal<Option<String>>,
    /// The provider's answer to the last check made from this card.
    rejection: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    dialog: RwSignal<CardDialog>,
    copied: RwSignal<bool>,
    inputs: StoredValue<Vec<Input>>,
    on_removed: Callback<Uuid>,
}

impl CardState {
    /// The id's first eight hex digits, for element ids.
    fn short(self) -> String {
        self.id.simple().to_string()[..8].to_string()
    }

    /// Loads the published values into the form.
    fn reset_form(self, fields: &BTreeMap<String, String>) {
        self.inputs.with_value(|list| {
            for input in list {
                let v = fields.get(&input.spec.key).cloned().unwrap_or_default();
                input.value.set(v.clone());
                input.baseline.set(v);
            }
        });
    }

    /// Only the fields the person changed; the rest keep their stored values.
    fn changes(self) -> CredentialsRequest {
        CredentialsRequest {
            fields: self.inputs.with_value(|list| {
                list.iter()
                    .filter(|i| i.value.get_untracked() != i.baseline.get_untracked())
                    .map(|i| {
                        (
                            i.spec.key.clone(),
                            Some(i.value.get_untracked().trim().to_string()),
                        )
                    })
                    .collect()
            }),
        }
    }

    /// Marks the card busy; false when it already is.
    fn start(self) -> bool {
        if self.busy.get_untracked() {
            return false;
        }
        self.busy.set(true);
        self.banner.set(None);
        true
    }

    /// Errors that are not the provider's refusal.
    fn show_error(self, e: ApiError) {
        let per_field = e.field_errors();
        if per_field.is_empty() {
            self.banner.set(Some(e.message()));
        } else {
            self.errors.set(per_field);
            self.banner.set(Some(t("channels.fix_fields")));
        }
    }

    /// Re-reads the channel after a refusal: the server may have marked it invalid.
    fn refetch(self) {
        let (api, id, channel) = (self.api, self.id, self.channel);
        spawn_local(async move {
            if let Ok(c) = api.channel(id).await {
                channel.set(c);
            }
        });
    }

    fn validate(self, ev: SubmitEvent) {
        ev.prevent_default();
        if self.read_only.get_untracked() || !self.start() {
            return;
        }
        self.errors.set(FieldErrors::new());
        self.rejection.set(None);
        let req = self.changes();
        spawn_local(async move {
            let result = self.api.validate_channel(self.id, &req).await;
            self.busy.set(false);
            match result {
                Ok(c) => {
                    self.reset_form(&c.fields);
                    self.toasts
                        .success(tf("channels.validated", &[("name", &c.name)]));
                    self.channel.set(c);
                }
                Err(e) if is_code(&e, "provider_rejected") => {
                    self.rejection.set(Some(problem_detail(&e)));
                    self.refetch();
                }
                Err(e) => self.show_error(e),
            }
        });
    }

    fn subscribe(self) {
        if !self.start() {
            return;
        }
        spawn_local(async move {
            let result = self.api.subscribe_channel(self.id).await;
            self.busy.set(false);
            match result {
                Ok(c) => {
                    self.toasts
                        .success(tf("channels.subscribed_done", &[("name", &c.name)]));
                    self.channel.set(c);
                }
                Err(e) if is_code(&e, "provider_rejected") => {
                    self.rejection.set(Some(problem_detail(&e)));
                    self.refetch();
                }
                Err(e) => self.show_error(e),
            }
        });
    }

    fn save_draft(self) {
        if self.read_only.get_untracked() || !self.start() {
            return;
        }
        self.errors.set(FieldErrors::new());
        let req = self.changes();
        spawn_local(async move {
            let result = self.api.save_channel_draft(self.id, &req).await;
            self.busy.set(false);
            match result {
                Ok(c) => {
                    self.reset_form(&c.fields);
                    self.toasts.success(t("channels.draft.saved"));
                    self.channel.set(c);
                }
                Err(e) => self.show_error(e),
            }
        });
    }

    fn check_draft(self) {
        if !self.start() {
            return;
        }
        spawn_local(async move {
            let result = self.api.check_channel_draft(self.id).await;
            self.busy.set(false);
            match result {
                Ok(c) => {
                    let good = c.draft.as_ref().is_some_and(|d| d.status == "good");
                    if good {
                        self.toasts.success(t("channels.draft.checked_good"));
                    }
                    self.channel.set(c);
                }
                Err(e) if is_code(&e, "provider_rejected") => {
                    self.banner.set(Some(problem_detail(&e)));
                    self.refetch();
                }
                Err(e) => self.show_error(e),
            }
        });
    }

    fn publish_draft(self) {
        if !self.start() {
            return;
        }
        spawn_local(async move {
            let result = self.api.publish_channel_draft(self.id).await;
            self.busy.set(false);
            match result {
                Ok(c) => {
                    self.reset_form(&c.fields);
                    self.rejection.set(None);
                    self.toasts.success(t("channels.draft.published"));
                    self.channel.set(c);
                }
                Err(e) => self.show_error(e),
            }
        });
    }

    fn discard_draft(self) {
        if !self.start() {
            return;
        }
        spawn_local(async move {
            let result = self.api.discard_channel_draft(self.id).await;
            self.busy.set(false);
            match result {
                Ok(c) => {
                    self.toasts.info(t("channels.draft.discarded"));
                    self.channel.set(c);
                }
                Err(e) => self.show_error(e),
            }
        });
    }

    fn generate_api_token(self) {
        if !self.start() {
            return;
        }
        spawn_local(async move {
            let result = self.api.channel_api_token(self.id).await;
            self.busy.set(false);
            match result {
                Ok(tok) => {
                    self.channel.update(|c| {
                        c.api_token_set = true;
                        c.api_token_created_at = Some(tok.created_at);
                    });
                    self.dialog.set(CardDialog::ApiToken(tok.token));
                }
                Err(e) => {
                    self.dialog.set(CardDialog::None);
                    self.show_error(e);
                }
            }
        });
    }

    fn generate_verify_token(self) {
        if !self.start() {
            return;
        }
        spawn_local(async move {
            let result = self.api.channel_verify_token(self.id).await;
            self.busy.set(false);
            match result {
                Ok(tok) => {
                    self.dialog.set(CardDialog::VerifyToken(tok.token));
                    // The form shows the new token's mask from now on.
                    if let Ok(c) = self.api.channel(self.id).await {
                        let mask = c.fields.get("verify_token").cloned().unwrap_or_default();
                        self.inputs.with_value(|list| {
                            for i in list.iter().filter(|i| i.spec.key == "verify_token") {
                                if i.value.get_untracked() == i.baseline.get_untracked() {
                                    i.value.set(mask.clone());
                                }
                                i.baseline.set(mask.clone());
                            }
                        });
                        self.channel.set(c);
                    }
                }
                Err(e) => self.show_error(e),
            }
        });
    }

    fn set_active(self, active: bool) {
        if !self.start() {
            return;
        }
        spawn_local(async move {
            let req = UpdateChannelRequest {
                name: None,
                active: Some(active),
            };
            let result = self.api.update_channel(self.id, &req).await;
            self.busy.set(false);
            match result {
                Ok(c) => {
                    let key = if c.active {
                        "channels.activated"
                    } else {
                        "channels.deactivated"
                    };
                    self.toasts.success(tf(key, &[("name", &c.name)]));
                    self.channel.set(c);
                }
                Err(e) => {
                    // Put the switch back where the server has it.
                    self.channel.update(|_| {});
                    self.toasts.error(e.message());
                }
            }
        });
    }

    fn delete(self) {
        if !self.start() {
            return;
        }
        spawn_local(async move {
            let result = self.api.delete_channel(self.id).await;
            self.busy.set(false);
            match result {
                Ok(()) => {
                    let name = self.channel.with_untracked(|c| c.name.clone());
                    self.toasts
                        .success(tf("channels.deleted", &[("name", &name)]));
                    self.dialog.set(CardDialog::None);
                    self.on_removed.run(self.id);
                }
                Err(e) => {
                    self.dialog.set(CardDialog::None);
                    self.toasts.error(e.message());
                }
            }
        });
    }

    fn copy_callback(self) {
        let url = self.channel.with_untracked(|c| c.callback_url.clone());
        spawn_local(async move {
            if copy_text(&url).await {
                self.copied.set(true);
            } else {
                self.toasts.error(t("common.copy_failed"));
            }
        });
    }
}

#[component]
pub fn ChannelCard(
    channel: RwSignal<Channel>,
    initially_open: bool,
    providers: RwSignal<Vec<ProviderInfo>>,
    #[prop(into)] on_removed: Callback<Uuid>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let can_edit = Memo::new(move |_| me.can("channels.edit"));
    let can_delete = Memo::new(move |_| me.can("channels.delete"));
    let read_only = Signal::derive(move || !can_edit.get());

    let (id, provider) = channel.with_untracked(|c| (c.id, c.provider.clone()));
    let graph = speaks_graph(&provider);
    let short = id.simple().to_string()[..8].to_string();
    let body_id = format!("channel-body-{short}");

    let open = RwSignal::new(initially_open);

    let specs: Vec<ProviderField> = providers.with_untracked(|list| {
        list.iter()
            .find(|p| p.provider == provider)
            .map(|p| p.fields.clone())
            .unwrap_or_default()
    });
    let inputs = StoredValue::new(channel.with_untracked(|c| {
        specs
            .iter()
            .map(|spec| {
                let v = c.fields.get(&spec.key).cloned().unwrap_or_default();
                Input {
                    spec: spec.clone(),
                    value: RwSignal::new(v.clone()),
                    baseline: RwSignal::new(v),
                }
            })
            .collect::<Vec<_>>()
    }));

    let card = CardState {
        api,
        toasts,
        id,
        channel,
        can_edit,
        can_delete,
        read_only,
        graph,
        errors: RwSignal::new(FieldErrors::new()),
        banner: RwSignal::new(None),
        rejection: RwSignal::new(None),
        busy: RwSignal::new(false),
        dialog: RwSignal::new(CardDialog::None),
        copied: RwSignal::new(false),
        inputs,
        on_removed,
    };
    let CardState { banner, .. } = card;
    let validate = move |ev: SubmitEvent| card.validate(ev);

    let body = {
        let body_id = body_id.clone();
        let provider = provider.clone();
        move || {
            open.get().then(|| {
                view! {
                    <div class="channel-body" id=body_id.clone()>
                        <StatusLine card=card />
                        <ProblemBanner card=card />
                        <SubscribeCallout card=card />
                        <ErrorBanner message=banner />
                        <section class="channel-section">
                            <h3 class="section-title">{t("channels.credentials")}</h3>
                            <p class="field-hint">{t("channels.secret_note")}</p>
                            <form class="form" on:submit=validate novalidate=true data-testid="credentials-form">
                                <div class="grid-2"><CredentialFields card=card /></div>
                                <SetupGuide provider=provider.clone() />
                                <CredentialActions card=card />
                            </form>
                        </section>
                        <DraftSection card=card />
                        <SessionBehaviourSection channel_id=id can_edit=can_edit />
                        <div class="grid-2 channel-extras">
                            <WebhookSection card=card />
                            <ApiTokenSection card=card />
                        </div>
                        <CardFooter card=card />
                    </div>
                }
            })
        }
    };
    let name = move || channel.with(|c| c.name.clone());
    let status = move || channel.with(|c| c.status.clone());

    view! {
        <article
            class="card channel-card"
            id=id.to_string()
            class:open=move || open.get()
            data-testid="channel-card"
            data-channel=name
            data-status=status
        >
            <CardHead card=card provider=provider open=open body_id=body_id />
            {body}
        </article>
        <CardDialogs card=card />
    }
}

/// The card's always-visible head: the toggle with icon, name, the
/// provider line and the badges.
#[component]
fn CardHead(
    card: CardState,
    provider: String,
    open: RwSignal<bool>,
    body_id: String,
) -> impl IntoView {
    let CardState { channel, graph, .. } = card;
    let name = move || channel.with(|c| c.name.clone());
    let status = move || channel.with(|c| c.status.clone());
    let status_view = move || {
        let (tone, text) = status_badge(&status());
        view! {
            <span class=format!("badge badge-{tone}") data-testid="channel-status">
                {text}
            </span>
        }
    };
    let subscribed_view = move || {
        graph.then(|| {
            let yes = channel.with(|c| c.subscribed == Some(true));
            let (tone, text) = if yes {
                ("success", t("channels.subscribed"))
            } else {
                ("neutral", t("channels.unsubscribed"))
            };
            view! {
                <span class=format!("badge badge-{tone}") data-testid="channel-subscribed">
                    {text}
                </span>
            }
        })
    };
    let inactive_view = move || {
        (!channel.with(|c| c.active)).then(|| {
            view! { <span class="badge badge-neutral">{t("channels.inactive")}</span> }
        })
    };
    let sub_line = {
        let label = provider_label(&provider);
        move || {
            let number = channel.with(|c| {
                c.fields
                    .get("phone_number_id")
                    .or_else(|| c.fields.get("sender"))
                    .or_else(|| c.fields.get("messaging_service_sid"))
                    .cloned()
            });
            match number {
                Some(n) => format!("{label} · {n}"),
                None => label.clone(),
            }
        }
    };
    let icon = match provider.as_str() {
        "twilio" => icondata::LuPhone,
        "sandbox" => icondata::LuFlaskConical,
        _ => icondata::LuMessageCircle,
    };

    view! {
            <button
                type="button"
                class="channel-head"
                data-testid="channel-toggle"
                aria-expanded=move || open.get().to_string()
                aria-controls=body_id
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="channel-chevron" aria-hidden="true">
                    <Icon icon=icondata::LuChevronRight width="18" height="18" />
                </span>
                <span class="channel-icon" aria-hidden="true">
                    <Icon icon=icon width="18" height="18" />
                </span>
                <span class="channel-title">
                    <span class="channel-name" data-testid="channel-name">{name}</span>
                    <span class="channel-sub">{sub_line}</span>
                </span>
                <span class="channel-badges">
                    {inactive_view}
                    {status_view}
                    {subscribed_view}
                </span>
            </button>
    }
}

/// The provider's refusal: of the last attempt, or the one the channel is saved with.
#[component]
fn ProblemBanner(card: CardState) -> impl IntoView {
    let CardState {
        channel, rejection, ..
    } = card;
    let problem_view = move || {
        let shown = rejection
            .get()
            .map(|text| (t("channels.error.title_attempt"), text))
            .or_else(|| {
                channel.with(|c| {
                    (c.status == "invalid").then(|| {
                        let text =
                            provider_error(c.status_code.as_deref(), c.status_message.as_deref());
                        (t("channels.error.title_saved"), text)
                    })
                })
            });
        shown.map(|(title, text)| {
            view! {
                <div class="banner banner-error channel-problem" role="alert" data-testid="provider-error">
                    <Icon icon=icondata::LuCircleAlert />
                    <div>
                        <strong>{title}</strong>
                        <p>{text}</p>
                    </div>
                </div>
            }
        })
    };
    problem_view
}

/// When the channel was last checked, its quality rating and what it lacks.
#[component]
fn StatusLine(card: CardState) -> impl IntoView {
    let CardState { channel, .. } = card;
    let status_line = move || {
        channel.with(|c| {
            let checked = c
                .checked_at
                .as_ref()
                .map(|at| tf("channels.checked_at", &[("time", &format_time(at))]))
                .unwrap_or_else(|| t("channels.never_checked"));
            let missing = (!c.missing.is_empty()).then(|| {
                let names: Vec<String> = c.missing.iter().map(|k| field_label(k)).collect();
                tf("channels.missing", &[("fields", &names.join(", "))])
            });
            let quality = c.quality_rating.clone();
            view! {
                <div class="channel-meta">
                    <span>{checked}</span>
                    {quality
                        .map(|q| {
                            view! {
                                <span>{tf("channels.quality", &[("rating", &q)])}</span>
                            }
                        })}
                    {missing.map(|m| view! { <span class="channel-missing">{m}</span> })}
                </div>
            }
        })
    };
    status_line
}

/// The nudge to subscribe the app once a Graph channel checks out.
#[component]
fn SubscribeCallout(card: CardState) -> impl IntoView {
    let CardState {
        channel,
        graph,
        can_edit,
        busy,
        ..
    } = card;
    let subscribe = move |_| card.subscribe();
    move || {
        let show = graph
            && channel.with(|c| c.status == "good" && c.subscribed != Some(true))
            && can_edit.get();
        show.then(|| {
            view! {
                <div class="callout" data-testid="subscribe-callout">
                    <Icon icon=icondata::LuBellRing />
                    <p>{t("channels.subscribe_hint")}</p>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="subscribe"
                        disabled=move || busy.get()
                        on:click=subscribe
                    >
                        {t("channels.subscribe")}
                    </button>
                </div>
            }
        })
    }
}

/// The credentials form's inputs, one per provider field.
#[component]
fn CredentialFields(card: CardState) -> impl IntoView {
    let CardState {
        errors,
        read_only,
        inputs,
        ..
    } = card;
    let short = card.short();
    let fields_view = {
        let short = short.clone();
        move || {
            inputs.with_value(|list| {
                list.iter()
                    .map(|input| {
                        let key = input.spec.key.clone();
                        let field_id = format!("ch-{short}-{key}");
                        let hint = lookup(&format!("channels.hint.{key}")).unwrap_or_default();
                        let placeholder =
                            lookup(&format!("channels.placeholder.{key}")).unwrap_or_default();
                        view! {
                            <TextField
                                id=field_id
                                field=key.clone()
                                label=field_label(&key)
                                value=input.value
                                errors=errors
                                kind=if input.spec.secret { "password" } else { "text" }
                                autocomplete="off"
                                hint=hint
                                placeholder=placeholder
                                required=input.spec.required
                                disabled=read_only
                            />
                        }
                    })
                    .collect_view()
            })
        }
    };
    fields_view
}

/// The credentials form's buttons: save as draft and validate.
#[component]
fn CredentialActions(card: CardState) -> impl IntoView {
    let CardState {
        channel,
        can_edit,
        busy,
        ..
    } = card;
    let save_draft = move |_| card.save_draft();
    move || {
        can_edit.get().then(|| {
            let has_draft = channel.with(|c| c.draft.is_some());
            view! {
                {has_draft.then(|| view! { <p class="field-hint">{t("channels.draft.adds_to")}</p> })}
                <div class="form-actions">
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="save-draft"
                        disabled=move || busy.get()
                        on:click=save_draft
                    >
                        <Icon icon=icondata::LuFilePen />
                        <span>{t("channels.draft.save")}</span>
                    </button>
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="validate"
                        disabled=move || busy.get()
                    >
                        <Icon icon=icondata::LuShieldCheck />
                        <span>{t("channels.validate")}</span>
                    </button>
                </div>
            }
        })
    }
}

/// The saved draft: what it changes, its check, and discard / check / publish.
#[component]
fn DraftSection(card: CardState) -> impl IntoView {
    let CardState {
        channel,
        can_edit,
        busy,
        inputs,
        ..
    } = card;
    let discard_draft = move |_| card.discard_draft();
    let check_draft = move |_| card.check_draft();
    let publish_draft = move |_| card.publish_draft();
    let draft_view = move || {
        let draft = channel.with(|c| c.draft.clone())?;
        let published = channel.with(|c| c.fields.clone());
        let (tone, text) = status_badge(&draft.status);
        let problem = (draft.status == "invalid").then(|| {
            provider_error(
                draft.status_code.as_deref(),
                draft.status_message.as_deref(),
            )
        });
        let missing = (!draft.missing.is_empty()).then(|| {
            let names: Vec<String> = draft.missing.iter().map(|k| field_label(k)).collect();
            tf("channels.missing", &[("fields", &names.join(", "))])
        });
        let good = draft.status == "good";
        let rows = inputs.with_value(|list| {
            list.iter()
                .map(|i| {
                    let key = &i.spec.key;
                    let value = draft.fields.get(key).cloned();
                    let changed = value != published.get(key).cloned();
                    view! {
                        <div class="kv-row" class:changed=changed>
                            <dt>{field_label(key)}</dt>
                            <dd class="mono">{value.unwrap_or_else(|| "—".into())}</dd>
                        </div>
                    }
                })
                .collect_view()
        });
        Some(view! {
            <section class="channel-section draft" data-testid="draft-section">
                <div class="section-head">
                    <h3 class="section-title">{t("channels.draft.title")}</h3>
                    <span class=format!("badge badge-{tone}") data-testid="draft-status">{text}</span>
                </div>
                <p class="field-hint">{t("channels.draft.explain")}</p>
                {problem
                    .map(|p| {
                        view! {
                            <div class="banner banner-error" role="alert" data-testid="draft-error">
                                <Icon icon=icondata::LuCircleAlert />
                                <span>{p}</span>
                            </div>
                        }
                    })}
                {missing.map(|m| view! { <p class="channel-missing">{m}</p> })}
                <dl class="kv">{rows}</dl>
                {move || {
                    can_edit
                        .get()
                        .then(|| {
                            view! {
                                <div class="form-actions">
                                    <button
                                        type="button"
                                        class="btn btn-danger-outline"
                                        data-testid="discard-draft"
                                        disabled=move || busy.get()
                                        on:click=discard_draft
                                    >
                                        {t("channels.draft.discard")}
                                    </button>
                                    <button
                                        type="button"
                                        class="btn btn-secondary"
                                        data-testid="check-draft"
                                        disabled=move || busy.get()
                                        on:click=check_draft
                                    >
                                        {t("channels.draft.check")}
                                    </button>
                                    <button
                                        type="button"
                                        class="btn btn-primary"
                                        data-testid="publish-draft"
                                        title=(!good).then(|| t("channels.draft.check_first"))
                                        disabled=move || busy.get() || !good
                                        on:click=publish_draft
                                    >
                                        {t("channels.draft.publish")}
                                    </button>
                                </div>
                            }
                        })
                }}
            </section>
        })
    };
    draft_view
}

/// The channel's API token: whether one is set, and generating or regenerating it.
#[component]
fn ApiTokenSection(card: CardState) -> impl IntoView {
    let CardState {
        channel,
        can_edit,
        busy,
        dialog,
        ..
    } = card;
    let generate_api_token = move || card.generate_api_token();
    move || {
        let (set, at) = channel.with(|c| (c.api_token_set, c.api_token_created_at));
        let state = match (set, at) {
            (true, Some(at)) => tf("channels.api_token.created", &[("time", &format_time(&at))]),
            (true, None) => t("channels.api_token.set"),
            _ => t("channels.api_token.none"),
        };
        view! {
            <section class="channel-section">
                <h3 class="section-title">{t("channels.api_token.title")}</h3>
                <p class="field-hint">{t("channels.api_token.explain")}</p>
                <div class="token-row">
                    <span class="token-state" data-testid="api-token-state">
                        <Icon icon=if set { icondata::LuKeyRound } else { icondata::LuKey } />
                        {state}
                    </span>
                    {move || {
                        can_edit
                            .get()
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        class="btn btn-secondary btn-sm"
                                        data-testid="generate-api-token"
                                        disabled=move || busy.get()
                                        on:click=move |_| {
                                            if set {
                                                dialog.set(CardDialog::ConfirmRegenerate);
                                            } else {
                                                generate_api_token();
                                            }
                                        }
                                    >
                                        {if set {
                                            t("channels.api_token.regenerate")
                                        } else {
                                            t("channels.api_token.generate")
                                        }}
                                    </button>
                                }
                            })
                    }}
                </div>
            </section>
        }
    }
}

/// The webhook details: the callback URL to copy and, for Graph, the verify token.
#[component]
fn WebhookSection(card: CardState) -> impl IntoView {
    let CardState {
        channel,
        graph,
        can_edit,
        busy,
        copied,
        ..
    } = card;
    let short = card.short();
    let copy_callback = move |_| card.copy_callback();
    let generate_verify_token = move |_| card.generate_verify_token();
    let webhook_view = {
        let short = short.clone();
        move || {
            let url_id = format!("ch-{short}-callback");
            view! {
                <section class="channel-section">
                    <h3 class="section-title">{t("channels.webhook.title")}</h3>
                    <p class="field-hint">
                        {if graph { t("channels.webhook.explain_meta") } else { t("channels.webhook.explain_twilio") }}
                    </p>
                    <label class="label" for=url_id.clone()>{t("channels.webhook.callback_url")}</label>
                    <div class="copy-row">
                        <input
                            id=url_id
                            type="text"
                            readonly=true
                            class="mono"
                            data-testid="callback-url"
                            prop:value=move || channel.with(|c| c.callback_url.clone())
                        />
                        <button type="button" class="btn btn-secondary" data-testid="copy-callback" on:click=copy_callback>
                            <Icon icon=icondata::LuCopy />
                            <span>{move || if copied.get() { t("common.copied") } else { t("common.copy") }}</span>
                        </button>
                    </div>
                    {(graph)
                        .then(|| {
                            view! {
                                <div class="token-row">
                                    <span class="field-hint">{t("channels.webhook.verify_explain")}</span>
                                    {move || {
                                        can_edit
                                            .get()
                                            .then(|| {
                                                view! {
                                                    <button
                                                        type="button"
                                                        class="btn btn-secondary btn-sm"
                                                        data-testid="generate-verify-token"
                                                        disabled=move || busy.get()
                                                        on:click=generate_verify_token
                                                    >
                                                        {t("channels.webhook.generate_verify")}
                                                    </button>
                                                }
                                            })
                                    }}
                                </div>
                            }
                        })}
                </section>
            }
        }
    };
    webhook_view
}

/// The danger zone: the on/off switch and delete.
#[component]
fn CardFooter(card: CardState) -> impl IntoView {
    let CardState {
        channel,
        can_edit,
        can_delete,
        busy,
        dialog,
        ..
    } = card;
    let short = card.short();
    let set_active = move |active: bool| card.set_active(active);
    let footer_view = {
        let short = short.clone();
        move || {
            let active_id = format!("ch-{short}-active");
            view! {
                <div class="channel-foot">
                    <div class="toggle-row">
                        <div class="toggle-text">
                            <label for=active_id.clone()>{t("channels.active")}</label>
                            <p class="field-hint">{t("channels.active_hint")}</p>
                        </div>
                        <input
                            id=active_id
                            type="checkbox"
                            role="switch"
                            class="switch"
                            data-testid="channel-active"
                            disabled=move || busy.get() || !can_edit.get()
                            prop:checked=move || channel.with(|c| c.active)
                            on:change=move |ev| set_active(event_target_checked(&ev))
                        />
                    </div>
                    {move || {
                        can_delete
                            .get()
                            .then(|| {
                                view! {
                                    <button
                                        type="button"
                                        class="btn btn-danger-outline btn-sm"
                                        data-testid="delete-channel"
                                        on:click=move |_| dialog.set(CardDialog::ConfirmDelete)
                                    >
                                        <Icon icon=icondata::LuTrash2 />
                                        <span>{t("channels.delete")}</span>
                                    </button>
                                }
                            })
                    }}
                </div>
            }
        }
    };
    footer_view
}

/// What the card shows over the page: confirmations and new tokens.
#[component]
fn CardDialogs(card: CardState) -> impl IntoView {
    let CardState {
        channel,
        busy,
        dialog,
        ..
    } = card;
    let delete = Callback::new(move |()| card.delete());
    let generate_api_token = move || card.generate_api_token();
    move || match dialog.get() {
        CardDialog::None => ().into_any(),
        CardDialog::ConfirmDelete => {
            let name = channel.with_untracked(|c| c.name.clone());
            view! {
                <ConfirmDialog
                    title=t("channels.delete_title")
                    body=tf("channels.delete_body", &[("name", &name)])
                    confirm_label=t("channels.delete")
                    busy=busy
                    on_confirm=delete
                    on_close=move |()| dialog.set(CardDialog::None)
                />
            }
            .into_any()
        }
        CardDialog::ConfirmRegenerate => view! {
            <ConfirmDialog
                title=t("channels.api_token.regenerate_title")
                body=t("channels.api_token.regenerate_body")
                confirm_label=t("channels.api_token.regenerate")
                busy=busy
                on_confirm=move |()| generate_api_token()
                on_close=move |()| dialog.set(CardDialog::None)
            />
        }
        .into_any(),
        CardDialog::ApiToken(token) => view! {
            <TokenDialog
                title=t("channels.api_token.dialog_title")
                intro=t("channels.api_token.dialog_intro")
                token=token
                on_close=move |()| dialog.set(CardDialog::None)
            />
        }
        .into_any(),
        CardDialog::VerifyToken(token) => view! {
            <TokenDialog
                title=t("channels.webhook.dialog_title")
                intro=t("channels.webhook.dialog_intro")
                token=token
                on_close=move |()| dialog.set(CardDialog::None)
            />
        }
        .into_any(),
    }
}
