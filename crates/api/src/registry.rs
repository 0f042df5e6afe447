//! How routes are declared: each area's `configure` registers its handlers
//! through [`Routes`], each together with its [`Access`] rule, so a route and
//! who may call it are written in one place. What was registered becomes
//! the [`AccessTable`] the auth middleware applies before any handler runs;
//! a route outside the table is refused at run time.

use std::ops::Deref;

use actix_web::dev::HttpServiceFactory;
use domain::permissions::{Action, Module, Permission};
use utoipa::openapi::path::PathItem;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::OpenApiFactory;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed.
    Public,
    /// Any active member of the token's tenant.
    SignedIn,
    /// A single-use ticket in the query (`?ticket=`), which the handler
    /// checks: for the event stream, which browsers open without headers.
    Ticket,
    /// Members whose role grants this permission.
    Permission(Permission),
    /// People who administer the whole instance.
    InstanceAdmin,
    /// Members holding this permission, or anyone presenting a signed link
    /// (`?sig=`), which the handler checks: for files fetched by `<img src>`.
    PermissionOrSignedLink(Permission),
}

/// Members whose role grants `action` on `module`.
pub const fn perm(module: Module, action: Action) -> Access {
    Access::Permission(Permission::new(module, action))
}

/// One declared route: (method, path pattern as in the OpenAPI document, rule).
pub type Rule = (&'static str, String, Access);

/// Every registered route with its rule, in registration order.
#[derive(Debug, Clone, Default)]
pub struct AccessTable(Vec<Rule>);

impl AccessTable {
    /// The rule for a matched route, if declared.
    pub fn rule_for(&self, method: &str, pattern: &str) -> Option<Access> {
        self.0
            .iter()
            .find(|(m, p, _)| m.eq_ignore_ascii_case(method) && p == pattern)
            .map(|(_, _, access)| *access)
    }

    /// Methods declared for a route pattern (empty for an unknown pattern).
    pub fn methods_for(&self, pattern: &str) -> Vec<&'static str> {
        self.0
            .iter()
            .filter(|(_, p, _)| p == pattern)
            .map(|(m, _, _)| *m)
            .collect()
    }
}

impl Deref for AccessTable {
    type Target = [Rule];

    fn deref(&self) -> &[Rule] {
        &self.0
    }
}

/// Where an area registers its handlers: each one is served, documented
/// (its `#[utoipa::path]`) and entered in the access table with its rule.
pub struct Routes<'c, 's> {
    cfg: &'c mut ServiceConfig<'s>,
    /// The scopes' path prefix of what is registered here.
    prefix: String,
    table: &'c mut AccessTable,
}

impl<'c, 's> Routes<'c, 's> {
    /// Routes at the application's root, entered in `table`.
    pub fn new(cfg: &'c mut ServiceConfig<'s>, table: &'c mut AccessTable) -> Self {
        Self {
            cfg,
            prefix: String::new(),
            table,
        }
    }

    /// Serves `handler`, to callers `access` lets in.
    pub fn add<F>(&mut self, access: Access, handler: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        for (path, item) in handler.paths().paths {
            for method in methods(&item) {
                self.table
                    .0
                    .push((method, format!("{}{path}", self.prefix), access));
            }
        }
        self.cfg.service(handler);
        self
    }

    /// Data for the extractors of the routes in this scope.
    pub fn app_data<U: 'static>(&mut self, data: U) -> &mut Self {
        self.cfg.app_data(data);
        self
    }

    /// Routes under `prefix`, registered by `configure`.
    pub fn scope(
        &mut self,
        prefix: &str,
        configure: impl FnOnce(&mut Routes<'_, '_>),
    ) -> &mut Self {
        let full = format!("{}{prefix}", self.prefix);
        let table = &mut *self.table;
        self.cfg
            .service(utoipa_actix_web::scope::scope(prefix).configure(|cfg| {
                configure(&mut Routes {
                    cfg,
                    prefix: full,
                    table,
                })
            }));
        self
    }
}

/// The methods a documented path item serves, as the router spells them.
fn methods(item: &PathItem) -> Vec<&'static str> {
    [
        ("GET", item.get.is_some()),
        ("PUT", item.put.is_some()),
        ("POST", item.post.is_some()),
        ("DELETE", item.delete.is_some()),
        ("OPTIONS", item.options.is_some()),
        ("HEAD", item.head.is_some()),
        ("PATCH", item.patch.is_some()),
        ("TRACE", item.trace.is_some()),
    ]
    .into_iter()
    .filter_map(|(method, served)| served.then_some(method))
    .collect()
}
