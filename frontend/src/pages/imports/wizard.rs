//! `/contacts/import`: the import wizard. Upload a CSV or .xlsx file, look at
//! its first rows, map its columns to contact fields, choose the options,
//! follow the progress and read the result. `?id=<import>` reopens the
//! progress or result of an import already started.

use contract::contacts::{
    AttributeDefinition, AttributeRequest, ContactGroup, ContactImport, ImportPreview,
    StartImportRequest, Tag,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_icons::Icon;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use super::{gated, grouped, in_progress, rows_label, save_download, state_badge, MAX_BYTES};
use crate::api::{ApiError, Authed, FieldErrors};
use crate::components::form::{SelectField, TextField};
use crate::components::misc::{Badge, ErrorBanner, Loading, PageHeader};
use crate::i18n::{t, tc, tf};
use crate::pages::contacts::TagPicker;
use crate::state::{me_state, toasts};

/// How often the progress is asked for while an import runs.
const POLL_MS: i32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Upload,
    Preview,
    Mapping,
    Options,
    Progress,
    Result,
}

impl Step {
    const ALL: [Step; 6] = [
        Step::Upload,
        Step::Preview,
        Step::Mapping,
        Step::Options,
        Step::Progress,
        Step::Result,
    ];

    fn key(self) -> &'static str {
        match self {
            Step::Upload => "upload",
            Step::Preview => "preview",
            Step::Mapping => "mapping",
            Step::Options => "options",
            Step::Progress => "progress",
            Step::Result => "result",
        }
    }
}

/// The fields a column can fill, besides `attr:<key>`.
const TARGETS: [&str; 8] = [
    "ignore",
    "name",
    "phone",
    "email",
    "tags",
    "source",
    "opt_in",
    "first_message_tag",
];

/// A header lower-cased, with `-`, `_` and runs of spaces as one space.
fn normalise(header: &str) -> String {
    header
        .trim()
        .to_lowercase()
        .replace(['-', '_', '.'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The field a header most likely means, without attributes.
fn guess_field(header: &str) -> Option<&'static str> {
    let h = normalise(header);
    let target = match h.as_str() {
        "name" | "full name" | "fullname" | "contact name" | "contact" | "customer name"
        | "customer" => "name",
        "phone" | "mobile" | "number" | "whatsapp" | "phone number" | "mobile number"
        | "whatsapp number" | "cell" | "telephone" | "tel" | "msisdn" | "mobile phone"
        | "phone no" | "mobile no" => "phone",
        "email" | "e mail" | "email address" | "mail" => "email",
        "tags" | "tag" | "labels" | "label" => "tags",
        "source" => "source",
        "opt in" | "optin" | "opted in" | "consent" | "opt in status" => "opt_in",
        "first message tag" => "first_message_tag",
        _ => return None,
    };
    Some(target)
}

/// A first guess of the mapping: known field names, then attribute keys
/// matching the lower-cased header; every target at most once, the rest
/// ignored.
pub fn guess_mapping(headers: &[String], attribute_keys: &[String]) -> Vec<String> {
    let mut used: Vec<String> = Vec::new();
    headers
        .iter()
        .map(|header| {
            let snake = normalise(header).replace(' ', "_");
            let guess = guess_field(header).map(str::to_string).or_else(|| {
                attribute_keys
                    .iter()
                    .find(|k| **k == snake || **k == header.trim().to_lowercase())
                    .map(|k| format!("attr:{k}"))
            });
            match guess {
                Some(g) if !used.contains(&g) => {
                    used.push(g.clone());
                    g
                }
                _ => "ignore".to_string(),
            }
        })
        .collect()
}

/// An attribute key made from a header: `Loyalty level` -> `loyalty_level`.
/// `None` when nothing usable is left.
fn attribute_key(header: &str) -> Option<String> {
    let mut key: String = header
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    while key.contains("__") {
        key = key.replace("__", "_");
    }
    let key = key.trim_matches('_');
    let key = key.trim_start_matches(|c: char| c.is_ascii_digit() || c == '_');
    let key: String = key.chars().take(40).collect();
    (!key.is_empty()).then_some(key)
}

fn target_label(target: &str, attrs: &[AttributeDefinition]) -> String {
    match target.strip_prefix("attr:") {
        Some(key) => {
            let name = attrs
                .iter()
                .find(|a| a.key == key)
                .map_or(key, |a| a.name.as_str());
            tf("imports.target.attr", &[("name", name)])
        }
        None => t(&format!("imports.target.{target}")),
    }
}

/// How many columns go to `target`.
fn count_of(mapping: &[String], target: &str) -> usize {
    mapping.iter().filter(|m| *m == target).count()
}

/// The problem with a mapping the server would refuse, if any.
fn mapping_problem(mapping: &[String]) -> Option<String> {
    let names = count_of(mapping, "name");
    let phones = count_of(mapping, "phone");
    if names != 1 || phones != 1 {
        return Some(t("imports.mapping_needs"));
    }
    None
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// A sentence for a failed upload: the file's own problem (with its line)
/// when the server found one.
fn upload_message(e: &ApiError) -> String {
    match e {
        ApiError::Problem(p) if p.code == "bad_file" => tf(
            "imports.bad_file",
            &[("detail", p.detail.as_deref().unwrap_or(&p.title))],
        ),
        ApiError::Problem(p) if p.status == 413 => tf(
            "imports.too_large",
            &[("detail", p.detail.as_deref().unwrap_or(&p.title))],
        ),
        other => other.message(),
    }
}

fn is_excel(name: &str) -> bool {
    name.to_lowercase().ends_with(".xlsx")
}

#[component]
pub fn ImportWizardPage() -> impl IntoView {
    gated("contacts.create", || view! { <Wizard /> })
}

#[component]
fn Wizard() -> impl IntoView {
    let api = Authed::from_shell();
    let me = me_state();
    let toasts = toasts();
    let query = use_query_map();

    let step = RwSignal::new(Step::Upload);
    let busy = RwSignal::new(false);
    let dragging = RwSignal::new(false);
    let banner = RwSignal::new(None::<String>);
    let errors = RwSignal::new(FieldErrors::new());
    let preview = RwSignal::new(None::<ImportPreview>);
    let mapping = RwSignal::new(Vec::<String>::new());
    let attrs = RwSignal::new(Vec::<AttributeDefinition>::new());
    let tags = RwSignal::new(Vec::<Tag>::new());
    let groups = RwSignal::new(Vec::<ContactGroup>::new());
    let country = RwSignal::new(
        me.me
            .with_untracked(|m| m.as_ref().map(|m| m.tenant.default_country.clone()))
            .unwrap_or_default(),
    );
    let update_existing = RwSignal::new(true);
    let row_tags = RwSignal::new(Vec::<Uuid>::new());
    let group = RwSignal::new(String::new());
    let job = RwSignal::new(None::<ContactImport>);
    let alive = StoredValue::new(true);
    on_cleanup(move || alive.set_value(false));
    let still_here = move || alive.try_get_value().unwrap_or(false);

    // The options' choices.
    spawn_local(async move {
        if let Ok(list) = api.attributes().await {
            attrs.try_set(list);
        }
        if let Ok(list) = api.tags().await {
            tags.try_set(list);
        }
        if let Ok(list) = api.groups().await {
            groups.try_set(list);
        }
    });

    // Follows a started import until it ends.
    let follow = move |id: Uuid| {
        spawn_local(async move {
            while still_here() {
                sleep(POLL_MS).await;
                if !still_here() {
                    break;
                }
                match api.contact_import(id).await {
                    Ok(j) => {
                        let done = !in_progress(&j.state);
                        job.try_set(Some(j));
                        if done {
                            step.try_set(Step::Result);
                            break;
                        }
                    }
                    Err(ApiError::Network(_)) => {}
                    Err(e) => {
                        banner.try_set(Some(e.message()));
                        break;
                    }
                }
            }
        });
    };

    // `?id=` reopens an import already started.
    if let Some(id) = query.with_untracked(|q| q.get("id").and_then(|v| Uuid::parse_str(&v).ok())) {
        busy.set(true);
        spawn_local(async move {
            match api.contact_import(id).await {
                Ok(j) if j.state != "uploaded" => {
                    let running = in_progress(&j.state);
                    job.try_set(Some(j));
                    if running {
                        step.try_set(Step::Progress);
                        follow(id);
                    } else {
                        step.try_set(Step::Result);
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    banner.try_set(Some(e.message()));
                }
            }
            busy.try_set(false);
        });
    }

    let upload = move |file: web_sys::File| {
        let name = file.name();
        banner.set(None);
        if file.size() > MAX_BYTES {
            banner.set(Some(t("imports.file_too_big")));
            return;
        }
        if name.to_lowercase().ends_with(".xls") {
            banner.set(Some(t("imports.old_excel")));
            return;
        }
        let content_type = if is_excel(&name) {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        } else {
            "text/csv"
        };
        busy.set(true);
        spawn_local(async move {
            let body: wasm_bindgen::JsValue = file.into();
            match api.upload_import(&name, content_type, &body).await {
                Ok(p) => {
                    let defs = match api.attributes().await {
                        Ok(list) => list,
                        Err(_) => attrs.get_untracked(),
                    };
                    let keys: Vec<String> = defs.iter().map(|a| a.key.clone()).collect();
                    attrs.try_set(defs);
                    mapping.try_set(guess_mapping(&p.headers, &keys));
                    preview.try_set(Some(p));
                    errors.try_set(FieldErrors::new());
                    step.try_set(Step::Preview);
                }
                Err(e) => {
                    banner.try_set(Some(upload_message(&e)));
                }
            }
            busy.try_set(false);
        });
    };

    let start = move |_| {
        let Some(id) = preview.with_untracked(|p| p.as_ref().map(|p| p.import.id)) else {
            return;
        };
        banner.set(None);
        errors.set(FieldErrors::new());
        let req = StartImportRequest {
            mapping: mapping.get_untracked(),
            default_country: Some(country.get_untracked().trim().to_uppercase())
                .filter(|c| !c.is_empty()),
            update_existing: update_existing.get_untracked(),
            tags: row_tags.get_untracked(),
            group: Uuid::parse_str(&group.get_untracked()).ok(),
        };
        busy.set(true);
        spawn_local(async move {
            match api.start_import(id, &req).await {
                Ok(j) => {
                    job.try_set(Some(j));
                    step.try_set(Step::Progress);
                    follow(id);
                }
                Err(e) => {
                    let fields = e.field_errors();
                    if fields.contains_key("mapping") {
                        step.try_set(Step::Mapping);
                    } else if fields.is_empty() {
                        banner.try_set(Some(e.message()));
                    }
                    errors.try_set(fields);
                }
            }
            busy.try_set(false);
        });
    };

    let cancel = move |_| {
        let Some(id) = job.with_untracked(|j| j.as_ref().map(|j| j.id)) else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match api.cancel_import(id).await {
                Ok(j) => {
                    job.try_set(Some(j));
                    step.try_set(Step::Result);
                }
                // Already finished: the poll brings the result.
                Err(ApiError::Problem(p)) if p.status == 409 => {}
                Err(e) => toasts.error(e.message()),
            }
            busy.try_set(false);
        });
    };

    let restart = move || {
        preview.set(None);
        mapping.set(Vec::new());
        job.set(None);
        banner.set(None);
        errors.set(FieldErrors::new());
        row_tags.set(Vec::new());
        group.set(String::new());
        update_existing.set(true);
        step.set(Step::Upload);
    };

    let body = move || match step.get() {
        Step::Upload => {
            view! { <UploadStep busy=busy dragging=dragging on_file=upload /> }.into_any()
        }
        Step::Preview => {
            view! { <PreviewStep preview=preview step=step restart=restart /> }.into_any()
        }
        Step::Mapping => view! {
            <MappingStep preview=preview mapping=mapping attrs=attrs errors=errors step=step />
        }
        .into_any(),
        Step::Options => view! {
            <OptionsStep
                country=country
                update_existing=update_existing
                tags=tags
                row_tags=row_tags
                groups=groups
                group=group
                errors=errors
                busy=busy
                step=step
                on_start=start
            />
        }
        .into_any(),
        Step::Progress => view! { <ProgressStep job=job busy=busy on_cancel=cancel /> }.into_any(),
        Step::Result => view! { <ResultStep job=job restart=restart /> }.into_any(),
    };

    view! {
        <PageHeader title=t("imports.title") subtitle=t("imports.subtitle")>
            <a class="btn btn-secondary" href="/contacts/imports" data-testid="to-import-history">
                <Icon icon=icondata::LuHistory />
                <span>{t("imports.history_title")}</span>
            </a>
        </PageHeader>
        <a class="back-link" href="/contacts">
            <Icon icon=icondata::LuArrowLeft />
            <span>{t("imports.back_to_contacts")}</span>
        </a>
        <Stepper step=step />
        <ErrorBanner message=banner />
        <section class="card import-card" data-testid="import-wizard" data-step=move || step.get().key()>
            {body}
        </section>
    }
}

#[component]
fn Stepper(step: RwSignal<Step>) -> impl IntoView {
    let items = Step::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = *s;
            let current = move || step.get() == s;
            let done = move || step.get() > s;
            view! {
                <li
                    class="stepper-item"
                    class:current=current
                    class:done=done
                    aria-current=move || current().then_some("step")
                >
                    <span class="stepper-dot" aria-hidden="true">
                        {move || {
                            if done() {
                                view! { <Icon icon=icondata::LuCheck width="14" height="14" /> }
                                    .into_any()
                            } else {
                                view! { <span>{i + 1}</span> }.into_any()
                            }
                        }}
                    </span>
                    <span class="stepper-label">{t(&format!("imports.step.{}", s.key()))}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <ol class="stepper" aria-label=t("imports.steps") data-testid="import-stepper">
            {items}
        </ol>
    }
}

#[component]
fn UploadStep(
    busy: RwSignal<bool>,
    dragging: RwSignal<bool>,
    on_file: impl Fn(web_sys::File) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let picked = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            on_file(file);
        }
        // The same file can be chosen again after a fix.
        input.set_value("");
    };
    let dropped = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if busy.get_untracked() {
            return;
        }
        if let Some(file) = ev
            .data_transfer()
            .and_then(|d| d.files())
            .and_then(|f| f.get(0))
        {
            on_file(file);
        }
    };
    view! {
        <h2 class="card-title">{t("imports.upload_title")}</h2>
        <label
            class="dropzone"
            class:dragging=move || dragging.get()
            class:busy=move || busy.get()
            data-testid="import-dropzone"
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=dropped
        >
            <input
                type="file"
                class="sr-only"
                accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                data-testid="import-file"
                disabled=move || busy.get()
                on:change=picked
            />
            {move || {
                if busy.get() {
                    view! {
                        <span class="spinner" aria-hidden="true"></span>
                        <span class="dropzone-title">{t("imports.uploading")}</span>
                    }
                        .into_any()
                } else {
                    view! {
                        <span class="dropzone-icon" aria-hidden="true">
                            <Icon icon=icondata::LuFileUp width="28" height="28" />
                        </span>
                        <span class="dropzone-title">{t("imports.drop_here")}</span>
                        <span class="btn btn-secondary btn-sm">{t("imports.choose_file")}</span>
                    }
                        .into_any()
                }
            }}
        </label>
        <ul class="limits" data-testid="import-limits">
            <li>
                <Icon icon=icondata::LuFileSpreadsheet width="16" height="16" />
                <span>{t("imports.limit_types")}</span>
            </li>
            <li>{t("imports.limit_size")}</li>
            <li>{t("imports.limit_rows")}</li>
            <li>{t("imports.limit_columns")}</li>
        </ul>
        <p class="field-hint">{t("imports.upload_hint")}</p>
    }
}

#[component]
fn PreviewStep(
    preview: RwSignal<Option<ImportPreview>>,
    step: RwSignal<Step>,
    restart: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        preview.get().map(|p| {
            let headers = p
                .headers
                .iter()
                .map(|h| view! { <th>{h.clone()}</th> })
                .collect_view();
            let width = p.headers.len();
            let rows = p
                .sample
                .iter()
                .map(|row| {
                    let cells = (0..width)
                        .map(|i| view! { <td>{row.get(i).cloned().unwrap_or_default()}</td> })
                        .collect_view();
                    view! { <tr>{cells}</tr> }
                })
                .collect_view();
            view! {
                <div class="card-head">
                    <div>
                        <h2 class="card-title">{t("imports.preview_title")}</h2>
                        <p class="muted" data-testid="import-summary">
                            <strong>{p.import.file_name.clone()}</strong>
                            " · "
                            {rows_label(p.import.total_rows)}
                            " · "
                            {tc("imports.columns", p.headers.len() as u64)}
                        </p>
                    </div>
                </div>
                <p class="field-hint">
                    {tf("imports.preview_hint", &[("count", &p.sample.len().to_string())])}
                </p>
                <div class="table-wrap preview-wrap">
                    <table class="table table-compact" data-testid="import-preview">
                        <thead>
                            <tr>{headers}</tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                <div class="form-actions wizard-actions">
                    <button type="button" class="btn btn-secondary" on:click=move |_| restart()>
                        {t("imports.another_file")}
                    </button>
                    <button
                        type="button"
                        class="btn btn-primary"
                        data-testid="import-next"
                        on:click=move |_| step.set(Step::Mapping)
                    >
                        <span>{t("imports.next_mapping")}</span>
                        <Icon icon=icondata::LuArrowRight />
                    </button>
                </div>
            }
        })
    }
}

#[component]
fn MappingStep(
    preview: RwSignal<Option<ImportPreview>>,
    mapping: RwSignal<Vec<String>>,
    attrs: RwSignal<Vec<AttributeDefinition>>,
    errors: RwSignal<FieldErrors>,
    step: RwSignal<Step>,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let me = me_state();
    let can_add_attr = Memo::new(move |_| me.can("contacts.edit") || me.can("contacts.create"));
    let creating = RwSignal::new(None::<usize>);
    let problem = Memo::new(move |_| {
        errors
            .with(|e| e.get("mapping").map(|m| m.join(" ")))
            .filter(|m| !m.is_empty())
    });

    let create_attribute = move |index: usize, header: String| {
        let Some(key) = attribute_key(&header) else {
            toasts.error(t("imports.attr_bad_name"));
            return;
        };
        creating.set(Some(index));
        spawn_local(async move {
            let req = AttributeRequest {
                key: key.clone(),
                name: header.trim().to_string(),
                kind: "text".into(),
            };
            match api.create_attribute(&req).await {
                Ok(def) => {
                    let target = format!("attr:{}", def.key);
                    attrs.update(|l| l.push(def));
                    mapping.update(|m| {
                        if let Some(slot) = m.get_mut(index) {
                            *slot = target;
                        }
                    });
                    toasts.success(tf("imports.attr_created", &[("name", header.trim())]));
                }
                Err(e) => toasts.error(e.message()),
            }
            creating.try_set(None);
        });
    };

    let next = move |_| {
        let issue = mapping.with_untracked(|m| mapping_problem(m));
        match issue {
            Some(message) => errors.update(|e| {
                e.insert("mapping".into(), vec![message]);
            }),
            None => {
                errors.update(|e| {
                    e.remove("mapping");
                });
                step.set(Step::Options);
            }
        }
    };

    let rows = move || {
        let Some(p) = preview.get() else {
            return ().into_any();
        };
        p.headers
            .iter()
            .enumerate()
            .map(|(i, header)| {
                let examples: Vec<String> = p
                    .sample
                    .iter()
                    .filter_map(|r| r.get(i))
                    .filter(|c| !c.trim().is_empty())
                    .take(3)
                    .cloned()
                    .collect();
                let header_for_button = header.clone();
                let current = Memo::new(move |_| {
                    mapping.with(|m| m.get(i).cloned().unwrap_or_else(|| "ignore".into()))
                });
                // A column no field takes that could become a new attribute.
                let could_be_attr = {
                    let header = header.clone();
                    Memo::new(move |_| {
                        current.get() == "ignore"
                            && guess_field(&header).is_none()
                            && attribute_key(&header).is_some_and(|k| {
                                !attrs.with(|a| a.iter().any(|d| d.key == k))
                            })
                    })
                };
                let options = move || {
                    let selected = current.get();
                    let defs = attrs.get();
                    let mut values: Vec<String> = TARGETS.iter().map(|s| (*s).to_string()).collect();
                    values.extend(defs.iter().map(|d| format!("attr:{}", d.key)));
                    values
                        .into_iter()
                        .map(|v| {
                            let label = target_label(&v, &defs);
                            let is = v == selected;
                            view! { <option value=v selected=is>{label}</option> }
                        })
                        .collect_view()
                };
                let select_id = format!("map-{i}");
                view! {
                    <tr data-testid="mapping-row" data-header=header.clone()>
                        <th scope="row" class="cell-main">
                            <label for=select_id.clone()>{header.clone()}</label>
                        </th>
                        <td class="cell-muted mapping-examples">
                            {if examples.is_empty() { "—".to_string() } else { examples.join(", ") }}
                        </td>
                        <td>
                            <div class="mapping-target">
                                <select
                                    id=select_id
                                    data-testid="mapping-select"
                                    class:ignored=move || current.get() == "ignore"
                                    prop:value=move || current.get()
                                    on:change=move |ev| {
                                        let v = event_target_value(&ev);
                                        mapping.update(|m| {
                                            if let Some(slot) = m.get_mut(i) {
                                                *slot = v;
                                            }
                                        });
                                    }
                                >
                                    {options}
                                </select>
                                <Show when=move || could_be_attr.get() && can_add_attr.get()>
                                    {
                                        let header = header_for_button.clone();
                                        view! {
                                            <button
                                                type="button"
                                                class="btn btn-ghost btn-sm"
                                                data-testid="create-attribute"
                                                disabled=move || creating.get().is_some()
                                                on:click=move |_| create_attribute(i, header.clone())
                                            >
                                                <Icon icon=icondata::LuPlus />
                                                <span>{t("imports.create_attr")}</span>
                                            </button>
                                        }
                                    }
                                </Show>
                            </div>
                        </td>
                    </tr>
                }
            })
            .collect_view()
            .into_any()
    };

    let summary = move || {
        mapping.with(|m| {
            let used = m.iter().filter(|t| *t != "ignore").count();
            tf(
                "imports.mapping_summary",
                &[("used", &used.to_string()), ("total", &m.len().to_string())],
            )
        })
    };

    view! {
        <div class="card-head">
            <div>
                <h2 class="card-title">{t("imports.mapping_title")}</h2>
                <p class="muted">{t("imports.mapping_hint")}</p>
            </div>
            <span class="toolbar-count" data-testid="mapping-summary">{summary}</span>
        </div>
        {move || {
            problem
                .get()
                .map(|m| {
                    view! {
                        <div class="banner banner-error" role="alert" data-testid="mapping-error">
                            <Icon icon=icondata::LuCircleAlert />
                            <span>{m}</span>
                        </div>
                    }
                })
        }}
        <div class="table-wrap table-wrap-full">
            <table class="table mapping-table" data-testid="mapping-table">
                <thead>
                    <tr>
                        <th>{t("imports.col_column")}</th>
                        <th>{t("imports.col_examples")}</th>
                        <th>{t("imports.col_target")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="field-hint spaced-hint">{t("imports.tags_hint")}</p>
        <div class="form-actions wizard-actions">
            <button type="button" class="btn btn-secondary" on:click=move |_| step.set(Step::Preview)>
                <Icon icon=icondata::LuArrowLeft />
                <span>{t("imports.back")}</span>
            </button>
            <button type="button" class="btn btn-primary" data-testid="import-next" on:click=next>
                <span>{t("imports.next_options")}</span>
                <Icon icon=icondata::LuArrowRight />
            </button>
        </div>
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn OptionsStep(
    country: RwSignal<String>,
    update_existing: RwSignal<bool>,
    tags: RwSignal<Vec<Tag>>,
    row_tags: RwSignal<Vec<Uuid>>,
    groups: RwSignal<Vec<ContactGroup>>,
    group: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
    busy: RwSignal<bool>,
    step: RwSignal<Step>,
    on_start: impl Fn(leptos::ev::MouseEvent) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let group_options = Signal::derive(move || {
        let mut list = vec![(String::new(), t("imports.no_group"))];
        list.extend(groups.with(|g| {
            g.iter()
                .map(|g| (g.id.to_string(), g.name.clone()))
                .collect::<Vec<_>>()
        }));
        list
    });
    let tag_error = move || errors.with(|e| e.get("tags").map(|m| m.join(" ")));
    view! {
        <h2 class="card-title">{t("imports.options_title")}</h2>
        <div class="form import-options">
            <TextField
                id="import-country"
                field="default_country"
                label=t("imports.default_country")
                hint=t("imports.default_country_hint")
                value=country
                errors=errors
                placeholder="GB"
            />
            <fieldset class="choice-group" data-testid="import-existing">
                <legend>{t("imports.existing")}</legend>
                <label class="choice">
                    <input
                        type="radio"
                        name="existing"
                        value="update"
                        prop:checked=move || update_existing.get()
                        on:change=move |_| update_existing.set(true)
                    />
                    <span>
                        <strong>{t("imports.existing_update")}</strong>
                        <span class="field-hint">{t("imports.existing_update_hint")}</span>
                    </span>
                </label>
                <label class="choice">
                    <input
                        type="radio"
                        name="existing"
                        value="skip"
                        prop:checked=move || !update_existing.get()
                        on:change=move |_| update_existing.set(false)
                    />
                    <span>
                        <strong>{t("imports.existing_skip")}</strong>
                        <span class="field-hint">{t("imports.existing_skip_hint")}</span>
                    </span>
                </label>
            </fieldset>
            <div class="field">
                <span class="label">{t("imports.row_tags")}</span>
                <p class="field-hint">{t("imports.row_tags_hint")}</p>
                <TagPicker tags=Signal::derive(move || tags.get()) selected=row_tags testid="import-tags" />
                <p class="field-error" role="alert">{tag_error}</p>
            </div>
            <SelectField
                id="import-group"
                field="group"
                label=t("imports.group")
                value=group
                errors=errors
                options=group_options
            />
        </div>
        <div class="form-actions wizard-actions">
            <button type="button" class="btn btn-secondary" on:click=move |_| step.set(Step::Mapping)>
                <Icon icon=icondata::LuArrowLeft />
                <span>{t("imports.back")}</span>
            </button>
            <button
                type="button"
                class="btn btn-primary"
                data-testid="import-start"
                disabled=move || busy.get()
                on:click=on_start
            >
                <Icon icon=icondata::LuUpload />
                <span>{t("imports.start")}</span>
            </button>
        </div>
    }
}

#[component]
fn ProgressStep(
    job: RwSignal<Option<ContactImport>>,
    busy: RwSignal<bool>,
    on_cancel: impl Fn(leptos::ev::MouseEvent) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let counts = Memo::new(move |_| {
        job.with(|j| {
            j.as_ref()
                .map_or((0, 0), |j| (j.processed_rows, j.total_rows))
        })
    });
    let percent = Memo::new(move |_| {
        let (done, total) = counts.get();
        (done.min(total) * 100).checked_div(total).unwrap_or(0) as u32
    });
    let state =
        Memo::new(move |_| job.with(|j| j.as_ref().map(|j| j.state.clone()).unwrap_or_default()));
    view! {
        <h2 class="card-title">{t("imports.progress_title")}</h2>
        <p class="muted">
            {move || job.with(|j| j.as_ref().map(|j| j.file_name.clone()))}
            " · "
            {move || {
                let (tone, text) = state_badge(&state.get());
                view! { <Badge tone=tone text=text /> }
            }}
        </p>
        <div
            class="progress"
            role="progressbar"
            aria-label=t("imports.progress_title")
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=move || percent.get().to_string()
            data-testid="import-progress"
        >
            <div class="progress-fill" style=move || format!("width: {}%", percent.get())></div>
        </div>
        <p class="progress-text" data-testid="import-progress-text">
            {move || {
                let (done, total) = counts.get();
                tf(
                    "imports.progress_rows",
                    &[
                        ("done", &grouped(done)),
                        ("total", &grouped(total)),
                        ("percent", &percent.get().to_string()),
                    ],
                )
            }}
        </p>
        <p class="field-hint">{t("imports.progress_hint")}</p>
        <div class="form-actions wizard-actions">
            <button
                type="button"
                class="btn btn-danger-outline"
                data-testid="import-cancel"
                disabled=move || busy.get() || !in_progress(&state.get())
                on:click=on_cancel
            >
                <Icon icon=icondata::LuCircleX />
                <span>{t("imports.cancel")}</span>
            </button>
        </div>
    }
}

#[component]
fn ResultStep(
    job: RwSignal<Option<ContactImport>>,
    restart: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let api = Authed::from_shell();
    let toasts = toasts();
    let downloading = RwSignal::new(false);
    let download = move |_| {
        let Some(id) = job.with_untracked(|j| j.as_ref().map(|j| j.id)) else {
            return;
        };
        downloading.set(true);
        spawn_local(async move {
            match api.import_failures(id).await {
                Ok(file) => {
                    if let Err(e) = save_download(&file) {
                        toasts.error(e);
                    }
                }
                Err(e) => toasts.error(e.message()),
            }
            downloading.try_set(false);
        });
    };
    move || {
        let Some(j) = job.get() else {
            return view! { <Loading /> }.into_any();
        };
        let (icon, title, tone) = match j.state.as_str() {
            "completed" if j.failed == 0 => {
                (icondata::LuCircleCheck, t("imports.result_done"), "success")
            }
            "completed" => (
                icondata::LuTriangleAlert,
                t("imports.result_partial"),
                "warning",
            ),
            "cancelled" => (
                icondata::LuCircleX,
                t("imports.result_cancelled"),
                "neutral",
            ),
            _ => (
                icondata::LuCircleAlert,
                t("imports.result_failed"),
                "danger",
            ),
        };
        let (badge_tone, badge_text) = state_badge(&j.state);
        let failed = j.failed;
        view! {
            <div class=format!("result-head result-{tone}") data-testid="import-result">
                <span class="result-icon" aria-hidden="true">
                    <Icon icon=icon width="28" height="28" />
                </span>
                <div>
                    <h2 class="card-title">{title}</h2>
                    <p class="muted">
                        <strong>{j.file_name.clone()}</strong>
                        " · "
                        {rows_label(j.total_rows)}
                        " · "
                        <Badge tone=badge_tone text=badge_text />
                    </p>
                </div>
            </div>
            {j.error.clone().map(|e| {
                view! {
                    <div class="banner banner-error" role="alert" data-testid="import-error">
                        <Icon icon=icondata::LuCircleAlert />
                        <span>{e}</span>
                    </div>
                }
            })}
            {(j.state == "cancelled").then(|| view! { <p class="muted">{t("imports.cancelled_note")}</p> })}
            <div class="stats">
                <div class="stat stat-success">
                    <span class="stat-value" data-testid="import-added">{grouped(j.added)}</span>
                    <span class="stat-label">{t("imports.added")}</span>
                </div>
                <div class="stat stat-info">
                    <span class="stat-value" data-testid="import-updated">{grouped(j.updated)}</span>
                    <span class="stat-label">{t("imports.updated")}</span>
                </div>
                <div class="stat" class:stat-danger={failed > 0}>
                    <span class="stat-value" data-testid="import-failed">{grouped(j.failed)}</span>
                    <span class="stat-label">{t("imports.failed")}</span>
                </div>
            </div>
            <div class="form-actions wizard-actions">
                {(failed > 0).then(|| {
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary"
                            data-testid="download-failures"
                            disabled=move || downloading.get()
                            on:click=download
                        >
                            <Icon icon=icondata::LuFileDown />
                            <span>{t("imports.download_failures")}</span>
                        </button>
                    }
                })}
                <button type="button" class="btn btn-secondary" data-testid="import-again" on:click=move |_| restart()>
                    <Icon icon=icondata::LuRotateCcw />
                    <span>{t("imports.import_another")}</span>
                </button>
                <a class="btn btn-secondary" href="/contacts/imports" data-testid="result-history">
                    <Icon icon=icondata::LuHistory />
                    <span>{t("imports.history_title")}</span>
                </a>
                <a class="btn btn-primary" href="/contacts" data-testid="result-contacts">
                    <Icon icon=icondata::LuUsers />
                    <span>{t("imports.view_contacts")}</span>
                </a>
            </div>
        }
            .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    fn guesses_fields_and_attributes_once_each() {
        let headers = strings(&[
            "Full Name",
            "WhatsApp",
            "E-mail",
            "Labels",
            "City",
            "Phone",
            "Notes",
        ]);
        let got = guess_mapping(&headers, &strings(&["city"]));
        assert_eq!(
            got,
            strings(&[
                "name",
                "phone",
                "email",
                "tags",
                "attr:city",
                "ignore",
                "ignore"
            ])
        );
        assert_eq!(mapping_problem(&got), None);
        assert!(mapping_problem(&strings(&["name", "ignore"])).is_some());
    }

    #[test]
    fn makes_attribute_keys_from_headers() {
        assert_eq!(
            attribute_key("Loyalty level").as_deref(),
            Some("loyalty_level")
        );
        assert_eq!(attribute_key(" 2nd-City ").as_deref(), Some("nd_city"));
        assert_eq!(attribute_key("***"), None);
    }
}
