"""Writes the sample media under fixtures/ (deterministic; run with a venv that has Pillow).

    .venv-sdk155/bin/python scripts/make-fixtures.py
"""
import math
import pathlib
import struct
import wave

from PIL import Image, ImageDraw

out = pathlib.Path(__file__).resolve().parent.parent / "fixtures"
out.mkdir(exist_ok=True)

# cats-and-dogs style picture: two shapes on a sky, as PNG and JPEG.
img = Image.new("RGB", (320, 200), (135, 180, 235))
d = ImageDraw.Draw(img)
d.rectangle([0, 150, 320, 200], fill=(90, 160, 80))
d.ellipse([60, 90, 130, 160], fill=(230, 150, 60))   # "cat"
d.ellipse([180, 80, 270, 160], fill=(120, 90, 60))   # "dog"
img.save(out / "sample.png", optimize=True)
img.save(out / "cats-and-dogs.jpg", quality=80)
img.save(out / "sample.jpg", quality=80)

# One second of a 440 Hz tone, 24 kHz 16-bit mono (the API's speech format).
samples = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / 24000))) for n in range(24000))
(out / "sample.pcm").write_bytes(samples)
with wave.open(str(out / "sample.wav"), "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(24000); w.writeframes(samples)

# A one-page PDF with a line of text, with a correct cross-reference table.
objects = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    None,
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]
stream = b"BT /F1 18 Tf 20 70 Td (Understudy sample document) Tj ET"
objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
pdf = b"%PDF-1.4\n"
offsets = []
for i, body in enumerate(objects, start=1):
    offsets.append(len(pdf))
    pdf += b"%d 0 obj\n" % i + body + b"\nendobj\n"
xref = len(pdf)
pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
pdf += b"".join(b"%010d 00000 n \n" % o for o in offsets)
pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
(out / "sample.pdf").write_bytes(pdf)

# A minimal MP4 container: ftyp, an empty-track moov with mvhd, and an mdat.
def box(kind, payload):
    return struct.pack(">I", 8 + len(payload)) + kind + payload
mvhd = struct.pack(">B3xIIII", 0, 0, 0, 1000, 1000) + struct.pack(">I", 0x00010000) + struct.pack(">H", 0x0100) + b"\0" * 10
mvhd += struct.pack(">9I", 0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000) + b"\0" * 24 + struct.pack(">I", 2)
mp4 = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41") + box(b"moov", box(b"mvhd", mvhd)) + box(b"mdat", b"\0" * 16)
(out / "sample.mp4").write_bytes(mp4)
print("wrote", sorted(p.name for p in out.iterdir()))
