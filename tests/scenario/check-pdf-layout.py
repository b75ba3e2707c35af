#!/usr/bin/python3
"""Check report.pdf's layout: check-pdf-layout.py REPORT.pdf LAYOUT.tsv

LAYOUT.tsv is what rig writes with RIG_PDF_LAYOUT_LOG set: per text box
its page, cell (x, y, width, height) and the ink Pango measured. Every
box's ink must lie inside its cell and every cell inside the page's text
area. Independently of rig, pdftotext -bbox gives every word's box as the
PDF draws it: no two words on a page may overlap, and none may leave the
page. Prints one line per problem; exit 1 if any."""
import subprocess
import sys
import xml.etree.ElementTree as ET

PAGE_W, PAGE_H, MARGIN = 595.276, 841.890, 40.0
SLACK = 0.5
problems = []

boxes = 0
for line in open(sys.argv[2], encoding="utf-8"):
    f = line.rstrip("\n").split("\t")
    page = int(f[0])
    x, y, w, h, ix, iy, iw, ih = map(float, f[1:9])
    text = f[9][:60]
    boxes += 1
    if ix < x - SLACK or ix + iw > x + w + SLACK or iy < y - SLACK or iy + ih > y + h + SLACK:
        problems.append(f"page {page}: text leaves its cell ({x:.1f},{y:.1f} {w:.1f}x{h:.1f}; "
                        f"ink {ix:.1f},{iy:.1f} {iw:.1f}x{ih:.1f}): {text!r}")
    if x < MARGIN - SLACK or x + w > PAGE_W - MARGIN + SLACK or y < MARGIN - 10 or \
            y + h > PAGE_H - MARGIN + 10:
        problems.append(f"page {page}: cell outside the text area: {text!r}")
if boxes < 20:
    problems.append(f"only {boxes} text boxes logged")

xml = subprocess.run(["pdftotext", "-bbox", sys.argv[1], "-"], capture_output=True,
                     check=True).stdout
root = ET.fromstring(xml)
ns = "{http://www.w3.org/1999/xhtml}"
pages = root.iter(ns + "page")
for n, page in enumerate(pages, 1):
    words = [(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")),
              float(w.get("yMax")), w.text or "") for w in page.iter(ns + "word")]
    for a in words:
        if a[0] < -SLACK or a[2] > PAGE_W + SLACK or a[1] < -SLACK or a[3] > PAGE_H + SLACK:
            problems.append(f"page {n}: word off the page: {a[4]!r}")
    words.sort()
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if b[0] >= a[2]:
                break
            ox = min(a[2], b[2]) - max(a[0], b[0])
            oy = min(a[3], b[3]) - max(a[1], b[1])
            # pdftotext's boxes are the font's full height: lines of a
            # paragraph touch; a real overlap covers a good part of both
            if ox > 1.0 and oy > 0.35 * min(a[3] - a[1], b[3] - b[1]):
                problems.append(f"page {n}: words overlap: {a[4]!r} and {b[4]!r} "
                                f"at ({a[0]:.0f},{a[1]:.0f})")
for p in problems[:40]:
    print(p)
print(f"{boxes} text boxes checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
