"""cuda/emu/translate.py, which turns CUDA launches into calls of the emulator: the launch
forms the kernels use, line numbers kept, comments and dynamic shared memory."""
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("translate", ROOT / "cuda" / "emu" / "translate.py")
translate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(translate)


def test_plain_launch():
    out = translate.translate("  k<<<grid_for(n), kThreads>>>(a, b);\n")
    assert out == "  ::pt_emu::launch(grid_for(n), kThreads, [&] { k(a, b); });\n"


def test_templates_scopes_and_shared_memory_size():
    src = "k<T, decltype(g)::value><<<blocks, 256, bytes>>>(p, static_cast<int>(n));"
    assert translate.translate(src) == (
        "::pt_emu::launch(blocks, 256, bytes, [&] { k<T, decltype(g)::value>(p, static_cast<int>(n)); });")


def test_launch_after_a_condition():
    src = "if (r) scatter<T><<<grid, kThreads>>>(p, Assign<T>{});\nelse f<<<1, 1>>>(q);\n"
    assert translate.translate(src) == (
        "if (r) ::pt_emu::launch(grid, kThreads, [&] { scatter<T>(p, Assign<T>{}); });\n"
        "else ::pt_emu::launch(1, 1, [&] { f(q); });\n")


def test_multiline_launch_keeps_line_numbers():
    src = "a;\n  kernel<T>\n      <<<g, b>>>(x,\n          y);\n  z;\n"
    out = translate.translate(src)
    assert out.count("\n") == src.count("\n")
    assert out.splitlines()[-1] == "  z;"
    assert "::pt_emu::launch(g, b, [&] { kernel<T>(x,\n          y); });" in out


def test_comments_and_dynamic_shared_memory():
    src = ("// After each <<<...>>>: checked\n"
           "  extern __shared__ __align__(16) unsigned char smem[];\n")
    out = translate.translate(src)
    assert out.splitlines()[0] == "// After each <<<...>>>: checked"
    assert "unsigned char* smem = reinterpret_cast<unsigned char*>(::pt_emu::dynamic_shared());" in out


def test_every_cuda_source_translates_with_its_line_count():
    for path in sorted((ROOT / "cuda").glob("*.cu*")):
        src = path.read_text()
        out = translate.translate(src)
        assert out.count("\n") == src.count("\n"), path.name
        assert ("<<<" in out) == any("<<<" in line and "//" in line for line in src.splitlines()), path.name
