//! Parquet in and out (cargo feature `parquet`, on by default).
//!
//! Reading streams record batches of [`BATCH_ROWS`] rows, decoding only the id, text, title and
//! time columns, so memory follows the records kept, never the file. Writing turns the JSON rows
//! a command would print into typed columns, one row group per [`BATCH_ROWS`] rows, zstd.

use std::fs::File;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde_json::Value;

/// Rows per record batch read, and per row group written.
pub const BATCH_ROWS: usize = 8192;

/// A column's values as text (ids, titles, times of any type), `None` for nulls; a list's
/// items (paragraphs) a line each.
fn strings(col: &ArrayRef) -> Result<Vec<Option<String>>, String> {
    use arrow_array::cast::AsArray;
    if let DataType::Timestamp(unit, Some(_)) = col.data_type() {
        return Ok(zoned_times(col, *unit));
    }
    if let Some(list) = col.as_list_opt::<i32>() {
        return lines(list);
    }
    if let Some(list) = col.as_list_opt::<i64>() {
        return lines(list);
    }
    let cast = arrow_cast::cast(col, &DataType::Utf8)
        .map_err(|e| format!("column of type {}: {e}", col.data_type()))?;
    let s = cast.as_any().downcast_ref::<StringArray>().ok_or("column did not convert to text")?;
    Ok((0..s.len()).map(|i| s.is_valid(i).then(|| s.value(i).to_owned())).collect())
}

/// Each row of a list column as its items' text, a line each (null items left out).
fn lines<O: arrow_array::OffsetSizeTrait>(
    list: &arrow_array::GenericListArray<O>,
) -> Result<Vec<Option<String>>, String> {
    let items = strings(list.values())?;
    let offsets = list.value_offsets();
    Ok((0..list.len())
        .map(|r| {
            let part = &items[offsets[r].as_usize()..offsets[r + 1].as_usize()];
            list.is_valid(r).then(|| super::joined_lines(part.iter().flatten().map(String::as_str)))
        })
        .collect())
}

/// A timestamp column with a time zone as RFC 3339 times in UTC. Arrow's cast to text needs
/// a zone database for a named zone (`UTC`, `Asia/Riyadh`, what pandas writes), and would fail
/// on the column; the values are instants in UTC whatever the zone, so they are written so.
fn zoned_times(col: &ArrayRef, unit: arrow_schema::TimeUnit) -> Vec<Option<String>> {
    use arrow_schema::TimeUnit;
    let per_second: i64 = match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    };
    let values = arrow_cast::cast(col, &DataType::Int64).expect("a timestamp is an i64");
    let values = values.as_any().downcast_ref::<arrow_array::Int64Array>().expect("Int64");
    (0..values.len())
        .map(|i| {
            let v = values.is_valid(i).then(|| values.value(i))?;
            let (secs, rest) = (v.div_euclid(per_second), v.rem_euclid(per_second));
            let nanos = (rest * (1_000_000_000 / per_second)) as u32;
            let t = chrono::DateTime::from_timestamp(secs, nanos)?;
            Some(t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        })
        .collect()
}

/// Whether ids in a column of this type are numbers (kept as numbers, as in JSON input).
fn numeric(t: &DataType) -> bool {
    t.is_integer()
}

/// Where the column `name` is among `fields`: the top-level column of that name, or, when
/// there is none, the column inside a struct that `name` is the dotted path of
/// (`article.text`), as the places of the columns on that path.
fn locate(fields: &arrow_schema::Fields, name: &str) -> Option<Vec<usize>> {
    if let Some(at) = fields.iter().position(|f| f.name() == name) {
        return Some(vec![at]);
    }
    name.match_indices('.').find_map(|(dot, _)| {
        let at = fields.iter().position(|f| f.name() == &name[..dot])?;
        let DataType::Struct(inner) = fields[at].data_type() else { return None };
        let mut path = locate(inner, &name[dot + 1..])?;
        path.insert(0, at);
        Some(path)
    })
}

/// The field at `path` (as [`locate`] gives it) among `fields`.
fn field_at<'a>(fields: &'a arrow_schema::Fields, path: &[usize]) -> &'a Field {
    let f = &fields[path[0]];
    match f.data_type() {
        DataType::Struct(inner) if path.len() > 1 => field_at(inner, &path[1..]),
        _ => f,
    }
}

/// The names of the columns, a column inside a struct by its dotted path.
fn column_names(fields: &arrow_schema::Fields, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    for f in fields {
        match f.data_type() {
            DataType::Struct(inner) if !inner.is_empty() => {
                names.extend(column_names(inner, &format!("{prefix}{}.", f.name())))
            }
            _ => names.push(format!("{prefix}{}", f.name())),
        }
    }
    names
}

/// The column at `path` inside the struct column `col` (`col` itself for an empty path), null
/// wherever a struct above it is null.
fn leaf(col: &ArrayRef, path: &[usize]) -> Option<ArrayRef> {
    let Some((&at, rest)) = path.split_first() else { return Some(col.clone()) };
    let parent = col.as_any().downcast_ref::<arrow_array::StructArray>()?;
    let child = parent.column(at);
    let child = match parent.nulls() {
        Some(nulls) => {
            let none = arrow_array::new_null_array(child.data_type(), child.len());
            arrow_select::zip::zip(&BooleanArray::from(nulls.inner().clone()), child, &none).ok()?
        }
        None => child.clone(),
    };
    leaf(&child, rest)
}

/// One row as [`read`] passes it on.
pub struct Row<'a> {
    /// 1-based row number.
    pub line: u64,
    /// The id cell (`None`: no id column, or null).
    pub id: Option<Value>,
    /// The title cell.
    pub title: Option<&'a str>,
    /// The text cell (`None`: null).
    pub text: Option<&'a str>,
    /// The time cell, as text.
    pub time: Option<String>,
    /// The language cell, when the optional language column exists.
    pub lang: Option<String>,
}

/// Reads `path` as Parquet, calling `row` for every row. The id, title, time and language
/// columns are optional (a missing language column is no error); errors name what is wrong
/// with the file as a whole (not Parquet, no text column).
pub fn read(
    path: &std::path::Path,
    id_field: &str,
    text_field: &str,
    title_field: Option<&str>,
    time_field: Option<&str>,
    lang_field: Option<&str>,
    row: &mut dyn FnMut(Row<'_>) -> bool,
) -> Result<(), String> {
    let file = File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| format!("not a Parquet file: {e}"))?;
    let schema = builder.schema().clone();
    let index = |name: &str| locate(schema.fields(), name);
    let columns = || column_names(schema.fields(), "").join(", ");
    // A schema that names a used column twice (tables joined side by side) leaves which one
    // is meant unknown; the first was read, the other silently left out.
    for name in [Some(id_field), Some(text_field), title_field, time_field, lang_field] {
        let name = name.unwrap_or_default();
        let mut at = schema.fields().iter().enumerate().filter(|f| f.1.name() == name);
        if let (Some((i, _)), Some((j, _))) = (at.next(), at.next()) {
            return Err(format!(
                "the schema names column '{name}' twice (columns {} and {} of: {}); rename one",
                i + 1,
                j + 1,
                columns()
            ));
        }
    }
    let text_at = index(text_field).ok_or_else(|| {
        format!("no column '{text_field}' (columns: {}); choose one with --text-field", columns())
    })?;
    let wanted: Vec<Option<Vec<usize>>> = vec![
        index(id_field),
        Some(text_at),
        title_field.and_then(index),
        time_field.and_then(index),
        lang_field.and_then(index),
    ];
    for (flag, name) in super::named_fields(id_field, title_field, time_field) {
        if let Some(n) = name
            && index(n).is_none()
        {
            return Err(format!("no column '{n}' for {flag} (columns: {})", columns()));
        }
    }
    let named = [Some(id_field), Some(text_field), title_field, time_field, lang_field];
    for (path, name) in wanted.iter().zip(named) {
        if let (Some(path), Some(name)) = (path, name)
            && let DataType::Struct(inner) = field_at(schema.fields(), path).data_type()
        {
            let inside = column_names(inner, &format!("{name}."));
            return Err(format!("column '{name}' holds columns ({}): name one", inside.join(", ")));
        }
    }
    let mut roots: Vec<usize> = wanted.iter().flatten().map(|path| path[0]).collect();
    roots.sort_unstable();
    roots.dedup();
    // A column inside a struct is read with its whole top-level column.
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(|e| format!("cannot read: {e}"))?;
    let mut line = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| format!("row {}: cannot decode: {e}", line + 1))?;
        let col = |path: &Option<Vec<usize>>| -> Option<ArrayRef> {
            let path = path.as_ref()?;
            leaf(batch.column_by_name(schema.field(path[0]).name())?, &path[1..])
        };
        let ids = match col(&wanted[0]) {
            Some(c) => Some((numeric(c.data_type()), strings(&c)?)),
            None => None,
        };
        let texts = strings(&col(&wanted[1]).ok_or("text column missing from a batch")?)?;
        let titles = col(&wanted[2]).as_ref().map(strings).transpose()?;
        let times = col(&wanted[3]).as_ref().map(strings).transpose()?;
        let langs = col(&wanted[4]).as_ref().map(strings).transpose()?;
        for r in 0..batch.num_rows() {
            line += 1;
            let id = ids.as_ref().and_then(|(num, v)| {
                v[r].as_ref().map(|s| {
                    if *num {
                        s.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(s.clone()))
                    } else {
                        Value::from(s.clone())
                    }
                })
            });
            let title = titles.as_ref().and_then(|t| t[r].as_deref());
            let time = times.as_ref().and_then(|t| t[r].clone());
            let lang = langs.as_ref().and_then(|t| t[r].clone());
            if !row(Row { line, id, title, text: texts[r].as_deref(), time, lang }) {
                return Ok(());
            }
        }
    }
    Ok(())
}

pub use super::write::Kind;

/// A Parquet writer into memory: zstd level 3, row groups of [`BATCH_ROWS`].
fn new_writer(schema: &Arc<Schema>) -> Result<ArrowWriter<Vec<u8>>, String> {
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).expect("level 3")))
        .set_max_row_group_row_count(Some(BATCH_ROWS))
        .build();
    ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props)).map_err(|e| e.to_string())
}

/// The rows of Parquet `files` whose 1-based row numbers `keep` holds, with all their columns
/// as they were, as one Parquet file (zstd). Every file must have the first one's schema.
pub fn copy_rows(
    files: &[(&std::path::Path, &std::collections::BTreeSet<u64>)],
) -> Result<Vec<u8>, String> {
    let mut writer: Option<(ArrowWriter<Vec<u8>>, Arc<Schema>)> = None;
    for (path, keep) in files {
        let file = File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| format!("{}: not a Parquet file: {e}", path.display()))?;
        let schema = builder.schema().clone();
        let reader = builder
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let (w, first_schema) = match &mut writer {
            Some(w) => w,
            None => writer.insert((new_writer(&schema)?, schema.clone())),
        };
        if first_schema.fields() != schema.fields() {
            return Err(format!(
                "{}: its columns differ from the first input's; write them apart",
                path.display()
            ));
        }
        let mut line = 0u64;
        for batch in reader {
            let batch = batch.map_err(|e| format!("{}: row {}: {e}", path.display(), line + 1))?;
            let mask: BooleanArray = (0..batch.num_rows())
                .map(|r| Some(keep.contains(&(line + r as u64 + 1))))
                .collect();
            line += batch.num_rows() as u64;
            let kept = arrow_select::filter::filter_record_batch(&batch, &mask)
                .map_err(|e| e.to_string())?;
            if kept.num_rows() > 0 {
                w.write(&kept).map_err(|e| e.to_string())?;
            }
        }
    }
    match writer {
        Some((w, _)) => w.into_inner().map_err(|e| e.to_string()),
        None => Err("no Parquet input".into()),
    }
}

/// Rows (JSON objects) → Parquet with a declared schema, one row group per [`BATCH_ROWS`].
pub struct Writer {
    columns: Vec<(String, Kind)>,
    rows: Vec<serde_json::Map<String, Value>>,
    writer: ArrowWriter<Vec<u8>>,
    schema: Arc<Schema>,
}

impl Writer {
    /// A writer for these columns (all nullable).
    pub fn new(columns: &[(&str, Kind)]) -> Result<Writer, String> {
        let fields: Vec<Field> = columns
            .iter()
            .map(|(n, k)| {
                let t = match k {
                    Kind::Text => DataType::Utf8,
                    Kind::Float => DataType::Float64,
                    Kind::Count => DataType::UInt64,
                    Kind::Bool => DataType::Boolean,
                };
                Field::new(*n, t, true)
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let writer = new_writer(&schema)?;
        Ok(Writer {
            columns: columns.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
            rows: Vec::new(),
            writer,
            schema,
        })
    }

    /// Adds one row; keys not among the columns are an error (a program error, not a user's).
    pub fn push(&mut self, row: Value) -> Result<(), String> {
        let Value::Object(map) = row else {
            return Err("a Parquet row must be a JSON object".into());
        };
        if let Some(k) = map.keys().find(|k| !self.columns.iter().any(|(c, _)| c == *k)) {
            return Err(format!("field '{k}' has no Parquet column"));
        }
        self.rows.push(map);
        if self.rows.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), String> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.rows);
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter()
            .map(|(name, kind)| -> ArrayRef {
                let cells = rows.iter().map(|r| r.get(name).filter(|v| !v.is_null()));
                match kind {
                    Kind::Text => Arc::new(StringArray::from_iter(cells.map(|v| {
                        v.map(|v| match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                    }))),
                    Kind::Float => {
                        Arc::new(Float64Array::from_iter(cells.map(|v| v.and_then(Value::as_f64))))
                    }
                    Kind::Count => {
                        Arc::new(UInt64Array::from_iter(cells.map(|v| v.and_then(Value::as_u64))))
                    }
                    Kind::Bool => {
                        Arc::new(BooleanArray::from_iter(cells.map(|v| v.and_then(Value::as_bool))))
                    }
                }
            })
            .collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(|e| e.to_string())?;
        self.writer.write(&batch).map_err(|e| e.to_string())
    }

    /// Writes what is buffered and returns the file's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        self.flush()?;
        self.writer.into_inner().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_through_a_file() {
        let mut w = Writer::new(&[
            ("id", Kind::Text),
            ("cluster", Kind::Text),
            ("score", Kind::Float),
            ("size", Kind::Count),
            ("representative", Kind::Bool),
        ])
        .unwrap();
        for i in 0..20_000u64 {
            let row = if i % 7 == 3 {
                serde_json::json!({"id": i, "cluster": null})
            } else {
                serde_json::json!({"id": format!("d{i}"), "cluster": format!("s{}", i / 3), "score": 0.5, "size": 3, "representative": i % 3 == 0})
            };
            w.push(row).unwrap();
        }
        assert!(w.push(serde_json::json!({"nope": 1})).is_err());
        let bytes = w.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parquet");
        std::fs::write(&path, bytes).unwrap();
        let mut seen = Vec::new();
        read(&path, "id", "cluster", None, None, None, &mut |r| {
            seen.push((r.line, r.id, r.text.map(str::to_owned)));
            true
        })
        .unwrap();
        assert_eq!(seen.len(), 20_000);
        assert_eq!(seen[0], (1, Some(Value::from("d0")), Some("s0".into())));
        assert_eq!(
            seen[3],
            (4, Some(Value::from("3")), None),
            "numbers in a text column stay text; nulls are None"
        );
        let err = read(&path, "id", "body", None, None, None, &mut |_| true).unwrap_err();
        assert!(err.contains("no column 'body'") && err.contains("cluster"), "{err}");
        let err = read(&path, "ID", "cluster", None, None, None, &mut |_| true).unwrap_err();
        assert!(err.starts_with("no column 'ID' for --id-field (columns: id, cluster"), "{err}");
    }

    /// Files written by Spark, pyarrow, Polars or DuckDB come compressed with any of Parquet's
    /// codecs; each is read (LZ4 and Brotli were refused as "disabled at compile time").
    #[test]
    fn every_parquet_codec_is_read() {
        use parquet::basic::{BrotliLevel, GzipLevel};
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("text", DataType::Utf8, true),
        ]));
        let texts: Vec<String> = (0..500).map(|i| format!("رئيس كوريا الجنوبية {i}")).collect();
        let ids: Vec<String> = (0..500).map(|i| format!("d{i}")).collect();
        let columns: Vec<ArrayRef> =
            vec![Arc::new(StringArray::from(ids)), Arc::new(StringArray::from(texts.clone()))];
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for codec in [
            Compression::UNCOMPRESSED,
            Compression::SNAPPY,
            Compression::GZIP(GzipLevel::default()),
            Compression::LZ4,
            Compression::LZ4_RAW,
            Compression::BROTLI(BrotliLevel::default()),
            Compression::ZSTD(ZstdLevel::default()),
        ] {
            let props = WriterProperties::builder().set_compression(codec).build();
            let mut w = ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props)).unwrap();
            w.write(&batch).unwrap();
            let path = dir.path().join(format!("{codec}.parquet"));
            std::fs::write(&path, w.into_inner().unwrap()).unwrap();
            let mut seen = Vec::new();
            read(&path, "id", "text", None, None, None, &mut |r| {
                seen.push(r.text.unwrap().to_owned());
                true
            })
            .unwrap_or_else(|e| panic!("{codec}: {e}"));
            assert_eq!(seen, texts, "{codec}");
        }
    }

    /// A schema naming a used column twice is refused by name, as a CSV header row is; a
    /// repeated column that is not read is no matter.
    #[test]
    fn a_column_named_twice_is_refused_when_it_is_read() {
        let text = |v: &str| Arc::new(StringArray::from(vec![v])) as ArrayRef;
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Utf8, true),
            Field::new("text", DataType::Utf8, true),
            Field::new("note", DataType::Utf8, true),
            Field::new("note", DataType::Utf8, true),
        ]));
        let columns = vec![text("1"), text("the text"), text("a"), text("b")];
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let mut w = new_writer(&schema).unwrap();
        w.write(&batch).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("joined.parquet");
        std::fs::write(&path, w.into_inner().unwrap()).unwrap();
        for (id, text, title) in
            [("id", "note", None), ("note", "text", None), ("id", "text", Some("note"))]
        {
            let err = read(&path, id, text, title, None, None, &mut |_| true).unwrap_err();
            assert_eq!(
                err,
                "the schema names column 'note' twice (columns 3 and 4 of: id, text, note, \
                 note); rename one"
            );
        }
        let mut texts = Vec::new();
        read(&path, "id", "text", None, None, None, &mut |r| {
            texts.push(r.text.map(str::to_owned));
            true
        })
        .unwrap();
        assert_eq!(texts, [Some("the text".to_owned())]);
    }

    /// A list column (a text as its paragraphs) is read as one text, an item a line, its null
    /// items left out; a null list is no text. Large lists too.
    #[test]
    fn list_columns_are_read_as_their_items_a_line_each() {
        use arrow_array::builder::{GenericListBuilder, StringBuilder};
        fn column<O: arrow_array::OffsetSizeTrait>() -> ArrayRef {
            let mut b = GenericListBuilder::<O, _>::new(StringBuilder::new());
            b.values().append_value("Gold climbs.");
            b.values().append_null();
            b.values().append_value("Traders cite the dollar.");
            b.append(true);
            b.append(false);
            b.append(true);
            b.values().append_value("One paragraph");
            b.append(true);
            Arc::new(b.finish())
        }
        let dir = tempfile::tempdir().unwrap();
        for (name, paragraphs) in [("list", column::<i32>()), ("large", column::<i64>())] {
            let batch = RecordBatch::try_from_iter([("paragraphs", paragraphs)]).unwrap();
            let mut w = ArrowWriter::try_new(Vec::new(), batch.schema(), None).unwrap();
            w.write(&batch).unwrap();
            let path = dir.path().join(format!("{name}.parquet"));
            std::fs::write(&path, w.into_inner().unwrap()).unwrap();
            let mut seen = Vec::new();
            read(&path, "id", "paragraphs", None, None, None, &mut |r| {
                seen.push(r.text.map(str::to_owned));
                true
            })
            .unwrap();
            let texts = [
                Some("Gold climbs.\nTraders cite the dollar."),
                None,
                Some(""),
                Some("One paragraph"),
            ];
            assert_eq!(seen, texts.map(|t| t.map(str::to_owned)), "{name}");
        }
    }

    /// A column inside a struct is named by its dotted path, as a JSON field inside an object;
    /// a row whose struct is null has no value there.
    #[test]
    fn columns_inside_structs_are_read_by_their_dotted_path() {
        use arrow_array::{Int64Array, StructArray};
        use arrow_buffer::NullBuffer;
        let body = Field::new("body", DataType::Utf8, true);
        let title = Field::new("title", DataType::Utf8, true);
        let article = StructArray::new(
            vec![body, title].into(),
            vec![
                Arc::new(StringArray::from(vec!["x y", "hidden", "z"])) as ArrayRef,
                Arc::new(StringArray::from(vec![Some("T"), None, None])),
            ],
            Some(NullBuffer::from(vec![true, false, true])),
        );
        let ids: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3]));
        let article: ArrayRef = Arc::new(article);
        let batch = RecordBatch::try_from_iter([("id", ids), ("article", article)]).unwrap();
        let mut w = ArrowWriter::try_new(Vec::new(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.parquet");
        std::fs::write(&path, w.into_inner().unwrap()).unwrap();
        let mut seen = Vec::new();
        read(&path, "id", "article.body", Some("article.title"), None, None, &mut |r| {
            seen.push((r.id, r.title.map(str::to_owned), r.text.map(str::to_owned)));
            true
        })
        .unwrap();
        assert_eq!(
            seen,
            [
                (Some(Value::from(1)), Some("T".into()), Some("x y".into())),
                (Some(Value::from(2)), None, None),
                (Some(Value::from(3)), None, Some("z".into())),
            ]
        );
        let err = read(&path, "id", "article", None, None, None, &mut |_| true).unwrap_err();
        assert_eq!(err, "column 'article' holds columns (article.body, article.title): name one");
        let err = read(&path, "id", "text", None, None, None, &mut |_| true).unwrap_err();
        assert!(err.contains("(columns: id, article.body, article.title)"), "{err}");
    }

    /// Parquet's typed times (timestamps with or without a zone, dates, milliseconds) become
    /// text that [`crate::io::time`] reads as the same moment.
    #[test]
    fn typed_time_columns_read_as_their_moments() {
        use arrow_array::{Date32Array, TimestampMillisecondArray, TimestampSecondArray};
        let t = 1_577_960_000i64; // 2020-01-02T10:13:20Z
        let columns: [ArrayRef; 5] = [
            Arc::new(TimestampSecondArray::from(vec![t])),
            Arc::new(TimestampSecondArray::from(vec![t]).with_timezone("+03:00")),
            Arc::new(TimestampMillisecondArray::from(vec![t * 1000 + 250]).with_timezone("UTC")),
            Arc::new(Date32Array::from(vec![(t / 86_400) as i32])),
            Arc::new(TimestampSecondArray::from(vec![t]).with_timezone("Asia/Riyadh")),
        ];
        let at = |c: &ArrayRef| {
            let text = strings(c).unwrap().remove(0).unwrap();
            crate::io::time::instant(&text).unwrap_or_else(|| panic!("{text:?} not read"))
        };
        let nanos = i128::from(t) * 1_000_000_000;
        assert_eq!(at(&columns[0]), nanos);
        assert_eq!(at(&columns[1]), nanos);
        assert_eq!(at(&columns[2]), nanos + 250_000_000);
        assert_eq!(at(&columns[3]), i128::from(t / 86_400 * 86_400) * 1_000_000_000);
        assert_eq!(at(&columns[4]), nanos, "a named zone (arrow's cast alone fails on it)");
        let nulls: ArrayRef =
            Arc::new(TimestampSecondArray::from(vec![None, Some(-1)]).with_timezone("UTC"));
        assert_eq!(strings(&nulls).unwrap(), [None, Some("1969-12-31T23:59:59Z".into())]);
    }
}
