//! Reading reports across consultants (lists, the portal's queue), their
//! attachments, and the leave workflow's hold on draft months.

use super::*;

/// A file attached to a report, for one of its missions (whose client
/// then sees it) or kept internal (`mission` none).
pub struct NewAttachment<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub mission: Option<MissionId>,
}

pub async fn add_attachment(
    tx: &mut Tx,
    actor: &Actor,
    scope: Scope,
    id: CraId,
    file: &NewAttachment<'_>,
) -> Result<()> {
    let NewAttachment {
        filename,
        content_type,
        bytes,
        mission,
    } = *file;
    let cra = fetch(tx, scope, id).await?;
    if !cra.status.is_editable() {
        return Err(illegal(cra.status));
    }
    hold_draft(tx, id).await?;
    if bytes.is_empty() {
        return Err(refuse("file", "cra-attachment-empty"));
    }
    if bytes.len() > domain::esign::MAX_SCAN_BYTES {
        return Err(refuse("file", "cra-attachment-too-large"));
    }
    let client = match mission {
        None => None,
        Some(m) => match missions_in(tx, cra.consultant_id, cra.month)
            .await?
            .into_iter()
            .find(|x| x.id == m)
        {
            Some(line) => Some(line.client_id),
            None => return Err(refuse("mission", "cra-attachment-mission-unknown")),
        },
    };
    let name: String = filename
        .chars()
        .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
        .take(200)
        .collect();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO cra_attachments (id, cra_id, filename, content_type, bytes, size_bytes, uploaded_by, uploaded_at,
           mission_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(id.to_string())
    .bind(if name.is_empty() { "piece-jointe" } else { name.as_str() })
    .bind(content_type)
    .bind(bytes)
    .bind(bytes.len() as i64)
    .bind(actor.user_id.map(|u| u.to_string()))
    .bind(now())
    .bind(mission.map(|m| m.to_string()))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    })?;
    record_for(tx, id, actor, "attachment_added", Some(filename), client).await
}

pub async fn attachment(
    tx: &mut Tx,
    scope: Scope,
    id: CraId,
    attachment: &str,
) -> Result<(String, String, Vec<u8>)> {
    // The sheet as the scope sees it lists the files it may open.
    if !get(tx, scope, id)
        .await?
        .attachments
        .iter()
        .any(|a| a.id == attachment)
    {
        return Err(Error::NotFound);
    }
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT filename, content_type, bytes FROM cra_attachments WHERE cra_id = $1 AND id = $2"
    )
    .bind(id.to_string())
    .bind(attachment)
    .fetch_optional(c)
    .await)?
    .ok_or(Error::NotFound)
}

/// Reports with their day counts, filtered and scoped like `select_cras!`.
/// A client's list carries no free text: the comment and the reason a
/// report was sent back may speak of another client (see `get`).
const SELECT_CRAS_WITH_TOTALS: &str = concat!(
    "SELECT r.id, r.consultant_id, u.display_name AS consultant_name, u.email AS consultant_email,
               r.month, r.version, r.status,
               CASE WHEN CAST($1 AS TEXT) IS NULL THEN r.comment END AS comment,
               CASE WHEN CAST($1 AS TEXT) IS NULL THEN r.rejection_reason END AS rejection_reason,
               r.signed_at, r.client_validated_at,
               r.validated_at, v.display_name AS validated_by, r.updated_at,
               CAST(COALESCE(SUM(CASE WHEN s.activity = 'mission' AND (CAST($1 AS TEXT) IS NULL
                   OR s.mission_id IN (SELECT m.id FROM missions m WHERE m.client_id = $1)) THEN 1 ELSE 0 END), 0) AS BIGINT) AS billable,
               CAST(COALESCE(SUM(CASE WHEN s.activity = 'leave' AND CAST($1 AS TEXT) IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS leave,
               CAST(COALESCE(SUM(CASE WHEN s.activity NOT IN ('mission', 'leave') AND CAST($1 AS TEXT) IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS other,
               CAST((SELECT COUNT(*) FROM cra_client_approvals a WHERE a.cra_id = r.id AND a.approved_at IS NULL
                   AND (CAST($1 AS TEXT) IS NULL OR a.client_id = $1)) AS BIGINT) AS waiting
             FROM cras r JOIN users u ON u.id = r.consultant_id LEFT JOIN users v ON v.id = r.validated_by
             LEFT JOIN cra_slots s ON s.cra_id = r.id
             WHERE ",
    crate::scope_clause!(cras),
    " AND (CAST($4 AS TEXT) IS NULL OR r.month = $4)
               AND (CAST($5 AS TEXT) IS NULL OR r.status = $5)
               AND (CAST($6 AS TEXT) IS NULL OR r.consultant_id = $6)
               AND r.status <> 'superseded'
             GROUP BY r.id, r.consultant_id, u.display_name, u.email, r.month, r.version, r.status, r.comment,
               r.rejection_reason, r.signed_at, r.client_validated_at, r.validated_at, v.display_name, r.updated_at
             ORDER BY r.month DESC, u.display_name
             LIMIT $7"
);

/// A line of the list pages.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub cra: Cra,
    pub billable_half_days: i64,
    pub leave_half_days: i64,
    pub other_half_days: i64,
    pub clients_waiting: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub month: Option<YearMonth>,
    pub status: Option<CraStatus>,
    pub consultant: Option<UserId>,
}

pub async fn list(tx: &mut Tx, scope: Scope, f: &Filter, limit: i64) -> Result<Vec<Summary>> {
    #[derive(sqlx::FromRow)]
    struct S {
        #[sqlx(flatten)]
        row: Row,
        billable: i64,
        leave: i64,
        other: i64,
        waiting: i64,
    }
    let rows: Vec<S> = on_tx!(tx, |c| sqlx::query_as(SELECT_CRAS_WITH_TOTALS)
        .bind(scope.company())
        .bind(scope.own_user())
        .bind(scope.portfolio())
        .bind(f.month.map(|m| m.to_string()))
        .bind(f.status.map(|s| s.as_str()))
        .bind(f.consultant.map(|u| u.to_string()))
        .bind(limit)
        .fetch_all(c)
        .await)?;
    rows.into_iter()
        .map(|s| {
            Ok(Summary {
                cra: s.row.try_into()?,
                billable_half_days: s.billable,
                leave_half_days: s.leave,
                other_half_days: s.other,
                clients_waiting: s.waiting,
            })
        })
        .collect()
}

/// The signed reports still waiting for this company's validation (on
/// any of its missions), in one statement.
pub async fn awaiting_client(tx: &mut Tx, company: CompanyId) -> Result<Vec<Cra>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(select_cras!(
        "r.status = 'signed' AND EXISTS (SELECT 1 FROM cra_client_approvals p
           WHERE p.cra_id = r.id AND p.client_id = $1 AND p.approved_at IS NULL)
         ORDER BY r.month, u.display_name"
    ))
    .bind(company.to_string())
    .bind(None::<String>)
    .bind(None::<String>)
    .fetch_all(c)
    .await)?;
    // A client's queue carries no free text, as in `list`.
    rows.into_iter()
        .map(|r| {
            let mut cra: Cra = r.try_into()?;
            cra.comment = None;
            cra.rejection_reason = None;
            Ok(cra)
        })
        .collect()
}

/// The live report with the most entries and its consultant (benchmarks
/// measure the fullest month grid).
pub async fn busiest(tx: &mut Tx) -> Result<Option<(CraId, UserId)>> {
    let row: Option<(String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT r.id, r.consultant_id FROM cras r JOIN cra_slots s ON s.cra_id = r.id
         WHERE r.status <> 'superseded' GROUP BY r.id, r.consultant_id ORDER BY COUNT(*) DESC, r.id LIMIT 1"
    )
    .fetch_optional(c)
    .await
    })?;
    Ok(row.and_then(|(c, u)| Some((CraId::parse(&c)?, UserId::parse(&u)?))))
}
