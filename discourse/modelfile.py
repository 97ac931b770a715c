"""The model file format: one ``.npz`` holding plain arrays plus JSON metadata.

A model file is a zip archive of ``.npy`` members, readable with
``numpy.load(path, allow_pickle=False)``. Nothing in it is code: there is no
pickle, and this reader refuses object arrays before reading any data. Every
array and the metadata are covered by a sha256 digest stored in the metadata,
so an edited or damaged file is refused with an error naming the file.

Members
-------
``metadata``
    uint8 array holding UTF-8 JSON (format version, labels, feature settings,
    thresholds, calibration, provenance, ``sha256``).
``word_terms``, ``char_terms``
    uint8 arrays of UTF-8 (``surrogatepass``) text: the vocabulary terms in
    feature-index order, concatenated; ``*_offsets`` (int64) delimit them.
``word_idf``, ``char_idf``
    float64 idf weights, one per term.
``coef``, ``intercept``
    float64 logistic-regression weights of shape ``(n_labels, n_features)`` and
    ``(n_labels,)``; word features come first, then char features.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import zipfile

import numpy as np

__all__ = ["FORMAT_VERSION", "ModelFileError", "read_model_file", "write_model_file"]

FORMAT_VERSION = 1

#: member name -> (dtype, number of dimensions)
_MEMBERS = {
    "metadata": ("u1", 1),
    "word_terms": ("u1", 1),
    "word_offsets": ("<i8", 1),
    "char_terms": ("u1", 1),
    "char_offsets": ("<i8", 1),
    "word_idf": ("<f8", 1),
    "char_idf": ("<f8", 1),
    "coef": ("<f8", 2),
    "intercept": ("<f8", 1),
}

_MAX_MEMBER_BYTES = 2**30  # no sane model member is larger than 1 GiB
_MAX_FILE_BYTES = 2**31
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class ModelFileError(ValueError):
    """A model file is missing, damaged, tampered with or not a model file.

    The message names the file and says what was wrong with it.
    """


def encode_terms(terms):
    """Pack a list of strings into (uint8 UTF-8 blob, int64 offsets)."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in terms]
    offsets = np.zeros(len(encoded) + 1, dtype="<i8")
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    blob = np.frombuffer(b"".join(encoded), dtype="u1").copy()
    return blob, offsets


def decode_terms(blob, offsets):
    """Unpack what :func:`encode_terms` packed."""
    raw = blob.tobytes()
    bounds = offsets.tolist()
    return [raw[a:b].decode("utf-8", "surrogatepass") for a, b in zip(bounds[:-1], bounds[1:])]


def _digest(arrays, metadata):
    """sha256 over every array (name, dtype, shape, bytes) and the metadata."""
    h = hashlib.sha256()
    meta = {k: v for k, v in metadata.items() if k != "sha256"}
    h.update(json.dumps(meta, sort_keys=True, ensure_ascii=True).encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"\0{name}\0{a.dtype.str}\0{a.shape}\0".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _serialise(members):
    """The exact bytes of a model file holding ``members`` (name -> array)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(_MEMBERS):
            npy = io.BytesIO()
            np.lib.format.write_array(npy, members[name], version=(1, 0), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            zf.writestr(info, npy.getvalue())
    return buf.getvalue()


def write_model_file(path, arrays, metadata):
    """Write arrays and metadata to ``path`` as a deterministic ``.npz``.

    The same arrays and metadata always give the same bytes: members are
    stored uncompressed, in a fixed order, with a fixed timestamp. The file is
    written to a temporary name first and then renamed into place.

    Parameters
    ----------
    path : str or os.PathLike
        Where to write.
    arrays : dict of str to ndarray
        Exactly the members listed in this module's docstring, but ``metadata``.
    metadata : dict
        JSON-serialisable metadata; ``sha256`` and ``format_version`` are set here.
    """
    arrays = {k: np.ascontiguousarray(v, dtype=_MEMBERS[k][0]) for k, v in arrays.items()}
    metadata = dict(metadata, format_version=FORMAT_VERSION)
    metadata["sha256"] = _digest(arrays, metadata)
    meta_bytes = json.dumps(metadata, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8")
    members = dict(arrays, metadata=np.frombuffer(meta_bytes, dtype="u1"))
    missing = set(_MEMBERS) - set(members)
    if missing:
        raise ValueError(f"model arrays are missing {sorted(missing)}")
    data = _serialise(members)
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


def _read_member(zf, info, name, where):
    expected_dtype, ndim = _MEMBERS[name]
    if info.compress_type != zipfile.ZIP_STORED or info.compress_size != info.file_size:
        raise ModelFileError(f"{where}: member {name!r} is compressed; discourse model files store "
                             "members uncompressed, so this file was not written by discourse")
    if info.file_size > _MAX_MEMBER_BYTES:
        raise ModelFileError(f"{where}: member {name!r} declares {info.file_size} bytes, more than a model may hold")
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version != (1, 0):
            raise ModelFileError(f"{where}: member {name!r} has .npy version {version}; expected (1, 0)")
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        if dtype.hasobject:
            raise ModelFileError(
                f"{where}: member {name!r} holds Python objects (pickled data); "
                "model files hold plain numeric arrays only and this one is refused"
            )
        if dtype.str != np.dtype(expected_dtype).str or len(shape) != ndim or fortran:
            raise ModelFileError(
                f"{where}: member {name!r} should be a C-ordered {ndim}-d {np.dtype(expected_dtype)} "
                f"array, found {dtype} of shape {shape}"
            )
        header_len = f.tell()
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if nbytes != info.file_size - header_len:
            raise ModelFileError(
                f"{where}: member {name!r} declares shape {shape} ({nbytes} bytes) "
                f"but holds {info.file_size - header_len} bytes; the file is damaged"
            )
        data = f.read(nbytes)
    if len(data) != nbytes:
        raise ModelFileError(f"{where}: member {name!r} is truncated")
    return np.frombuffer(data, dtype=dtype).reshape(shape)


def _parse(raw, where):
    zf = zipfile.ZipFile(io.BytesIO(raw))
    with zf:
        infos = {i.filename: i for i in zf.infolist()}
        names = {n[:-4] for n in infos if n.endswith(".npy")}
        if set(infos) != {n + ".npy" for n in names} or names != set(_MEMBERS):
            raise ModelFileError(
                f"{where} has members {sorted(infos)}; expected exactly "
                f"{sorted(n + '.npy' for n in _MEMBERS)}"
            )
        return {name: _read_member(zf, infos[name + ".npy"], name, where) for name in _MEMBERS}


def read_model_file(path):
    """Read and verify a model file; return ``(arrays, metadata)``.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.npz`` file.

    Returns
    -------
    arrays : dict of str to ndarray
    metadata : dict

    Raises
    ------
    ModelFileError
        If the file is missing, not a regular file, not a zip of ``.npy``
        members, holds object arrays, compressed members or members of the
        wrong type or size, is not byte for byte the layout discourse writes
        (which catches damage to the zip container itself), fails its sha256
        check, or has an unknown format version. The message names the file.
    """
    path = os.fspath(path)
    where = f"model file {path!r}"
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ModelFileError(f"{where} does not exist") from None
    except OSError as exc:
        raise ModelFileError(f"{where} cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise ModelFileError(f"{where} is not a regular file")
    if st.st_size > _MAX_FILE_BYTES:
        raise ModelFileError(f"{where} is {st.st_size} bytes, more than a model may hold")
    try:
        with open(path, "rb") as f:
            raw = f.read()  # st_size was checked above
    except OSError as exc:
        raise ModelFileError(f"{where} cannot be read ({exc.strerror or exc})") from None
    try:
        arrays = _parse(raw, where)
    except ModelFileError:
        raise
    except Exception as exc:  # any parse failure means a damaged or foreign file
        raise ModelFileError(
            f"{where} is not a discourse model (.npz zip archive expected) or is damaged: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    if _serialise(arrays) != raw:
        raise ModelFileError(
            f"{where} is damaged: its arrays parse, but the file is not byte for byte what "
            "discourse writes for them (the zip container was changed)"
        )
    try:
        metadata = json.loads(arrays.pop("metadata").tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(f"{where} has unreadable metadata: {type(exc).__name__}: {exc}") from None
    if not isinstance(metadata, dict):
        raise ModelFileError(f"{where} has metadata that is not a JSON object")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{where} has format version {metadata.get('format_version')!r}; "
            f"this version of discourse reads version {FORMAT_VERSION}"
        )
    if metadata.get("sha256") != _digest(arrays, metadata):
        raise ModelFileError(f"{where} fails its sha256 check: its contents were changed after it was written")
    return arrays, metadata
