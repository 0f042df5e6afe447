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
    /// What an `.xlsx` (a zip archive) may unpack to, all parts together:
    /// the memory budget of reading one, and the end of any zip bomb.
    pub max_unpacked_bytes: u64,
}

impl Default for SheetLimits {
    fn default() -> Self {
        Self {
            max_rows: 1_000_000,
            max_columns: 100,
            max_cell_bytes: 4096,
            max_unpacked_bytes: 1024 * 1024 * 1024,
        }
    }
}

impl SheetLimits {
    /// The most cells a sheet may declare or hold: every row at full width,
    /// plus the header row.
    pub fn max_cells(&self) -> u64 {
        (self.max_rows as u64 + 1).saturating_mul(self.max_columns as u64)
    }
}

/// What an `.xlsx`'s shared-string table may unpack to: calamine keeps all
/// of it in memory (about 3x its XML size as strings).
const MAX_SHARED_STRINGS_BYTES: u64 = 128 * 1024 * 1024;

/// The most parts an `.xlsx` archive may have; real ones have a few dozen.
const MAX_ARCHIVE_ENTRIES: usize = 10_000;

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
    /// Refused before reading it whole: what it declares or unpacks to is
    /// past the limits (413).
    #[error("{0}")]
    TooLarge(String),
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
    if cells.iter().any(|c| c.contains('\0')) {
        return Err(SheetError::Malformed {
            line,
            reason: "a cell holds a NUL character; save the file again as text.".into(),
        });
    }
    if cells.iter().any(|c| c.len() > limits.max_cell_bytes) {
        return Err(SheetError::CellTooLong {
            line,
            limit: limits.max_cell_bytes,
        });
    }
    Ok(())
}

/// Refuses a line no valid row could need (every cell at its longest with
/// each quote doubled, plus delimiters), before the CSV reader splits it:
/// a 50 MB line of delimiters would otherwise become millions of fields.
fn check_line_lengths(text: &str, limits: &SheetLimits) -> Result<(), SheetError> {
    let longest = limits
        .max_columns
        .saturating_mul(limits.max_cell_bytes.saturating_mul(2).saturating_add(3));
    for (index, line) in text.split('\n').enumerate() {
        if line.len() > longest {
            return Err(SheetError::Malformed {
                line: index + 1,
                reason: format!(
                    "the line is longer than any row of {} cells of {} bytes could be.",
                    limits.max_columns, limits.max_cell_bytes
                ),
            });
        }
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
    check_line_lengths(text, limits)?;
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
        // Counted before any cell is copied out of the reader's buffer.
        if record.len() > limits.max_columns {
            return Err(SheetError::TooManyColumns(limits.max_columns));
        }
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
/// Bounded before anything is built: the archive's unpacked size, the
/// sheet's declared dimension and its cell count are checked first, and
/// cells are streamed into one row at a time (calamine's own ranges are
/// dense rows x columns, which a 1 KB file claiming `A1:XFD1048576` or
/// holding two far-apart cells would make enormous).
pub fn visit_xlsx(
    bytes: &[u8],
    limits: &SheetLimits,
    visit: &mut dyn FnMut(Vec<String>),
) -> Result<Vec<String>, SheetError> {
    use calamine::{Reader, Xlsx};
    check_archive(bytes, limits)?;
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| SheetError::Malformed {
            line: 0,
            reason: format!("the workbook cannot be read: {e}"),
        })?;
    let first = workbook
        .sheet_names()
        .first()
        .cloned()
        .ok_or(SheetError::Empty)?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|e| SheetError::Malformed {
            line: 0,
            reason: format!("the first sheet cannot be read: {e}"),
        })?;
    let declared = cells.dimensions();
    let declared_cells = u64::from(declared.end.0.saturating_sub(declared.start.0))
        .saturating_add(1)
        .saturating_mul(
            u64::from(declared.end.1.saturating_sub(declared.start.1)).saturating_add(1),
        );
    if declared_cells > limits.max_cells() {
        return Err(SheetError::TooLarge(format!(
            "The sheet declares {declared_cells} cells ({} rows by {} columns); at most {} rows of {} columns are read.",
            u64::from(declared.end.0 - declared.start.0) + 1,
            u64::from(declared.end.1 - declared.start.1) + 1,
            limits.max_rows,
            limits.max_columns
        )));
    }
    let mut rows = RowAssembler::new(limits, visit);
    let mut held = 0u64;
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                return Err(SheetError::Malformed {
                    line: rows.line(),
                    reason: format!("the sheet cannot be read: {e}"),
                })
            }
        };
        let value = calamine::Data::from(cell.get_value().clone());
        if matches!(value, calamine::Data::Empty) {
            continue;
        }
        held += 1;
        if held > limits.max_cells() {
            return Err(SheetError::TooLarge(format!(
                "The sheet holds more than {} cells.",
                limits.max_cells()
            )));
        }
        let (row, column) = cell.get_position();
        rows.put(row, column, value.to_string())?;
    }
    rows.finish()
}

/// Unpacks every part of the archive into nothing, counting: refuses an
/// archive that unpacks (or says it unpacks) past the budget, whatever its
/// compressed size.
fn check_archive(bytes: &[u8], limits: &SheetLimits) -> Result<(), SheetError> {
    let malformed = |e: zip::result::ZipError| SheetError::Malformed {
        line: 0,
        reason: format!("the workbook cannot be read: {e}"),
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(malformed)?;
    if archive.len() > MAX_ARCHIVE_ENTRIES {
        return Err(SheetError::TooLarge(format!(
            "The workbook has more than {MAX_ARCHIVE_ENTRIES} parts."
        )));
    }
    let budget = limits.max_unpacked_bytes;
    let too_large = || {
        SheetError::TooLarge(format!(
            "The workbook unpacks to more than {} MB; save a smaller file or split it.",
            budget / (1024 * 1024)
        ))
    };
    let mut unpacked = 0u64;
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).map_err(malformed)?;
        // calamine holds every shared string in memory at once; the sheet
        // itself is streamed. So the string table gets a budget of its own.
        let own_limit = if part
            .name()
            .is_ok_and(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml"))
        {
            Some(MAX_SHARED_STRINGS_BYTES.min(budget))
        } else {
            None
        };
        let left = budget
            .saturating_sub(unpacked)
            .min(own_limit.unwrap_or(u64::MAX));
        if part.size() > left {
            return Err(too_large());
        }
        let read = std::io::copy(
            &mut std::io::Read::take(&mut part, left + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| SheetError::Malformed {
            line: 0,
            reason: format!("the workbook cannot be read: {e}"),
        })?;
        if read > left {
            return Err(too_large());
        }
        unpacked += read;
    }
    Ok(())
}

/// Builds rows from a sheet's cells, which come row by row, and applies
/// the same rules as CSV rows: the first non-empty row is the header,
/// empty rows are skipped, widths and lengths are checked.
struct RowAssembler<'a, 'v> {
    limits: &'a SheetLimits,
    visit: &'v mut dyn FnMut(Vec<String>),
    /// The row being filled (0-based) and its cells.
    current: Option<(u32, Vec<String>)>,
    headers: Option<Vec<String>>,
    count: usize,
}

impl<'a, 'v> RowAssembler<'a, 'v> {
    fn new(limits: &'a SheetLimits, visit: &'v mut dyn FnMut(Vec<String>)) -> Self {
        Self {
            limits,
            visit,
            current: None,
            headers: None,
            count: 0,
        }
    }

    /// The 1-based line being read, for messages.
    fn line(&self) -> usize {
        self.current.as_ref().map_or(0, |(r, _)| *r as usize + 1)
    }

    fn put(&mut self, row: u32, column: u32, value: String) -> Result<(), SheetError> {
        let column = column as usize;
        if column >= self.limits.max_columns {
            return Err(SheetError::TooManyColumns(self.limits.max_columns));
        }
        match &self.current {
            Some((r, _)) if *r == row => {}
            Some((r, _)) if *r > row => {
                return Err(SheetError::Malformed {
                    line: row as usize + 1,
                    reason: "the rows are out of order; save the file again from Excel.".into(),
                })
            }
            _ => {
                self.flush()?;
                self.current = Some((row, Vec::new()));
            }
        }
        if let Some((_, cells)) = &mut self.current {
            if cells.len() <= column {
                cells.resize(column + 1, String::new());
            }
            cells[column] = value.trim().to_owned();
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SheetError> {
        let Some((row, mut cells)) = self.current.take() else {
            return Ok(());
        };
        check_row(&cells, row as usize + 1, self.limits)?;
        if cells.iter().all(String::is_empty) {
            return Ok(());
        }
        match &self.headers {
            None => {
                self.headers = Some(cells);
            }
            Some(headers) => {
                if self.count == self.limits.max_rows {
                    return Err(SheetError::TooManyRows(self.limits.max_rows));
                }
                self.count += 1;
                if cells.len() < headers.len() {
                    cells.resize(headers.len(), String::new());
                }
                (self.visit)(cells);
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<String>, SheetError> {
        self.flush()?;
        self.headers.ok_or(SheetError::Empty)
    }
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
            ..SheetLimits::default()
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

    /// A minimal workbook whose first sheet is `sheet_xml`.
    fn xlsx(sheet_xml: &str) -> Vec<u8> {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let parts = [
            (
                "[Content_Types].xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
            ),
            (
                "_rels/.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Contacts" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
        ];
        for (name, body) in parts {
            zip.start_file(name, options).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        zip.write_all(sheet_xml.as_bytes()).unwrap();
        zip.finish().unwrap();
        out.into_inner()
    }

    fn sheet(dimension: &str, rows: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{rows}</sheetData></worksheet>"#
        )
    }

    fn cell(at: &str, text: &str) -> String {
        format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    #[test]
    fn an_ordinary_workbook_reads_like_its_csv() {
        let rows = format!(
            r#"<row r="1">{}{}</row><row r="2">{}{}</row><row r="4">{}</row>"#,
            cell("A1", "Name"),
            cell("B1", "Phone"),
            cell("A2", " Ana "),
            cell("B2", "+5511987654321"),
            cell("A4", "Bo")
        );
        let bytes = xlsx(&sheet(r#"<dimension ref="A1:B4"/>"#, &rows));
        let read = read_sheet(&bytes, "c.xlsx", &SheetLimits::default()).unwrap();
        assert_eq!(read.headers, ["Name", "Phone"]);
        assert_eq!(
            read.rows,
            vec![vec!["Ana", "+5511987654321"], vec!["Bo", ""]]
        );
    }

    #[test]
    fn a_tiny_workbook_claiming_the_whole_grid_is_refused_before_reading() {
        let rows = format!(r#"<row r="1">{}</row>"#, cell("A1", "Name"));
        let bytes = xlsx(&sheet(r#"<dimension ref="A1:XFD1048576"/>"#, &rows));
        assert!(bytes.len() < 2048, "{} bytes", bytes.len());
        match read_sheet(&bytes, "bomb.xlsx", &SheetLimits::default()) {
            Err(SheetError::TooLarge(reason)) => assert!(reason.contains("declares"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn two_far_apart_cells_are_refused_without_building_the_grid_between() {
        let rows = format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            cell("A1", "Name"),
            cell("XFD1048576", "x")
        );
        let bytes = xlsx(&sheet("", &rows));
        assert_eq!(
            read_sheet(&bytes, "far.xlsx", &SheetLimits::default()),
            Err(SheetError::TooManyColumns(100))
        );
        let rows = format!(
            r#"<row r="1">{}</row><row r="2">{}</row><row r="900000">{}</row>"#,
            cell("A1", "Name"),
            cell("A2", "Ana"),
            cell("A900000", "Bo")
        );
        let limits = SheetLimits {
            max_rows: 1,
            ..SheetLimits::default()
        };
        assert_eq!(
            read_sheet(&xlsx(&sheet("", &rows)), "far.xlsx", &limits),
            Err(SheetError::TooManyRows(1))
        );
    }

    #[test]
    fn a_zip_bomb_is_refused_once_it_unpacks_past_the_budget() {
        // 64 MB of blanks inside the sheet compress to a few dozen KB.
        let padding = " ".repeat(64 * 1024 * 1024);
        let rows = format!(r#"<row r="1">{}</row>{padding}"#, cell("A1", "Name"));
        let bytes = xlsx(&sheet("", &rows));
        assert!(bytes.len() < 200 * 1024, "{} bytes", bytes.len());
        let limits = SheetLimits {
            max_unpacked_bytes: 16 * 1024 * 1024,
            ..SheetLimits::default()
        };
        match read_sheet(&bytes, "bomb.xlsx", &limits) {
            Err(SheetError::TooLarge(reason)) => assert!(reason.contains("unpacks"), "{reason}"),
            other => panic!("{other:?}"),
        }
        // Within a large enough budget the same file is read.
        assert!(read_sheet(&bytes, "bomb.xlsx", &SheetLimits::default()).is_ok());
    }

    #[test]
    fn a_line_of_delimiters_is_refused_before_it_is_split() {
        let mut text = String::from("Name\n");
        text.push_str(&",".repeat(2 * 1024 * 1024));
        let limits = SheetLimits::default();
        assert!(matches!(
            read_csv(text.as_bytes(), &limits),
            Err(SheetError::Malformed { line: 2, .. })
        ));
        // Just past the column limit, but short: refused by its width.
        let wide = format!("{}\n", ",".repeat(limits.max_columns));
        assert_eq!(
            read_csv(wide.as_bytes(), &limits),
            Err(SheetError::TooManyColumns(limits.max_columns))
        );
    }
}
