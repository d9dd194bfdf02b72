#!/usr/bin/env python3
"""Checks a Factur-X PDF/A-3b file with pypdf, independently of the Rust
writer: what veraPDF would look at first, short of a full validation.

    check_pdfa.py FILE.pdf EXPECTED.xml DOCUMENT_TYPE CONFORMANCE_LEVEL

Prints every failed check and exits 1 when there is one; exits 3 when pypdf
is not installed (the caller decides whether that is a skip or a failure).
With fontTools installed, the /Widths are also compared with the embedded
font programs' advances; with Pillow, Little CMS loads the ICC profile.
"""

import hashlib
import io
import os
import re
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

try:
    import pypdf
    from pypdf.generic import IndirectObject
except ImportError:
    print("pypdf is not installed")
    sys.exit(3)

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}

failures = []


# In CI every optional check is required: a missing package fails.
REQUIRED = os.environ.get("REGISSEUR_REQUIRE_PDF_TOOLS") == "1"


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def pdf_date(value):
    """D:YYYYMMDDHHmmSS+HH'mm' (or Z) as an aware datetime."""
    m = re.fullmatch(r"D:(\d{14})(Z|([+-])(\d\d)'(\d\d)'?)", str(value))
    if not m:
        return None
    at = datetime.strptime(m.group(1), "%Y%m%d%H%M%S")
    if m.group(2) == "Z":
        return at.replace(tzinfo=timezone.utc)
    offset = timedelta(hours=int(m.group(4)), minutes=int(m.group(5)))
    if m.group(3) == "-":
        offset = -offset
    return at.replace(tzinfo=timezone(offset))


def check_icc_with_lcms(icc):
    """With Pillow installed, Little CMS must load the profile, and sRGB to
    the profile must be (nearly) the identity."""
    try:
        from PIL import Image, ImageCms
    except ImportError:
        check(not REQUIRED, "Pillow is required (REGISSEUR_REQUIRE_PDF_TOOLS=1)")
        print("Pillow not installed: the ICC profile is not loaded with Little CMS")
        return
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        transform = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), profile, "RGB", "RGB")
    except Exception as e:  # noqa: BLE001 - any lcms error is a failure
        failures.append(f"Little CMS rejects the ICC profile: {e}")
        return
    colours = [(128, 128, 128), (255, 0, 0), (10, 200, 30), (0, 0, 255)]
    image = Image.new("RGB", (len(colours), 1))
    for x, c in enumerate(colours):
        image.putpixel((x, 0), c)
    out = ImageCms.applyTransform(image, transform)
    for x, c in enumerate(colours):
        got = out.getpixel((x, 0))
        check(max(abs(a - b) for a, b in zip(got, c)) <= 2, f"sRGB {c} becomes {got}")


def main():
    path, xml_path, document_type, level = sys.argv[1:5]
    raw = open(path, "rb").read()
    expected_xml = open(xml_path, "rb").read()

    check(raw.startswith(b"%PDF-1.7\n%"), "header is not %PDF-1.7 + comment")
    comment = raw.split(b"\n")[1]
    check(
        len(comment) >= 5 and all(b > 127 for b in comment[1:5]),
        "second line is not a binary comment",
    )

    reader = pypdf.PdfReader(io.BytesIO(raw), strict=True)
    check(not reader.is_encrypted, "encrypted")
    trailer = reader.trailer
    ids = trailer.get("/ID")
    check(ids is not None and len(ids) == 2, "trailer /ID missing")
    root = resolve(trailer["/Root"])
    info = resolve(trailer["/Info"])

    # Output intent.
    intents = resolve(root.get("/OutputIntents")) or []
    check(len(intents) == 1, f"{len(intents)} output intents")
    for intent in intents:
        intent = resolve(intent)
        check(intent.get("/Type") == "/OutputIntent", "output intent /Type")
        check(intent.get("/S") == "/GTS_PDFA1", f"output intent /S {intent.get('/S')}")
        check(
            intent.get("/OutputConditionIdentifier") == "sRGB IEC61966-2.1",
            "output condition identifier",
        )
        profile = resolve(intent["/DestOutputProfile"])
        check(profile.get("/N") == 3, f"ICC /N {profile.get('/N')}")
        icc = profile.get_data()
        check(int.from_bytes(icc[0:4], "big") == len(icc), "ICC size field")
        check(icc[36:40] == b"acsp", "ICC signature")
        check(icc[16:20] == b"RGB " and icc[20:24] == b"XYZ ", "ICC colour spaces")
        check(icc[12:16] == b"mntr", "ICC device class")
        check_icc_with_lcms(icc)

    # Metadata.
    metadata = resolve(root.get("/Metadata"))
    fx_values = {}
    if check(metadata is not None, "no /Metadata"):
        check(metadata.get("/Type") == "/Metadata", "metadata /Type")
        check(metadata.get("/Subtype") == "/XML", "metadata /Subtype")
        check("/Filter" not in metadata, "metadata is compressed")
        packet = metadata.get_data()
        check(packet.startswith(b'<?xpacket begin="\xef\xbb\xbf"'), "xpacket header")
        tree = ET.fromstring(packet[packet.index(b"<x:xmpmeta"): packet.rindex(b"</x:xmpmeta>") + 12])

        def text(xpath):
            node = tree.find(".//" + xpath, NS)
            return None if node is None else node.text

        check(text("pdfaid:part") == "3", f"pdfaid:part {text('pdfaid:part')}")
        check(text("pdfaid:conformance") == "B", f"pdfaid:conformance {text('pdfaid:conformance')}")
        for name, expected in [
            ("DocumentType", document_type),
            ("DocumentFileName", "factur-x.xml"),
            ("Version", "1.0"),
            ("ConformanceLevel", level),
        ]:
            fx_values[name] = text("fx:" + name)
            check(fx_values[name] == expected, f"fx:{name} {fx_values[name]!r} != {expected!r}")
        # The extension schema that makes fx: legal in PDF/A.
        schemas = tree.findall(".//pdfaExtension:schemas/rdf:Bag/rdf:li", NS)
        fx_schema = [
            s for s in schemas
            if s.findtext("pdfaSchema:namespaceURI", namespaces=NS) == NS["fx"]
        ]
        if check(len(fx_schema) == 1, "no PDF/A extension schema for fx"):
            s = fx_schema[0]
            check(s.findtext("pdfaSchema:prefix", namespaces=NS) == "fx", "schema prefix")
            props = s.findall("pdfaSchema:property/rdf:Seq/rdf:li", NS)
            names = sorted(p.findtext("pdfaProperty:name", namespaces=NS) for p in props)
            check(
                names == ["ConformanceLevel", "DocumentFileName", "DocumentType", "Version"],
                f"extension properties {names}",
            )
            for p in props:
                check(p.findtext("pdfaProperty:valueType", namespaces=NS) == "Text", "valueType")
                check(p.findtext("pdfaProperty:category", namespaces=NS) == "external", "category")
                check(bool(p.findtext("pdfaProperty:description", namespaces=NS)), "description")

        # Information dictionary ↔ XMP.
        check(text("dc:title/rdf:Alt/rdf:li") == info.get("/Title"), "dc:title != /Title")
        check(text("pdf:Producer") == info.get("/Producer"), "pdf:Producer != /Producer")
        if "/Creator" in info:
            check(text("xmp:CreatorTool") == info["/Creator"], "xmp:CreatorTool != /Creator")
        if "/Author" in info:
            check(text("dc:creator/rdf:Seq/rdf:li") == info["/Author"], "dc:creator != /Author")
        for key, prop in [("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")]:
            if key in info:
                xmp_value = text(prop)
                try:
                    xmp_at = datetime.fromisoformat(xmp_value.replace("Z", "+00:00"))
                except (AttributeError, ValueError):
                    xmp_at = None
                check(
                    xmp_at is not None and xmp_at == pdf_date(info[key]),
                    f"{prop} {xmp_value} != {key} {info[key]}",
                )

    # The attachment: /AF, /Names /EmbeddedFiles, bytes, checksum.
    af = resolve(root.get("/AF")) or []
    check(len(af) == 1, f"{len(af)} associated files")
    names = resolve(resolve(resolve(root.get("/Names", {})).get("/EmbeddedFiles", {})).get("/Names", []))
    check(len(names) == 2 and names[0] == "factur-x.xml", f"/EmbeddedFiles names {list(names)}")
    for spec_ref in af:
        spec = resolve(spec_ref)
        check(spec.get("/Type") == "/Filespec", "filespec /Type")
        check(spec.get("/F") == "factur-x.xml" and spec.get("/UF") == "factur-x.xml", "file name")
        check(spec.get("/AFRelationship") == "/Data", f"/AFRelationship {spec.get('/AFRelationship')}")
        if len(names) == 2:
            check(resolve(names[1]) == spec, "/EmbeddedFiles and /AF differ")
        ef = resolve(spec["/EF"])
        stream = resolve(ef["/F"])
        check(resolve(ef.get("/UF")) == stream, "/EF /UF differs from /F")
        check(stream.get("/Type") == "/EmbeddedFile", "embedded file /Type")
        check(stream.get("/Subtype") == "/text/xml", f"embedded file /Subtype {stream.get('/Subtype')}")
        data = stream.get_data()
        check(data == expected_xml, "the embedded XML differs from the expected bytes")
        params = resolve(stream.get("/Params", {}))
        check(params.get("/Size") == len(data), "/Params /Size")
        check(pdf_date(params.get("/ModDate")) is not None, "/Params /ModDate")
        checksum = params.get("/CheckSum")
        if checksum is not None:
            # pypdf may decode a byte string as text; its original bytes count.
            raw_sum = getattr(checksum, "original_bytes", checksum)
            check(bytes(raw_sum) == hashlib.md5(data).digest(), "/Params /CheckSum")

    # Fonts: embedded, and /Widths as in the font program.
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        TTFont = None
        check(not REQUIRED, "fontTools is required (REGISSEUR_REQUIRE_PDF_TOOLS=1)")
        print("fontTools not installed: /Widths not compared with the font programs")
    fonts = {}
    for page in reader.pages:
        resources = resolve(page.get("/Resources", {}))
        for name, font in resolve(resources.get("/Font", {})).items():
            fonts[(name, font.idnum if isinstance(font, IndirectObject) else id(font))] = resolve(font)
    check(len(fonts) >= 2, f"{len(fonts)} fonts")
    for (name, _), font in fonts.items():
        descriptor = resolve(font.get("/FontDescriptor"))
        if not check(descriptor is not None, f"{name}: no font descriptor"):
            continue
        program = resolve(descriptor.get("/FontFile2"))
        if not check(program is not None, f"{name}: no /FontFile2"):
            continue
        data = program.get_data()
        check(program.get("/Length1") == len(data), f"{name}: /Length1")
        check(font.get("/Subtype") == "/TrueType", f"{name}: not TrueType")
        check(font.get("/Encoding") == "/WinAnsiEncoding", f"{name}: encoding")
        check(int(descriptor.get("/Flags", 0)) & 4 == 0, f"{name}: symbolic")
        if TTFont is None:
            continue
        tt = TTFont(io.BytesIO(data))
        cmap = tt["cmap"].getcmap(3, 1)
        check(cmap is not None, f"{name}: no (3,1) cmap")
        if cmap is None:
            continue
        upm = tt["head"].unitsPerEm
        first = int(font["/FirstChar"])
        widths = resolve(font["/Widths"])
        for i, width in enumerate(widths):
            code = first + i
            if code == 0x7F:  # DEL: no WinAnsi character, never drawn
                continue
            try:
                char = bytes([code]).decode("cp1252")
            except UnicodeDecodeError:
                continue
            glyph = cmap.cmap.get(ord(char))
            if glyph is None:
                failures.append(f"{name}: no glyph for {char!r}")
                continue
            advance = tt["hmtx"][glyph][0] * 1000 / upm
            check(abs(float(width) - advance) <= 1, f"{name}: width of {char!r} {width} != {advance:.1f}")

    if failures:
        for f in failures:
            print("FAILED:", f)
        sys.exit(1)
    print(f"ok: PDF/A-3B metadata, sRGB output intent, factur-x.xml {fx_values}, {len(fonts)} embedded fonts")


if __name__ == "__main__":
    main()
