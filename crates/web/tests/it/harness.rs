//! A test application, with helpers to act as any role: on a database
//! holding only what the test builds (`EmptyApp`, with `fixtures::build`),
//! or on the demo (`TestApp`) for the tests that walk its story.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use domain::ids::{CompanyId, ContactId, ContractId, MissionId, UserId};
use domain::paging::PageRequest;
use domain::role::Role;
use fixtures::build::World;
use store::{Actor, Db, Scope};
use tower::ServiceExt;
use web::{AppState, WebConfig};

/// The application and its database: the requests a test sends.
pub struct Http {
    pub app: Router,
    pub db: Db,
}

/// The application on the demo, and the demo's records a test names.
pub struct TestApp {
    http: Http,
    pub clientis: CompanyId,
    pub horizon: CompanyId,
    pub clientis_contact: ContactId,
    pub camille: UserId,
    pub camille_mission: MissionId,
    pub lucas_mission: MissionId,
    pub clientis_contract: ContractId,
    /// Camille's signed mission order.
    pub camille_order: domain::ids::DocumentId,
    /// The Clientis framework contract sent for e-signature.
    pub clientis_contract_doc: domain::ids::DocumentId,
    /// Camille's report of the current month, signed, awaiting Clientis.
    pub camille_cra: domain::ids::CraId,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A signed-in browser: its cookie and the CSRF token its pages carry.
#[derive(Clone, Debug)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

impl std::ops::Deref for TestApp {
    type Target = Http;
    fn deref(&self) -> &Http {
        &self.http
    }
}

/// The application on a database holding the firm alone; the test builds
/// the rest with `w`. A role asked for is given a user when it has none.
pub struct EmptyApp {
    http: Http,
    pub w: World,
}

impl std::ops::Deref for EmptyApp {
    type Target = Http;
    fn deref(&self) -> &Http {
        &self.http
    }
}

impl EmptyApp {
    pub async fn new(db: Db) -> EmptyApp {
        let w = World::new(&db).await;
        let app = web::app(AppState::new(db.clone(), WebConfig::default()));
        EmptyApp {
            http: Http { app, db },
            w,
        }
    }

    /// A session for a user of this role, created if there is none (a
    /// client contact with his own client); None: an anonymous visitor.
    pub async fn browser(&self, role: Option<Role>) -> Browser {
        if let Some(r) = role {
            self.ensure_user(r).await;
        }
        self.http.browser(role).await
    }

    /// An API token of a user of this role, created if there is none.
    pub async fn token(&self, role: Role) -> String {
        self.ensure_user(role).await;
        self.http.token(role).await
    }

    async fn ensure_user(&self, role: Role) {
        let mut tx = self.db.read().await.unwrap();
        let f = store::users::UserFilter {
            role: Some(role),
            ..Default::default()
        };
        let any = store::users::list(&mut tx, &f, PageRequest::default())
            .await
            .unwrap()
            .total
            > 0;
        tx.commit().await.unwrap();
        if !any {
            let mut u = self.w.user(role);
            let client;
            if role == Role::ClientContact {
                client = self.w.client().create().await;
                u = u.of(&client);
            }
            u.create().await;
        }
    }
}

impl TestApp {
    pub async fn new(db: Db) -> TestApp {
        TestApp::with_stage(db, fixtures::demo::Stage::Full).await
    }

    pub async fn with_stage(db: Db, stage: fixtures::demo::Stage) -> TestApp {
        fixtures::demo::seed_stage(&db, stage)
            .await
            .expect("demo data");
        let app = web::app(AppState::new(db.clone(), WebConfig::default()));
        let mut tx = db.read().await.unwrap();
        let companies = store::companies::list(
            &mut tx,
            Scope::All,
            &Default::default(),
            PageRequest::new(Some(1), Some(50)),
        )
        .await
        .unwrap();
        let find = |name: &str| {
            companies
                .items
                .iter()
                .find(|c| c.data.name == name)
                .unwrap()
                .id
        };
        let (clientis, horizon) = (find("Clientis Group"), find("Banque Horizon"));
        let contact_of = async |tx: &mut store::Tx, company| {
            let f = store::contacts::ContactFilter {
                q: None,
                company_id: Some(company),
            };
            store::contacts::list(tx, Scope::All, &f, PageRequest::default())
                .await
                .unwrap()
                .items[0]
                .id
        };
        let clientis_contact = contact_of(&mut tx, clientis).await;
        let camille = store::users::find_by_email(&mut tx, "camille.martin@stafforia.example")
            .await
            .unwrap()
            .unwrap()
            .id;
        let missions = store::missions::list(
            &mut tx,
            Scope::All,
            &Default::default(),
            PageRequest::default(),
        )
        .await
        .unwrap();
        // The client's current mission: Lucas finished another one at
        // Banque Horizon before his bench week.
        let mission_of = |client: CompanyId| {
            missions
                .items
                .iter()
                .filter(|m| m.data.client_id == client)
                .max_by_key(|m| m.data.start_date)
                .unwrap()
                .id
        };
        let (camille_mission, lucas_mission) = (mission_of(clientis), mission_of(horizon));
        let clientis_contract = store::contracts::for_client(&mut tx, Scope::All, clientis)
            .await
            .unwrap()[0]
            .id;
        let doc_of = async |tx: &mut store::Tx, about| {
            store::documents::list(tx, Scope::All, about, 50)
                .await
                .unwrap()
                .into_iter()
                .find(|d| d.kind != domain::esign::DocumentKind::ActivityReport)
                .unwrap()
                .id
        };
        let camille_order =
            doc_of(&mut tx, store::documents::About::Mission(camille_mission)).await;
        let clientis_contract_doc = doc_of(
            &mut tx,
            store::documents::About::Contract(clientis_contract),
        )
        .await;
        let camille_cra = store::cras::find(
            &mut tx,
            camille,
            domain::calendar::YearMonth::of(store::today()),
        )
        .await
        .unwrap()
        .unwrap();
        tx.commit().await.unwrap();
        TestApp {
            http: Http { app, db },
            clientis,
            horizon,
            clientis_contact,
            camille,
            camille_mission,
            lucas_mission,
            clientis_contract,
            camille_order,
            clientis_contract_doc,
            camille_cra,
        }
    }
}

impl Http {
    pub async fn user_id(&self, role: Role) -> UserId {
        let mut tx = self.db.read().await.unwrap();
        let f = store::users::UserFilter {
            role: Some(role),
            ..Default::default()
        };
        let id = store::users::list(&mut tx, &f, PageRequest::default())
            .await
            .unwrap()
            .items[0]
            .id;
        tx.commit().await.unwrap();
        id
    }

    /// A session for a demo user of this role (None: an anonymous visitor
    /// who opened the login page).
    pub async fn browser(&self, role: Option<Role>) -> Browser {
        let user = match role {
            Some(r) => Some(self.user_id(r).await),
            None => None,
        };
        self.browser_of(user).await
    }

    /// A session for one given user (None: a visitor who opened the login
    /// page, holding its form-token cookie and no session).
    pub async fn browser_of(&self, user: Option<UserId>) -> Browser {
        let Some(user) = user else {
            let token = store::credentials::new_token();
            return Browser {
                cookie: format!("regisseur_form={token}"),
                csrf: token,
            };
        };
        let user = Some(user);
        let mut tx = self.db.begin().await.unwrap();
        let s = store::sessions::create(&mut tx, user, Some("127.0.0.1"), Some("test"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        Browser {
            cookie: format!("regisseur_session={}", s.token),
            csrf: s.session.csrf_token,
        }
    }

    pub async fn token(&self, role: Role) -> String {
        let user = self.user_id(role).await;
        let mut tx = self.db.begin().await.unwrap();
        let (_, secret) = store::api_tokens::create(&mut tx, &Actor::system("test"), user, "test")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        secret
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str, browser: Option<&Browser>) -> Resp {
        let mut req = Request::get(path);
        if let Some(b) = browser {
            req = req.header(header::COOKIE, &b.cookie);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    pub async fn get_with(
        &self,
        path: &str,
        browser: Option<&Browser>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = Request::get(path);
        if let Some(b) = browser {
            req = req.header(header::COOKIE, &b.cookie);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// Posts a form as a browser would, with the session's CSRF token.
    pub async fn post_form(&self, path: &str, browser: &Browser, fields: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(&str, &str)> = vec![("_csrf", &browser.csrf)];
        all.extend_from_slice(fields);
        self.post_raw(
            path,
            Some(browser),
            &serde_urlencoded::to_string(&all).unwrap(),
        )
        .await
    }

    /// A multipart upload as a browser sends it: text fields and one file;
    /// the CSRF token rides in the query string, as the page's form does.
    pub async fn post_multipart(
        &self,
        path: &str,
        browser: &Browser,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Resp {
        let boundary = "----regisseur-test-boundary";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, filename, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let sep = if path.contains('?') { '&' } else { '?' };
        let req = Request::post(format!("{path}{sep}_csrf={}", browser.csrf))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::COOKIE, &browser.cookie);
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn post_raw(&self, path: &str, browser: Option<&Browser>, body: &str) -> Resp {
        let mut req =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(b) = browser {
            req = req.header(header::COOKIE, &b.cookie);
        }
        self.send(req.body(Body::from(body.to_string())).unwrap())
            .await
    }

    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        self.send(
            req.body(body.map(|b| Body::from(b.to_string())).unwrap_or_default())
                .unwrap(),
        )
        .await
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        store::on_pool!(&self.db, |c| sqlx::query_scalar::<_, i64>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .fetch_one(c)
        .await)
        .unwrap()
    }
}

/// Runs a test body with an application on an empty database (the firm
/// alone), on each backend.
pub async fn on_each_backend_empty<F, Fut>(body: F)
where
    F: Fn(EmptyApp) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    fixtures::testing::on_each_backend(move |db| {
        let body = body.clone();
        async move { body(EmptyApp::new(db).await).await }
    })
    .await
}

/// Runs a test body with a fresh demo application on each backend.
pub async fn on_each_backend<F, Fut>(body: F)
where
    F: Fn(TestApp) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    fixtures::testing::on_each_backend(move |db| {
        let body = body.clone();
        async move { body(TestApp::new(db).await).await }
    })
    .await
}

/// The same, on the demo stopped before the key-account chain (Camille's
/// two validated months waiting for Clientis's signature, not accrued).
pub async fn on_each_backend_before_billing<F, Fut>(body: F)
where
    F: Fn(TestApp) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    fixtures::testing::on_each_backend(move |db| {
        let body = body.clone();
        async move { body(TestApp::with_stage(db, fixtures::demo::Stage::BeforeBilling).await).await }
    })
    .await
}
