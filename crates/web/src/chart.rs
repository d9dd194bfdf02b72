//! Small server-rendered SVG charts: no script, readable by screen readers
//! through their title and the table or figures beside them.

use std::fmt::Write;

/// A horizontal bar chart of labelled counts.
pub fn bars(title: &str, items: &[(String, u64)]) -> String {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let row = 34;
    let label_w = 150;
    let bar_w = 300;
    let height = items.len() as i32 * row + 10;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {height}" role="img" aria-label="{t}"><title>{t}</title>"#,
        w = label_w + bar_w + 70,
        t = escape(title)
    );
    for (i, (label, value)) in items.iter().enumerate() {
        let y = i as i32 * row + 5;
        let len = ((*value as f64 / max as f64) * bar_w as f64).round() as i32;
        let _ = write!(
            svg,
            r##"<text x="{lx}" y="{ty}" text-anchor="end" font-size="14" fill="#1b2430">{label}</text><rect x="{bx}" y="{y}" width="{len}" height="24" rx="4" fill="#2f5fa8"/><text x="{vx}" y="{ty}" font-size="14" fill="#1b2430">{value}</text>"##,
            lx = label_w - 10,
            ty = y + 17,
            label = escape(label),
            bx = label_w,
            vx = label_w + len + 8,
        );
    }
    svg.push_str("</svg>");
    svg
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_proportional_and_escaped() {
        let svg = bars("A<B", &[("x&y".into(), 10), ("z".into(), 5)]);
        assert!(svg.contains(r#"width="300""#));
        assert!(svg.contains(r#"width="150""#));
        assert!(svg.contains("x&amp;y") && svg.contains("A&lt;B"));
    }
}
