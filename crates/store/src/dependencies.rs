//! `store` reads rows and writes what it is given: it lays out and sends
//! nothing. The crates that do — `pdf` (documents), `mailer` (SMTP), `app`
//! (the use cases that assemble documents) and the edges — stay out of its
//! dependencies; this test fails the day one comes back.

/// The crates `store` must not depend on.
const ABOVE: [&str; 7] = [
    "pdf",
    "mailer",
    "lettre",
    "app",
    "web",
    "regisseur",
    "fixtures",
];

/// The names listed in the `[dependencies]` table of a Cargo.toml.
fn dependencies(manifest: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut inside = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[dependencies]";
        } else if inside && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
            names.push(name.trim());
        }
    }
    names
}

#[test]
fn store_depends_on_no_crate_that_renders_or_sends() {
    let deps = dependencies(include_str!("../Cargo.toml"));
    assert!(
        deps.contains(&"sqlx"),
        "the [dependencies] table was read: {deps:?}"
    );
    let wrong: Vec<&&str> = deps.iter().filter(|d| ABOVE.contains(d)).collect();
    assert!(
        wrong.is_empty(),
        "store must not depend on {wrong:?}: documents and e-mails are assembled in `app`"
    );
}

#[test]
fn dependencies_are_read_from_their_table_only() {
    let toml = "[package]\nname = \"pdf\"\n\n[dependencies]\n# pdf.workspace = true\nsqlx.workspace = true\nmailer = { path = \"x\" }\n\n[dev-dependencies]\napp.workspace = true\n";
    assert_eq!(dependencies(toml), ["sqlx", "mailer"]);
}
