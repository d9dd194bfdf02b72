//! The sRGB ICC profile of the PDF/A output intent.
//!
//! Generated here rather than vendored: an ICC v2 display profile is a few
//! fixed tags, so building it from the published sRGB numbers (IEC
//! 61966-2-1 primaries, Bradford-adapted to the D50 connection space, and
//! the sRGB transfer curve sampled at 1024 points) avoids carrying a binary
//! file and its license question, and every byte of it is explained below.
//! Built once per process.

use std::sync::LazyLock;

/// `/OutputConditionIdentifier` of the output intent: the registered name of
/// the colour space the profile describes.
pub(crate) const SRGB_IDENTIFIER: &str = "sRGB IEC61966-2.1";

pub(crate) static SRGB: LazyLock<Vec<u8>> = LazyLock::new(srgb_profile);

const HEADER: usize = 128;
const CURVE_POINTS: usize = 1024;

/// D50, the profile connection space illuminant (ICC.1 7.2.16).
const D50: [f64; 3] = [0.9642, 1.0, 0.8249];
/// sRGB primaries (IEC 61966-2-1) adapted from D65 to D50 with Bradford, as
/// in the sRGB profiles of the ICC and of the colour-management engines.
const RED: [f64; 3] = [0.436_074_7, 0.222_504_5, 0.013_932_2];
const GREEN: [f64; 3] = [0.385_064_9, 0.716_878_6, 0.097_104_5];
const BLUE: [f64; 3] = [0.143_080_4, 0.060_616_9, 0.714_173_3];

fn srgb_profile() -> Vec<u8> {
    let desc = text_description(SRGB_IDENTIFIER);
    let cprt = text(b"No copyright, use freely");
    let wtpt = xyz(D50);
    let (r, g, b) = (xyz(RED), xyz(GREEN), xyz(BLUE));
    let trc = curve();
    // The three TRC tags share one curve (allowed: tags may point at the
    // same data).
    let tags: [(&[u8; 4], &[u8]); 9] = [
        (b"desc", &desc),
        (b"cprt", &cprt),
        (b"wtpt", &wtpt),
        (b"rXYZ", &r),
        (b"gXYZ", &g),
        (b"bXYZ", &b),
        (b"rTRC", &trc),
        (b"gTRC", &trc),
        (b"bTRC", &trc),
    ];
    let table_len = 4 + 12 * tags.len();
    let mut data = Vec::new();
    let mut entries = Vec::with_capacity(tags.len());
    let mut trc_at = None;
    for (sig, bytes) in tags {
        let shared = sig.ends_with(b"TRC") && trc_at.is_some();
        let at = if shared {
            trc_at.expect("set by the first TRC")
        } else {
            let at = HEADER + table_len + data.len();
            data.extend_from_slice(bytes);
            // Tag data starts on a 4-byte boundary (ICC.1 7.3.1).
            while data.len() % 4 != 0 {
                data.push(0);
            }
            at
        };
        if sig.ends_with(b"TRC") {
            trc_at = Some(at);
        }
        entries.push((sig, at, bytes.len()));
    }
    let size = HEADER + table_len + data.len();

    let mut out = Vec::with_capacity(size);
    be32(&mut out, size as u32);
    out.extend_from_slice(&[0; 4]); // preferred CMM: none
    be32(&mut out, 0x0210_0000); // version 2.1
    out.extend_from_slice(b"mntr"); // display device
    out.extend_from_slice(b"RGB ");
    out.extend_from_slice(b"XYZ "); // connection space
    // Creation date, fixed so that documents stay byte-identical.
    for v in [2026u16, 1, 1, 0, 0, 0] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(b"acsp");
    out.extend_from_slice(&[0; 4]); // platform: unspecified
    out.extend_from_slice(&[0; 4]); // flags
    out.extend_from_slice(&[0; 4]); // device manufacturer
    out.extend_from_slice(&[0; 4]); // device model
    out.extend_from_slice(&[0; 8]); // attributes: reflective, glossy
    be32(&mut out, 0); // rendering intent: perceptual
    for v in D50 {
        be32(&mut out, s15f16(v));
    }
    out.extend_from_slice(&[0; 4]); // creator
    out.resize(HEADER, 0); // profile ID (v4 only) and reserved bytes
    be32(&mut out, entries.len() as u32);
    for (sig, at, len) in entries {
        out.extend_from_slice(sig);
        be32(&mut out, at as u32);
        be32(&mut out, len as u32);
    }
    out.extend_from_slice(&data);
    debug_assert_eq!(out.len(), size);
    out
}

/// `textDescriptionType` (ICC.1:2001 6.5.17): ASCII, then empty Unicode and
/// ScriptCode descriptions.
fn text_description(ascii: &str) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"desc");
    out.extend_from_slice(&[0; 4]);
    be32(&mut out, ascii.len() as u32 + 1);
    out.extend_from_slice(ascii.as_bytes());
    out.push(0);
    out.extend_from_slice(&[0; 4]); // Unicode language code
    out.extend_from_slice(&[0; 4]); // Unicode count
    out.extend_from_slice(&[0; 2]); // ScriptCode code
    out.push(0); // ScriptCode count
    out.extend_from_slice(&[0; 67]);
    out
}

/// `textType`: NUL-terminated ASCII.
fn text(ascii: &[u8]) -> Vec<u8> {
    let mut out = b"text\0\0\0\0".to_vec();
    out.extend_from_slice(ascii);
    out.push(0);
    out
}

fn xyz(v: [f64; 3]) -> Vec<u8> {
    let mut out = b"XYZ \0\0\0\0".to_vec();
    for c in v {
        be32(&mut out, s15f16(c));
    }
    out
}

/// The sRGB transfer function (IEC 61966-2-1), encoded as 16-bit samples.
fn curve() -> Vec<u8> {
    let mut out = b"curv\0\0\0\0".to_vec();
    be32(&mut out, CURVE_POINTS as u32);
    for i in 0..CURVE_POINTS {
        let v = i as f64 / (CURVE_POINTS - 1) as f64;
        let linear = if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        };
        let sample = (linear * 65535.0).round() as u16;
        out.extend_from_slice(&sample.to_be_bytes());
    }
    out
}

fn s15f16(v: f64) -> u32 {
    (v * 65536.0).round() as i32 as u32
}

fn be32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn header_fields() {
        let p = &*SRGB;
        assert_eq!(u32_at(p, 0) as usize, p.len());
        assert_eq!(u32_at(p, 8), 0x0210_0000);
        assert_eq!(&p[12..16], b"mntr");
        assert_eq!(&p[16..20], b"RGB ");
        assert_eq!(&p[20..24], b"XYZ ");
        assert_eq!(&p[36..40], b"acsp");
        // D50: 0.9642, 1.0, 0.8249 in s15Fixed16.
        assert_eq!(u32_at(p, 68), 0x0000_F6D6);
        assert_eq!(u32_at(p, 72), 0x0001_0000);
        assert_eq!(u32_at(p, 76), 0x0000_D32D);
        assert!(p[84..128].iter().all(|&b| b == 0));
    }

    #[test]
    fn tags_point_inside_the_profile() {
        let p = &*SRGB;
        let count = u32_at(p, 128) as usize;
        assert_eq!(count, 9);
        let mut sigs = Vec::new();
        for i in 0..count {
            let entry = 132 + 12 * i;
            let (at, len) = (u32_at(p, entry + 4) as usize, u32_at(p, entry + 8) as usize);
            assert_eq!(at % 4, 0);
            assert!(at + len <= p.len());
            let sig = &p[entry..entry + 4];
            let kind = &p[at..at + 4];
            let expected: &[u8] = match sig {
                b"desc" => b"desc",
                b"cprt" => b"text",
                b"wtpt" | b"rXYZ" | b"gXYZ" | b"bXYZ" => b"XYZ ",
                _ => b"curv",
            };
            assert_eq!(kind, expected, "{:?}", String::from_utf8_lossy(sig));
            sigs.push(String::from_utf8_lossy(sig).into_owned());
        }
        assert_eq!(
            sigs,
            [
                "desc", "cprt", "wtpt", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"
            ]
        );
    }

    #[test]
    fn primaries_add_up_to_the_white_point() {
        // The adapted primaries were computed for ASTM D50 (Z 0.82521); the
        // ICC's D50 has Z 0.8249, hence the tolerance.
        for c in 0..3 {
            let sum = RED[c] + GREEN[c] + BLUE[c];
            assert!((sum - D50[c]).abs() < 4e-4, "{c}: {sum}");
        }
    }

    #[test]
    fn curve_is_the_srgb_one() {
        let c = curve();
        assert_eq!(u32_at(&c, 8) as usize, CURVE_POINTS);
        let sample = |i: usize| u16::from_be_bytes([c[12 + 2 * i], c[13 + 2 * i]]);
        assert_eq!(sample(0), 0);
        assert_eq!(sample(CURVE_POINTS - 1), 65535);
        // Mid-grey 0.5 is about 21.4 % linear.
        let mid = f64::from(sample(CURVE_POINTS / 2)) / 65535.0;
        assert!((mid - 0.2148).abs() < 0.002, "{mid}");
    }
}
