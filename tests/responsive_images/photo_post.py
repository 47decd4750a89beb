"""A post with five phone photos, made for the tests, and how much of it a
browser loads before the reader scrolls.

The photos are synthetic (no real photo goes into the repository) but are
made to cost what phone photos cost: 4032 x 3024 JPEGs of 3-4 MB (quality
90, as phones save), with a GPS position, the camera's make and model, the
time, an XMP packet, an sRGB profile and an EXIF orientation, and with
detail at every scale, weaker the finer (as in photographs), over shapes
and gradients. Resized to 960 pixels, AVIF at quality 50 takes about 0.75
bits a pixel for them: more than for a typical phone photo, about as much
as for a close-up of a circuit board. So the page weights measured with
them are on the heavy side of what real photos give.
"""

from __future__ import annotations

import functools
import http.server
import os
import random
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFilter

ORIENTATION, GPS_IFD, EXIF_IFD = 0x0112, 0x8825, 0x8769
# Where the photos were "taken": Leeds Town Hall.
GPS = {1: "N", 2: (53.0, 47.0, 59.1), 3: "W", 4: (1.0, 32.0, 59.6), 5: 0, 6: 60.0}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="53,47.985N" exif:GPSLongitude="1,32.993W"/>'
    b"</rdf:RDF></x:xmpmeta>"
)
# How a phone stores a photo for each EXIF orientation: the upright picture
# turned the other way (the orientation says how to turn it back).
STORED_AS = {
    1: None,
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}
SENSOR = (4032, 3024)
RED = (255, 0, 0)
# Detail over the shapes: (scale divisor, strength), coarse to fine.
OCTAVES = ((64, 60), (16, 30), (4, 8), (1, 6))

# The five photos of the post: file, EXIF orientation, alt text, caption.
PHOTOS = (
    ("arrivals.jpg", 1, "People queue at a registration desk", "Arrivals, 6.30 pm"),
    (
        "speaker.jpg",
        6,
        "A speaker at a lectern",
        "Amira on the weak ties that find jobs",
    ),
    (
        "tables.jpg",
        3,
        "Round tables of people talking",
        "Round tables: six people each",
    ),
    ("cards.jpg", 8, "A hand holding business cards", "Cards & <notes> swapped"),
    ("street.jpg", 1, "People leaving into a lit street", "Heading out at ten"),
)
POST_SLUG = "five-photos"
PARAGRAPH = (
    "We met in the upstairs room again, and the format held: ten minutes of "
    "talk, then tables of six that change every twenty minutes. Most people "
    "came alone and left with two or three names worth a follow-up, which is "
    "the whole point of an evening like this. The notes below say what "
    "worked and what we will change next time."
)


def phone_photo(path: Path, seed: int, orientation: int) -> Path:
    """A 4032 x 3024 JPEG as a phone writes one (see the module's docstring).

    The upright picture has a red top-left corner, so a test can see that
    a copy was turned as its orientation says."""
    rnd = random.Random(seed)
    upright_size = SENSOR if orientation in (1, 3) else SENSOR[::-1]
    width, height = upright_size
    gradient = Image.linear_gradient("L").resize(upright_size)
    sky, ground = (
        tuple(rnd.randrange(60, 200) for _ in range(3)),
        tuple(rnd.randrange(20, 120) for _ in range(3)),
    )
    picture = Image.composite(
        Image.new("RGB", upright_size, ground),
        Image.new("RGB", upright_size, sky),
        gradient,
    )
    draw = ImageDraw.Draw(picture)
    for _ in range(60):
        x, y = rnd.randrange(width), rnd.randrange(height)
        w, h = rnd.randrange(60, 1400), rnd.randrange(60, 1400)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        shape = draw.ellipse if rnd.random() < 0.5 else draw.rectangle
        shape((x, y, x + w, y + h), fill=colour)
    picture = picture.filter(ImageFilter.GaussianBlur(3))
    detail = Image.new("L", upright_size, 128)
    for divisor, strength in OCTAVES:
        octave = noise((width // divisor, height // divisor), strength, rnd)
        if divisor > 1:
            octave = octave.resize(upright_size, Image.Resampling.BICUBIC)
        detail = ImageChops.add(detail, octave, offset=-128)
    picture = ImageChops.add(picture, Image.merge("RGB", [detail] * 3), offset=-128)
    ImageDraw.Draw(picture).rectangle((0, 0, width // 8, height // 8), fill=RED)
    turn = STORED_AS[orientation]
    stored = picture.transpose(turn) if turn else picture
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Phone maker"
    exif[0x0110] = "Phone 15"
    exif[GPS_IFD] = GPS
    exif[EXIF_IFD] = {0x9003: "2026:11:20 18:30:00"}  # DateTimeOriginal
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    stored.save(path, "JPEG", quality=90, exif=exif, icc_profile=srgb, xmp=XMP)
    return path


def noise(size: tuple[int, int], strength: float, rnd: random.Random) -> Image.Image:
    """Grey noise about 128 with a standard deviation of `strength`, the
    same for the same seed (Pillow's effect_noise cannot be seeded)."""
    uniform = Image.frombytes("L", size, rnd.randbytes(size[0] * size[1]))
    # Uniform over 0-255 deviates by 73.9 from its mean.
    scale = strength / 73.9
    return uniform.point(lambda value: round(128 + (value - 127.5) * scale))


def post_text(date: str) -> str:
    """The post: an intro, then each photo with its caption and a paragraph."""
    parts = [
        "Title: Five photos from the spring meetup",
        f"Date: {date}",
        f"Slug: {POST_SLUG}",
        "Summary: What the spring meetup looked like, in five photos.",
        # One of the photos is the post's share card (drawn from the original).
        "Share_image: images/speaker.jpg",
        "Share_image_alt: A speaker at a lectern",
        "",
        PARAGRAPH,
        "",
    ]
    for name, _orientation, alt, caption in PHOTOS:
        parts += [f'![{alt}]({{static}}/images/{name} "{caption}")', "", PARAGRAPH, ""]
    return "\n".join(parts)


def make_photo_content(site_content: Path, target: Path, date: str) -> Path:
    """A copy of the site's content with the five-photo post and its photos."""
    shutil.copytree(site_content, target)
    images = target / "images"
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(
            pool.map(
                lambda job: phone_photo(images / job[1][0], job[0], job[1][1]),
                enumerate(PHOTOS),
            )
        )
    (target / "posts" / f"{POST_SLUG}.md").write_text(post_text(date), encoding="utf-8")
    return target


# True once the page has loaded, every font is ready and every image the
# browser has started to fetch has arrived and been decoded.
SETTLED = """() => {
    const [navigation] = performance.getEntriesByType('navigation');
    if (!navigation || navigation.loadEventEnd === 0) return false;
    if (document.fonts.status !== 'loaded') return false;
    const fetched = new Set(
        performance.getEntriesByType('resource').map(entry => entry.name));
    return [...document.images]
        .filter(image => image.currentSrc && fetched.has(image.currentSrc))
        .every(image => image.complete && image.naturalWidth > 0);
}"""
TRANSFERRED = """() => [
    ...performance.getEntriesByType('navigation'),
    ...performance.getEntriesByType('resource'),
].map(entry => ({url: entry.name, bytes: entry.transferSize}))"""


def weight_before_scrolling(browser, url: str, viewport: dict, scale: float):
    """Bytes a browser of this viewport and pixel density transfers for the
    page before the reader scrolls: (total, [(bytes, url)])."""
    context = browser.new_context(viewport=viewport, device_scale_factor=scale)
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        page.wait_for_function(SETTLED)
        entries = page.evaluate(TRANSFERRED)
    finally:
        context.close()
    listing = sorted(
        ((entry["bytes"], entry["url"]) for entry in entries), reverse=True
    )
    return sum(size for size, _url in listing), listing


class _PublishedHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a `make publish` output as a static host does: the .br (or
    .gz) copy pelican-precompress wrote beside a file, to a browser that
    accepts it; never kept by the browser (see harness.serve)."""

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")
        accepted = self.headers.get("Accept-Encoding", "")
        for suffix, encoding in ((".br", "br"), (".gz", "gzip")):
            if encoding in accepted and os.path.isfile(path + suffix):
                body = open(path + suffix, "rb")  # noqa: SIM115 (the server closes it)
                self.send_response(200)
                self.send_header("Content-Type", self.guess_type(path))
                self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(os.fstat(body.fileno()).st_size))
                self.end_headers()
                return body
        return super().send_head()


def serve_published(root: Path):
    """Serve a production build on a free loopback port: (base URL, server)."""
    handler = functools.partial(_PublishedHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server
