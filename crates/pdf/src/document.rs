//! The document model and its layout into A4 pages.
//!
//! A [`Document`] is a list of blocks; nothing is laid out until
//! [`Document::to_bytes`] (or [`Document::page_count`]) runs, so the footer
//! and the creation date may be set at any time and the total page count is
//! known when the footers are drawn.

use time::OffsetDateTime;

use crate::fonts::{Font, Metrics, encode_into};

/// A4 portrait width, in points.
pub const PAGE_WIDTH: f32 = 595.28;
/// A4 portrait height, in points.
pub const PAGE_HEIGHT: f32 = 841.89;
/// Margin on all four sides, in points.
pub const MARGIN: f32 = 50.0;
/// Width of the text column, in points.
pub const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

const TOP: f32 = PAGE_HEIGHT - MARGIN;
const BOTTOM: f32 = MARGIN;
const RIGHT: f32 = PAGE_WIDTH - MARGIN;

const BODY_SIZE: f32 = 11.0;
const BODY_LEADING: f32 = 14.0;
const NOTE_SIZE: f32 = 9.0;
const NOTE_LEADING: f32 = 11.5;
const PARAGRAPH_AFTER: f32 = 6.0;
const BULLET_AFTER: f32 = 3.0;

const HEADING_SIZE: f32 = 16.0;
const HEADING_LEADING: f32 = 20.0;
const HEADING_BEFORE: f32 = 10.0;
const HEADING_AFTER: f32 = 4.0;
const SUBHEADING_SIZE: f32 = 12.0;
const SUBHEADING_LEADING: f32 = 15.0;
const SUBHEADING_BEFORE: f32 = 8.0;
const SUBHEADING_AFTER: f32 = 3.0;
/// A heading is moved to the next page unless this much room (three body
/// lines) is left below it.
const KEEP_WITH_NEXT: f32 = 3.0 * BODY_LEADING;

/// Width of the label column of [`Document::key_values`].
pub const LABEL_WIDTH: f32 = 160.0;
const LABEL_GAP: f32 = 8.0;
const KEY_VALUE_ROW_GAP: f32 = 2.0;

const CELL_SIZE: f32 = 9.0;
const CELL_LEADING: f32 = 11.0;
const CELL_PAD: f32 = 3.0;
const TABLE_AFTER: f32 = 8.0;

const COLUMNS_SIZE: f32 = 10.0;
const COLUMNS_LEADING: f32 = 13.0;
const COLUMNS_GUTTER: f32 = 20.0;

const FOOTER_SIZE: f32 = 8.0;
const FOOTER_BASELINE: f32 = 28.0;
const FOOTER_RULE: f32 = 40.0;

/// A business document: A4 portrait, 50 pt margins, Helvetica.
///
/// ```
/// let mut doc = pdf::Document::new("Ordre de mission");
/// doc.heading("Ordre de mission")
///     .paragraph("Le consultant est affecté chez le client « Acme ».")
///     .key_values(&[("TJM", "650,00 €")])
///     .footer("Régisseur");
/// let bytes = doc.to_bytes();
/// assert!(bytes.starts_with(b"%PDF-1.7"));
/// ```
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Document {
    pub(crate) title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) created_at: OffsetDateTime,
    pub(crate) footer: Option<String>,
    blocks: Vec<Block>,
}

/// One block of a document's text, see [`Document::text_parts`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextPart {
    Heading(String),
    Subheading(String),
    Paragraph(String),
    Bullet(String),
    /// Label and value pairs.
    Pairs(Vec<(String, String)>),
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
}

/// Horizontal alignment of a table column, see [`Document::table_aligned`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Align {
    #[default]
    Left,
    /// Amounts and quantities: the text ends at the cell's right padding.
    Right,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
enum Block {
    Heading(String),
    Subheading(String),
    Paragraph(String),
    Note(String),
    Bullet(String),
    KeyValues {
        pairs: Vec<(String, String)>,
        size: f32,
    },
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
        widths: Vec<f32>,
        /// Empty (all left) in specs stored before alignment existed, and
        /// left out of new specs when empty, so both read back identically.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        aligns: Vec<Align>,
    },
    /// Side-by-side columns: (bold title, text) each.
    Columns(Vec<(String, String)>),
    Spacer(f32),
    PageBreak,
}

impl Document {
    /// A new empty document. `title` goes to the document information
    /// dictionary (it is not drawn: add a [`heading`](Self::heading)); the
    /// creation date is now, see [`created_at`](Self::created_at).
    pub fn new(title: &str) -> Self {
        Document {
            title: title.to_owned(),
            created_at: OffsetDateTime::now_utc(),
            footer: None,
            blocks: Vec::new(),
        }
    }

    /// Sets the creation date written to the information dictionary
    /// (seconds precision). Identical documents with the same creation date
    /// give identical bytes.
    pub fn created_at(&mut self, at: OffsetDateTime) -> &mut Self {
        self.created_at = at;
        self
    }

    /// The document as JSON: stored beside the PDF so that the very same
    /// bytes can be written again later (with a signature page appended).
    pub fn to_spec(&self) -> String {
        serde_json::to_string(self).expect("a document always serializes")
    }

    /// A document read back from [`to_spec`](Self::to_spec).
    pub fn from_spec(spec: &str) -> Result<Document, serde_json::Error> {
        serde_json::from_str(spec)
    }

    /// What the document says, block by block, without its layout: for a
    /// page that shows it in HTML (a phone shows an embedded PDF blank).
    pub fn text_parts(&self) -> Vec<TextPart> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(t) => Some(TextPart::Heading(t.clone())),
                Block::Subheading(t) => Some(TextPart::Subheading(t.clone())),
                Block::Paragraph(t) | Block::Note(t) => Some(TextPart::Paragraph(t.clone())),
                Block::Bullet(t) => Some(TextPart::Bullet(t.clone())),
                Block::KeyValues { pairs, .. } | Block::Columns(pairs) => {
                    Some(TextPart::Pairs(pairs.clone()))
                }
                Block::Table { headers, rows, .. } => Some(TextPart::Table {
                    headers: headers.clone(),
                    rows: rows.clone(),
                }),
                Block::Spacer(_) | Block::PageBreak => None,
            })
            .collect()
    }

    /// The title given to [`Document::new`].
    pub fn title(&self) -> &str {
        &self.title
    }

    /// A bold 16 pt heading, kept on the same page as what follows it.
    pub fn heading(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Heading(text.to_owned()));
        self
    }

    /// A bold 12 pt subheading, kept on the same page as what follows it.
    pub fn subheading(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Subheading(text.to_owned()));
        self
    }

    /// An 11 pt paragraph wrapped to the column width; `\n` starts a new
    /// line, an empty line leaves a blank line.
    pub fn paragraph(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Paragraph(text.to_owned()));
        self
    }

    /// A 9 pt paragraph (fine print, digests), wrapped like
    /// [`paragraph`](Self::paragraph).
    pub fn note(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Note(text.to_owned()));
        self
    }

    /// An 11 pt paragraph starting with "• ", its following lines indented
    /// under the text.
    pub fn bullet(&mut self, text: &str) -> &mut Self {
        self.blocks.push(Block::Bullet(text.to_owned()));
        self
    }

    /// Two columns: a bold label 160 pt wide and the value, both wrapped
    /// (11 pt). A row is kept on one page when it fits on one.
    pub fn key_values(&mut self, pairs: &[(&str, &str)]) -> &mut Self {
        self.key_values_sized(pairs, BODY_SIZE)
    }

    /// [`key_values`](Self::key_values) in 9 pt: a 64-digit hexadecimal
    /// SHA-256 fits on one line of the value column.
    pub fn key_values_small(&mut self, pairs: &[(&str, &str)]) -> &mut Self {
        self.key_values_sized(pairs, NOTE_SIZE)
    }

    fn key_values_sized(&mut self, pairs: &[(&str, &str)], size: f32) -> &mut Self {
        let pairs = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.blocks.push(Block::KeyValues { pairs, size });
        self
    }

    /// A 9 pt table with a bold header on a grey background and ruled cells.
    ///
    /// `widths` are relative column weights (any unit): the columns share the
    /// full column width in these proportions. When their count differs from
    /// the headers' or one is not a positive number, the columns are equal.
    /// Cells wrap (and honour `\n`); a row is moved to the next page when it
    /// does not fit, and the header is repeated at the top of every page the
    /// table continues on. Missing cells are empty, extra cells are ignored;
    /// a table without headers draws nothing.
    pub fn table(&mut self, headers: &[&str], rows: &[Vec<String>], widths: &[f32]) -> &mut Self {
        self.table_aligned(headers, rows, widths, &[])
    }

    /// A [`table`](Self::table) whose columns are aligned as `aligns` says
    /// (header cells included): amounts and quantities read best
    /// [`Align::Right`]. Columns without an entry are left-aligned.
    pub fn table_aligned(
        &mut self,
        headers: &[&str],
        rows: &[Vec<String>],
        widths: &[f32],
        aligns: &[Align],
    ) -> &mut Self {
        let mut aligns = aligns.to_vec();
        while aligns.last() == Some(&Align::Left) {
            aligns.pop();
        }
        self.blocks.push(Block::Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: rows.to_vec(),
            widths: widths.to_vec(),
            aligns,
        });
        self
    }

    /// Columns of text side by side, of equal width with a 20 pt gutter
    /// (e.g. the seller and the buyer at the top of an invoice): each
    /// column is a bold title (left out when empty) followed by its text,
    /// both in 10 pt, wrapped and honouring `\n`. The block breaks across
    /// pages only between lines. No columns, no block.
    pub fn columns(&mut self, columns: &[(&str, &str)]) -> &mut Self {
        if !columns.is_empty() {
            let columns = columns
                .iter()
                .map(|(t, b)| ((*t).to_owned(), (*b).to_owned()))
                .collect();
            self.blocks.push(Block::Columns(columns));
        }
        self
    }

    /// Vertical space, in points (a new page when it does not fit).
    pub fn spacer(&mut self, points: f32) -> &mut Self {
        self.blocks.push(Block::Spacer(points));
        self
    }

    /// Starts a new page, unless the current page is still empty.
    pub fn page_break(&mut self) -> &mut Self {
        self.blocks.push(Block::PageBreak);
        self
    }

    /// A footer line on every page: `text` on the left (shortened with "…"
    /// when too long), "page N / M" on the right, above a thin rule. Without
    /// a footer, pages have neither.
    pub fn footer(&mut self, text: &str) -> &mut Self {
        self.footer = Some(text.to_owned());
        self
    }

    /// The number of pages [`to_bytes`](Self::to_bytes) produces.
    pub fn page_count(&self) -> usize {
        self.layout().len()
    }

    /// Lays the blocks out: one content stream per page, footers not drawn.
    pub(crate) fn layout(&self) -> Vec<Vec<u8>> {
        self.layout_with(Metrics::Standard)
    }

    /// Lays the blocks out measuring text with `metrics`.
    pub(crate) fn layout_with(&self, metrics: Metrics) -> Vec<Vec<u8>> {
        let mut l = Layout::new(metrics);
        for block in &self.blocks {
            match block {
                Block::Heading(text) => l.heading(
                    text,
                    HEADING_SIZE,
                    HEADING_LEADING,
                    HEADING_BEFORE,
                    HEADING_AFTER,
                ),
                Block::Subheading(text) => l.heading(
                    text,
                    SUBHEADING_SIZE,
                    SUBHEADING_LEADING,
                    SUBHEADING_BEFORE,
                    SUBHEADING_AFTER,
                ),
                Block::Paragraph(text) => {
                    l.paragraph(text, BODY_SIZE, BODY_LEADING, None);
                    l.after(PARAGRAPH_AFTER);
                }
                Block::Note(text) => {
                    l.paragraph(text, NOTE_SIZE, NOTE_LEADING, None);
                    l.after(PARAGRAPH_AFTER);
                }
                Block::Bullet(text) => {
                    l.paragraph(text, BODY_SIZE, BODY_LEADING, Some("• "));
                    l.after(BULLET_AFTER);
                }
                Block::KeyValues { pairs, size } => l.key_values(pairs, *size),
                Block::Table {
                    headers,
                    rows,
                    widths,
                    aligns,
                } => l.table(headers, rows, widths, aligns),
                Block::Columns(columns) => l.columns(columns),
                Block::Spacer(points) => l.spacer(*points),
                Block::PageBreak => {
                    if !l.empty {
                        l.new_page();
                    }
                }
            }
        }
        l.pages
    }
}

/// Draws the footer of page `number` of `total` at the end of `page`.
pub(crate) fn draw_footer(page: &mut Vec<u8>, m: Metrics, text: &str, number: usize, total: usize) {
    let right = encoded(&format!("page {number} / {total}"));
    let right_width = width(Font::Helvetica, m, &right, FOOTER_SIZE);
    page.extend_from_slice(b"0.5 w 0.6 G\n");
    rule(page, MARGIN, FOOTER_RULE, RIGHT, FOOTER_RULE);
    let mut left = encoded(text);
    let room = CONTENT_WIDTH - right_width - 12.0;
    if width(Font::Helvetica, m, &left, FOOTER_SIZE) > room {
        let ellipsis = width(Font::Helvetica, m, &[0x85], FOOTER_SIZE);
        while !left.is_empty() && width(Font::Helvetica, m, &left, FOOTER_SIZE) + ellipsis > room {
            left.pop();
        }
        left.push(0x85);
    }
    show(
        page,
        Font::Helvetica,
        FOOTER_SIZE,
        MARGIN,
        FOOTER_BASELINE,
        &left,
    );
    show(
        page,
        Font::Helvetica,
        FOOTER_SIZE,
        RIGHT - right_width,
        FOOTER_BASELINE,
        &right,
    );
}

/// The page being filled: `y` is the top of the next line box.
struct Layout {
    pages: Vec<Vec<u8>>,
    y: f32,
    /// Nothing drawn on the current page yet.
    empty: bool,
    m: Metrics,
}

impl Layout {
    fn new(m: Metrics) -> Self {
        Layout {
            pages: vec![page_start()],
            y: TOP,
            empty: true,
            m,
        }
    }

    fn new_page(&mut self) {
        self.pages.push(page_start());
        self.y = TOP;
        self.empty = true;
    }

    fn page(&mut self) -> &mut Vec<u8> {
        self.empty = false;
        self.pages.last_mut().expect("a page")
    }

    fn room(&self) -> f32 {
        self.y - BOTTOM
    }

    /// A new page when `height` does not fit (and the page is not empty).
    fn need(&mut self, height: f32) {
        if height > self.room() + 0.01 && !self.empty {
            self.new_page();
        }
    }

    /// Space after a block: simply lowers `y` (the next `need` breaks).
    fn after(&mut self, points: f32) {
        self.y = (self.y - points).max(BOTTOM);
    }

    fn spacer(&mut self, points: f32) {
        if points.is_nan() || points <= 0.0 {
            return;
        }
        if points > self.room() {
            self.new_page();
        } else {
            self.y -= points;
        }
    }

    fn line(&mut self, font: Font, size: f32, leading: f32, x: f32, text: &[u8]) {
        self.need(leading);
        let baseline = self.y - size;
        show(self.page(), font, size, x, baseline, text);
        self.y -= leading;
    }

    fn heading(&mut self, text: &str, size: f32, leading: f32, before: f32, after: f32) {
        let lines = wrap(text, Font::HelveticaBold, self.m, size, CONTENT_WIDTH);
        let height = lines.len() as f32 * leading + after + KEEP_WITH_NEXT;
        if !self.empty {
            if before + height > self.room() {
                self.new_page();
            } else {
                self.y -= before;
            }
        }
        for line in &lines {
            self.line(Font::HelveticaBold, size, leading, MARGIN, line);
        }
        self.after(after);
    }

    fn paragraph(&mut self, text: &str, size: f32, leading: f32, bullet: Option<&str>) {
        let (indent, lead) = match bullet {
            Some(b) => {
                let b = encoded(b);
                (width(Font::Helvetica, self.m, &b, size), b)
            }
            None => (0.0, Vec::new()),
        };
        let lines = wrap(text, Font::Helvetica, self.m, size, CONTENT_WIDTH - indent);
        for (i, line) in lines.iter().enumerate() {
            if i == 0 && !lead.is_empty() {
                self.need(leading);
                let baseline = self.y - size;
                show(self.page(), Font::Helvetica, size, MARGIN, baseline, &lead);
            }
            self.line(Font::Helvetica, size, leading, MARGIN + indent, line);
        }
    }

    fn key_values(&mut self, pairs: &[(String, String)], size: f32) {
        let leading = size * BODY_LEADING / BODY_SIZE;
        let value_x = MARGIN + LABEL_WIDTH;
        for (key, value) in pairs {
            let keys = wrap(
                key,
                Font::HelveticaBold,
                self.m,
                size,
                LABEL_WIDTH - LABEL_GAP,
            );
            let values = wrap(
                value,
                Font::Helvetica,
                self.m,
                size,
                CONTENT_WIDTH - LABEL_WIDTH,
            );
            let n = keys.len().max(values.len());
            let height = n as f32 * leading;
            if height <= TOP - BOTTOM {
                self.need(height);
            }
            for i in 0..n {
                self.need(leading);
                let baseline = self.y - size;
                let page = self.page();
                if let Some(k) = keys.get(i) {
                    show(page, Font::HelveticaBold, size, MARGIN, baseline, k);
                }
                if let Some(v) = values.get(i) {
                    show(page, Font::Helvetica, size, value_x, baseline, v);
                }
                self.y -= leading;
            }
            self.after(KEY_VALUE_ROW_GAP);
        }
        self.after(PARAGRAPH_AFTER - KEY_VALUE_ROW_GAP);
    }

    fn columns(&mut self, columns: &[(String, String)]) {
        let n = columns.len() as f32;
        let w = (CONTENT_WIDTH - COLUMNS_GUTTER * (n - 1.0)) / n;
        let wrapped: Vec<Vec<(Font, Vec<u8>)>> = columns
            .iter()
            .map(|(title, body)| {
                let mut lines = Vec::new();
                if !title.is_empty() {
                    for line in wrap(title, Font::HelveticaBold, self.m, COLUMNS_SIZE, w) {
                        lines.push((Font::HelveticaBold, line));
                    }
                }
                if !body.is_empty() {
                    for line in wrap(body, Font::Helvetica, self.m, COLUMNS_SIZE, w) {
                        lines.push((Font::Helvetica, line));
                    }
                }
                lines
            })
            .collect();
        let rows = wrapped.iter().map(Vec::len).max().unwrap_or(0);
        let height = rows as f32 * COLUMNS_LEADING;
        if height <= TOP - BOTTOM {
            self.need(height);
        }
        for i in 0..rows {
            self.need(COLUMNS_LEADING);
            let baseline = self.y - COLUMNS_SIZE;
            let page = self.page();
            for (c, lines) in wrapped.iter().enumerate() {
                if let Some((font, line)) = lines.get(i) {
                    let x = MARGIN + c as f32 * (w + COLUMNS_GUTTER);
                    show(page, *font, COLUMNS_SIZE, x, baseline, line);
                }
            }
            self.y -= COLUMNS_LEADING;
        }
        self.after(PARAGRAPH_AFTER);
    }

    fn table(
        &mut self,
        headers: &[String],
        rows: &[Vec<String>],
        weights: &[f32],
        aligns: &[Align],
    ) {
        let cols = headers.len();
        if cols == 0 {
            return;
        }
        let widths = column_widths(cols, weights);
        let aligns: Vec<Align> = (0..cols)
            .map(|c| aligns.get(c).copied().unwrap_or_default())
            .collect();
        let header = wrap_row(
            headers.iter().map(String::as_str),
            &widths,
            Font::HelveticaBold,
            self.m,
        );
        let header_lines = max_lines(&header);
        let header_height = row_height(header_lines);
        let m = self.m;
        let row_cells = |row: &Vec<String>| {
            let cells = (0..cols).map(|c| row.get(c).map_or("", String::as_str));
            wrap_row(cells, &widths, Font::Helvetica, m)
        };

        // The header stays with the first row (with its first line when the
        // row is taller than a page).
        let first = rows.first().map_or(0, |row| max_lines(&row_cells(row)));
        let first_height = row_height(first);
        let keep = if first_height <= TOP - BOTTOM - header_height {
            first_height
        } else {
            row_height(1)
        };
        self.need(header_height + keep);
        self.cells(&header, &widths, &aligns, 0, header_lines, true);

        for row in rows {
            let cells = row_cells(row);
            let n = max_lines(&cells);
            let fits_a_page = row_height(n) <= TOP - BOTTOM - header_height;
            let mut start = 0;
            let mut header_just_drawn = false;
            while start < n {
                let remaining = n - start;
                let fit = ((self.room() - 2.0 * CELL_PAD + 0.01) / CELL_LEADING).floor();
                let fit = if fit < 0.0 { 0 } else { fit as usize };
                if fit < remaining && (fit == 0 || fits_a_page) && !header_just_drawn {
                    self.new_page();
                    self.cells(&header, &widths, &aligns, 0, header_lines, true);
                    header_just_drawn = true;
                    continue;
                }
                let take = remaining.min(fit.max(1));
                self.cells(&cells, &widths, &aligns, start, take, false);
                start += take;
                header_just_drawn = false;
                if start < n {
                    self.new_page();
                    self.cells(&header, &widths, &aligns, 0, header_lines, true);
                    header_just_drawn = true;
                }
            }
        }
        self.after(TABLE_AFTER);
    }

    /// Draws lines `from..from + count` of a row of cells at `y`.
    fn cells(
        &mut self,
        cells: &[Vec<Vec<u8>>],
        widths: &[f32],
        aligns: &[Align],
        from: usize,
        count: usize,
        header: bool,
    ) {
        let height = row_height(count);
        let top = self.y;
        let font = if header {
            Font::HelveticaBold
        } else {
            Font::Helvetica
        };
        let m = self.m;
        let page = self.page();
        if header {
            page.extend_from_slice(b"0.92 g\n");
            rect(page, MARGIN, top - height, CONTENT_WIDTH, height);
            page.extend_from_slice(b" re f\n0 g\n");
        }
        let mut x = MARGIN;
        for ((cell, &w), &align) in cells.iter().zip(widths).zip(aligns) {
            rect(page, x, top - height, w, height);
            page.extend_from_slice(b" re S\n");
            for (i, line) in cell.iter().skip(from).take(count).enumerate() {
                let baseline = top - CELL_PAD - 0.9 * CELL_SIZE - i as f32 * CELL_LEADING;
                let left = match align {
                    Align::Left => x + CELL_PAD,
                    Align::Right => x + w - CELL_PAD - width(font, m, line, CELL_SIZE),
                };
                show(page, font, CELL_SIZE, left, baseline, line);
            }
            x += w;
        }
        self.y -= height;
    }
}

fn column_widths(cols: usize, weights: &[f32]) -> Vec<f32> {
    let valid = weights.len() == cols && weights.iter().all(|w| w.is_finite() && *w > 0.0);
    if !valid {
        return vec![CONTENT_WIDTH / cols as f32; cols];
    }
    let sum: f32 = weights.iter().sum();
    weights.iter().map(|w| w / sum * CONTENT_WIDTH).collect()
}

fn wrap_row<'a>(
    cells: impl Iterator<Item = &'a str>,
    widths: &[f32],
    font: Font,
    m: Metrics,
) -> Vec<Vec<Vec<u8>>> {
    cells
        .zip(widths)
        .map(|(text, w)| wrap(text, font, m, CELL_SIZE, w - 2.0 * CELL_PAD))
        .collect()
}

fn max_lines(cells: &[Vec<Vec<u8>>]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1)
}

fn row_height(lines: usize) -> f32 {
    lines as f32 * CELL_LEADING + 2.0 * CELL_PAD
}

/// Every page's content stream starts with the rule style.
fn page_start() -> Vec<u8> {
    let mut page = Vec::with_capacity(4096);
    page.extend_from_slice(b"0.5 w 0.6 G\n");
    page
}

fn encoded(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    encode_into(text, &mut out);
    out
}

fn width(font: Font, m: Metrics, text: &[u8], size: f32) -> f32 {
    font.units_in(m, text) as f32 * size / 1000.0
}

/// Wraps `text` to `max` points: `\n` breaks lines, lines break at spaces
/// (U+0020; the no-break spaces never break), a word wider than the column
/// is cut between characters. Always at least one (maybe empty) line.
pub(crate) fn wrap(text: &str, font: Font, m: Metrics, size: f32, max: f32) -> Vec<Vec<u8>> {
    // Compare in font units, as integers: exact and deterministic.
    let max_units = (max.max(0.0) * 1000.0 / size) as u32;
    let space = u32::from(font.width_in(m, b' '));
    let mut lines = Vec::new();
    let mut bytes = Vec::new();
    for source in text.split('\n') {
        bytes.clear();
        encode_into(source, &mut bytes);
        while bytes.last() == Some(&b' ') {
            bytes.pop();
        }
        if font.units_in(m, &bytes) <= max_units {
            lines.push(bytes.clone());
            continue;
        }
        let mut line: Vec<u8> = Vec::new();
        let mut line_units = 0u32;
        for word in bytes.split(|&b| b == b' ') {
            let word_units = font.units_in(m, word);
            if !line.is_empty() && line_units + space + word_units <= max_units {
                line.push(b' ');
                line.extend_from_slice(word);
                line_units += space + word_units;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_units = 0;
            }
            if word_units <= max_units {
                line.extend_from_slice(word);
                line_units = word_units;
                continue;
            }
            // A word wider than the column: cut it between characters.
            for &b in word {
                let w = u32::from(font.width_in(m, b));
                if !line.is_empty() && line_units + w > max_units {
                    lines.push(std::mem::take(&mut line));
                    line_units = 0;
                }
                line.push(b);
                line_units += w;
            }
        }
        lines.push(line);
    }
    lines
}

/// Writes a number with at most two decimals (no exponent, no trailing
/// zeros): deterministic and compact.
pub(crate) fn num(out: &mut Vec<u8>, v: f32) {
    let cents = (f64::from(v) * 100.0).round() as i64;
    let (neg, cents) = if cents < 0 {
        (true, -cents)
    } else {
        (false, cents)
    };
    if neg {
        out.push(b'-');
    }
    push_uint(out, (cents / 100) as u64);
    let frac = cents % 100;
    if frac != 0 {
        out.push(b'.');
        out.push(b'0' + (frac / 10) as u8);
        if frac % 10 != 0 {
            out.push(b'0' + (frac % 10) as u8);
        }
    }
}

pub(crate) fn push_uint(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// `BT /Fn size Tf x y Td (text) Tj ET`.
fn show(out: &mut Vec<u8>, font: Font, size: f32, x: f32, y: f32, text: &[u8]) {
    if text.is_empty() {
        return;
    }
    out.extend_from_slice(b"BT ");
    out.extend_from_slice(font.resource());
    out.push(b' ');
    num(out, size);
    out.extend_from_slice(b" Tf ");
    num(out, x);
    out.push(b' ');
    num(out, y);
    out.extend_from_slice(b" Td ");
    literal(out, text);
    out.extend_from_slice(b" Tj ET\n");
}

fn rect(out: &mut Vec<u8>, x: f32, y: f32, w: f32, h: f32) {
    for (i, v) in [x, y, w, h].into_iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        num(out, v);
    }
}

fn rule(out: &mut Vec<u8>, x1: f32, y1: f32, x2: f32, y2: f32) {
    num(out, x1);
    out.push(b' ');
    num(out, y1);
    out.extend_from_slice(b" m ");
    num(out, x2);
    out.push(b' ');
    num(out, y2);
    out.extend_from_slice(b" l S\n");
}

/// A PDF literal string: `(`, `)` and `\` escaped, other bytes as they are
/// (WinAnsi text never holds CR or LF).
pub(crate) fn literal(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'(');
    for &b in text {
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_lines(lines: &[Vec<u8>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| String::from_utf8(l.clone()).unwrap())
            .collect()
    }

    #[test]
    fn wrap_breaks_at_spaces_within_the_width() {
        // "aaaa" is 4 × 556 = 2224 units: 22.24 pt at 10 pt.
        let lines = wrap(
            "aaaa aaaa aaaa",
            Font::Helvetica,
            Metrics::Standard,
            10.0,
            50.0,
        );
        assert_eq!(text_lines(&lines), ["aaaa aaaa", "aaaa"]);
        for line in &lines {
            assert!(width(Font::Helvetica, Metrics::Standard, line, 10.0) <= 50.0);
        }
    }

    #[test]
    fn wrap_honours_newlines_and_cuts_long_words() {
        let lines = wrap("ab\n\ncd", Font::Helvetica, Metrics::Standard, 10.0, 100.0);
        assert_eq!(text_lines(&lines), ["ab", "", "cd"]);
        let lines = wrap(
            &"0".repeat(30),
            Font::Helvetica,
            Metrics::Standard,
            10.0,
            55.6,
        );
        assert_eq!(
            text_lines(&lines),
            ["0".repeat(10), "0".repeat(10), "0".repeat(10)]
        );
        assert_eq!(
            wrap("", Font::Helvetica, Metrics::Standard, 10.0, 100.0),
            [Vec::<u8>::new()]
        );
    }

    #[test]
    fn no_break_spaces_do_not_break() {
        let lines = wrap(
            "1\u{202F}234\u{A0}€ x",
            Font::Helvetica,
            Metrics::Standard,
            10.0,
            40.0,
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], [b'1', 0xA0, b'2', b'3', b'4', 0xA0, 0x80]);
    }

    #[test]
    fn numbers_are_compact() {
        let mut out = Vec::new();
        for v in [0.0, 1.0, -2.5, 841.89, 595.28, 12.345, 0.004, 100.1] {
            num(&mut out, v);
            out.push(b' ');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0 1 -2.5 841.89 595.28 12.35 0 100.1 "
        );
    }

    #[test]
    fn literal_escapes_parentheses_and_backslashes() {
        let mut out = Vec::new();
        literal(&mut out, b"a(b)\\c");
        assert_eq!(out, b"(a\\(b\\)\\\\c)");
    }

    #[test]
    fn paragraphs_flow_onto_new_pages() {
        let mut doc = Document::new("t");
        for _ in 0..200 {
            doc.paragraph("Une ligne.");
        }
        // 200 × (14 + 6) pt over 741.89 pt of column: 6 pages (37 per page).
        assert_eq!(doc.page_count(), 6);
    }

    #[test]
    fn page_break_on_an_empty_page_adds_no_page() {
        let mut doc = Document::new("t");
        doc.page_break()
            .paragraph("a")
            .page_break()
            .page_break()
            .paragraph("b");
        assert_eq!(doc.page_count(), 2);
        assert_eq!(Document::new("empty").page_count(), 1);
    }

    #[test]
    fn a_heading_is_not_left_alone_at_the_bottom() {
        let mut doc = Document::new("t");
        for _ in 0..36 {
            doc.paragraph("x");
        }
        doc.heading("Titre").paragraph("suite");
        let pages = doc.layout();
        assert_eq!(pages.len(), 2);
        let second = String::from_utf8_lossy(&pages[1]);
        assert!(second.contains("(Titre)") && second.contains("(suite)"));
    }

    #[test]
    fn column_widths_are_relative_weights() {
        let w = column_widths(2, &[1.0, 3.0]);
        assert!((w[0] - CONTENT_WIDTH / 4.0).abs() < 1e-3);
        assert!((w[1] - CONTENT_WIDTH * 0.75).abs() < 1e-3);
        assert_eq!(column_widths(3, &[1.0]), vec![CONTENT_WIDTH / 3.0; 3]);
        assert_eq!(column_widths(2, &[1.0, -1.0]), vec![CONTENT_WIDTH / 2.0; 2]);
    }

    /// The x of every `Td` drawing `text` in `page`.
    fn x_of(page: &[u8], text: &str) -> Vec<f32> {
        let page = String::from_utf8_lossy(page);
        let needle = format!(" Td ({text}) Tj");
        page.lines()
            .filter(|l| l.contains(&needle))
            .map(|l| {
                let before: Vec<&str> = l.split(" Td ").next().unwrap().split(' ').collect();
                before[before.len() - 2].parse().unwrap()
            })
            .collect()
    }

    #[test]
    fn right_aligned_cells_end_at_the_right_padding() {
        let mut doc = Document::new("t");
        let rows = vec![vec!["a".to_owned(), "12,00".to_owned()]];
        doc.table_aligned(
            &["Libellé", "Montant"],
            &rows,
            &[1.0, 1.0],
            &[Align::Left, Align::Right],
        );
        let pages = doc.layout();
        let half = CONTENT_WIDTH / 2.0;
        let right = MARGIN + CONTENT_WIDTH - CELL_PAD;
        let [x] = x_of(&pages[0], "12,00")[..] else {
            panic!()
        };
        let w = Font::Helvetica.text_width("12,00", CELL_SIZE);
        assert!((x + w - right).abs() < 0.01, "{x} + {w} ≠ {right}");
        let [x] = x_of(&pages[0], "Montant")[..] else {
            panic!()
        };
        let w = Font::HelveticaBold.text_width("Montant", CELL_SIZE);
        assert!((x + w - right).abs() < 0.01, "header: {x} + {w} ≠ {right}");
        let [x] = x_of(&pages[0], "a")[..] else {
            panic!()
        };
        assert!((x - MARGIN - CELL_PAD).abs() < 0.01);
        assert!(x < MARGIN + half);
    }

    #[test]
    fn left_alignment_is_left_out_of_the_spec() {
        let mut doc = Document::new("t");
        doc.table_aligned(&["a", "b"], &[], &[1.0, 1.0], &[Align::Left, Align::Left]);
        assert!(!doc.to_spec().contains("aligns"), "{}", doc.to_spec());
        let mut plain = Document::new("t");
        plain
            .created_at(doc.created_at)
            .table(&["a", "b"], &[], &[1.0, 1.0]);
        assert_eq!(doc.to_bytes(), plain.to_bytes());
        doc.table_aligned(&["a", "b"], &[], &[1.0, 1.0], &[Align::Left, Align::Right]);
        let again = Document::from_spec(&doc.to_spec()).unwrap();
        assert_eq!(again.to_bytes(), doc.to_bytes());
    }

    #[test]
    fn columns_sit_side_by_side_and_break_between_lines() {
        let mut doc = Document::new("t");
        doc.columns(&[("Vendeur", "1 rue A\nParis"), ("Client", "2 rue B")]);
        let pages = doc.layout();
        let page = String::from_utf8_lossy(&pages[0]);
        assert!(
            page.contains("/F2 10 Tf 50 781.89 Td (Vendeur) Tj"),
            "{page}"
        );
        let second = MARGIN + (CONTENT_WIDTH - COLUMNS_GUTTER) / 2.0 + COLUMNS_GUTTER;
        assert_eq!(
            x_of(&pages[0], "Client"),
            [(second * 100.0).round() / 100.0]
        );
        assert!(page.contains("/F1 10 Tf 50 755.89 Td (Paris) Tj"), "{page}");

        let mut long = Document::new("t");
        long.columns(&[("", &"ligne\n".repeat(100)), ("b", "")]);
        assert_eq!(long.page_count(), 2);
        assert_eq!(Document::new("t").columns(&[]).page_count(), 1);
    }

    #[test]
    fn a_row_taller_than_a_page_is_split_with_the_header_repeated() {
        let mut doc = Document::new("t");
        let tall = vec!["ligne\n".repeat(150)];
        doc.table(&["Entête"], &[tall], &[1.0]);
        let pages = doc.layout();
        assert_eq!(pages.len(), 3);
        for page in &pages {
            assert!(page.windows(8).any(|w| w == b"(Ent\xEAte)"));
        }
    }
}
