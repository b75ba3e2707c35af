#!/usr/bin/python3
"""The shot extractor of rig/measure/shots.c written the straightforward
numpy way, as the yardstick of `make bench` (tests/bench/run).

Same parameters and the same steps (docs/measurement.md, issue 14):
calibration through a table, the noise from the MAD of first differences of
idle chunks setting the detection level and hysteresis, drift tracking over
idle chunks, threshold crossing, release held for the debounce gap, a
baseline fitted with 50/60 Hz hum on the window before the crossing, the
crest at the highest sample refined by a least-squares parabola over the
widest window the noise explains (a damped sine where only three samples
fit), onset by a line through the samples around half depth. Simplified
where the bench stream does not need it: one noise figure for the whole
capture (rig keeps a running median), no detector mean (the stream's noise
leaves it at one sample), no re-fires. Whole-array operations where numpy
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
BASELINE_S, GUARD_S, LEVEL_S, MIN_LEVEL = 0.020, 0.002, 0.030, 32
PRE_S, CREST_S, ONSET_BAND, DETECT_S = 0.002, 0.001, 0.15, 0.003
NOISE_K, MAX_THRESHOLD_MM, HUM_F2, HUM_S = 6.0, 0.25, 12.0, 0.100


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


def quad(y):
    x = np.arange(len(y)) - (len(y) - 1) / 2
    q, b, a = np.polyfit(x, y, 2)
    return a, b, q, float(((y - (a + b * x + q * x * x)) ** 2).sum())


# A ring model's crest is looked for on this grid of hundredths of a
# sample, from 1.2 before the highest sample to 1.2 after (model_crest).
GRID = np.arange(-120, 121) / 100


def model_crest(vals, y, j, amp, th, var):
    """The highest of a ring model's values on GRID, refined by a parabola
    through it and its neighbours; None when it stands higher above the
    samples around j than a ring of amplitude amp and th radians a sample
    can (as model_crest)."""
    i = int(np.argmax(vals))
    best = vals[i]
    if 0 < i < len(GRID) - 1 and vals[i - 1] - 2 * best + vals[i + 1] < 0:  # between grid points
        l, r = vals[i - 1], vals[i + 1]
        best -= 0.25 * (l - r) * 0.5 * (l - r) / (l - 2 * best + r)
    top = y[max(j - 1, 0):j + 2].max()
    return None if best > top + amp * (1 - math.cos(th / 2)) + 3 * math.sqrt(var) else best


def ring(y, j, var):
    """Damped sine (Prony) through y[j..j+6): its crest, or None (as fit_ring)."""
    if j + 6 > len(y):
        return None
    seg = y[j:j + 6]
    d = np.diff(seg)
    (p, q), *_ = np.linalg.lstsq(np.stack([d[1:4], d[0:3]], 1), d[2:5], rcond=None)
    disc = p * p + 4 * q
    if not disc < 0:
        return None
    rho, th = math.sqrt(-q), math.atan2(math.sqrt(-disc) / 2, p / 2)
    if not (0.6 < th < 2.0 and 0.2 < rho < 1.05):
        return None
    k = np.arange(6)
    m = np.stack([np.ones(6), rho ** k * np.cos(th * k), rho ** k * np.sin(th * k)], 1)
    c, *_ = np.linalg.lstsq(m, seg, rcond=None)
    amp = math.hypot(c[1], c[2])
    if not (amp * amp > 1000 * var and ((seg - m @ c) ** 2).sum() <= 54 * var):
        return None
    f = GRID
    vals = c[0] + rho ** f * (c[1] * np.cos(th * f) + c[2] * np.sin(th * f))
    return model_crest(vals, y, j, amp, th, var)


def ring2(y, j, var):
    """Two damped sines (Prony of order 4) through y[j..j+12): its crest,
    or None (as fit_ring2)."""
    if j + 12 > len(y):
        return None
    seg = y[j:j + 12]
    d = np.diff(seg)
    a, *_ = np.linalg.lstsq(np.stack([d[3 - p:10 - p] for p in range(4)], 1), d[4:11], rcond=None)
    z = np.roots([1.0, -a[0], -a[1], -a[2], -a[3]])
    real = np.abs(z.imag) < 1e-9
    if (np.any((np.abs(z) <= 0.2) | (np.abs(z) >= 1.05) | (np.abs(np.angle(z)) > 3.0))
            or np.any(real & ~(z.real > 0)) or not np.any(~real)
            or not np.abs(np.angle(z)).max() > 0.6):
        return None
    th_max = float(np.abs(np.angle(z)).max())

    def basis(x):
        cols = [np.ones_like(x)]
        for r in z:
            if abs(r.imag) < 1e-9:
                cols.append(r.real ** x)
            elif np.angle(r) > 0:
                cols += [abs(r) ** x * np.cos(np.angle(r) * x), abs(r) ** x * np.sin(np.angle(r) * x)]
        return np.stack(cols, 1)
    m = basis(np.arange(12.0))
    c, *_ = np.linalg.lstsq(m, seg, rcond=None)
    fitted = m @ c
    amp = 0.5 * float(fitted.max() - fitted.min())  # the swing over the samples
    if not (amp * amp > 1000 * var and ((seg - m @ c) ** 2).sum() <= 108 * var):
        return None
    return model_crest(basis(GRID) @ c, y, j, amp, th_max, var)


def crest(y, centre, var):
    """The crest fit of fit_crest: widest window the noise explains."""
    h = min(centre, len(y) - 1 - centre)
    if h == 0:
        return y[centre], 0, centre
    moves = 0
    while True:
        a, b, q, rss = quad(y[centre - h:centre + h + 1])
        dof = 2 * h - 2
        if h > 1 and rss > var * (dof + 2.5 * math.sqrt(2 * dof)):
            h = max(min(h * 3 // 4, h - 1), 1)
            continue
        v = -b / (2 * q) if q < 0 else (h if b > 0 else -h)
        if moves >= 4 or abs(v) <= 0.5 * h:
            break
        step = round(max(min(v, h), -h))
        c2 = centre + step
        if step == 0 or c2 < 0 or c2 > len(y) - 1 or min(c2, len(y) - 1 - c2) < 1:
            break
        centre, h, moves = c2, min(h, min(c2, len(y) - 1 - c2)), moves + 1
    if h == 1:
        tol, l, r, mid = 3 * math.sqrt(var), y[centre - 1], y[centre + 1], y[centre]
        if abs(r - mid) <= tol and r >= l:
            return 0.5 * (mid + r), h, centre
        if abs(l - mid) <= tol and l > r:
            return 0.5 * (mid + l), h, centre
    i = np.arange(-h, h + 1)
    n = 2 * h + 1
    sdq = math.sqrt(var * n / (n * (i ** 4).sum() - (i ** 2).sum() ** 2))
    if q < -2 * sdq or h == 1:
        v = -b / (2 * q) if q < 0 else 0
        if h == 1 and q < 0:
            side = 1 if v >= 0 else -1
            k2 = centre + 2 * side
            if 0 <= k2 < len(y):
                pred, top = a + 2 * b * side + 4 * q, a - b * b / (4 * q)
                if y[k2] - pred > 0.5 * (top - pred):
                    return y[centre - 1:centre + 2].max(), h, centre
        if q < 0 and abs(v) <= h:
            return a - b * b / (4 * q), h, centre
        v = h if b > 0 else -h
        return a + b * v + q * v * v, h, centre
    return a, h, centre


def hum_fit(x, hfrom, bfrom, to, rate, var):
    """Baseline model of fit_hum: (level, a, b, w), or the mean alone."""
    base = x[bfrom:to].mean()
    stride = int(rate / 2500) if rate > 5000 else 1
    best, model = 0.0, (base, 0.0, 0.0, 0.0)
    k = np.arange(hfrom, to, stride)
    if to - hfrom < 0.5 * rate / 60 or len(k) < 8:
        return model
    y = x[k] - base
    for hz in (50.0, 60.0):
        w = 2 * math.pi * hz / rate
        cs, sn = np.cos(w * k), np.sin(w * k)
        m = np.stack([cs - cs.mean(), sn - sn.mean()], 1)
        (a, b), *_ = np.linalg.lstsq(m, y - y.mean(), rcond=None)
        gain = a * ((y - y.mean()) * m[:, 0]).sum() + b * ((y - y.mean()) * m[:, 1]).sum()
        inb = k >= bfrom
        if gain > HUM_F2 * var and gain > best and inb.any():
            best, model = gain, (base - a * cs[inb].mean() - b * sn[inb].mean(), a, b, w)
    return model


def extract(header, codes):
    rate = header["rate_hz"]
    names = [c["name"] for c in header["channels"]]
    d, p = names.index("displacement"), names.index("plunger")
    chunk = min(max(pow2_at_least(CHUNK_S * rate), 4), 4096)
    nwin = scans(TRACK_S * rate / chunk, 1)
    lag = int(min(DETECT_S * rate, 64))
    pre, guard = scans(PRE_S, rate, 2) + lag, scans(GUARD_S, rate) + lag
    base_len, level_len = scans(BASELINE_S, rate), scans(LEVEL_S, rate, MIN_LEVEL)
    half = min(max(round(CREST_S * rate), 8), 256)
    gap = max(scans(GAP_S, rate), half)

    x = calibrate(codes[:, d], header["channels"][d])
    v = calibrate(codes[:, p], header["channels"][p])
    n = len(x)
    nchunks = n // chunk
    blocks = x[: nchunks * chunk].reshape(nchunks, chunk)
    chunk_max, chunk_mean = blocks.max(axis=1), blocks.mean(axis=1)
    # The noise: MAD of first differences over the chunks rig samples for
    # it (the first 8, then one in 256) that are idle by a generous test.
    pick = np.flatnonzero((np.arange(nchunks) < 8) | (np.arange(nchunks) % 256 == 0))
    pick = pick[chunk_max[pick] - chunk_mean[pick] < THRESHOLD_MM]
    mads = np.median(np.abs(np.diff(blocks[pick], axis=1)), axis=1) * 1.4826 / math.sqrt(2)
    sigma = float(np.median(mads)) if len(mads) else 0.0
    threshold = min(max(THRESHOLD_MM, NOISE_K * sigma), MAX_THRESHOLD_MM)
    release = min(max(RELEASE_MM, 0.5 * threshold, 3 * sigma), 0.8 * threshold)
    table = np.polynomial.polynomial.polyval(np.arange(header["channels"][d].get("maxdata", 65535) + 1),
                                             header["channels"][d]["poly"])

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
            cross = np.flatnonzero(chunk_max[c0:c1] > bases + threshold)
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
        above = np.flatnonzero(x[k:(c + 1) * chunk] > base + threshold)
        if not len(above):                             # rest of a chunk after a shot
            k = (c + 1) * chunk
            continue
        start = k + above[0]
        to = max(start - guard, 0)
        lo = max(to - base_len, quiet_from)
        code = int(np.searchsorted(table, base + threshold))
        step = abs(table[min(code + 1, len(table) - 1)] - table[max(code, 1) - 1]) / 2
        var = sigma * sigma + step * step / 12
        hfrom = min(max(to - min(scans(HUM_S, rate), 32768), quiet_from), lo)
        c0, ha, hb, hw = hum_fit(x, hfrom, lo, to, rate, var) if lo < to else (base, 0.0, 0.0, 0.0)
        # the needle home: a run of gap + 1 samples below the release level
        # (looked for in the next quarter second, then in the rest)
        for stop in (min(start + scans(0.25, rate), n), n):
            below = np.concatenate([[0], np.cumsum(x[start:stop] < c0 + release)])
            home = np.flatnonzero(below[gap + 1:] - below[:-gap - 1] == gap + 1)
            if len(home):
                break
        end = start + (home[0] + gap if len(home) else stop - start - 1)
        first = max(start - pre, 0)
        def model(k0, k1):
            kk = np.arange(k0, k1, dtype=float)
            return c0 + (ha * np.cos(hw * kk) + hb * np.sin(hw * kk) if hw else 0.0)
        # the crest: the highest sample, then the fit around it
        pk = start + int(np.argmax(x[start:end + 1]))
        a, b = max(pk - half, first), min(pk + half, end)
        yw = x[a:b + 1] - model(a, b + 1)
        var = sigma * sigma + (abs(table[min(codes[pk, d] + 1, len(table) - 1)] - table[codes[pk, d]]) ** 2) / 12
        depth, width, at = crest(yw, pk - a, var)
        if width <= 1:
            j = max(at - 1, 0)
            j = j + int(np.argmax(yw[j:j + 3]))
            r = ring(yw, j, var)
            if r is None:  # two modes, on samples past the crest window
                j2 = a + j
                r = ring2(x[j2 - 1:j2 + 12] - model(j2 - 1, j2 + 12), 1, var)
            if r is not None:
                depth = r
        y = x[first:min(first + pre + scans(0.030, rate), end + 1)]
        y = y - model(first, first + len(y))
        on = crossing(y, min(len(y) - 1, max(a + at - first, 1)), 0.5 * depth, ONSET_BAND * depth)
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
