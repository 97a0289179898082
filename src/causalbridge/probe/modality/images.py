"""Images for the modality probe: PNG in and out with the standard library, and the image interventions.

An :class:`Image` *is* its PNG bytes (what a vision model is sent), so two images are equal exactly when the
model would see the same thing, and the bytes' hash can name an image in cache keys. PNGs are written with
``zlib`` and ``struct`` (no imaging library needed, byte-identical across machines); 8-bit non-interlaced PNGs
(grey, grey+alpha, RGB, RGBA: what most tools write) are read the same way. Other files (JPEG, palette or 16-bit
PNG) are read with Pillow when it is installed.

The interventions remove or replace the picture's information while keeping its size: ``blank`` (one flat
colour), ``noised`` (seeded Gaussian noise added to every pixel; at large ``sigma`` it destroys the content)
and swapping (another item's picture, done by the probe).
"""

from __future__ import annotations

import base64
import hashlib
import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from causalbridge.errors import DependencyMissingError, InputError

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type -> samples per pixel


@dataclass(frozen=True, slots=True)
class Image:
    """A picture as PNG bytes; build one with :meth:`from_pixels` or :func:`load_image`."""

    png: bytes

    @staticmethod
    def from_pixels(pixels: np.ndarray) -> Image:
        """From an (height, width, 3) or (height, width) array of 0..255 values."""
        return Image(encode_png(pixels))

    @property
    def pixels(self) -> np.ndarray:
        """(height, width, 3) uint8 RGB."""
        return decode_png(self.png)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), read from the header without decoding."""
        width, height = struct.unpack(">II", self.png[16:24])
        return int(width), int(height)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.png).hexdigest()

    def data_url(self) -> str:
        """``data:image/png;base64,...``: how OpenAI-compatible servers take an inline image."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(pixels: np.ndarray) -> bytes:
    """An 8-bit RGB PNG of ``pixels`` (grey arrays are expanded to RGB); values are clipped to 0..255."""
    array = np.asarray(pixels)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or array.shape[0] < 1 or array.shape[1] < 1:
        raise InputError(f"pixels must be (height, width, 3), got shape {array.shape}", where="image")
    rgb = np.clip(np.rint(array[:, :, :3].astype(float)), 0, 255).astype(np.uint8)
    height, width = rgb.shape[:2]
    rows = b"".join(b"\x00" + rgb[y].tobytes() for y in range(height))  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b"")


def _paeth(left: int, up: int, up_left: int) -> int:
    p = left + up - up_left
    pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
    if pa <= pb and pa <= pc:
        return left
    return up if pb <= pc else up_left


def _unfilter_row(kind: int, line: np.ndarray, previous: np.ndarray, channels: int) -> np.ndarray:
    if kind == 0:
        return line
    if kind == 1:  # sub: a running sum along each channel
        per_channel = line.reshape(-1, channels)
        return (np.cumsum(per_channel, axis=0) & 0xFF).reshape(-1)
    if kind == 2:  # up
        return (line + previous) & 0xFF
    if kind not in (3, 4):
        raise InputError(f"corrupt PNG: unknown row filter {kind}", where="image")
    # average and Paeth depend on the reconstructed left neighbour: one byte at a time, in plain ints
    raw, up_row, row = line.tolist(), previous.tolist(), [0] * len(line)
    for x, value in enumerate(raw):
        left = row[x - channels] if x >= channels else 0
        if kind == 3:
            predictor = (left + up_row[x]) >> 1
        else:
            predictor = _paeth(left, up_row[x], up_row[x - channels] if x >= channels else 0)
        row[x] = (value + predictor) & 0xFF
    return np.array(row, dtype=np.int64)


def _unfilter(raw: bytes, width: int, height: int, channels: int) -> np.ndarray:
    stride = width * channels
    out = np.zeros((height, stride), dtype=np.int64)
    previous = np.zeros(stride, dtype=np.int64)
    for y in range(height):
        start = y * (stride + 1)
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=start + 1).astype(np.int64)
        previous = out[y] = _unfilter_row(raw[start], line, previous, channels)
    return out.reshape(height, width, channels).astype(np.uint8)


def _decode_simple(data: bytes) -> np.ndarray | None:
    """Decode an 8-bit non-interlaced grey/RGB(A) PNG; None for PNGs that need Pillow."""
    position, idat, header = 8, [], None
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        position += 12 + length
    if header is None:
        raise InputError("corrupt PNG: no IHDR chunk", where="image")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or interlace != 0 or colour not in _CHANNELS:
        return None
    channels = _CHANNELS[colour]
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as error:
        raise InputError(f"corrupt PNG: {error}", where="image") from None
    if len(raw) != height * (width * channels + 1):
        raise InputError("corrupt PNG: image data has the wrong length", where="image")
    pixels = _unfilter(raw, width, height, channels)
    if channels in (1, 2):
        pixels = np.repeat(pixels[:, :, :1], 3, axis=2)
    return pixels[:, :, :3]


def _decode_with_pillow(data: bytes, what: str) -> np.ndarray:
    try:
        from PIL import Image as PILImage
    except ImportError as exc:
        raise DependencyMissingError("pillow", f"reading {what}") from exc
    try:
        with PILImage.open(io.BytesIO(data)) as opened:
            return np.asarray(opened.convert("RGB"), dtype=np.uint8)
    except (OSError, ValueError) as error:
        raise InputError(f"not an image Pillow can read: {error}", where=what) from None


def decode_png(data: bytes) -> np.ndarray:
    """(height, width, 3) uint8 RGB pixels of a PNG (Pillow for the kinds the built-in reader does not do)."""
    if not data.startswith(_SIGNATURE):
        raise InputError("not a PNG (bad signature)", where="image")
    pixels = _decode_simple(data)
    return pixels if pixels is not None else _decode_with_pillow(data, "a palette, 16-bit or interlaced PNG")


def load_image(path: str | Path) -> Image:
    """An image file as an :class:`Image` (re-encoded as a plain RGB PNG unless it already is a readable PNG)."""
    target = Path(path)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise InputError("image file not found", where=str(target)) from None
    except OSError as error:
        raise InputError(f"cannot read the image: {error}", where=str(target)) from None
    if data.startswith(_SIGNATURE):
        try:
            simple = _decode_simple(data)
        except InputError as error:
            raise InputError(error.detail, where=str(target)) from None
        return Image.from_pixels(simple if simple is not None else _decode_with_pillow(data, str(target)))
    return Image.from_pixels(_decode_with_pillow(data, str(target)))


def blank(image: Image, fill: tuple[int, int, int] = (128, 128, 128)) -> Image:
    """A flat image of the same size: the picture's information removed, its shape kept."""
    width, height = image.size
    return Image.from_pixels(np.broadcast_to(np.array(fill, dtype=np.uint8), (height, width, 3)))


def noised(image: Image, sigma: float, rng: np.random.Generator | int = 0) -> Image:
    """The image with seeded Gaussian noise of standard deviation ``sigma`` (in 0..255 units) added."""
    if sigma < 0:
        raise InputError(f"sigma must be >= 0, got {sigma}", where="noise sigma")
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    pixels = image.pixels.astype(float)
    return Image.from_pixels(pixels + generator.normal(0.0, sigma, size=pixels.shape))


def solid(colour: tuple[int, int, int], size: tuple[int, int] = (32, 32)) -> Image:
    """A one-colour image (``size`` is width, height): handy for tests and synthetic probes."""
    width, height = size
    return Image.from_pixels(np.broadcast_to(np.array(colour, dtype=np.uint8), (height, width, 3)))
