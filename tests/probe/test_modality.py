"""Modality reliance against vision test doubles with a PLANTED reliance on the picture or on the text.

No vision-language model is available here. ``PlantedVisionBackend`` is a clearly labelled in-process test
double; the HTTP tests run the real OpenAI-compatible vision backend against the scripted server (a real
HTTP server on 127.0.0.1) whose responder decodes the PNG sent in the ``image_url`` part and answers with the
same planted rule. The truth of every shift is computed from the planted rule by hand.
"""

from __future__ import annotations

import base64
import io
import json
import math
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from causalbridge.cli import probe as probe_cli
from causalbridge.errors import InputError
from causalbridge.llm import NullCache, run_sync
from causalbridge.llm.scripted_server import Reply, ScriptedServer
from causalbridge.llm.types import Capabilities, Choice, Usage
from causalbridge.probe.modality import (
    Image,
    ModalityItem,
    OpenAICompatVisionBackend,
    VisionBackend,
    VisionPrompt,
    blank,
    decode_png,
    load_image,
    load_items,
    make_vision_backend,
    modality_reliance,
    noised,
    solid,
    swap_partners,
    write_reliance,
)


def p_red(pixels: np.ndarray, text: str, w_image: float, w_text: float) -> float:
    """The planted rule: evidence from the picture's red-minus-blue and from the words 'red'/'blue' in the text."""
    image = (pixels[:, :, 0].mean() - pixels[:, :, 2].mean()) / 255.0
    context = text.split("\n\n")[0] if "\n\n" in text else ""
    words = (" red" in f" {context.lower()}") - (" blue" in f" {context.lower()}")
    return 1.0 / (1.0 + math.exp(-(4.0 * w_image * image + 2.0 * w_text * words)))


class PlantedVisionBackend:
    """TEST DOUBLE (not a vision model): P(red) follows the planted rule with the given weights."""

    name = "test-double:planted-vision"
    capabilities = Capabilities(has_logprobs=True, supports_json_schema=False, max_context=4096, is_local=True)

    def __init__(self, w_image: float, w_text: float) -> None:
        self.w_image, self.w_text = w_image, w_text
        self.usage = Usage()
        self.seen: list[VisionPrompt] = []

    async def choose_vision(self, prompts: Sequence[VisionPrompt], options: Sequence[str]) -> list[Choice]:
        assert tuple(options) == ("red", "blue")
        self.seen.extend(prompts)
        results = []
        for prompt in prompts:
            assert prompt.image is not None
            p = p_red(prompt.image.pixels, prompt.text, self.w_image, self.w_text)
            results.append(Choice(("red", "blue"), (p, 1.0 - p), Usage(queries=1)))
        self.usage = self.usage + Usage(queries=len(prompts))
        return results


def _items(n: int = 8) -> list[ModalityItem]:
    """Red and blue balls; the caption agrees with the picture on even items and contradicts it on odd ones."""
    items = []
    for i in range(n):
        colour, other = ("red", "blue") if i % 4 < 2 else ("blue", "red")
        rgb = (220, 30 + 5 * i, 40) if colour == "red" else (30, 40 + 5 * i, 210)
        said = colour if i % 2 == 0 else other
        items.append(
            ModalityItem(
                id=f"ball-{i}",
                image=solid(rgb, (12, 10)),
                question="What colour is the ball?",
                options=("red", "blue"),
                context=f"The caption says the ball is {said}.",
                image_answer=colour,
                text_answer=said,
            )
        )
    return items


def _truth(items: list[ModalityItem], key: str, w_image: float, w_text: float, sigma: float = 64.0) -> float:
    """The mean shift of one intervention, straight from the planted rule (swap partners as the probe uses)."""
    partners = swap_partners(len(items), 0)
    shifts = []
    for i, item in enumerate(items):
        clean = p_red(item.image.pixels, item.prompt(item.image, item.context).text, w_image, w_text)
        image, context = item.image, item.context
        if key == "image:blank":
            image = blank(item.image)
        elif key == "image:swap":
            image = items[partners[i]].image
        elif key == "text:remove":
            context = ""
        elif key == "text:swap":
            context = items[partners[i]].context
        assert key != "image:noise"
        after = p_red(image.pixels, item.prompt(image, context).text, w_image, w_text)
        shifts.append(abs(clean - after))  # the TV distance of two two-point distributions
    return float(np.mean(shifts))


@pytest.mark.parametrize(("w_image", "w_text", "verdict"), [(1.0, 0.15, "image"), (0.1, 1.5, "text")])
def test_the_probe_finds_the_planted_reliance(w_image: float, w_text: float, verdict: str) -> None:
    items = _items(16)  # with two captions half the text swaps change nothing: it takes items to tell
    result = modality_reliance(PlantedVisionBackend(w_image, w_text), items, seed=0)
    assert result.verdict == verdict
    for key in ("image:blank", "image:swap", "text:remove", "text:swap"):
        assert result.effect(key).shift.estimate == pytest.approx(_truth(items, key, w_image, w_text), abs=1e-12)
    assert result.swap_difference is not None
    difference = result.effect("image:swap").shift.estimate - result.effect("text:swap").shift.estimate
    assert result.swap_difference.estimate == pytest.approx(difference)
    follows = result.follows_image if verdict == "image" else result.follows_text
    assert follows is not None and follows > 0.75
    assert result.usage.queries == len(items) * 6


def test_equal_reliance_is_undetermined_with_few_items() -> None:
    result = modality_reliance(PlantedVisionBackend(0.5, 1.0), _items(4), seed=0)
    assert result.verdict == "undetermined"


def test_noise_is_seeded_and_grows_with_sigma() -> None:
    items = _items()
    backend = PlantedVisionBackend(1.0, 0.0)
    small = modality_reliance(backend, items, noise_sigma=20.0, interventions=[("image", "noise")])
    large = modality_reliance(backend, items, noise_sigma=200.0, interventions=[("image", "noise")])
    again = modality_reliance(backend, items, noise_sigma=200.0, interventions=[("image", "noise")])
    assert small.effect("image:noise").shift.estimate < large.effect("image:noise").shift.estimate
    assert large.effects == again.effects
    picture = items[0].image
    assert noised(picture, 30.0, 1) == noised(picture, 30.0, 1) != noised(picture, 30.0, 2)
    assert noised(picture, 0.0, 1) == picture


def test_swap_partners_are_a_seeded_derangement() -> None:
    for n in (2, 3, 7, 20):
        partners = swap_partners(n, seed=4)
        assert sorted(partners) == list(range(n)) and all(p != i for i, p in enumerate(partners))
    assert swap_partners(9, 1) == swap_partners(9, 1)
    with pytest.raises(InputError, match="two items"):
        swap_partners(1, 0)


def _filtered_png(pixels: np.ndarray, filters: Sequence[int]) -> bytes:
    """A PNG whose rows use the given filter types, filtered here by the textbook formulas."""
    height, width, _ = pixels.shape
    data = pixels.astype(int).reshape(height, width * 3)
    rows = []
    for y in range(height):
        kind, row, up = filters[y % len(filters)], data[y], data[y - 1] if y else np.zeros(width * 3, int)
        out = []
        for x in range(width * 3):
            a = row[x - 3] if x >= 3 else 0
            b, c = up[x], (up[x - 3] if x >= 3 else 0)
            p = a + b - c
            paeth = (
                a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else (b if abs(p - b) <= abs(p - c) else c)
            )
            predictor = [0, a, b, (a + b) // 2, paeth][kind]
            out.append((row[x] - predictor) % 256)
        rows.append(bytes([kind, *out]))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"".join(rows))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_png_reader_handles_every_row_filter_and_agrees_with_pillow(tmp_path: Path) -> None:
    pixels = np.random.default_rng(0).integers(0, 256, size=(9, 7, 3)).astype(np.uint8)
    png = _filtered_png(pixels, (0, 1, 2, 3, 4))
    assert np.array_equal(decode_png(png), pixels)
    assert np.array_equal(Image.from_pixels(pixels).pixels, pixels)
    pil = pytest.importorskip("PIL.Image")
    assert np.array_equal(np.asarray(pil.open(io.BytesIO(png)).convert("RGB")), pixels)
    for mode in ("L", "RGBA", "P"):  # grey and alpha by the built-in reader, palette through Pillow
        path = tmp_path / f"{mode}.png"
        pil.fromarray(pixels).convert(mode).save(path)
        expected = np.asarray(pil.open(path).convert("RGB"))
        assert np.array_equal(load_image(path).pixels, expected), mode
    with pytest.raises(InputError, match="not a PNG"):
        decode_png(b"GIF89a")


def _scripted_vision(w_image: float, w_text: float) -> Any:
    """A scripted-server responder that decodes the picture it is sent and answers by the planted rule."""

    def respond(body: dict[str, Any]) -> Reply:
        content = body["messages"][-1]["content"]
        assert isinstance(content, list), "a vision request carries content parts"
        (url,) = [part["image_url"]["url"] for part in content if part["type"] == "image_url"]
        assert url.startswith("data:image/png;base64,")
        pixels = decode_png(base64.b64decode(url.split(",", 1)[1]))
        text = "".join(part["text"] for part in content if part["type"] == "text")
        p = p_red(pixels, text.split("\n\nAnswer with exactly one of")[0].lstrip("\n"), w_image, w_text)
        return Reply("red" if p > 0.5 else "blue", (("red", math.log(p)), ("blue", math.log(1.0 - p))))

    return respond


def test_openai_compatible_vision_backend_over_http_matches_the_double(tmp_path: Path) -> None:
    items = _items(6)
    with ScriptedServer(_scripted_vision(1.0, 0.15)) as server:
        backend = make_vision_backend(f"openai-compatible:{server.base_url}#scripted-vlm", cache_dir=str(tmp_path))
        assert isinstance(backend, OpenAICompatVisionBackend) and isinstance(backend, VisionBackend)
        over_http = modality_reliance(backend, items, seed=0)
        requests = len(server.requests)
        cached = modality_reliance(backend, items, seed=0)
        assert len(server.requests) == requests  # every answer came from the cache the second time
    in_process = modality_reliance(PlantedVisionBackend(1.0, 0.15), items, seed=0)
    # items are asked a few at a time, so a prompt repeated in a later batch (the same blank picture and caption)
    # is answered from the cache: every prompt is either a request or a cache hit
    assert over_http.usage.queries == len(items) * 6
    assert requests + over_http.usage.cache_hits == len(items) * 6
    assert cached.usage.cache_hits == len(items) * 6
    assert over_http.verdict == in_process.verdict == "image"
    for ours, theirs in zip(over_http.effects, in_process.effects, strict=True):
        assert ours.shift.estimate == pytest.approx(theirs.shift.estimate, abs=1e-9)


def test_the_image_goes_first_and_the_system_message_stays_text() -> None:
    with ScriptedServer(_scripted_vision(1.0, 0.0)) as server:
        backend = OpenAICompatVisionBackend("vlm", base_url=server.base_url, cache=NullCache())
        prompt = VisionPrompt("What colour is the ball?", solid((250, 0, 0)), system="Be brief.")
        (choice,) = run_sync(backend.choose_vision([prompt], ["red", "blue"]))
        body = server.requests[0].body
    assert choice.best == "red" and choice.method == "logprobs"
    system, user = body["messages"]
    assert system == {"role": "system", "content": "Be brief."}
    assert [part["type"] for part in user["content"]] == ["image_url", "text"]
    assert user["content"][1]["text"].startswith("What colour is the ball?")


def test_text_specs_are_refused_for_the_vision_probe() -> None:
    with pytest.raises(InputError, match="vision model"):
        make_vision_backend("local:smollm2", no_cache=True)


def test_write_reliance(tmp_path: Path) -> None:
    result = modality_reliance(PlantedVisionBackend(1.0, 0.15), _items(), seed=0)
    paths = write_reliance(result, tmp_path)
    data = json.loads(paths["json"].read_text())
    assert data["verdict"] == "image" and len(data["effects"]) == 5 and len(data["items"]) == 8
    markdown = paths["markdown"].read_text()
    assert "follow the **picture**" in markdown and "| image:swap |" in markdown
    assert paths["png"].stat().st_size > 5000 and paths["svg"].exists()


def test_bad_items_are_user_errors() -> None:
    picture = solid((1, 2, 3))
    with pytest.raises(InputError, match="two distinct options"):
        ModalityItem("a", picture, "q?", ("red",))
    with pytest.raises(InputError, match="not one of the options"):
        ModalityItem("a", picture, "q?", ("red", "blue"), image_answer="green")
    backend = PlantedVisionBackend(1.0, 0.0)
    with pytest.raises(InputError, match="unique"):
        item = ModalityItem("a", picture, "q?", ("red", "blue"))
        modality_reliance(backend, [item, item])
    with pytest.raises(InputError, match="unknown interventions"):
        modality_reliance(backend, _items(2), interventions=[("image", "rotate")])  # type: ignore[list-item]


# ----------------------------------------------------------------------------- the items file and the CLI
def _items_file(tmp_path: Path, n: int = 8) -> Path:
    (tmp_path / "images").mkdir()
    lines = ["format: 1", "items:"]
    for item in _items(n):
        (tmp_path / "images" / f"{item.id}.png").write_bytes(item.image.png)
        lines += [
            f"  - id: {item.id}",
            f"    image: images/{item.id}.png",
            f"    question: {item.question}",
            "    options: [red, blue]",
            f"    context: {item.context}",
            f"    image_answer: {item.image_answer}",
            f"    text_answer: {item.text_answer}",
        ]
    path = tmp_path / "items.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_items_file_round_trips_the_items(tmp_path: Path) -> None:
    loaded = load_items(_items_file(tmp_path))
    assert loaded == tuple(_items(8))


def test_items_file_errors_name_the_line(tmp_path: Path) -> None:
    path = _items_file(tmp_path, 2)
    text = path.read_text()
    path.write_text(text.replace("images/ball-1.png", "images/missing.png"))
    with pytest.raises(InputError, match="image file not found .*missing.png") as caught:
        load_items(path)
    assert str(caught.value).startswith(f"{path}:11:")
    path.write_text(text.replace("text_answer: red", "text_answer: green", 1))
    with pytest.raises(InputError, match="'green' is not one of the options") as caught:
        load_items(path)
    assert str(caught.value).startswith(f"{path}:3:")


def test_cli_modality_over_http(tmp_path: Path) -> None:
    items_file = _items_file(tmp_path, 16)
    out = tmp_path / "report"
    with ScriptedServer(_scripted_vision(1.0, 0.15)) as server:
        r = CliRunner().invoke(
            probe_cli.app,
            [
                "modality",
                str(items_file),
                "--llm",
                f"openai-compatible:{server.base_url}#vlm",
                "--out",
                str(out),
                "--no-cache",
            ],
            env={"COLUMNS": "200"},
        )
    assert r.exit_code == 0, r.output
    assert "verdict: the answers follow the image" in r.output
    data = json.loads((out / "modality.json").read_text())
    assert data["verdict"] == "image" and data["usage"]["queries"] == 16 * 6
    assert (out / "modality.md").exists() and (out / "modality_shifts.png").exists()


def test_progress_follows_the_items_then_the_intervals_and_batching_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from causalbridge.probe.modality import reliance

    items = _items(8)
    calls: list[tuple[str, int, int]] = []
    followed = modality_reliance(PlantedVisionBackend(1.0, 0.15), items, seed=0, progress=lambda *c: calls.append(c))
    assert calls[:3] == [("items", 0, 8), ("items", 4, 8), ("items", 8, 8)]  # ITEMS_PER_CALL = 4
    assert calls[3:] == [("effects", n, 11) for n in (2, 4, 6, 8, 10, 11)]  # shift + drop each, then the verdict
    monkeypatch.setattr(reliance, "ITEMS_PER_CALL", 1)
    one_by_one = modality_reliance(PlantedVisionBackend(1.0, 0.15), items, seed=0)
    assert one_by_one.items == followed.items and one_by_one.effects == followed.effects
    assert one_by_one.verdict == followed.verdict == "image"
