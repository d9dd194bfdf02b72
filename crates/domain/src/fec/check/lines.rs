//! Cutting the file into lines. A47 A-1 separates records with a carriage
//! return and/or a line feed: CRLF, LF or CR alone. The header decides
//! which for the whole file (as the DGFiP's tester does), so a stray CR
//! inside a field of a CRLF or LF file stays in its field.

use std::io::{BufRead, ErrorKind, Result};

use super::MAX_LINE;

/// The line separator of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    CrLf,
    Lf,
    /// Carriage return alone (old Mac files).
    Cr,
    /// A single line without separator.
    None,
}

impl LineEnd {
    pub fn name(self) -> &'static str {
        match self {
            LineEnd::CrLf => "CRLF",
            LineEnd::Lf => "LF",
            LineEnd::Cr => "CR",
            LineEnd::None => "-",
        }
    }
}

pub(super) struct Lines<R> {
    inner: R,
    /// Unknown until the header's end is seen.
    end: Option<LineEnd>,
}

impl<R: BufRead> Lines<R> {
    pub(super) fn new(inner: R) -> Self {
        Lines { inner, end: None }
    }

    pub(super) fn end(&self) -> LineEnd {
        self.end.unwrap_or(LineEnd::None)
    }

    fn fill(&mut self) -> Result<&[u8]> {
        loop {
            match self.inner.fill_buf() {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
                Ok(_) => break,
            }
        }
        self.inner.fill_buf()
    }

    /// Reads one line into `buf` without its separator (nor, in a CRLF or
    /// LF file, a CR just before it), keeping at most [`MAX_LINE`] bytes:
    /// `Ok(None)` at the end, `Ok(Some(true))` when the line was longer
    /// (its rest is skipped).
    pub(super) fn read(&mut self, buf: &mut Vec<u8>) -> Result<Option<bool>> {
        buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let end = self.end;
            let available = self.fill()?;
            if available.is_empty() {
                return Ok(any.then_some(too_long));
            }
            any = true;
            let found = match end {
                Some(LineEnd::Cr) => memchr::memchr(b'\r', available),
                Some(_) => memchr::memchr(b'\n', available),
                None => memchr::memchr2(b'\n', b'\r', available),
            };
            let (chunk, used, done) = match found {
                Some(i) => (&available[..i], i + 1, Some(available[i])),
                None => (available, available.len(), None),
            };
            if !too_long {
                if buf.len() + chunk.len() > MAX_LINE {
                    too_long = true;
                    buf.clear();
                } else {
                    buf.extend_from_slice(chunk);
                }
            }
            self.inner.consume(used);
            match done {
                None => {}
                Some(b'\r') if end.is_none() => {
                    // The header's end: CRLF or CR alone?
                    let next = self.fill()?;
                    if next.first() == Some(&b'\n') {
                        self.inner.consume(1);
                        self.end = Some(LineEnd::CrLf);
                    } else {
                        self.end = Some(LineEnd::Cr);
                    }
                    return Ok(Some(too_long));
                }
                Some(_) => {
                    if end.is_none() {
                        self.end = Some(LineEnd::Lf);
                    }
                    if end != Some(LineEnd::Cr) && buf.last() == Some(&b'\r') {
                        buf.pop();
                    }
                    return Ok(Some(too_long));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(bytes: &[u8], capacity: usize) -> (Vec<Vec<u8>>, LineEnd) {
        let mut lines = Lines::new(std::io::BufReader::with_capacity(capacity, bytes));
        let mut buf = Vec::new();
        let mut out = Vec::new();
        while let Some(long) = lines.read(&mut buf).unwrap() {
            assert!(!long);
            out.push(buf.clone());
        }
        (out, lines.end())
    }

    #[test]
    fn cr_lf_and_crlf_files_cut_alike_whatever_the_buffer() {
        for cap in [1, 2, 3, 7, 64] {
            for (bytes, end) in [
                (&b"h1\th2\r\na\tb\r\n\r\nc\r\n"[..], LineEnd::CrLf),
                (&b"h1\th2\na\tb\n\nc"[..], LineEnd::Lf),
                (&b"h1\th2\ra\tb\r\rc\r"[..], LineEnd::Cr),
            ] {
                let (lines, found) = all(bytes, cap);
                assert_eq!(found, end, "{cap}");
                assert_eq!(
                    lines,
                    vec![
                        b"h1\th2".to_vec(),
                        b"a\tb".to_vec(),
                        Vec::new(),
                        b"c".to_vec()
                    ],
                    "{cap} {end:?}"
                );
            }
        }
        // A stray CR inside a field of a CRLF file stays there.
        let (lines, _) = all(b"h\r\na\rb\r\n", 4);
        assert_eq!(lines, vec![b"h".to_vec(), b"a\rb".to_vec()]);
        assert_eq!(all(b"only", 4), (vec![b"only".to_vec()], LineEnd::None));
    }
}
