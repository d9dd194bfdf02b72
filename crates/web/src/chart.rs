//! Small server-rendered SVG charts: no script, readable by screen readers
//! through their title and the table or figures beside them.

use std::fmt::Write;

/// A horizontal bar chart of labelled counts.
pub fn bars(title: &str, items: &[(String, u64)]) -> String {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let row = 34;
    let label_w = room(items.iter().map(|(l, _)| l.as_str()), 14, 150);
    let bar_w = 300;
    let height = items.len() as i32 * row + 10;
    let value_w = room(
        items
            .iter()
            .map(|(_, v)| v.to_string())
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
        14,
        70,
    );
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {height}" role="img" aria-label="{t}"><title>{t}</title>"#,
        w = label_w + bar_w + value_w,
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

/// One row of a stacked bar chart: its label, the segments' sizes in the
/// legend's order, and the text written after the bar.
pub struct StackedRow {
    pub label: String,
    pub values: Vec<u64>,
    pub total: String,
}

const SERIES: [&str; 5] = ["#2f5fa8", "#7fa3d9", "#e0a526", "#b9c3d0", "#b4443a"];

/// Horizontal stacked bars sharing one scale, with a legend (at most five
/// series; their colours come from a fixed palette).
pub fn stacked(title: &str, legend: &[String], rows: &[StackedRow]) -> String {
    let max = rows
        .iter()
        .map(|r| r.values.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let row = 34;
    let label_w = room(rows.iter().map(|r| r.label.as_str()), 14, 150);
    let bar_w = 300;
    let legend_h = 26;
    let height = legend_h + rows.len() as i32 * row + 10;
    let total_w = room(rows.iter().map(|r| r.total.as_str()), 14, 190);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {height}" role="img" aria-label="{t}"><title>{t}</title>"#,
        w = label_w + bar_w + total_w,
        t = escape(title)
    );
    let mut x = label_w;
    for (name, colour) in legend.iter().zip(SERIES) {
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/><text x="{tx}" y="15" font-size="12" fill="#1b2430">{name}</text>"##,
            tx = x + 16,
            name = escape(name),
        );
        x += 16 + 8 * name.chars().count() as i32 + 14;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = legend_h + i as i32 * row + 5;
        let _ = write!(
            svg,
            r##"<text x="{lx}" y="{ty}" text-anchor="end" font-size="14" fill="#1b2430">{label}</text>"##,
            lx = label_w - 10,
            ty = y + 17,
            label = escape(&r.label),
        );
        let mut x = label_w;
        for (v, colour) in r.values.iter().zip(SERIES) {
            let len = ((*v as f64 / max as f64) * bar_w as f64).round() as i32;
            if len > 0 {
                let _ = write!(
                    svg,
                    r#"<rect x="{x}" y="{y}" width="{len}" height="24" fill="{colour}"/>"#
                );
            }
            x += len;
        }
        let _ = write!(
            svg,
            r##"<text x="{vx}" y="{ty}" font-size="14" fill="#1b2430">{total}</text>"##,
            vx = x + 8,
            ty = y + 17,
            total = escape(&r.total),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar chart of rates in thousandths, 100 % filling the width
/// whatever the largest value (so months compare with the goal, not with
/// each other). Each item: its label, its rate (`None`: no figure, no bar)
/// and the text shown after the bar.
pub fn rates(title: &str, items: &[(String, Option<u32>, String)]) -> String {
    let row = 30;
    let label_w = room(items.iter().map(|(l, _, _)| l.as_str()), 13, 150);
    let bar_w = 300;
    let height = items.len() as i32 * row + 10;
    let text_w = room(items.iter().map(|(_, _, t)| t.as_str()), 13, 80);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {height}" role="img" aria-label="{t}"><title>{t}</title>"#,
        w = label_w + bar_w + text_w,
        t = escape(title)
    );
    // The 100 % line.
    let _ = write!(
        svg,
        r##"<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="#c5cfdb" stroke-dasharray="4 3"/>"##,
        x = label_w + bar_w
    );
    for (i, (label, per_mille, text)) in items.iter().enumerate() {
        let y = i as i32 * row + 5;
        let len = per_mille.map_or(0, |p| (p.min(1000) as i32 * bar_w + 500) / 1000);
        let _ = write!(
            svg,
            r##"<text x="{lx}" y="{ty}" text-anchor="end" font-size="13" fill="#1b2430">{label}</text><rect x="{bx}" y="{y}" width="{len}" height="20" rx="3" fill="#2f5fa8"/><text x="{vx}" y="{ty}" font-size="13" fill="#1b2430">{text}</text>"##,
            lx = label_w - 10,
            ty = y + 15,
            label = escape(label),
            bx = label_w,
            vx = label_w + len + 8,
            text = escape(text),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars of signed amounts (a margin month by month): bars
/// right of the zero line for gains, left of it for losses, on one scale.
/// Each item: its label, its value (`None`: unknown, no bar) and the text
/// shown after the bar.
pub fn signed(title: &str, items: &[(String, Option<i64>, String)]) -> String {
    let row = 30;
    let label_w = room(items.iter().map(|(l, _, _)| l.as_str()), 13, 110);
    let bar_w: i64 = 300;
    let text_w = room(items.iter().map(|(_, _, t)| t.as_str()), 13, 110);
    let max_pos = items.iter().filter_map(|i| i.1).max().unwrap_or(0).max(0);
    let max_neg = items
        .iter()
        .filter_map(|i| i.1)
        .min()
        .unwrap_or(0)
        .min(0)
        .abs();
    let span = (max_pos + max_neg).max(1);
    // The zero line sits where the losses end.
    let zero = label_w as i64 + bar_w * max_neg / span;
    let height = items.len() as i32 * row + 10;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {height}" role="img" aria-label="{t}"><title>{t}</title>"#,
        w = label_w as i64 + bar_w + text_w as i64,
        t = escape(title)
    );
    let _ = write!(
        svg,
        r##"<line x1="{zero}" y1="0" x2="{zero}" y2="{height}" stroke="#8a97a8"/>"##
    );
    for (i, (label, value, text)) in items.iter().enumerate() {
        let y = i as i32 * row + 5;
        let len = value.map_or(0, |v| (v.abs() * bar_w + span / 2) / span);
        let negative = value.is_some_and(|v| v < 0);
        let (x, colour) = if negative {
            (zero - len, "#b4443a")
        } else {
            (zero, "#2f5fa8")
        };
        let _ = write!(
            svg,
            r##"<text x="{lx}" y="{ty}" text-anchor="end" font-size="13" fill="#1b2430">{label}</text><rect x="{x}" y="{y}" width="{len}" height="20" rx="3" fill="{colour}"/><text x="{vx}" y="{ty}" font-size="13" fill="#1b2430">{text}</text>"##,
            lx = label_w - 10,
            ty = y + 15,
            label = escape(label),
            vx = label_w as i64 + bar_w + 8,
            text = escape(text),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The width to keep for texts of `font` pixels, at least `min`: the
/// longest text at 0.6 em a character (a generous average for the sans
/// fonts browsers use) plus a margin, so no label is cut at the edge of
/// the drawing, whatever the language or the amount.
/// One group of [`pairs`]: its label and two values, each with the text
/// written after its bar.
pub struct Pair {
    pub label: String,
    pub values: [(u64, String); 2],
}

/// Two horizontal bars per row sharing one scale (the first series above
/// the second), with a two-entry legend: a quantity set against another
/// month by month (days needed against days free).
pub fn pairs(title: &str, legend: [&str; 2], rows: &[Pair]) -> String {
    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().map(|v| v.0))
        .max()
        .unwrap_or(0)
        .max(1);
    let row = 52;
    let label_w = room(rows.iter().map(|r| r.label.as_str()), 14, 120);
    let bar_w = 300;
    let legend_h = 26;
    let height = legend_h + rows.len() as i32 * row + 10;
    let value_w = room(
        rows.iter()
            .flat_map(|r| r.values.iter().map(|v| v.1.as_str())),
        14,
        90,
    );
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {height}" role="img" aria-label="{t}"><title>{t}</title>"#,
        w = label_w + bar_w + value_w,
        t = escape(title)
    );
    let mut x = label_w;
    for (name, colour) in legend.iter().zip([SERIES[0], SERIES[2]]) {
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="4" width="12" height="12" fill="{colour}"/><text x="{tx}" y="15" font-size="12" fill="#1b2430">{name}</text>"##,
            tx = x + 16,
            name = escape(name),
        );
        x += 16 + 8 * name.chars().count() as i32 + 14;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = legend_h + i as i32 * row + 5;
        let _ = write!(
            svg,
            r##"<text x="{lx}" y="{ty}" text-anchor="end" font-size="14" fill="#1b2430">{label}</text>"##,
            lx = label_w - 10,
            ty = y + 26,
            label = escape(&r.label),
        );
        for (k, ((v, text), colour)) in r.values.iter().zip([SERIES[0], SERIES[2]]).enumerate() {
            let by = y + k as i32 * 22;
            let len = ((*v as f64 / max as f64) * bar_w as f64).round() as i32;
            let _ = write!(
                svg,
                r##"<rect x="{label_w}" y="{by}" width="{len}" height="18" rx="3" fill="{colour}"/><text x="{vx}" y="{ty}" font-size="13" fill="#1b2430">{text}</text>"##,
                vx = label_w + len + 8,
                ty = by + 14,
                text = escape(text),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn room<'a>(texts: impl Iterator<Item = &'a str>, font: i32, min: i32) -> i32 {
    let longest = texts.map(|t| t.chars().count()).max().unwrap_or(0) as i32;
    ((longest * font * 6 + 9) / 10 + 14).max(min)
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
    fn pairs_share_one_scale_and_escape() {
        let svg = pairs(
            "Jours <couverts>",
            ["Couverts", "Libérés"],
            &[
                Pair {
                    label: "janv. 2027".into(),
                    values: [(2_400, "24".into()), (3_200, "32".into())],
                },
                Pair {
                    label: "févr. 2027".into(),
                    values: [(0, "0".into()), (1_600, "16".into())],
                },
            ],
        );
        assert!(svg.contains("Jours &lt;couverts&gt;"));
        // 32 days fill the 300 units; 24 take three quarters, 16 half.
        assert!(svg.contains(r#"width="300""#));
        assert!(svg.contains(r#"width="225""#));
        assert!(svg.contains(r#"width="150""#));
        assert!(svg.contains(">24<") && svg.contains(">16<"));
    }

    #[test]
    fn long_labels_widen_the_drawing_instead_of_being_cut() {
        let short = stacked(
            "t",
            &[],
            &[StackedRow {
                label: "S1".into(),
                values: vec![1],
                total: "1".into(),
            }],
        );
        assert!(short.contains(r#"viewBox="0 0 640 "#), "{short}");
        let long = "Semaine du 07/12/2026 au 13/12/2026".to_owned();
        let svg = stacked(
            "t",
            &[],
            &[StackedRow {
                label: long.clone(),
                values: vec![1],
                total: "1 234 567,89 €".into(),
            }],
        );
        // 35 characters at 14 px: 294 px and a margin kept for the label, which ends
        // 10 px before the bar, so it starts inside the drawing.
        assert!(svg.contains(r#"<text x="298""#), "{svg}");
        assert!(svg.contains(r#"viewBox="0 0 798 "#), "{svg}");
    }

    #[test]
    fn bars_are_proportional_and_escaped() {
        let svg = bars("A<B", &[("x&y".into(), 10), ("z".into(), 5)]);
        assert!(svg.contains(r#"width="300""#));
        assert!(svg.contains(r#"width="150""#));
        assert!(svg.contains("x&amp;y") && svg.contains("A&lt;B"));
    }

    #[test]
    fn stacked_segments_share_one_scale() {
        let svg = stacked(
            "Soldes",
            &["Pris".into(), "Restant".into()],
            &[
                StackedRow {
                    label: "CP".into(),
                    values: vec![10, 40],
                    total: "25".into(),
                },
                StackedRow {
                    label: "R<T>T".into(),
                    values: vec![0, 10],
                    total: "5".into(),
                },
            ],
        );
        assert!(svg.contains(r#"width="60""#) && svg.contains(r#"width="240""#));
        assert!(svg.contains("R&lt;T&gt;T") && svg.contains(">25<"));
        // An empty segment draws nothing.
        assert_eq!(svg.matches("height=\"24\"").count(), 3);
    }

    #[test]
    fn rates_fill_the_width_at_one_thousand() {
        let svg = rates(
            "t",
            &[
                ("a".into(), Some(1000), "100 %".into()),
                ("b".into(), Some(500), "50 %".into()),
                ("c".into(), None, "—".into()),
            ],
        );
        assert!(svg.contains(r#"width="300""#) && svg.contains(r#"width="150""#));
        assert!(svg.contains(r#"width="0""#) && svg.contains("—"));
    }
}
