#!/usr/bin/python3
"""The shot extractor of rig/measure/shots.c written the straightforward
numpy way, as the yardstick of `make bench` (tests/bench/run).

Same parameters and the same steps: calibration through a table, drift
tracking over idle chunks, threshold crossing, release held for the debounce
gap, baseline and plunger windows before the crossing, peak at the highest
mean of aligned sub-runs refined by a least-squares parabola, onset by a line
through the samples around half depth. Whole-array operations where numpy
has them, a Python loop where the algorithm is sequential (over chunks and
over shots, never over samples). Overlapping strokes (re-fires) are left out:
the bench stream has none.

usage: reference.py CAPTURE RIG_SHOTS_CSV RUNS
Prints "numpy_samples_per_s N" and how its shots compare with rig's.
"""
import json
import math
import sys
import time

import numpy as np

THRESHOLD_MM, RELEASE_MM, GAP_S = 0.15, 0.08, 0.003
CHUNK_S, TRACK_S = 0.010, 0.010
BASELINE_S, GUARD_S, LEVEL_S, MIN_LEVEL = 0.010, 0.002, 0.030, 32
PRE_S, PEAK_FIT_S, ONSET_BAND = 0.002, 0.00025, 0.15


def read_capture(path):
    with open(path, "rb") as f:
        if f.readline() != b"RCAP1\n":
            sys.exit(f"{path}:1: not a raw capture")
        header = json.loads(f.readline())
        offset = f.tell()
    nch = len(header["channels"])
    codes = np.fromfile(path, dtype="<u2", offset=offset)
    return header, codes[: len(codes) // nch * nch].reshape(-1, nch)


def pow2_at_least(x):
    return 1 << max(0, math.ceil(math.log2(x))) if x > 1 else 1


def scans(seconds, rate, at_least=1):
    return max(at_least, math.ceil(seconds * rate))


def calibrate(codes, channel):
    table = np.polynomial.polynomial.polyval(np.arange(channel.get("maxdata", 65535) + 1),
                                             channel["poly"])
    return table[codes]


def crossing(y, upto, level, band):
    """First rise of y[0..upto] through level, refined by a line through
    the samples within band of it (as fit_crossing)."""
    up = np.flatnonzero((y[:upto] < level) & (y[1:upto + 1] >= level))
    if not len(up):
        return -1.0
    i = up[0] + 1
    linear = i - 1 + (level - y[i - 1]) / (y[i] - y[i - 1])
    lo, hi = i - 1, i
    while lo > 0 and abs(y[lo - 1] - level) <= band:
        lo -= 1
    while hi < upto and abs(y[hi + 1] - level) <= band:
        hi += 1
    if hi - lo + 1 < 4:
        return linear
    slope, intercept = np.polyfit(np.arange(lo, hi + 1) - i, y[lo:hi + 1], 1)
    x = i + (level - intercept) / slope if slope > 0 else linear
    return x if lo <= x <= hi else linear


def peak(y):
    """Vertex of the least-squares parabola, unless it bridges a corner."""
    if len(y) < 3:
        return y.max()
    c = (len(y) - 1) / 2
    q, b, a = np.polyfit(np.arange(len(y)) - c, y, 2)
    v = a
    if q < 0 and abs(-b / (2 * q)) <= c:
        v = a - b * b / (4 * q)
    return min(v, y.max())


def extract(header, codes):
    rate = header["rate_hz"]
    names = [c["name"] for c in header["channels"]]
    d, p = names.index("displacement"), names.index("plunger")
    chunk = min(max(pow2_at_least(CHUNK_S * rate), 4), 4096)
    nwin = scans(TRACK_S * rate / chunk, 1)
    pre, guard = scans(PRE_S, rate, 2), scans(GUARD_S, rate)
    base_len, level_len = scans(BASELINE_S, rate), scans(LEVEL_S, rate, MIN_LEVEL)
    half = max(round(PEAK_FIT_S * rate), 2)
    sub = pow2_at_least(PEAK_FIT_S * rate + 1) // 2
    gap = max(scans(GAP_S, rate), half)

    x = calibrate(codes[:, d], header["channels"][d])
    v = calibrate(codes[:, p], header["channels"][p])
    n = len(x)
    nchunks = n // chunk
    blocks = x[: nchunks * chunk].reshape(nchunks, chunk)
    chunk_max, chunk_mean = blocks.max(axis=1), blocks.mean(axis=1)

    def idle_until_crossing(c0, base, window):
        """Chunks from c0 on are idle (they track the drift) until one
        holds a sample above base + threshold; whole arrays, in strides."""
        while c0 < nchunks:
            c1 = min(c0 + 1024, nchunks)
            means = np.concatenate([window, chunk_mean[c0:c1]])
            sums = np.concatenate([[0.0], np.cumsum(means)])
            have = np.arange(c1 - c0) + len(window)     # entries before each chunk
            lo = np.maximum(have - nwin, 0)
            bases = np.where(have > 0, (sums[have] - sums[lo]) / np.maximum(have - lo, 1), base)
            cross = np.flatnonzero(chunk_max[c0:c1] > bases + THRESHOLD_MM)
            if len(cross):
                j = cross[0]
                return c0 + j, bases[j], means[max(0, j + len(window) - nwin):j + len(window)]
            base = (sums[-1] - sums[-1 - min(nwin, len(means))]) / min(nwin, len(means))
            window, c0 = means[-nwin:], c1
        return nchunks, base, window

    shots, quiet_from, k, base, window = [], 0, 0, x[0], np.empty(0)
    while k < nchunks * chunk:
        if k % chunk == 0:
            c, base, window = idle_until_crossing(k // chunk, base, window)
            k = c * chunk
            if c == nchunks:
                break
        c = k // chunk
        above = np.flatnonzero(x[k:(c + 1) * chunk] > base + THRESHOLD_MM)
        if not len(above):                             # rest of a chunk after a shot
            k = (c + 1) * chunk
            continue
        start = k + above[0]
        to = max(start - guard, 0)
        lo = max(to - base_len, quiet_from)
        shot_base = x[lo:to].mean() if lo < to else base
        # the needle home: a run of gap + 1 samples below the release level
        # (looked for in the next quarter second, then in the rest)
        for stop in (min(start + scans(0.25, rate), n), n):
            below = np.concatenate([[0], np.cumsum(x[start:stop] < shot_base + RELEASE_MM)])
            home = np.flatnonzero(below[gap + 1:] - below[:-gap - 1] == gap + 1)
            if len(home):
                break
        end = start + (home[0] + gap if len(home) else stop - start - 1)
        first = max(start - pre, 0)
        # the peak: highest mean of aligned runs of sub samples, then the fit
        s0, s1 = (start // sub + 1) * sub, (end + 1) // sub * sub
        means = x[s0:s1].reshape(-1, sub).mean(axis=1) if s1 > s0 else x[start:end + 1]
        pk = s0 + int(np.argmax(means)) * sub + (sub - 1) // 2 if s1 > s0 else start
        a, b = max(pk - half, first), min(pk + half, end)
        depth = peak(x[a:b + 1] - shot_base)
        y = x[first:min(first + pre + scans(0.030, rate), end + 1)] - shot_base
        on = crossing(y, min(len(y) - 1, pk - first), 0.5 * depth, ONSET_BAND * depth)
        level = v[max(start - level_len, quiet_from):start].mean()
        shots.append([(first + on) / rate, depth, level])
        quiet_from = end + 1
        window = np.empty(0)
        k = end + 1
    level_end = v[max(n - level_len, quiet_from):n].mean()
    levels = [s[2] for s in shots[1:]] + [level_end]
    return [(t, depth, after - before) for (t, depth, before), after in zip(shots, levels)]


def main():
    path, rig_csv, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    header, codes = read_capture(path)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        shots = extract(header, codes)
        times.append(time.perf_counter() - t0)
    rig = np.loadtxt(rig_csv, delimiter=",", ndmin=2)
    print(f"numpy_samples_per_s {codes.size / sorted(times)[len(times) // 2]:.4g}")
    print(f"numpy_shots {len(shots)}")
    if len(rig) == len(shots):
        ours = np.array(shots)
        print(f"agree_depth_mm {np.abs(ours[:, 1] - rig[:, 2]).max():.2g}")
        print(f"agree_onset_ms {1000 * np.abs(ours[:, 0] - rig[:, 1]).max():.2g}")
        print(f"agree_volume_ul {np.abs(ours[:, 2] - rig[:, 3]).max():.2g}")


if __name__ == "__main__":
    main()
