//! `ereporting`: the month's payment e-reporting (receipts on invoices under
//! VAT on receipts, per VAT rate, to the cent) printed on standard output,
//! as the web page's downloads write it.

use clap::{Args, ValueEnum};
use domain::calendar::YearMonth;

use crate::config::{Common, connect};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// `;` and decimal commas, for a French spreadsheet.
    CsvFr,
    /// `,` and decimal points.
    CsvIntl,
    Json,
}

#[derive(Args, Debug)]
pub struct EreportingArgs {
    /// The month, as YYYY-MM (e.g. 2026-11).
    #[arg(long, value_name = "YYYY-MM", value_parser = parse_month)]
    pub month: YearMonth,
    #[arg(long, value_enum, default_value = "csv-fr")]
    pub format: Format,
}

fn parse_month(s: &str) -> Result<YearMonth, String> {
    YearMonth::parse(s.trim()).ok_or_else(|| "expected a month as YYYY-MM (e.g. 2026-11)".into())
}

pub async fn run(common: &Common, args: EreportingArgs) -> anyhow::Result<()> {
    let db = connect(common).await?;
    let mut tx = db.read().await?;
    let report = store::einvoicing::ereporting::month(&mut tx, args.month).await?;
    tx.commit().await?;
    db.close().await;
    let out = match args.format {
        Format::CsvFr => web::pages::accounting::ereporting::csv_text(&report, true),
        Format::CsvIntl => web::pages::accounting::ereporting::csv_text(&report, false),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    print!("{out}");
    Ok(())
}
