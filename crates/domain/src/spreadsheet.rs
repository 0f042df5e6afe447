//! Reading contact files: CSV with any common delimiter (UTF-8, with or
//! without a byte-order mark) or Excel `.xlsx`. Pure functions over bytes, with
//! the size rules a file must meet; a malformed file is refused whole with the
//! line that broke it.

use std::io::Cursor;

/// What a file may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetLimits {
    pub max_rows: usize,
    pub max_columns: usize,
    pub max_cell_bytes: usize,
}

impl Default for SheetLimits {
    fn default() -> Self {
        Self {
            max_rows: 1_000_000,
            max_columns: 100,
            max_cell_bytes: 4096,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("The file has more than {0} rows.")]
    TooManyRows(usize),
    #[error("The file has more than {0} columns.")]
    TooManyColumns(usize),
    #[error("Line {line}: a cell is longer than {limit} bytes.")]
    CellTooLong { line: usize, limit: usize },
    #[error("Line {line}: {reason}")]
    Malformed { line: usize, reason: String },
    #[error("The file has no header row.")]
    Empty,
    #[error("This is neither a CSV nor an Excel (.xlsx) file.")]
    UnknownFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Csv,
    Xlsx,
}

/// A file read whole: its header row and data rows (cells trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// `.xlsx` files are zip archives; everything else is read as CSV.
pub fn detect_format(bytes: &[u8], file_name: &str) -> SheetFormat {
    let lower = file_name.to_ascii_lowercase();
    if bytes.starts_with(b"PK\x03\x04") || lower.ends_with(".xlsx") {
        SheetFormat::Xlsx
    } else {
        SheetFormat::Csv
    }
}

/// The delimiter that splits the header line most often (outside quotes).
fn sniff_delimiter(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or_default();
    let mut best = (b',', 0usize);
    for candidate in [b',', b';', b'\t', b'|'] {
        let mut quoted = false;
        let count = first_line
            .bytes()
            .filter(|b| {
                if *b == b'"' {
                    quoted = !quoted;
                }
                !quoted && *b == candidate
            })
            .count();
        if count > best.1 {
            best = (candidate, count);
        }
    }
    best.0
}

fn check_row(cells: &[String], line: usize, limits: &SheetLimits) -> Result<(), SheetError> {
    if cells.len() > limits.max_columns {
        return Err(SheetError::TooManyColumns(limits.max_columns));
    }
    if cells.iter().any(|c| c.len() > limits.max_cell_bytes) {
        return Err(SheetError::CellTooLong {
            line,
            limit: limits.max_cell_bytes,
        });
    }
    Ok(())
}

pub fn read_csv(bytes: &[u8], limits: &SheetLimits) -> Result<Sheet, SheetError> {
    let mut rows = Vec::new();
    let headers = visit_csv(bytes, limits, &mut |cells| rows.push(cells))?;
    Ok(Sheet { headers, rows })
}

/// Reads a CSV file row by row: answers the header row and hands each
/// non-empty data row to `visit`, so a large file is never held as cells.
pub fn visit_csv(
    bytes: &[u8],
    limits: &SheetLimits,
    visit: &mut dyn FnMut(Vec<String>),
) -> Result<Vec<String>, SheetError> {
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            SheetError::Malformed {
                line,
                reason: "the text is not UTF-8; save the file as CSV UTF-8.".into(),
            }
        })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(text))
        .has_headers(false)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut count = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
            let reason = match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => {
                    format!("expected {expected_len} cells like the header, found {len}.")
                }
                _ => e.to_string(),
            };
            SheetError::Malformed { line, reason }
        })?;
        let line = record
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(count + 1);
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        check_row(&cells, line, limits)?;
        if headers.is_none() {
            headers = Some(cells);
            continue;
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if count == limits.max_rows {
            return Err(SheetError::TooManyRows(limits.max_rows));
        }
        count += 1;
        visit(cells);
    }
    headers
        .filter(|h| h.iter().any(|c| !c.is_empty()))
        .ok_or(SheetError::Empty)
}

pub fn read_xlsx(bytes: &[u8], limits: &SheetLimits) -> Result<Sheet, SheetError> {
    let mut rows = Vec::new();
    let headers = visit_xlsx(bytes, limits, &mut |cells| rows.push(cells))?;
    Ok(Sheet { headers, rows })
}

/// The first worksheet of an `.xlsx` file, row by row (see [`visit_csv`]).
pub fn visit_xlsx(
    bytes: &[u8],
    limits: &SheetLimits,
    visit: &mut dyn FnMut(Vec<String>),
) -> Result<Vec<String>, SheetError> {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| SheetError::Malformed {
            line: 0,
            reason: format!("the workbook cannot be read: {e}"),
        })?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(SheetError::Empty)?
        .map_err(|e| SheetError::Malformed {
            line: 0,
            reason: format!("the first sheet cannot be read: {e}"),
        })?;
    let mut headers: Option<Vec<String>> = None;
    let mut count = 0usize;
    for (index, row) in range.rows().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| c.to_string().trim().to_owned())
            .collect();
        check_row(&cells, index + 1, limits)?;
        if headers.is_none() {
            if cells.iter().all(String::is_empty) {
                continue;
            }
            headers = Some(cells);
            continue;
        }
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if count == limits.max_rows {
            return Err(SheetError::TooManyRows(limits.max_rows));
        }
        count += 1;
        visit(cells);
    }
    headers.ok_or(SheetError::Empty)
}

pub fn read_sheet(
    bytes: &[u8],
    file_name: &str,
    limits: &SheetLimits,
) -> Result<Sheet, SheetError> {
    match detect_format(bytes, file_name) {
        SheetFormat::Csv => read_csv(bytes, limits),
        SheetFormat::Xlsx => read_xlsx(bytes, limits),
    }
}

/// Either format, row by row: answers the headers; `visit` gets each data
/// row (the first is line 2).
pub fn visit_sheet(
    bytes: &[u8],
    file_name: &str,
    limits: &SheetLimits,
    visit: &mut dyn FnMut(Vec<String>),
) -> Result<Vec<String>, SheetError> {
    match detect_format(bytes, file_name) {
        SheetFormat::Csv => visit_csv(bytes, limits, visit),
        SheetFormat::Xlsx => visit_xlsx(bytes, limits, visit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_a_bom_and_semicolons_reads_the_same() {
        let text = "\u{FEFF}Name;Phone;Tags\nAna;+5511987654321;VIP|Lead\n\nBo;+8613800138000;\n";
        let sheet = read_csv(text.as_bytes(), &SheetLimits::default()).unwrap();
        assert_eq!(sheet.headers, ["Name", "Phone", "Tags"]);
        assert_eq!(sheet.rows.len(), 2, "blank lines are skipped");
        assert_eq!(sheet.rows[0][2], "VIP|Lead");
    }

    #[test]
    fn quoted_cells_keep_their_delimiters() {
        let text = "Name,Note\n\"Lima, Ana\",\"said \"\"hi\"\"\"\n";
        let sheet = read_csv(text.as_bytes(), &SheetLimits::default()).unwrap();
        assert_eq!(sheet.rows[0], ["Lima, Ana", "said \"hi\""]);
    }

    #[test]
    fn a_malformed_file_names_the_line() {
        let text = "Name,Phone\nAna,1\nBo,2,extra\n";
        match read_csv(text.as_bytes(), &SheetLimits::default()) {
            Err(SheetError::Malformed { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn limits_are_enforced() {
        let limits = SheetLimits {
            max_rows: 2,
            max_columns: 3,
            max_cell_bytes: 5,
        };
        let rows = "A\n1\n2\n3\n";
        assert_eq!(
            read_csv(rows.as_bytes(), &limits),
            Err(SheetError::TooManyRows(2))
        );
        let cols = "A,B,C,D\n";
        assert_eq!(
            read_csv(cols.as_bytes(), &limits),
            Err(SheetError::TooManyColumns(3))
        );
        let long = "A\n123456\n";
        assert_eq!(
            read_csv(long.as_bytes(), &limits),
            Err(SheetError::CellTooLong { line: 2, limit: 5 })
        );
        assert_eq!(read_csv(b"", &limits), Err(SheetError::Empty));
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_line() {
        let bytes = b"Name\nAna\n\xff\xfe\n";
        assert!(matches!(
            read_csv(bytes, &SheetLimits::default()),
            Err(SheetError::Malformed { line: 3, .. })
        ));
    }

    #[test]
    fn garbage_that_claims_to_be_xlsx_is_refused() {
        assert!(matches!(
            read_sheet(b"PK\x03\x04nonsense", "x.xlsx", &SheetLimits::default()),
            Err(SheetError::Malformed { .. })
        ));
    }
}
