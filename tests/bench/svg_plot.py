"""A few line charts side by side as one SVG, with no plotting library to install."""
import math

WIDTH, HEIGHT, MARGIN = 360, 260, 50
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def ticks(low, high, count=5):
    step = (high - low) / (count - 1) if high > low else 1
    return [low + i * step for i in range(count)]


def label(value):
    return "%g" % float("%.3g" % value)


def panel(x0, title, x_name, y_name, series):
    points = [p for values in series.values() for p in values]
    x_low, x_high = min(p[0] for p in points), max(p[0] for p in points)
    y_high = max(p[1] for p in points) * 1.1 or 1
    log_x = x_high / max(x_low, 1e-9) > 100
    fx = (lambda x: math.log10(max(x, 1e-9))) if log_x else (lambda x: x)
    lo, hi = fx(x_low), fx(x_high)
    span = (hi - lo) or 1

    def sx(x):
        return x0 + MARGIN + (fx(x) - lo) / span * (WIDTH - 1.5 * MARGIN)

    def sy(y):
        return HEIGHT - MARGIN - y / y_high * (HEIGHT - 1.7 * MARGIN)

    out = ['<text x="%d" y="18" font-size="13">%s</text>' % (x0 + MARGIN, title),
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (
               sx(x_low), sy(0), x0 + WIDTH - MARGIN / 2, sy(0)),
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (
               sx(x_low), sy(0), sx(x_low), sy(y_high))]
    for y in ticks(0, y_high):
        out.append('<text x="%d" y="%d" font-size="10" text-anchor="end">%s</text>' % (
            sx(x_low) - 4, sy(y) + 3, label(y)))
    x_ticks = sorted({p[0] for p in points}) if len({p[0] for p in points}) <= 7 else ticks(
        x_low, x_high)
    for x in x_ticks:
        out.append('<text x="%d" y="%d" font-size="10" text-anchor="middle">%s</text>' % (
            sx(x), sy(0) + 14, label(x)))
    out.append('<text x="%d" y="%d" font-size="11" text-anchor="middle">%s%s</text>' % (
        x0 + WIDTH / 2, HEIGHT - 12, x_name, " (log scale)" if log_x else ""))
    out.append('<text x="%d" y="%d" font-size="11" transform="rotate(-90 %d %d)" '
               'text-anchor="middle">%s</text>' % (x0 + 12, HEIGHT / 2, x0 + 12, HEIGHT / 2,
                                                   y_name))
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)]
        path = " ".join("%.1f,%.1f" % (sx(x), sy(y)) for x, y in sorted(values))
        out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (
            colour, path))
        out.append('<text x="%d" y="%d" font-size="10" fill="%s">%s</text>' % (
            x0 + MARGIN + 6, 34 + 12 * n, colour, name))
    return out


def panels(charts):
    body = []
    for n, (title, x_name, y_name, series) in enumerate(charts):
        body += panel(n * WIDTH, title, x_name, y_name, series)
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
            'font-family="sans-serif">\n<rect width="100%%" height="100%%" fill="white"/>\n%s\n'
            '</svg>\n' % (WIDTH * len(charts), HEIGHT, "\n".join(body)))
