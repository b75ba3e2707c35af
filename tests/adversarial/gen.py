"""Independent capture generator for rig measure (issue 14).

Written from the documented raw capture format (shared/DESIGN.md "Raw
capture file", docs/file-formats.md) and the shot definitions (DESIGN.md
"What a shot is") only: nothing here comes from drivers/sim or rig/measure.

A condition (a dict, see DEFAULTS) describes the injector's strokes and the
station's sensors. render() returns the capture's bytes and the truth:

- the needle's true extension x(t) is built analytically: a raised-cosine
  rise to the stop, then end-of-stroke ringing (a damped sine whose first
  lobe overshoots the stop by `overshoot` of the depth), the dwell, a
  raised-cosine retract;
- depth = max of x over the stroke (overshoot counts), found on a 0.5 us
  grid; onset = first rise of x through 50 % of that depth (bisection on the
  analytic function);
- the plunger's true level rises by the dose during the dwell (a smooth
  ramp); volume = level after minus level before;
- the sensors add white noise (a fraction of the sensor's span), mains hum
  (50 or 60 Hz, a fraction of span, random phase), drift; the reading goes
  through the inverse of the calibration polynomial (any order, either
  direction), is rounded to the converter's codes and clipped to them;
  `stuck` replaces the displacement codes by a constant.
"""
import json
import math

import numpy as np

DEFAULTS = dict(
    rate=20000.0,          # scans/s
    shots=40,
    per_min=350.0,         # firing rate
    depths=(0.5, 1.5, 2.0, 4.0, 6.0),  # cycled through, mm
    doses=(10.0, 20.0, 50.0, 100.0),   # cycled through, ul
    rise_ms=(1.0, 3.0),    # raised-cosine rise time, uniform in this range
    dwell_frac=0.45,       # of the period, at depth
    retract_ms=2.0,
    overshoot=0.0,         # first ringing lobe above the stop, fraction of depth
    ring_hz=(600.0, 1200.0),
    ring_q=(3.0, 8.0),     # damping: the ring decays as exp(-pi f t / Q)
    mode2=0.0,             # a second ring mode, this fraction of the first one's amplitude,
    mode2_ratio=2.7,       # at this multiple of its frequency
    noise=0.0,             # white noise sigma, fraction of the displacement span
    hum=0.0,               # mains hum amplitude, fraction of span
    hum_hz=50.0,
    drift=0.0,             # mm over the capture
    pnoise=0.0002,         # plunger noise, fraction of its span
    span=10.0,             # displacement sensor span, mm (readings -1 .. 9)
    pspan=2000.0,          # plunger span, ul
    bits=16,
    poly_order=1,          # 1, 2 or 3: the calibration polynomial's order
    inverted=False,        # LVDT wired the other way round: codes fall as the needle goes out
    clip_mm=None,          # the sensor saturates at this reading (codes stuck at full scale)
    stuck=None,            # displacement codes all this value
    extra_channels=0,      # further channels before the ones rig reads
    order=("displacement", "plunger"),
    t0=12.5,
    seed=1,
)


def calibration(span, lo, bits, order, inverted, rng):
    """A polynomial code -> reading, monotonic over the codes, of the given
    order, covering [lo, lo + span]; with its inverse as a table."""
    maxdata = (1 << bits) - 1
    u = np.linspace(0.0, 1.0, maxdata + 1)
    # A smooth monotonic shape of the requested order on u in [0, 1].
    if order == 1:
        c = [0.0, 1.0]
    elif order == 2:
        a = rng.uniform(0.1, 0.3)
        c = [0.0, 1.0 - a, a]
    else:
        a = rng.uniform(0.1, 0.25)
        c = [0.0, 1.0 - a, 3 * a, -2 * a]  # derivative 1 - a + 6au - 6au^2 > 0
    # reading = lo + span * p(u), u = code / maxdata (or 1 - that, inverted)
    pc = np.zeros(4)
    for k, ck in enumerate(c):
        pc[k] = ck
    # expand p(s*code + t) with s = +-1/maxdata, t = 0 or 1
    s, t = (-1.0 / maxdata, 1.0) if inverted else (1.0 / maxdata, 0.0)
    poly_in_code = np.polynomial.polynomial.Polynomial([0.0])
    lin = np.polynomial.polynomial.Polynomial([t, s])
    for k in range(4):
        poly_in_code = poly_in_code + pc[k] * lin ** k
    coef = list(poly_in_code.coef * span)
    coef[0] += lo
    coef = coef[: order + 1]
    while len(coef) < order + 1:
        coef.append(0.0)
    codes = np.arange(maxdata + 1, dtype=float)
    table = np.polynomial.polynomial.polyval(codes, coef)
    return coef, table, maxdata


def to_codes(reading, table, maxdata):
    """Nearest code to each reading (the table is monotonic), clipped."""
    inc = table[-1] > table[0]
    tab = table if inc else table[::-1]
    i = np.searchsorted(tab, reading)
    i = np.clip(i, 1, maxdata)
    lo, hi = tab[i - 1], tab[i]
    pick = np.where(np.abs(reading - lo) <= np.abs(hi - reading), i - 1, i)
    # clip: readings beyond the ends saturate at the end codes
    pick = np.where(reading <= tab[0], 0, np.where(reading >= tab[-1], maxdata, pick))
    return (pick if inc else maxdata - pick).astype(np.uint16)


class Stroke:
    def __init__(self, t, depth, rise, overshoot, f, q, dwell, retract, dose, mode2=0.0, r2=2.7):
        self.t, self.d, self.rise, self.ov = t, depth, rise, overshoot
        self.f, self.q, self.dwell, self.retract, self.dose = f, q, dwell, retract, dose
        w = 2 * math.pi * f
        self.alpha = math.pi * f / q
        # amplitude so that the first lobe's top is overshoot * depth above the stop
        tpk = math.atan(w / self.alpha) / w
        self.amp = overshoot * depth / (math.exp(-self.alpha * tpk) * math.sin(w * tpk)) if overshoot else 0.0
        self.w = w
        self.m2, self.r2 = mode2, r2

    def x(self, t):
        """True extension (mm) at times t (array)."""
        t = np.asarray(t, dtype=float)
        u = t - self.t
        y = np.zeros_like(u)
        r = (u > 0) & (u < self.rise)
        y[r] = self.d * 0.5 * (1 - np.cos(math.pi * u[r] / self.rise))
        a = (u >= self.rise) & (u < self.rise + self.dwell)
        ua = u[a] - self.rise
        y[a] = self.d + self.amp * np.exp(-self.alpha * ua) * np.sin(self.w * ua)
        if self.m2:  # a stiffer mode, damped faster: the crest is no pure damped sine
            y[a] += self.m2 * self.amp * np.exp(-2.5 * self.alpha * ua) * np.sin(self.r2 * self.w * ua)
        b = (u >= self.rise + self.dwell) & (u < self.rise + self.dwell + self.retract)
        ub = u[b] - self.rise - self.dwell
        ring_end = self.amp * math.exp(-self.alpha * self.dwell) * math.sin(self.w * self.dwell)
        y[b] = (self.d + ring_end) * 0.5 * (1 + np.cos(math.pi * ub / self.retract))
        return y

    def truth(self):
        g = np.arange(self.t, self.t + self.rise + 0.02, 0.5e-6)
        depth = float(self.x(g).max())
        half = 0.5 * depth
        lo, hi = self.t, self.t + self.rise  # x rises monotonically here, to depth >= half
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            if self.x(np.array([mid]))[0] < half:
                lo = mid
            else:
                hi = mid
        return depth, 0.5 * (lo + hi)


def render(cond):
    c = dict(DEFAULTS)
    c.update(cond)
    rng = np.random.default_rng(c["seed"])
    rate = c["rate"]
    period = 60.0 / c["per_min"]
    lead = 0.25
    n = int((lead + c["shots"] * period + 0.2) * rate)
    t = np.arange(n) / rate
    x = np.zeros(n)
    vol = np.zeros(n)
    truth = []
    level = rng.uniform(100, 300)
    vol[:] = level
    for i in range(c["shots"]):
        t_on = lead + i * period + rng.uniform(-0.002, 0.002)
        depth = c["depths"][i % len(c["depths"])]
        dose = c["doses"][(i // len(c["depths"])) % len(c["doses"])] * rng.uniform(0.97, 1.03)
        rise = rng.uniform(*c["rise_ms"]) / 1000
        f = rng.uniform(*c["ring_hz"])
        q = rng.uniform(*c["ring_q"])
        dwell = c["dwell_frac"] * period
        st = Stroke(t_on, depth * rng.uniform(0.98, 1.02), rise, c["overshoot"], f, q, dwell,
                    c["retract_ms"] / 1000, dose, c["mode2"], c["mode2_ratio"])
        i0 = max(int((t_on - 0.001) * rate), 0)
        i1 = min(int((t_on + rise + dwell + st.retract + 0.001) * rate) + 1, n)
        x[i0:i1] += st.x(t[i0:i1])
        # the dose is pushed during the first 60 % of the dwell (smooth ramp)
        p0, p1 = t_on + rise, t_on + rise + 0.6 * dwell
        ramp = np.clip((t - p0) / (p1 - p0), 0, 1)
        vol += dose * (0.5 - 0.5 * np.cos(math.pi * ramp))
        d, on = st.truth()
        truth.append((on, d, dose))
    lo = -1.0
    reading = lo + 1.0 + x  # needle home reads 0 mm on a -1 .. 9 mm sensor
    reading += c["drift"] * t / t[-1]
    reading += rng.normal(0, c["noise"] * c["span"], n)
    if c["hum"]:
        reading += c["hum"] * c["span"] * np.sin(2 * math.pi * c["hum_hz"] * t + rng.uniform(0, 2 * math.pi))
    if c["clip_mm"] is not None:
        reading = np.minimum(reading, c["clip_mm"])
    preading = vol + rng.normal(0, c["pnoise"] * c["pspan"], n)

    dcoef, dtab, dmax = calibration(c["span"], lo, c["bits"], c["poly_order"], c["inverted"], rng)
    pcoef, ptab, pmax = calibration(c["pspan"], 0.0, 16, 1, False, rng)
    dcodes = to_codes(reading, dtab, dmax)
    if c["stuck"] is not None:
        dcodes[:] = c["stuck"]
    pcodes = to_codes(preading, ptab, pmax)

    chans, cols = [], []
    for k in range(c["extra_channels"]):
        chans.append({"name": "aux%d" % k, "unit": "V", "poly": [-10.0, 20.0 / 65535]})
        cols.append(rng.integers(0, 65536, n).astype(np.uint16))
    for name in c["order"]:
        if name == "displacement":
            chans.append({"name": "displacement", "unit": "mm", "poly": dcoef, "maxdata": dmax})
            cols.append(dcodes)
        else:
            chans.append({"name": "plunger", "unit": c.get("punit", "ul"), "poly": pcoef, "maxdata": pmax})
            cols.append(pcodes)
    header = {"rate_hz": rate, "t0_s": c["t0"], "channels": chans, "generator": "tests/adversarial"}
    data = np.stack(cols, axis=1).astype("<u2").tobytes()
    blob = b"RCAP1\n" + json.dumps(header).encode() + b"\n" + data
    truth = [(c["t0"] + on, d, v) for on, d, v in truth]
    return blob, truth
