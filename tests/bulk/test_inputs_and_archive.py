"""What a bulk run reads: folders, manifests, and uploaded zips unpacked safely."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bulk_testlib import BROKEN, corpus_plans, mixed_corpus, zip_bytes
from service.bulk.archive import ZipLimits, extract_zip
from service.bulk.inputs import BulkInputError, discover


def test_folder_walk_keeps_document_files_in_a_stable_order(tmp_path):
    corpus = discover(mixed_corpus(tmp_path / "c"))
    names = [f.name for f in corpus.files]
    assert names == sorted(names)
    assert set(BROKEN) <= set(names) and any(n.startswith("xa/") for n in names)
    assert corpus.ignored == ["so-do.png"]                     # not a document suffix
    assert not any(".ghi-chu" in n for n in names)               # hidden


def test_manifest_lists_files_with_labels_and_a_missing_file_is_kept(tmp_path):
    plans = corpus_plans()
    (tmp_path / "plans").mkdir()
    for plan in plans[:2]:
        (tmp_path / "plans" / plan.name).write_bytes(plan.read_bytes())
    manifest = tmp_path / "manifest.yml"
    manifest.write_text(f"plans:\n  - plans/{plans[0].name}\n  - path: plans/{plans[1].name}\n    commune: Xã Thử\n"
                        f"    province: Tỉnh Thử\n  - plans/khong-co.txt\n", encoding="utf-8")
    corpus = discover(manifest)
    assert [f.name for f in corpus.files] == [f"plans/{plans[0].name}", f"plans/{plans[1].name}", "plans/khong-co.txt"]
    assert corpus.files[1].labels == {"commune": "Xã Thử", "province": "Tỉnh Thử"}
    assert corpus.files[0].path == tmp_path / "plans" / plans[0].name


@pytest.mark.parametrize("text", ["plans: 3\n", "- {commune: X}\n", ": : :\n"])
def test_a_malformed_manifest_is_refused_with_a_reason(tmp_path, text):
    manifest = tmp_path / "manifest.yml"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(BulkInputError) as error:
        discover(manifest)
    assert error.value.code == "bad_manifest"


def test_a_missing_path_is_refused(tmp_path):
    with pytest.raises(BulkInputError) as error:
        discover(tmp_path / "khong-co")
    assert error.value.code == "not_found"


# ---------------------------------------------------------------- zips


def _zip(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "upload.zip"
    path.write_bytes(data)
    return path


def test_a_zip_unpacks_with_its_folders(tmp_path):
    plan = corpus_plans()[0]
    archive = _zip(tmp_path, zip_bytes({f"xa/{plan.name}": plan.read_bytes(), "rong.txt": b"",
                                        "__MACOSX/._x.txt": b"junk", "thu-muc/": b""}))
    written = extract_zip(archive, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == ["rong.txt", f"xa/{plan.name}"]
    assert (tmp_path / "out" / "xa" / plan.name).read_bytes() == plan.read_bytes()


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil.txt", "a/../../evil.txt", "C:/evil.txt", "..\\evil.txt"])
def test_zip_path_traversal_is_refused(tmp_path, name):
    archive = _zip(tmp_path, zip_bytes({"ok.txt": b"x", name: b"evil"}))
    with pytest.raises(BulkInputError) as error:
        extract_zip(archive, tmp_path / "out" / "input")
    assert error.value.code == "unsafe_path"
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "out" / "input").exists()


def test_zip_symlinks_are_refused(tmp_path):
    archive = _zip(tmp_path, zip_bytes({"link.txt": b"/etc/passwd"}, symlinks=("link.txt",)))
    with pytest.raises(BulkInputError) as error:
        extract_zip(archive, tmp_path / "out")
    assert error.value.code == "unsafe_path"


def test_a_zip_bomb_is_stopped_while_inflating(tmp_path):
    archive = _zip(tmp_path, zip_bytes({"bom.txt": b"\0" * (20 * 1024 * 1024)}))
    assert zipfile.ZipFile(archive).infolist()[0].compress_size < 100_000
    with pytest.raises(BulkInputError) as error:
        extract_zip(archive, tmp_path / "out")
    assert error.value.code == "zip_bomb"
    assert not (tmp_path / "out").exists()


def test_zip_size_limits_count_inflated_bytes(tmp_path):
    archive = _zip(tmp_path, zip_bytes({f"{i}.txt": bytes(range(256)) * 400 for i in range(3)}))
    with pytest.raises(BulkInputError) as error:
        extract_zip(archive, tmp_path / "a", ZipLimits(max_file_bytes=50_000))
    assert error.value.code == "too_large"
    with pytest.raises(BulkInputError) as error:
        extract_zip(archive, tmp_path / "b", ZipLimits(max_total_bytes=250_000))
    assert error.value.code == "too_large"
    with pytest.raises(BulkInputError) as error:
        extract_zip(archive, tmp_path / "c", ZipLimits(max_entries=2))
    assert error.value.code == "too_large"


def test_not_a_zip_is_refused(tmp_path):
    with pytest.raises(BulkInputError) as error:
        extract_zip(_zip(tmp_path, b"PK\x03\x04 not really"), tmp_path / "out")
    assert error.value.code == "bad_zip"
