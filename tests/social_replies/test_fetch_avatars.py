"""`make replies` downloads avatars: square 96x96 PNGs with no metadata,
named by a hash of their bytes, never of a hidden item or author."""

from __future__ import annotations

import hashlib
import io
import struct

import pytest
from PIL import ExifTags, Image

from tests.social_replies.fake_sources import converse, warnings_of

RED, BLUE = (230, 20, 20), (20, 20, 230)


def photo_with_gps() -> bytes:
    """A 200x100 JPEG, red above blue, that says "rotate 90° clockwise"
    (EXIF orientation 6) and where it was taken (GPS)."""
    image = Image.new("RGB", (200, 100), BLUE)
    image.paste(RED, (0, 0, 200, 50))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.5)
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif, quality=95)
    data = output.getvalue()
    assert b"PhoneCo" in data  # (the test photo does carry its metadata)
    return data


def png_chunks(data: bytes) -> list[str]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        chunks.append(data[offset + 4 : offset + 8].decode("ascii"))
        offset += 12 + length
    return chunks


def near(pixel, colour) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=False))


def test_avatars_are_square_pngs_without_metadata_named_by_hash(blog, fake):
    converse(blog, "talk")
    fake.files["/avatars/bob.jpg"] = photo_with_gps()
    avatar_url = f"{fake.url}/avatars/bob.jpg"
    for reply in fake.descendants["1"]:
        reply["account"]["avatar_static"] = avatar_url

    assert blog.fetch()[0] == 0

    (path,) = blog.avatars()
    data = path.read_bytes()
    assert path.name == hashlib.sha256(data).hexdigest()[:20] + ".png"
    # Nothing but the picture: no eXIf, iCCP, tEXt or other chunks.
    assert set(png_chunks(data)) == {"IHDR", "IDAT", "IEND"}
    assert b"PhoneCo" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (96, 96)
    assert not image.getexif()
    assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    # Turned as EXIF said (red above blue becomes blue left, red right),
    # then the centre kept.
    rgb = image.convert("RGB")
    assert near(rgb.getpixel((5, 48)), BLUE)
    assert near(rgb.getpixel((90, 48)), RED)
    replies = blog.stored("talk")["sources"]["mastodon"]["items"]
    for reply in replies:
        assert reply["author"]["avatar"] == f"avatars/{path.name}"
        assert reply["author"]["avatar_source"] == avatar_url
    # Downloaded once, for every reply that shows it.
    assert fake.requested("file") == ["/avatars/bob.jpg"]


def test_a_stored_avatar_is_not_downloaded_again_unless_full(blog, fake):
    converse(blog, "talk")
    fake.files["/avatars/bob.jpg"] = photo_with_gps()
    for reply in fake.descendants["1"]:
        reply["account"]["avatar_static"] = f"{fake.url}/avatars/bob.jpg"
    blog.fetch()
    fake.requests.clear()
    blog.fetch()
    assert fake.requested("file") == []
    blog.fetch(full=True)
    assert fake.requested("file") == ["/avatars/bob.jpg"]
    assert len(blog.avatars()) == 1


def test_a_hidden_author_loses_their_avatar(blog, fake):
    converse(blog, "talk")
    fake.files["/avatars/bob.jpg"] = photo_with_gps()
    fake.files["/avatars/cat.png"] = _png((10, 200, 10))
    for reply in fake.descendants["1"]:
        reply["account"]["avatar_static"] = f"{fake.url}/avatars/bob.jpg"
    cat = next(m for m in fake.mentions if m["author"]["name"] == "Cat")
    cat["author"]["photo"] = f"{fake.url}/avatars/cat.png"
    blog.fetch()
    assert len(blog.avatars()) == 2

    (blog.replies / "hide.txt").write_text(
        f"# Bob keeps replying off topic\n{fake.url}/@bob/\n", encoding="utf-8"
    )
    # `make webmentions`' record, in its own folder, is not a post's file.
    (blog.replies / "sent").mkdir()
    (blog.replies / "sent" / "webmentions.json").write_text(
        '{"format": 7}\n', encoding="utf-8"
    )
    fake.requests.clear()
    assert blog.fetch()[0] == 0

    (kept,) = blog.avatars()
    assert kept.read_bytes() == _square(_png((10, 200, 10)))
    data = blog.stored("talk")
    for reply in data["sources"]["mastodon"]["items"]:
        assert reply["author"]["avatar"] is None  # still stored, not shown
    assert fake.requested("file") == []

    # Unhidden: the avatar comes back.
    (blog.replies / "hide.txt").write_text("", encoding="utf-8")
    blog.fetch()
    assert len(blog.avatars()) == 2


def test_a_hidden_reply_is_not_given_an_avatar(blog, fake):
    converse(blog, "talk")
    fake.files["/avatars/bob.jpg"] = photo_with_gps()
    reply = fake.descendants["1"][0]
    reply["account"]["avatar_static"] = f"{fake.url}/avatars/bob.jpg"
    (blog.replies).mkdir(parents=True)
    (blog.replies / "hide.txt").write_text(reply["url"] + "\n", encoding="utf-8")
    assert blog.fetch()[0] == 0
    assert blog.avatars() == []
    assert fake.requested("file") == []


@pytest.mark.parametrize(
    ("avatar", "reason"),
    [
        ("missing", "HTTP 404"),
        ("huge", "sent 2100000 bytes, more than 2000000"),
        ("bomb", "too large an avatar"),
        ("giant", "decompression bomb"),
        ("text", "not a usable image"),
        ("http://avatars.example/a.png", "is not https"),
    ],
)
def test_a_failed_avatar_is_not_a_failed_source(blog, fake, caplog, avatar, reason):
    path = converse(blog, "talk")
    fake.files["/avatars/huge.png"] = b"\0" * 2_100_000
    fake.files["/avatars/bomb.png"] = _bomb(5_000)  # 25 Mpx: over our limit
    fake.files["/avatars/giant.png"] = _bomb(10_000)  # 100 Mpx: over Pillow's
    fake.files["/avatars/text.png"] = b"<html>not an image</html>"
    url = avatar if "://" in avatar else f"{fake.url}/avatars/{avatar}.png"
    fake.descendants["1"][0]["account"]["avatar_static"] = url

    assert blog.fetch()[0] == 0

    (message,) = warnings_of(caplog)
    assert str(path) in message
    assert reason in message
    reply = blog.stored("talk")["sources"]["mastodon"]["items"][0]
    assert reply["author"] == {
        "name": "Bob",
        "url": f"{fake.url}/@bob",
        "avatar": None,
        "avatar_source": url,
    }
    assert blog.avatars() == []


def _png(colour) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (120, 120), colour).save(output, "PNG")
    return output.getvalue()


def _square(data: bytes) -> bytes:
    from pelican.plugins.social_replies.fetch import square_png  # noqa: PLC0415

    return square_png(data)


def _bomb(side: int) -> bytes:
    """A small PNG file of a large image (side x side pixels)."""
    output = io.BytesIO()
    Image.new("1", (side, side)).save(output, "PNG")
    return output.getvalue()
