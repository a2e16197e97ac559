#!/usr/bin/env python3
"""Writes the small IDX and CSV fixtures of tests/data: files the data readers' tests read, and
seeds for fuzzing the readers. Run it from any directory; it rewrites the files beside it.

The three images are 2 x 3 pixels; tests/test_idx.cpp holds the same values and checks that the
fixtures read back as them. Every corrupt file differs from a good one in one way, named by the
file."""

import gzip
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent

THREE_IMAGES = bytes([0, 255, 1, 128, 64, 254,
                      10, 20, 30, 40, 50, 60,
                      255, 0, 255, 0, 255, 0])
THREE_LABELS = bytes([2, 0, 9])


def idx(magic, sizes, data):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", s) for s in sizes) + data


def write(name, content, compress=False):
    path = HERE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        # A zero time stamp keeps the compressed bytes the same from run to run.
        content = gzip.compress(content, mtime=0)
    path.write_bytes(content)


def idx_fixtures():
    images = idx(0x803, [3, 2, 3], THREE_IMAGES)
    labels = idx(0x801, [3], THREE_LABELS)
    write("idx/three-images-idx3-ubyte", images)
    write("idx/three-images-idx3-ubyte.gz", images, compress=True)
    write("idx/three-labels-idx1-ubyte", labels)
    write("idx/three-labels-idx1-ubyte.gz", labels, compress=True)

    write("idx/bad-magic-idx3-ubyte", idx(0x12345678, [3, 2, 3], THREE_IMAGES))
    write("idx/bad-type-idx3-ubyte", idx(0xD03, [3, 2, 3], THREE_IMAGES))
    write("idx/truncated-header-idx3-ubyte", images[:10])
    write("idx/truncated-data-idx3-ubyte.gz", images[:26], compress=True)
    write("idx/huge-count-idx3-ubyte.gz", idx(0x803, [0xFFFFFFFF, 28, 28], THREE_IMAGES),
          compress=True)
    write("idx/label-too-large-idx1-ubyte", idx(0x801, [3], bytes([2, 10, 9])))


def csv_fixtures():
    write("csv/labels-first.csv", b"1,0.5,0.25\n0,1,2\n2,-3.5,4e-1\n")
    write("csv/labels-last-header-crlf.csv",
          b"width, height, class\r\n0.5, 0.25, 1\r\n1, 2, 0\r\n-3.5, 0.4, 2\r\n\r\n")
    write("csv/regression.csv", b"x0;x1;y0;y1\n1;2;3;4\n5;6;7;8\n")
    write("csv/wrong-width.csv", b"1,0.5,0.25\n0,1,2\n2,-3.5\n")
    write("csv/not-a-number.csv", b"1,0.5,0.25\n0,one,2\n")
    write("csv/bad-label.csv", b"1,0.5,0.25\n-1,1,2\n")
    write("csv/nan.csv", b"1,0.5,nan\n")
    write("csv/empty.csv", b"")


if __name__ == "__main__":
    idx_fixtures()
    csv_fixtures()
