//! The refusals an API operation may answer, added to the OpenAPI document
//! by the route table (`Routes::api`) from the operation's shape rather
//! than repeated in every handler's attribute: an operation added later
//! documents them without anyone remembering to. A handler's own entry for
//! a status (a more precise description) is kept.

use std::collections::btree_map::Entry;

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};

/// What decides which refusals an operation can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// It reads a JSON body.
    pub body: bool,
    /// Its path names a record (`{id}`).
    pub path_ids: bool,
    /// It reads query parameters.
    pub query: bool,
    /// Its route needs a permission some roles lack.
    pub permission: bool,
    /// POST, PUT, PATCH or DELETE: with a session cookie, the CSRF check.
    pub writes: bool,
}

impl Shape {
    pub fn of(op: &Operation, permission: bool, writes: bool) -> Shape {
        let has = |place: ParameterIn| {
            op.parameters.iter().flatten().any(|p| match p {
                RefOr::T(p) => p.parameter_in == place,
                RefOr::Ref(_) => false,
            })
        };
        Shape {
            body: op.request_body.is_some(),
            path_ids: has(ParameterIn::Path),
            query: has(ParameterIn::Query),
            permission,
            writes,
        }
    }
}

/// Every refusal `shape` may answer, with why.
pub fn statuses(shape: Shape) -> Vec<(u16, &'static str)> {
    let mut out = Vec::new();
    if shape.body || shape.query {
        out.push((
            400,
            "Malformed request: unreadable JSON, or a member or query parameter of the wrong \
             type, missing, unknown or repeated (named in `errors` when one is at fault).",
        ));
    }
    out.push((
        401,
        "No valid credentials: the bearer token is missing, unknown or revoked \
         (`WWW-Authenticate: Bearer`).",
    ));
    if shape.permission || shape.writes {
        out.push((
            403,
            "The caller's role does not allow this operation, or a session-cookie call lacks \
             its `X-CSRF-Token`.",
        ));
    }
    if shape.path_ids {
        out.push((404, "No such record, or not one the caller may see."));
    }
    if shape.body {
        out.push((
            413,
            "The body exceeds the size limit (`REGISSEUR_BODY_LIMIT`).",
        ));
        out.push((
            415,
            "The body is not sent as JSON (`Content-Type: application/json`).",
        ));
    }
    if shape.body || shape.query {
        out.push((
            422,
            "Refused values, each named in `errors` with its code and message; nothing is \
             written.",
        ));
    }
    out.push((
        503,
        "The database cannot be reached or the request took too long; try again later.",
    ));
    out
}

/// Adds the refusals of `shape` the operation does not document yet, and
/// the general description to a handler's entry that has none.
pub fn document(op: &mut Operation, shape: Shape) {
    for (status, description) in statuses(shape) {
        match op.responses.responses.entry(status.to_string()) {
            Entry::Vacant(v) => {
                v.insert(problem(description));
            }
            Entry::Occupied(mut o) => {
                if let RefOr::T(r) = o.get_mut()
                    && r.description.is_empty()
                {
                    r.description = description.to_string();
                }
            }
        }
    }
}

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                Content::new(Some(Ref::from_schema_name("ProblemDoc"))),
            )
            .build(),
    )
}
