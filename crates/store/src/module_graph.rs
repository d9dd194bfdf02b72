//! No circular imports between the files of this crate.
//!
//! A file that uses another depends on it; when two files reach each other
//! through such uses, neither can be read, tested or moved without the
//! other, and the cut between them means nothing. This test reads every
//! `.rs` file under `src/`, builds the graph "file → files it refers to",
//! and fails listing each cycle (a strongly connected component of more
//! than one file).
//!
//! How a reference is counted:
//! - the forms are `use crate::a::b`, `use super::x`, `use self::x`,
//!   `use crate::{a, b::c}` (braces expanded), the same paths written
//!   inline in code (`crate::a::f()`, `super::x::T`, `$crate::db::Tx` in a
//!   macro), and, in a file that declares child modules (`lib.rs`,
//!   `mod.rs`), a bare `child::f()`;
//! - a path means the file of the deepest module it names:
//!   `crate::invoicing::issue::Issued` is `invoicing/issue.rs`,
//!   `crate::invoicing::Group` is `invoicing/mod.rs` (the module itself),
//!   `crate::Error` is `lib.rs`; inline modules (`mod tests { … }`) belong
//!   to their file;
//! - a `pub use` (also `pub(crate)`, `pub(super)`) in a file is a name
//!   forwarded, not a dependency of that file: it adds no edge, and a path
//!   reaching an item through it means the file the item comes from
//!   (`crate::Actor` is `audit.rs`, `crate::invoicing::issue` the function
//!   is `invoicing/issue.rs`). So a `mod.rs` may re-export its children,
//!   and children may use what the `mod.rs` itself defines, without a
//!   cycle; a `mod.rs` that *calls* a child while that child uses it is
//!   one. A `#[macro_export]` macro is found in the file that defines it;
//! - `mod x;` declarations are not edges; comments and string literals are
//!   skipped; test code counts like any other.
//!
//! `MODULE_GRAPH_SHOW=invoicing/issue.rs cargo test -p store module_graph`
//! prints the files one file refers to.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Cycles known and not yet broken, each as the sorted list of its files,
/// with the reason. A cycle not listed here fails the test, and so does a
/// listed one that no longer exists (remove it).
const ALLOWED: &[(&[&str], &str)] = &[];

/// One source file: its module path and what it says.
struct File {
    rel: String,
    module: Vec<String>,
    /// `pub use` names of this module: name → absolute path it forwards to.
    reexports: BTreeMap<String, Vec<String>>,
    /// Absolute paths this file refers to (not yet resolved to files).
    refs: Vec<Vec<String>>,
    /// `pub use x::*`: the modules whose public names this one forwards.
    globs: Vec<Vec<String>>,
    /// Names of the items this file defines (`fn`, `struct`, …).
    defines: BTreeSet<String>,
    /// `#[macro_export]` macros defined here (they live at the crate root).
    macros: Vec<String>,
}

#[test]
fn no_cycles_between_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    collect(&src, &mut paths);
    let files: Vec<File> = paths.iter().map(|p| parse(&src, p)).collect();
    let graph = graph(&files);
    if let Ok(f) = std::env::var("MODULE_GRAPH_SHOW") {
        eprintln!("{f} -> {:?}", graph.get(&f));
    }
    let mut found: Vec<Vec<String>> = sccs(&graph).into_iter().filter(|c| c.len() > 1).collect();
    found.sort();

    let allowed: BTreeSet<Vec<String>> = ALLOWED
        .iter()
        .map(|(c, _)| c.iter().map(|s| s.to_string()).collect())
        .collect();
    let new: Vec<String> = found
        .iter()
        .filter(|c| !allowed.contains(*c))
        .map(|c| describe(c, &graph))
        .collect();
    let gone: Vec<&Vec<String>> = allowed.iter().filter(|c| !found.contains(c)).collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "circular imports between files:\n{}\nallowed cycles no longer found: {gone:?}",
        new.join("\n")
    );
}

/// A cycle, with the edges inside it, for the failure message.
fn describe(cycle: &[String], graph: &BTreeMap<String, BTreeSet<String>>) -> String {
    let mut out = format!("- {}", cycle.join(", "));
    for from in cycle {
        let to: Vec<&str> = graph[from]
            .iter()
            .filter(|t| cycle.contains(t))
            .map(String::as_str)
            .collect();
        out.push_str(&format!("\n    {from} -> {}", to.join(", ")));
    }
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn module_of(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if matches!(parts.last().map(String::as_str), Some("lib" | "mod")) {
        parts.pop();
    }
    parts
}

/// The source without comments, string and char literals (replaced by
/// spaces, so the code around keeps its shape).
fn strip(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < c.len() {
        let next = c.get(i + 1).copied();
        if c[i] == '/' && next == Some('/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && next == Some('*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c[i] == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !is_ident(c[i - 1]))
        {
            // Raw string: r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while c.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if c.get(j) != Some(&'"') {
                out.push(c[i]);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= c.len() {
                    break;
                }
                if c[j] == '"' && (0..hashes).all(|k| c.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
            out.push(' ');
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push(' ');
        } else if c[i] == '\'' && next == Some('\\') {
            // Escaped char literal: '\n', '\'', '\u{..}'.
            i += 2;
            while i < c.len() && c[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push(' ');
        } else if c[i] == '\'' && c.get(i + 2) == Some(&'\'') {
            i += 3;
            out.push(' ');
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Tokens: identifiers (with a leading `$` kept), `::`, and single chars.
fn tokens(s: &str) -> Vec<String> {
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if c[i].is_whitespace() {
            i += 1;
        } else if is_ident(c[i]) || (c[i] == '$' && c.get(i + 1).is_some_and(|&n| is_ident(n))) {
            let start = i;
            i += 1;
            while i < c.len() && is_ident(c[i]) {
                i += 1;
            }
            out.push(c[start..i].iter().collect());
        } else if c[i] == ':' && c.get(i + 1) == Some(&':') {
            out.push("::".to_string());
            i += 2;
        } else {
            out.push(c[i].to_string());
            i += 1;
        }
    }
    out
}

/// Expands a `use` tree (tokens between `use` and `;`) into its paths.
fn expand(t: &[String], prefix: &[String], out: &mut Vec<Vec<String>>) {
    let mut path = prefix.to_vec();
    let mut i = 0;
    while i < t.len() {
        match t[i].as_str() {
            "::" => i += 1,
            "{" => {
                // Split the group on top-level commas.
                let mut depth = 0;
                let mut start = i + 1;
                let mut j = i + 1;
                while j < t.len() {
                    match t[j].as_str() {
                        "{" => depth += 1,
                        "}" if depth == 0 => {
                            if start < j {
                                expand(&t[start..j], &path, out);
                            }
                            return;
                        }
                        "}" => depth -= 1,
                        "," if depth == 0 => {
                            if start < j {
                                expand(&t[start..j], &path, out);
                            }
                            start = j + 1;
                        }
                        _ => {}
                    }
                    j += 1;
                }
                return;
            }
            "as" => break,
            "self" if !path.is_empty() => i += 1,
            _ => {
                path.push(t[i].clone());
                i += 1;
            }
        }
    }
    out.push(path);
}

/// Makes a path absolute (from the crate root), given the module the code
/// is in (the file's module plus any inline module around it). `None` for
/// paths that do not start inside this crate.
fn absolute(path: &[String], here: &[String], children: &BTreeSet<String>) -> Option<Vec<String>> {
    let first = path.first()?.as_str();
    let (mut base, rest): (Vec<String>, &[String]) = match first {
        "crate" | "$crate" => (Vec::new(), &path[1..]),
        "self" => (here.to_vec(), &path[1..]),
        "super" => {
            let mut b = here.to_vec();
            let mut k = 0;
            while path.get(k).map(String::as_str) == Some("super") {
                b.pop();
                k += 1;
            }
            (b, &path[k..])
        }
        name if children.contains(name) => (here.to_vec(), path),
        _ => return None,
    };
    base.extend(rest.iter().cloned());
    Some(base)
}

fn parse(src: &Path, p: &Path) -> File {
    let rel = p
        .strip_prefix(src)
        .expect("under src")
        .to_string_lossy()
        .replace('\\', "/");
    let module = module_of(&rel);
    let text = std::fs::read_to_string(p).expect("read source");
    let t = tokens(&strip(&text));

    // Child modules declared by this file (`mod x;`), for bare paths.
    let children: BTreeSet<String> = t
        .windows(3)
        .filter(|w| w[0] == "mod" && w[2] == ";")
        .map(|w| w[1].clone())
        .collect();

    let mut reexports = BTreeMap::new();
    let mut refs = Vec::new();
    let mut macros = Vec::new();
    let mut globs = Vec::new();
    let defines: BTreeSet<String> = t
        .windows(2)
        .filter(|w| {
            matches!(
                w[0].as_str(),
                "fn" | "struct" | "enum" | "const" | "static" | "type" | "trait" | "macro_rules"
            )
        })
        .map(|w| w[1].clone())
        .collect();
    // Inline modules open around the current token: (name, brace depth).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < t.len() {
        let here: Vec<String> = module
            .iter()
            .cloned()
            .chain(inline.iter().map(|(n, _)| n.clone()))
            .collect();
        match t[i].as_str() {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            "mod" if t.get(i + 2).map(String::as_str) == Some("{") => {
                inline.push((t[i + 1].clone(), depth));
            }
            "macro_export" => {
                // `#[macro_export] macro_rules! name`: the macro lives at
                // the crate root but belongs to this file.
                if let Some(k) = (i..t.len().min(i + 8)).find(|&k| t[k] == "macro_rules") {
                    macros.push(t[k + 2].clone());
                }
            }
            "use" if i == 0 || t[i - 1] != "::" => {
                let public = is_pub_before(&t, i);
                let end = (i..t.len()).find(|&k| t[k] == ";").unwrap_or(t.len());
                let mut paths = Vec::new();
                expand(&t[i + 1..end], &[], &mut paths);
                for path in paths {
                    let Some(abs) = absolute(&path, &here, &children) else {
                        continue;
                    };
                    if public && inline.is_empty() && path.last().is_some_and(|n| n == "*") {
                        let mut module = abs;
                        module.pop();
                        globs.push(module);
                    } else if public && inline.is_empty() {
                        let name = path.last().expect("non-empty").clone();
                        reexports.insert(name, abs);
                    } else {
                        refs.push(abs);
                    }
                }
                i = end;
            }
            _ => {
                // An inline path: starts a path (not after `::`) and is
                // followed by `::`.
                let starts = i == 0 || t[i - 1] != "::";
                if starts && t.get(i + 1).map(String::as_str) == Some("::") {
                    let mut path = vec![t[i].clone()];
                    let mut k = i + 1;
                    while t.get(k).map(String::as_str) == Some("::")
                        && t.get(k + 1).is_some_and(|n| n.chars().all(is_ident))
                    {
                        path.push(t[k + 1].clone());
                        k += 2;
                    }
                    if let Some(abs) = absolute(&path, &here, &children) {
                        refs.push(abs);
                    }
                    i = k;
                    continue;
                }
            }
        }
        i += 1;
    }
    File {
        rel,
        module,
        reexports,
        refs,
        globs,
        defines,
        macros,
    }
}

/// `pub use`, `pub(crate) use`, `pub(super) use`, `pub(in …) use`.
fn is_pub_before(t: &[String], i: usize) -> bool {
    if i >= 1 && t[i - 1] == "pub" {
        return true;
    }
    if i >= 1 && t[i - 1] == ")" {
        let open = (0..i).rev().find(|&k| t[k] == "(");
        return open.is_some_and(|k| k >= 1 && t[k - 1] == "pub");
    }
    false
}

fn graph(files: &[File]) -> BTreeMap<String, BTreeSet<String>> {
    let by_module: BTreeMap<&[String], &File> =
        files.iter().map(|f| (f.module.as_slice(), f)).collect();
    let macros: BTreeMap<&str, &str> = files
        .iter()
        .flat_map(|f| f.macros.iter().map(|m| (m.as_str(), f.rel.as_str())))
        .collect();
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let targets = g.entry(f.rel.clone()).or_default();
        for r in &f.refs {
            let to = match r.as_slice() {
                [name] if macros.contains_key(name.as_str()) => {
                    Some(macros[name.as_str()].to_string())
                }
                _ => resolve(r, &by_module, 0),
            };
            if let Some(to) = to
                && to != f.rel
            {
                targets.insert(to);
            }
        }
    }
    g
}

/// The file an absolute path means: the deepest module file it names, then
/// through that module's `pub use` for the next name, if any.
fn resolve(path: &[String], by_module: &BTreeMap<&[String], &File>, hops: usize) -> Option<String> {
    let mut k = 0;
    while k < path.len() && by_module.contains_key(&path[..=k]) {
        k += 1;
    }
    let file = by_module.get(&path[..k])?;
    if hops < 8
        && let Some(name) = path.get(k)
    {
        let through_glob = || {
            if file.defines.contains(name) {
                return None;
            }
            file.globs.iter().find_map(|g| {
                let f = by_module.get(g.as_slice())?;
                (f.defines.contains(name) || f.reexports.contains_key(name)).then(|| {
                    let mut p = g.clone();
                    p.push(name.clone());
                    p
                })
            })
        };
        if let Some(target) = file.reexports.get(name).cloned().or_else(through_glob) {
            let mut next = target;
            next.extend(path[k + 1..].iter().cloned());
            if next != path {
                return resolve(&next, by_module, hops + 1);
            }
        }
    }
    Some(file.rel.clone())
}

/// Strongly connected components (Tarjan), each sorted.
fn sccs(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        for w in s.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.g.contains_key(w) {
                continue;
            }
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().expect("on stack");
                s.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            comp.sort();
            s.out.push(comp);
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}
