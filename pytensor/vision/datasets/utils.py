"""Downloads for the vision datasets: urllib only, md5-checked, with a tqdm progress bar when tqdm
is installed, and safe extraction of .tar.gz archives."""
import hashlib
import http.client
import os
import tarfile
import urllib.error
import urllib.request

try:
    from tqdm import tqdm as _tqdm
except ImportError:  # no progress bar, silently
    _tqdm = None

_CHUNK = 1 << 16


def calculate_md5(fpath, chunk_size=1 << 20):
    md5 = hashlib.md5()
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5):
    return md5 == calculate_md5(fpath)


def check_integrity(fpath, md5=None):
    """The file exists and, when md5 is given, has that checksum."""
    return os.path.isfile(fpath) and (md5 is None or check_md5(fpath, md5))


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _fetch(url, path, timeout):
    """Streams url into path + '.part', then renames it: an interrupted download leaves no
    file that looks complete."""
    part = path + ".part"
    request = urllib.request.Request(url, headers={"User-Agent": "pytensor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, open(part, "wb") as f:
            total = int(response.headers.get("Content-Length") or 0) or None
            bar = (_tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                         desc=os.path.basename(path)) if _tqdm is not None else _NoBar())
            try:
                while chunk := response.read(_CHUNK):
                    f.write(chunk)
                    bar.update(len(chunk))
            finally:
                bar.close()
        os.replace(part, path)
    finally:
        if os.path.exists(part):
            os.remove(part)


def download_url(url, root, filename=None, md5=None, timeout=30):
    """Downloads url to root/filename unless a file with that md5 is already there. A download
    whose md5 differs is deleted and raises RuntimeError. Returns the path."""
    path = os.path.join(os.path.expanduser(root), filename or os.path.basename(url))
    if check_integrity(path, md5):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    _fetch(url, path, timeout)
    if md5 is not None:
        got = calculate_md5(path)
        if got != md5:
            os.remove(path)
            raise RuntimeError(f"checksum mismatch: the download has md5 {got}, expected {md5}")
    return path


def download_from_mirrors(mirrors, filename, root, md5=None, what="the dataset"):
    """Tries mirror + filename for each mirror in turn. When every one fails the RuntimeError
    lists each URL with its reason and says where to put the file by hand."""
    failures = []
    for mirror in mirrors:
        url = mirror + filename
        try:
            return download_url(url, root, filename, md5)
        except (OSError, http.client.HTTPException, ValueError, RuntimeError) as e:
            failures.append(f"  {url}: {e}")
    checksum = f" (md5 {md5})" if md5 else ""
    raise RuntimeError(
        f"Could not download {filename} of {what}; tried:\n" + "\n".join(failures) +
        f"\nWithout network access, put {filename}{checksum} in {os.path.expanduser(root)} "
        "yourself and run again.")


def _check_members(tar, to_path):
    """For Pythons without tarfile's 'data' filter: refuse links, devices and paths that leave
    to_path."""
    root = os.path.realpath(to_path)
    for member in tar.getmembers():
        target = os.path.realpath(os.path.join(root, member.name))
        if not (member.isfile() or member.isdir()) or os.path.commonpath([root, target]) != root:
            raise RuntimeError(f"{tar.name}: refusing to extract {member.name!r}")


def extract_archive(from_path, to_path=None):
    """Extracts a .tar / .tar.gz / .tgz archive into to_path (default: its folder), refusing
    members that would land outside it."""
    to_path = os.path.dirname(from_path) if to_path is None else to_path
    try:
        with tarfile.open(from_path, "r:*") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(to_path, filter="data")
            else:
                _check_members(tar, to_path)
                tar.extractall(to_path)
    except (tarfile.TarError, EOFError, OSError) as e:
        raise RuntimeError(f"{from_path}: not a readable tar archive ({e}); delete it and "
                           "download it again") from e
    return to_path


def download_and_extract_archive(mirrors, filename, download_root, extract_root=None, md5=None,
                                 what="the dataset"):
    path = download_from_mirrors(mirrors, filename, download_root, md5, what)
    return extract_archive(path, extract_root or download_root)
