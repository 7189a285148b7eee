"""Turns a CUDA source into the C++ the emulator compiles (cuda/emu/cuda_runtime.h says how
it runs): each launch `kernel<...><<<grid, block[, smem[, stream]]>>>(args);` becomes
`::pt_emu::launch(grid, block[, smem...], [&] { kernel<...>(args); });` and each
`extern __shared__ T name[];` becomes a pointer to the launch's dynamic shared memory.
Everything else is left as it is, so line numbers in compiler messages stay those of the .cu.

usage: python translate.py IN OUT"""
import re
import sys

OPEN = {"(": ")", "[": "]", "{": "}"}
CLOSE = {v: k for k, v in OPEN.items()}


def kernel_start(src, end):
    """Start of the kernel expression that ends just before `end` (a name with scopes and
    template arguments, e.g. `ns::k<T, decltype(x)::value>`), possibly across a line break."""
    i = end
    while i > 0 and src[i - 1].isspace():
        i -= 1
    while i > 0:
        c = src[i - 1]
        if c == ">":  # template arguments: walk back to the matching '<'
            depth = 0
            while i > 0:
                c = src[i - 1]
                if c in ">)]":
                    depth += 1
                elif c in "<([":
                    depth -= 1
                i -= 1
                if depth == 0:
                    break
        elif c.isalnum() or c == "_" or c == ":":
            i -= 1
        else:
            break
    return i


def matching(src, i):
    """Index just past the bracket that closes the one at i."""
    depth = 0
    while True:
        c = src[i]
        if c in OPEN:
            depth += 1
        elif c in CLOSE:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1


def translate(src):
    out, pos = [], 0
    while True:
        at = src.find("<<<", pos)
        if at < 0:
            break
        start = kernel_start(src, at)
        kernel = src[start:at].strip()
        line = src[src.rfind("\n", 0, at) + 1:at]
        if not kernel or "//" in line:  # `<<<` in a comment: keep it
            out.append(src[pos:at + 3])
            pos = at + 3
            continue
        cfg_end = src.index(">>>", at)
        config = src[at + 3:cfg_end]
        args_open = cfg_end + 3
        while src[args_open].isspace():
            args_open += 1
        assert src[args_open] == "(", f"launch of {kernel} without an argument list"
        args_close = matching(src, args_open)
        out.append(src[pos:start])
        out.append(f"::pt_emu::launch({config}, [&] {{ {kernel}{src[args_open:args_close]}; }})")
        pos = args_close
        newlines = src[start:args_open].count("\n")  # the arguments keep theirs
        if newlines:  # keep line numbers: the swallowed line breaks go after the semicolon
            semi = src.index(";", pos)
            out.append(src[pos:semi + 1] + "\n" * newlines)
            pos = semi + 1
    out.append(src[pos:])
    text = "".join(out)
    return re.sub(r"extern\s+__shared__\s+(?:__align__\(\d+\)\s+)?([\w:<>, ]+?)\s+(\w+)\s*\[\]\s*;",
                  r"\1* \2 = reinterpret_cast<\1*>(::pt_emu::dynamic_shared());", text)


def main():
    with open(sys.argv[1]) as f:
        src = f.read()
    text = translate(src)
    with open(sys.argv[2], "w") as f:
        f.write(f'#line 1 "{sys.argv[1]}"\n' + text)


if __name__ == "__main__":
    main()
